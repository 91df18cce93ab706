"""Worked examples with known closed forms: Gaussian negative log-likelihood, a Gaussian-process marginal
likelihood, ridge validation error by the regularization weight, the log-barrier Newton step; from the
Python API and from the command line. Every derivative is also checked against finite differences."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.cli import main
from sympy_einstein.evaluation import evaluate
from sympy_einstein.testing import numeric_derivative

N, D = 7, 3


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


# ---------------------------------------------------------------------------------------------
# Gaussian negative log-likelihood by mean and covariance


X_data = se.matrix("X", N, D)
mu = se.vector("mu", D)
S = se.matrix("S", D, D, symmetric=True)
R = X_data - mu  # rows x_i - mu (broadcast)
NLL = N / sp.Integer(2) * se.logdet(S) + se.sum(R * (R @ se.inv(S))) / 2


def gaussian_data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, D)) @ np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
    mean = rng.standard_normal(D)
    q = rng.standard_normal((D, D))
    return x, mean, q @ q.T + D * np.eye(D)


def test_gaussian_nll_gradients_match_the_closed_forms():
    x, mean, cov = gaussian_data()
    b = {X_data: x, mu: mean, S: cov}
    inv, r = np.linalg.inv(cov), x - mean
    grad_mu = -inv @ r.sum(axis=0)
    grad_s = N / 2 * inv - inv @ (r.T @ r) @ inv / 2
    assert relative_error(evaluate(se.gradient(NLL, mu), b), grad_mu) < 1e-12
    assert relative_error(evaluate(se.gradient(NLL, S), b), grad_s) < 1e-12
    assert relative_error(evaluate(se.hessian(NLL, mu), b), N * inv) < 1e-12
    assert relative_error(evaluate(se.gradient(NLL, mu), b), numeric_derivative(NLL, mu, b)) < 1e-8


def test_gaussian_nll_gradients_vanish_at_the_maximum_likelihood_estimate():
    x, _, _ = gaussian_data()
    mean = x.mean(axis=0)
    cov = (x - mean).T @ (x - mean) / N
    b = {X_data: x, mu: mean, S: cov}
    assert np.max(np.abs(evaluate(se.gradient(NLL, mu), b))) < 1e-10
    assert np.max(np.abs(evaluate(se.gradient(NLL, S), b))) < 1e-10


def test_gaussian_gradient_by_the_covariance_is_symmetric_and_compact():
    gradient = se.gradient(NLL, S)
    assert gradient.count(se.TensorAdd) <= 2 and not gradient.has(se.SymmetricMatrix.T.fget(S))
    x, mean, cov = gaussian_data()
    value = evaluate(gradient, {X_data: x, mu: mean, S: cov})
    np.testing.assert_allclose(value, value.T, atol=1e-14)


# ---------------------------------------------------------------------------------------------
# Gaussian-process marginal likelihood by a kernel hyperparameter


DIST = se.matrix("D2", N, N)  # squared distances, fixed data
theta = se.scalar("theta")
y = se.vector("y", N)
K = se.exp(-theta * DIST) + sp.Rational(1, 10) * se.eye(N)
GP = (y @ se.solve(K, y) + se.logdet(K)) / 2


def gp_data():
    rng = np.random.default_rng(2)
    points = rng.uniform(0, 3, size=(N, 1))
    dist = (points - points.T) ** 2
    values = np.sin(2 * points[:, 0]) + 0.1 * rng.standard_normal(N)
    return {DIST: dist, y: values, theta: 0.3}


def test_gp_marginal_likelihood_derivative_matches_the_closed_form():
    b = gp_data()
    k = np.exp(-b[theta] * b[DIST]) + 0.1 * np.eye(N)
    dk = -b[DIST] * np.exp(-b[theta] * b[DIST])
    alpha = np.linalg.solve(k, b[y])
    closed = 0.5 * np.trace((np.linalg.inv(k) - np.outer(alpha, alpha)) @ dk)
    gradient = evaluate(se.gradient(GP, theta), b)
    assert abs(gradient - closed) < 1e-10 * max(1.0, abs(closed))
    assert relative_error(gradient, numeric_derivative(GP, theta, b)) < 1e-8
    second = evaluate(se.hessian(GP, theta), b)
    assert relative_error(second, numeric_derivative(se.gradient(GP, theta), theta, b)) < 1e-7


def test_newton_on_the_gp_hyperparameter_reaches_a_stationary_point():
    b = gp_data()
    gradient, hessian = se.gradient(GP, theta), se.hessian(GP, theta)
    value = 0.5
    for _ in range(30):
        g, h = evaluate(gradient, {**b, theta: value}), evaluate(hessian, {**b, theta: value})
        step = -g / h if h > 0 else -np.sign(g) * 0.1
        value = max(value + step, 1e-3)
        if abs(g) < 1e-10:
            break
    assert abs(evaluate(gradient, {**b, theta: value})) < 1e-8


# ---------------------------------------------------------------------------------------------
# ridge regression: validation error by the regularization weight


Xt, yt = se.matrix("Xt", N, D), se.vector("yt", N)
Xv, yv = se.matrix("Xv", 5, D), se.vector("yv", 5)
lam = se.scalar("lam")
W_RIDGE = se.solve(Xt.T @ Xt + lam * se.eye(D), Xt.T @ yt)
VALIDATION = se.sum((Xv @ W_RIDGE - yv) ** 2)


def test_ridge_validation_error_derivative_matches_the_closed_form():
    rng = np.random.default_rng(3)
    b = {Xt: rng.standard_normal((N, D)), yt: rng.standard_normal(N), Xv: rng.standard_normal((5, D)),
         yv: rng.standard_normal(5), lam: 0.3}
    a = b[Xt].T @ b[Xt] + b[lam] * np.eye(D)
    w = np.linalg.solve(a, b[Xt].T @ b[yt])
    dw = -np.linalg.solve(a, w)
    closed = 2 * (b[Xv] @ w - b[yv]) @ b[Xv] @ dw
    gradient = evaluate(se.gradient(VALIDATION, lam), b)
    assert abs(gradient - closed) < 1e-10 * max(1.0, abs(closed))
    assert relative_error(gradient, numeric_derivative(VALIDATION, lam, b)) < 1e-8
    d2w = 2 * np.linalg.solve(a, np.linalg.solve(a, w))
    second = 2 * ((b[Xv] @ dw) @ (b[Xv] @ dw) + (b[Xv] @ w - b[yv]) @ b[Xv] @ d2w)
    assert relative_error(evaluate(se.hessian(VALIDATION, lam), b), second) < 1e-10


# ---------------------------------------------------------------------------------------------
# log-barrier: the Newton step


A_bar, b_bar, c_bar = se.matrix("A", 6, 2), se.vector("b", 6), se.vector("c", 2)
x_bar = se.vector("x", 2)
BARRIER = -se.sum(se.log(b_bar - A_bar @ x_bar))


def barrier_data():
    rng = np.random.default_rng(4)
    a = np.vstack([rng.standard_normal((2, 2)), np.eye(2), -np.eye(2)])  # a bounded feasible set
    return {A_bar: a, b_bar: np.abs(a).sum(axis=1) + 1.0, x_bar: np.array([0.2, -0.3]), c_bar: np.array([1.0, 0.5])}


def test_barrier_newton_step_matches_the_closed_form():
    b = barrier_data()
    gradient, hessian = se.gradient(BARRIER, x_bar), se.hessian(BARRIER, x_bar)
    step = -se.solve(hessian, gradient)  # the Newton step as one expression
    slack = b[b_bar] - b[A_bar] @ b[x_bar]
    g = b[A_bar].T @ (1 / slack)
    h = b[A_bar].T @ np.diag(1 / slack ** 2) @ b[A_bar]
    assert relative_error(evaluate(gradient, b), g) < 1e-12
    assert relative_error(evaluate(hessian, b), h) < 1e-12
    assert relative_error(evaluate(step, b), -np.linalg.solve(h, g)) < 1e-12
    assert relative_error(evaluate(hessian, b), numeric_derivative(gradient, x_bar, b)) < 1e-8


def test_damped_newton_minimizes_a_linear_objective_with_a_barrier():
    b = barrier_data()
    objective = c_bar @ x_bar + BARRIER
    step = -se.solve(se.hessian(objective, x_bar), se.gradient(objective, x_bar))
    gradient = se.gradient(objective, x_bar)
    point = b[x_bar]
    for _ in range(50):
        delta = evaluate(step, {**b, x_bar: point})
        t = 1.0
        while np.any(b[b_bar] - b[A_bar] @ (point + t * delta) <= 0):
            t /= 2
        point = point + t * delta
    assert np.max(np.abs(evaluate(gradient, {**b, x_bar: point}))) < 1e-9


# ---------------------------------------------------------------------------------------------
# the same examples from the command line


@pytest.mark.parametrize("formula, wrt, declare", [
    ("0.5*logdet(S) + 0.5*(x - m)'*inv(S)*(x - m)", "m,S", None),
    ("0.5*logdet(S) + 0.5*(x - m)'*inv(S)*(x - m)", "m,S", "S: symmetric(n)"),
    ("0.5*y'*inv(exp(-t*D) + 0.1*eye)*y + 0.5*logdet(exp(-t*D) + 0.1*eye)", "t", "t: scalar; D: matrix(n, n)"),
    ("norm2(V*solve(X'*X + c*eye, X'*y) - z)^2", "c", None),
    ("-sum(log(b - A*x))", "x", "b: vector(m)"),
    ("logsumexp(z) - z'*y", "z", None),
])
def test_examples_from_the_command_line(capsys, formula, wrt, declare):
    arguments = [formula, "--wrt", wrt, "--order", "2", "--check", "--tol", "1e-8"]
    arguments += ["--declare", declare] if declare else []
    for seed in range(8):  # the barrier needs b - A x > 0: some random data lie outside its domain
        status = main(arguments + ["--seed", str(seed)])
        out = capsys.readouterr().out
        if "nan" not in out:
            break
    assert status == 0, out
    assert "max relative error" in out


def test_finite_differences_by_a_symmetric_matrix_keep_it_symmetric():
    from sympy_einstein.testing import dot_product_test, random_bindings
    b = random_bindings([S, mu], seed=3)
    np.testing.assert_allclose(b[S], b[S].T)
    b[S] = b[S] + 3 * np.eye(D)
    f = mu @ se.inv(S) @ mu + se.sum(S * se.matrix("M", D, D))
    b[se.matrix("M", D, D)] = np.arange(D * D, dtype=float).reshape(D, D)
    gradient = se.gradient(f, S)
    assert relative_error(evaluate(gradient, b), numeric_derivative(f, S, b)) < 1e-8
    dot_product_test(f, S, gradient, b)

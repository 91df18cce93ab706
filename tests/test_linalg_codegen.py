"""Generated code for the matrix functions (issue 10, item 5): every node and the worked examples compiled
against se.evaluate and finite differences; one factorization per distinct matrix (counted in the source);
errors for singular and non-finite matrices; float32, order-0 and size-1 operands; logits near 1000; the
command line. NumPy backend for most, Numba for a representative few (compiles are slow)."""
import importlib.util
import sys

import numpy as np
import pytest
from test_linalg_examples import (
    BARRIER,
    DIST,
    GP,
    NLL,
    VALIDATION,
    A_bar,
    S,
    X_data,
    Xt,
    Xv,
    b_bar,
    barrier_data,
    gaussian_data,
    gp_data,
    lam,
    mu,
    theta,
    x_bar,
    y,
    yt,
    yv,
)

import sympy_einstein as se
from sympy_einstein.cli import derive, main
from sympy_einstein.errors import BindingError, EinsteinError
from sympy_einstein.testing import numeric_derivative, random_bindings

n = 4
A, B, M = se.matrix("A", n, n), se.matrix("B", n, 3), se.matrix("M", n, n)
T = se.tensor("T", (n, 2, 3))
x, b = se.vector("x", n), se.vector("b", n)
Z, z = se.matrix("Z", 3, 5), se.vector("z", 5)
c = se.scalar("c")


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def data(seed=0):
    rng = np.random.default_rng(seed)
    return {A: rng.standard_normal((n, n)) + n * np.eye(n), B: rng.standard_normal((n, 3)),
            M: rng.standard_normal((n, n)), T: rng.standard_normal((n, 2, 3)), x: rng.standard_normal(n),
            b: rng.standard_normal(n), Z: 3 * rng.standard_normal((3, 5)), z: rng.standard_normal(5), c: 0.7}


def compare(args, exprs, bindings, backend="numpy", tol=1e-8):
    """Generated code against se.evaluate, output by output; returns the function."""
    fn = se.lambdify(args, exprs, backend=backend)
    got = fn(*[bindings[a] for a in args])
    for expr, value in zip(exprs, got, strict=True):
        assert relative_error(value, se.evaluate(expr, bindings)) < tol, expr
    return fn


NODES = [se.inv(A), se.det(A), se.logdet(A), se.adj(A), se.solve(A, b), se.solve(A, B), se.solve(A, T),
         se.solve(A.T, b), x @ se.inv(A) @ x, se.inv(A) @ B, x @ se.inv(A), se.inv(A).T @ b, c * se.solve(A, b),
         se.inv(A) @ M @ se.inv(A), se.det(A) * se.inv(A) + c, se.logsumexp(Z), se.logsumexp(Z, axis=1),
         se.logsumexp(Z, axis=0), se.softmax(Z, axis=1), se.softmax(Z, axis=0), se.softmax(z)]


@pytest.mark.parametrize("expr", NODES, ids=str)
def test_every_node_agrees_with_evaluate_numpy(expr):
    compare([A, B, M, T, x, b, Z, z, c], [expr], data())


def test_derivatives_agree_with_evaluate_and_finite_differences_numpy():
    bindings = data(1)
    f = x @ se.inv(A) @ x + se.logdet(A) + se.logsumexp(A @ x)
    g_a, g_x = se.gradient(f, A), se.gradient(f, x)
    exprs = [f, g_a, g_x, se.hessian(f, x), se.hessian(se.logdet(A), A), se.gradient(se.det(A), A)]
    fn = compare([A, x], exprs, bindings)
    value, grad_a, grad_x = fn(bindings[A], bindings[x])[:3]
    assert relative_error(grad_a, numeric_derivative(f, A, bindings)) < 1e-8
    assert relative_error(grad_x, numeric_derivative(f, x, bindings)) < 1e-8


def test_a_representative_kernel_on_numba():
    bindings = data(2)
    bindings[Z] = bindings[Z] + 1000.0  # logits near 1000: finite, max-shifted
    f = x @ se.inv(A) @ x + se.logdet(A)
    exprs = [f, se.gradient(f, A), se.gradient(f, x), se.det(A), se.adj(A), se.solve(A, B), se.inv(A),
             se.logsumexp(Z, axis=1), se.softmax(Z, axis=1), se.gradient(se.logsumexp(Z), Z)]
    fn = compare([A, B, x, Z], exprs, bindings, backend="numba")
    assert all(np.isfinite(v).all() for v in fn(bindings[A], bindings[B], bindings[x], bindings[Z]))


# ---------------------------------------------------------------------------------------------
# the worked examples of tests/test_linalg_examples.py


def gaussian_bindings():
    data_x, mean, cov = gaussian_data()
    return {X_data: data_x, mu: mean, S: cov}


def test_gaussian_nll_value_gradients_hessian_numpy():
    bindings = gaussian_bindings()
    exprs = [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu), se.gradient(NLL, S)]
    fn = compare([X_data, mu, S], exprs, bindings)
    _, grad_mu, hess_mu, grad_s = fn(bindings[X_data], bindings[mu], bindings[S])
    assert relative_error(grad_mu, numeric_derivative(NLL, mu, bindings)) < 1e-8
    assert relative_error(grad_s, numeric_derivative(NLL, S, bindings)) < 1e-8
    assert relative_error(hess_mu, numeric_derivative(se.gradient(NLL, mu), mu, bindings)) < 1e-8


def test_gaussian_nll_value_gradient_hessian_numba():
    compare([X_data, mu, S], [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu)], gaussian_bindings(), "numba")


def test_gp_marginal_likelihood_by_the_hyperparameter_numpy():
    bindings = gp_data()
    exprs = [GP, se.gradient(GP, theta), se.hessian(GP, theta)]
    fn = compare([DIST, y, theta], exprs, bindings)
    _, gradient, second = fn(bindings[DIST], bindings[y], bindings[theta])
    assert relative_error(gradient, numeric_derivative(GP, theta, bindings)) < 1e-8
    assert relative_error(second, numeric_derivative(se.gradient(GP, theta), theta, bindings)) < 1e-7
    assert fn.source.count("_factor(") == 1  # K factored once for the value, the gradient and the Hessian


def test_ridge_validation_error_by_the_regularization_weight_numpy():
    rng = np.random.default_rng(3)
    bindings = {Xt: rng.standard_normal(Xt.shape), yt: rng.standard_normal(yt.shape[0]),
                Xv: rng.standard_normal(Xv.shape), yv: rng.standard_normal(yv.shape[0]), lam: 0.3}
    exprs = [VALIDATION, se.gradient(VALIDATION, lam), se.hessian(VALIDATION, lam)]
    fn = compare([Xt, yt, Xv, yv, lam], exprs, bindings)
    gradient = fn(*[bindings[s] for s in (Xt, yt, Xv, yv, lam)])[1]
    assert relative_error(gradient, numeric_derivative(VALIDATION, lam, bindings)) < 1e-8
    assert fn.source.count("_factor(") == 1


def test_log_barrier_newton_step_numpy():
    bindings = barrier_data()
    gradient, hessian = se.gradient(BARRIER, x_bar), se.hessian(BARRIER, x_bar)
    step = -se.solve(hessian, gradient)
    fn = compare([A_bar, b_bar, x_bar], [BARRIER, gradient, hessian, step], bindings)
    g, h, delta = fn(bindings[A_bar], bindings[b_bar], bindings[x_bar])[1:]
    assert relative_error(delta, -np.linalg.solve(h, g)) < 1e-12
    assert relative_error(g, numeric_derivative(BARRIER, x_bar, bindings)) < 1e-8


# ---------------------------------------------------------------------------------------------
# one factorization per distinct matrix, shared by value, gradient and Hessian


def code_lines(source):
    return [line.split("#")[0] for line in source.splitlines()]


def count(source, text):
    return sum(line.count(text) for line in code_lines(source))


def test_gaussian_nll_factors_the_covariance_once():
    exprs = [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu), se.gradient(NLL, S)]
    for backend in ("numpy", "numba"):
        fn = se.lambdify([X_data, mu, S], exprs, backend=backend)
        assert count(fn.source, "_factor(") == 1, backend
        assert count(fn.source, "_factor(S, True,") == 1  # Cholesky tried first: S is declared symmetric
        assert count(fn.source, "np.linalg.inv") == count(fn.source, "np.linalg.slogdet") == 0
        assert count(fn.source, "_factor_logdet(") == 1


def test_an_inverse_only_multiplied_is_a_solve():
    bindings = data(4)
    exprs = [x @ se.inv(A) @ b, se.inv(A) @ B, se.gradient(x @ se.inv(A) @ b, x), se.inv(A).T @ x]
    fn = compare([A, B, x, b], exprs, bindings)
    assert count(fn.source, "_factor_inverse(") == 0 and count(fn.source, "_factor(") == 1
    assert count(fn.source, "_factor_solve(") >= 3
    fn = compare([A, x], [se.inv(A), se.inv(A) @ x], bindings)  # the inverse returned: formed once, read
    assert count(fn.source, "_factor_inverse(") == 1 and count(fn.source, "_factor(") == 1


def test_a_transposed_matrix_reads_the_factorization_transposed():
    bindings = data(6)
    exprs = [se.solve(A, b), se.solve(A.T, b), se.logdet(A.T), se.gradient(x @ se.solve(A, b), A), se.inv(A.T)]
    fn = compare([A, b, x], exprs, bindings)
    assert count(fn.source, "_factor(") == 1
    assert count(fn.source, ", True, 'solve(A.T, b)')") == 1


def test_hostile_matrix_names_reach_the_error_as_text():
    name = "q'\"\n}{0}"
    bad = se.matrix(name, 2, 2)
    fn = se.lambdify([bad], [se.inv(bad)], backend="numpy")
    with pytest.raises(BindingError, match="singular") as error:
        fn(np.zeros((2, 2)))
    assert name.replace("\n", " ") in str(error.value) or name in str(error.value)


def test_indefinite_symmetric_matrix_falls_back_to_lu():
    P = se.matrix("P", 3, 3, symmetric=True)  # noqa: N806 -- a matrix
    v = se.vector("v", 3)
    indefinite = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.5], [0.0, 0.5, -3.0]])
    bindings = {P: indefinite, v: np.array([1.0, -2.0, 0.5])}
    compare([P, v], [se.logdet(P), se.det(P), se.solve(P, v), se.inv(P), v @ se.inv(P) @ v], bindings)


# ---------------------------------------------------------------------------------------------
# singular and non-finite matrices


@pytest.mark.parametrize("expr", [se.inv(A), se.solve(A, b), x @ se.inv(A) @ x, se.gradient(se.logdet(A), A)],
                         ids=str)
def test_a_singular_matrix_raises_a_binding_error_naming_the_node(expr):
    fn = se.lambdify([A, x, b], [expr], backend="numpy")
    with pytest.raises(BindingError, match=r"(inv|solve)\(A.*singular"):
        fn(np.ones((n, n)), np.ones(n), np.ones(n))


def test_non_finite_matrices_raise_and_determinants_of_singular_ones_are_exact():
    fn = se.lambdify([A, b], [se.solve(A, b), se.adj(A)], backend="numpy")
    for bad in (np.nan, np.inf):
        matrix = np.eye(n)
        matrix[1, 2] = bad
        with pytest.raises(BindingError, match="not finite"):
            fn(matrix, np.ones(n))
    singular = np.outer(np.arange(1.0, n + 1), np.ones(n))
    dets = se.lambdify([A], [se.det(A), se.logdet(A), se.adj(A)], backend="numpy")(singular)
    assert dets[0] == 0.0 and dets[1] == -np.inf
    assert relative_error(dets[2], se.evaluate(se.adj(A), {A: singular})) < 1e-12


def test_singular_input_raises_our_error_under_numba():
    fn = se.lambdify([A, b], [se.solve(A, b), se.logdet(A)], backend="numba")
    with pytest.raises(BindingError, match="solve"):
        fn(np.ones((n, n)), np.ones(n))
    matrix = np.eye(n)
    matrix[0, 0] = np.nan
    with pytest.raises(EinsteinError, match="not finite"):
        fn(matrix, np.ones(n))


# ---------------------------------------------------------------------------------------------
# float32, order 0, size 1, large logits


def test_float32_inputs():
    bindings = gaussian_bindings()
    exprs = [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu), se.gradient(NLL, S)]
    fn = se.lambdify([X_data, mu, S], exprs, backend="numpy")
    got = fn(*[bindings[s].astype(np.float32) for s in (X_data, mu, S)])
    for expr, value in zip(exprs, got, strict=True):
        assert relative_error(value, se.evaluate(expr, bindings)) < 1e-4


def test_size_one_matrices_and_order_zero_results():
    one = se.matrix("one", 1, 1)
    v = se.vector("v", 1)
    exprs = [se.inv(one), se.det(one), se.logdet(one), se.adj(one), se.solve(one, v), c * se.logdet(one),
             se.gradient(se.logdet(one), one), se.logsumexp(v), se.softmax(v)]
    compare([one, v, c], exprs, {one: np.array([[-2.5]]), v: np.array([3.0]), c: 2.0})


def test_logits_near_1000_stay_finite():
    bindings = data(5)
    bindings[Z] = bindings[Z] + 1000.0
    bindings[x] = 300.0 * bindings[x]
    f = se.logsumexp(A @ x)
    exprs = [se.logsumexp(Z, axis=1), se.softmax(Z, axis=1), se.logsumexp(Z), f, se.gradient(f, x)]
    fn = compare([A, x, Z], exprs, bindings)
    assert all(np.isfinite(v).all() for v in fn(bindings[A], bindings[x], bindings[Z]))
    assert count(fn.source, "np.max(") >= 2


# ---------------------------------------------------------------------------------------------
# the command line: --code numpy / --code numba


def load(capsys, monkeypatch, tmp_path, argv, name):
    assert main(argv) == 0
    path = tmp_path / f"{name}.py"
    path.write_text(capsys.readouterr().out)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # Numba's objmode blocks find the module's globals here
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_gaussian_example_from_the_command_line(capsys, monkeypatch, tmp_path, backend):
    formula = "0.5*logdet(S) + 0.5*(x - m)'*inv(S)*(x - m)"
    declare = "S: symmetric(n)"
    argv = [formula, "--wrt", "m", "--order", "2", "--declare", declare, "--code", backend]
    module = load(capsys, monkeypatch, tmp_path, argv, f"gauss_{backend}")
    expr, symbols, derivatives = derive(formula, ["m"], 2, declare=declare)
    bindings = random_bindings(list(symbols.values()), seed=1)
    cov = bindings[symbols["S"]]
    bindings[symbols["S"]] = cov @ cov.T + len(cov) * np.eye(len(cov))
    arrays = [bindings[s] for s in symbols.values()]
    gradient, hessian = derivatives["m"]
    value, grad, hess = module.value_and_derivatives(*arrays)
    assert relative_error(value, se.evaluate(expr, bindings)) < 1e-10
    assert relative_error(grad, se.evaluate(gradient, bindings)) < 1e-10
    assert relative_error(hess, se.evaluate(hessian, bindings)) < 1e-10

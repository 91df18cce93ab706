# ruff: noqa: N803, N806 -- matrices keep their mathematical capital names (A, X, T, U, V, H)
"""se.minimize against closed forms, KKT conditions and finite differences; errors; the command line."""
import importlib.util

import numpy as np
import pytest

import sympy_einstein as se
from sympy_einstein.cli import main
from sympy_einstein.optimize import compiled as compiled_module
from sympy_einstein.optimize.compiled import generated
from sympy_einstein.optimize.problem import OptimizeError, read_instance, read_problem
from sympy_einstein.optimize.solvers import Objective

GENO = importlib.util.find_spec("genosolver") is not None
UNCONSTRAINED = ["L-BFGS-B", "BFGS", "CG", "Newton-CG", "trust-ncg", "trust-krylov", "trust-exact", "SLSQP",
                 "trust-constr"] + (["genosolver"] if GENO else [])
BOUNDED = ["L-BFGS-B", "SLSQP", "trust-constr"] + (["genosolver"] if GENO else [])
CONSTRAINED = ["SLSQP", "trust-constr"] + (["genosolver"] if GENO else [])


@pytest.fixture(scope="module")
def ridge_data():
    rng = np.random.default_rng(1)
    X, y, lam = rng.normal(size=(30, 5)), rng.normal(size=30), 0.7
    return X, y, lam, np.linalg.solve(X.T @ X + lam * np.eye(5), X.T @ y)


@pytest.mark.parametrize("method", UNCONSTRAINED)
def test_ridge_regression_matches_the_normal_equations(method, ridge_data):
    X, y, lam, exact = ridge_data
    result = se.minimize("norm2(X*w - y)^2 + lam*(w'*w)", "w", {"X": X, "y": y, "lam": lam}, method=method,
                         tol=1e-10, backend="numpy")
    np.testing.assert_allclose(result.variables["w"], exact, rtol=1e-5, atol=1e-6)
    assert result.method.lower() == method.lower()
    assert result.fun == pytest.approx(np.sum((X @ exact - y) ** 2) + lam * exact @ exact, rel=1e-9)
    assert result.history and result.history[-1] == pytest.approx(result.fun, rel=1e-6)


@pytest.mark.parametrize("method", ["Newton-CG", "trust-ncg", "trust-krylov"])
def test_hessian_as_matrix_or_product_give_the_same_solution(method, ridge_data):
    X, y, lam, exact = ridge_data
    for hessian in ("matrix", "product"):
        result = se.minimize("norm2(X*w - y)^2 + lam*(w'*w)", "w", {"X": X, "y": y, "lam": lam}, method=method,
                             hessian=hessian, tol=1e-10, backend="numpy")
        np.testing.assert_allclose(result.variables["w"], exact, rtol=1e-5, atol=1e-6)


def test_matrix_variable_keeps_its_shape():
    """Ridge with several right-hand sides: W (n x k) = (X'X + lam I)^-1 X'Y, from symbols, not a formula."""
    rng = np.random.default_rng(2)
    Xv, Yv, lam = rng.normal(size=(20, 4)), rng.normal(size=(20, 3)), 0.3
    X, Y, W = se.matrix("X", 20, 4), se.matrix("Y", 20, 3), se.matrix("W", 4, 3)
    f = se.sum((X @ W - Y) ** 2) + lam * se.sum(W * W)
    result = se.minimize(f, W, {X: Xv, Y: Yv}, method="trust-exact", backend="numpy")
    assert result.variables[W].shape == (4, 3) and result.x.shape == (12,)
    np.testing.assert_allclose(result.variables[W], np.linalg.solve(Xv.T @ Xv + lam * np.eye(4), Xv.T @ Yv),
                               rtol=1e-8)


@pytest.mark.parametrize("method", ["L-BFGS-B", "trust-exact", "Newton-CG"])
def test_two_variables_equal_one_stacked_variable(method):
    """||A x + B z - b||^2 + ||x||^2 + ||z||^2 over (x, z) is ridge over [x; z] with the matrix [A B]."""
    rng = np.random.default_rng(3)
    A, B, b = rng.normal(size=(25, 3)), rng.normal(size=(25, 2)), rng.normal(size=25)
    M = np.hstack([A, B])
    exact = np.linalg.solve(M.T @ M + np.eye(5), M.T @ b)
    result = se.minimize("norm2(A*x + B*z - b)^2 + x'*x + z'*z", ["x", "z"], {"A": A, "B": B, "b": b},
                         method=method, tol=1e-10, backend="numpy")
    np.testing.assert_allclose(result.variables["x"], exact[:3], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.variables["z"], exact[3:], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.x, exact, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("method", BOUNDED)
def test_box_bounds_give_the_projection(method):
    """min ||x - c||^2 over lower <= x <= 1 is clip(c, lower, 1); the lower bound is an array."""
    c = np.array([-1.0, 0.25, 0.5, 2.0, 0.9])
    lower = np.array([0.0, 0.0, 0.6, 0.0, -1.0])
    result = se.minimize("norm2(x - c)^2", "x", {"c": c}, bounds=(lower, 1), method=method, tol=1e-10,
                         backend="numpy")
    np.testing.assert_allclose(result.variables["x"], np.clip(c, lower, 1), atol=1e-5)


def test_bounds_per_variable_with_none_sides():
    c, d = np.array([-1.0, 2.0]), np.array([3.0, -2.0])
    result = se.minimize("norm2(x - c)^2 + norm2(z - d)^2", ["x", "z"], {"c": c, "d": d},
                         bounds={"x": (0, None), "z": (None, 1.0)}, backend="numpy")
    np.testing.assert_allclose(result.variables["x"], [0.0, 2.0], atol=1e-6)
    np.testing.assert_allclose(result.variables["z"], [1.0, -2.0], atol=1e-6)


def _simplex_kkt(A, b, w, tol):
    """sum(w) = 1, w >= 0 and the gradient g = 2 A'(Aw - b) with multiplier nu: g + nu = 0 on the support,
    g + nu >= 0 off it."""
    g = 2 * A.T @ (A @ w - b)
    support = w > 1e-4
    nu = -np.mean(g[support])
    assert abs(w.sum() - 1) < tol and w.min() > -tol
    assert np.abs(g[support] + nu).max() < tol * max(1.0, np.abs(g).max())
    assert (g[~support] + nu).min() > -tol * max(1.0, np.abs(g).max())


@pytest.mark.parametrize("method", CONSTRAINED)
def test_simplex_solution_satisfies_the_kkt_conditions(method):
    rng = np.random.default_rng(4)
    A, b = rng.normal(size=(30, 8)), rng.normal(size=30)
    # genosolver: its line search fails below a projected gradient of about 1e-8 here, and its augmented
    # Lagrangian needs the constraint tolerance (default 1e-3)
    tol, options = (None, {"eps_pg": 1e-6, "constraint_tol": 1e-8}) if method == "genosolver" else (1e-10, None)
    result = se.minimize("norm2(A*w - b)^2", "w", {"A": A, "b": b}, method=method, bounds=(0, None),
                         constraints={"type": "eq", "fun": "sum(w) - 1"}, tol=tol, options=options, backend="numpy")
    _simplex_kkt(A, b, result.variables["w"], 1e-4)


@pytest.mark.parametrize("method", [None] + CONSTRAINED[1:])
def test_inequality_constraints_of_vector_shape(method):
    """w >= 0 as one vector inequality instead of bounds, the equality as an expression (genosolver's
    inequalities are c <= 0: the sign is flipped for it)."""
    rng = np.random.default_rng(5)
    Av, bv = rng.normal(size=(30, 6)), rng.normal(size=30)
    A, b, w = se.matrix("A", 30, 6), se.vector("b", 30), se.vector("w", 6)
    tol, options = (None, {"eps_pg": 1e-6, "constraint_tol": 1e-9}) if method == "genosolver" else (1e-12, None)
    result = se.minimize(se.sum((A @ w - b) ** 2), w, {A: Av, b: bv}, x0=np.full(6, 1 / 6), method=method,
                         constraints=[{"type": "eq", "fun": se.sum(w) - 1}, {"type": "ineq", "fun": w}],
                         tol=tol, options=options, backend="numpy")
    assert result.method == method or (method is None and result.method == "SLSQP")
    _simplex_kkt(Av, bv, result.variables[w], 1e-4)


def test_genosolver_missing_is_a_clear_error(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "genosolver", None)  # import genosolver now raises ImportError
    monkeypatch.setattr(compiled_module, "lambdify", lambda *a, **k: pytest.fail("compiled before checking"))
    with pytest.raises(OptimizeError, match=r"needs the genosolver package: pip install 'sympy-einstein\[geno"):
        se.minimize("x'*x", "x", x0=[1.0], method="genosolver", backend="numpy")


def _objective(formula, wrt, data, second, constraints=(), x0=None):
    problem = read_problem(formula, wrt, constraints)
    return Objective(generated(problem, second, "numpy"), read_instance(problem, data, x0, None))


def _central(fun, x, eps=1e-6):
    return np.array([(fun(x + eps * e) - fun(x - eps * e)) / (2 * eps) for e in np.eye(x.size)]).T


def test_generated_derivatives_match_finite_differences():
    rng = np.random.default_rng(6)
    data = {"T": rng.random((4, 3))}
    x0 = {"U": rng.random((4, 2)), "V": rng.random((3, 2))}
    constraint = {"type": "ineq", "fun": "U*V' - T"}
    product = _objective("sum((T - U*V').^2) + sum(exp(U))", ["U", "V"], data, "product", [constraint], x0)
    matrix = _objective("sum((T - U*V').^2) + sum(exp(U))", ["U", "V"], data, "matrix", [constraint], x0)
    x, p = product.instance.x0, rng.normal(size=14)
    np.testing.assert_allclose(product.gradient(x), _central(product.value, x), rtol=1e-6, atol=1e-6)
    H = matrix.hessian(x)
    np.testing.assert_allclose(H, _central(product.gradient, x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(product.hessian_product(x, p), H @ p, rtol=1e-10, atol=1e-10)
    value_and_jacobian = product.constraint(0)
    np.testing.assert_allclose(value_and_jacobian(x)[1], _central(lambda z: value_and_jacobian(z)[0], x),
                               rtol=1e-6, atol=1e-6)
    v = rng.normal(size=12)
    hvp = product.constraint_hessian_product(0, x, v, p)
    fd = _central(lambda z: value_and_jacobian(z)[1].T @ v, x) @ p
    np.testing.assert_allclose(hvp, fd, rtol=1e-5, atol=1e-5)


def test_compiled_once_per_problem_and_only_what_the_method_needs(monkeypatch, ridge_data):
    X, y, lam, exact = ridge_data
    names = []
    real = compiled_module.lambdify
    monkeypatch.setattr(compiled_module, "lambdify", lambda *a, **k: names.append(k["name"]) or real(*a, **k))
    f = "norm2(X*w - y)^2 + 0.125*(w'*w)"  # a problem no other test compiles
    for rows in (30, 12):  # new data, other sizes: the same generated code
        se.minimize(f, "w", {"X": X[:rows], "y": y[:rows]}, backend="numpy")
    assert names == ["value_and_gradient"]
    se.minimize(f, "w", {"X": X, "y": y}, method="trust-ncg", backend="numpy")
    se.minimize(f, "w", {"X": X, "y": y}, method="Newton-CG", backend="numpy")
    assert names == ["value_and_gradient", "value_and_gradient", "hessian_product"]
    se.minimize(f, "w", {"X": X, "y": y}, method="trust-exact", backend="numpy")
    assert names[-2:] == ["value_and_gradient", "hessian"]


def test_numba_backend_solves_logistic_regression():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 4))
    y = np.sign(X @ rng.normal(size=4) + rng.normal(size=60))
    formula = "sum(log(exp(-y.*(X*w)) + vector(1))) + lam/2*(w'*w)"
    data = {"X": X, "y": y, "lam": 1.0}
    fast = se.minimize(formula, "w", data, tol=1e-12)
    slow = se.minimize(formula, "w", data, tol=1e-12, backend="numpy")
    np.testing.assert_allclose(fast.variables["w"], slow.variables["w"], rtol=1e-6)
    s = 1 / (1 + np.exp(y * (X @ fast.variables["w"])))
    np.testing.assert_allclose(X.T @ (-y * s) + fast.variables["w"], 0, atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: se.minimize("X*w", "w", {}), "must be a scalar (order 0), but X @ w has shape (m,)"),
    (lambda: se.minimize("x'*x", "y", {}), "wrt: 'y' is not a symbol of the objective or the constraints"),
    (lambda: se.minimize("x'*x", ["x", "x"], {}), "wrt: x is given twice"),
    (lambda: se.minimize("norm2(A*x)^2", "x", {}), "data: no value given for A (shape (m, n))"),
    (lambda: se.minimize("x'*x", "x", {"x": [1.0]}), "data: x is a variable being optimized"),
    (lambda: se.minimize("x'*x", "x", {"q": 1.0}), "data: 'q' is not a symbol of the problem"),
    (lambda: se.minimize("norm2(A*x - b)^2", "x", {"A": np.ones((3, 2)), "b": np.ones(4)}),
     "data for b (shape (m,)): axis 0 has size 4, expected 3, m = 3 from data A axis 0"),
    (lambda: se.minimize("norm2(A*x - b)^2", "x", {"A": np.ones((3, 2, 1)), "b": np.ones(3)}),
     "data for A (shape (m, n)) has shape (3, 2, 1) (order 3), expected order 2"),
    (lambda: se.minimize("norm2(A*x)^2", "x", {"A": np.array([["a"]])}), "data for A (shape (m, n)) has dtype <U1"),
    (lambda: se.minimize("norm2(x - c)^2", "x", {"c": [1.0, np.nan]}), "data for c (shape (n,)) has NaN or infinite"),
    (lambda: se.minimize("x'*x", "x", x0=[np.inf]), "x0 for x (shape (n,)) has NaN or infinite entries"),
    (lambda: se.minimize("x'*x", "x", {}), "the shape (n,) of the variable x is not fixed by the data: give"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0], method="trust-exact", bounds=(0, 1)),
     "method trust-exact does not take bounds"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0], method="L-BFGS-B", constraints={"type": "eq", "fun": "sum(x)"}),
     "method L-BFGS-B does not take constraints"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0], method="nelder"), "unknown method 'nelder'"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0], method="trust-exact", hessian="product"),
     "method trust-exact cannot use the Hessian as a product"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0], constraints={"type": "le", "fun": "sum(x)"}), "a constraint is a dict"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0, 2.0], bounds=(1, 0)), "bounds for x: a lower bound exceeds"),
    (lambda: se.minimize("x'*x", "x", x0=[1.0, 2.0], bounds=(np.zeros(3), None)),
     "the lower bound of x has shape (3,), which does not broadcast to the variable's shape (2,)"),
    (lambda: se.minimize("x'*x + y'*y", ["x", "y"], x0=[1.0]), "x0 must be a dict"),
])
def test_errors_name_the_symbol(call, message):
    with pytest.raises(se.EinsteinError) as error:
        call()
    assert message in str(error.value)


def test_command_line_solves_and_saves(tmp_path, capsys, ridge_data):
    X, y, lam, exact = ridge_data
    np.savez(tmp_path / "data.npz", X=X, y=y, lam=lam)
    out = tmp_path / "w.npz"
    status = main(["norm2(X*w - y)^2 + lam*(w'*w)", "--minimize", "w", "--data", str(tmp_path / "data.npz"),
                   "--backend", "numpy", "--method", "trust-exact", "--solution", str(out)])
    printed = capsys.readouterr().out
    assert status == 0 and "method: trust-exact" in printed and f"solution written to {out}" in printed
    with np.load(out) as solution:
        np.testing.assert_allclose(solution["w"], exact, rtol=1e-8)


def test_command_line_bounds_and_constraints(tmp_path, capsys):
    rng = np.random.default_rng(8)
    A, b = rng.normal(size=(20, 5)), rng.normal(size=20)
    np.savez(tmp_path / "data.npz", A=A, b=b)
    status = main(["norm2(A*w - b)^2", "--minimize", "w", "--data", str(tmp_path / "data.npz"), "--bounds", "0:",
                   "--eq", "sum(w) - 1", "--solver-tol", "1e-12", "--backend", "numpy",
                   "--solution", str(tmp_path / "s.npz")])
    assert status == 0 and "method: SLSQP" in capsys.readouterr().out
    with np.load(tmp_path / "s.npz") as solution:
        _simplex_kkt(A, b, solution["w"], 1e-5)


@pytest.mark.parametrize("extra, message", [
    (["--bounds", "w=1"], "--bounds w=1: expected [NAME=]LOWER:UPPER"),
    (["--bounds", "z=0:"], "--bounds z=0:: z is not a variable of --minimize"),
    (["--bounds", "w=a:"], "--bounds w=a:: 'a' is not a number"),
    (["--code", "numpy"], "--minimize cannot be combined with --code"),
    (["--max-iter", "0"], "--max-iter must be positive"),
    (["--data", "missing.npz"], "--data missing.npz: cannot read it as an .npz file"),
])
def test_command_line_errors_are_one_line_and_exit_2(tmp_path, capsys, extra, message):
    status = main(["norm2(w)^2", "--minimize", "w", "--solution", str(tmp_path / "s.npz")] + extra)
    error = capsys.readouterr().err
    assert status == 2 and message in error and error.count("\n") == 1


def test_errors_come_before_compiling(monkeypatch):
    monkeypatch.setattr(compiled_module, "lambdify", lambda *a, **k: pytest.fail("compiled before checking"))
    with pytest.raises(OptimizeError):
        se.minimize("norm2(A*x)^2 + 0.5*(x'*x)", "x", {"A": np.ones((2, 2))}, method="trust-exact", bounds=(0, 1))

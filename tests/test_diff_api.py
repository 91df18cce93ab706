# ruff: noqa: N803, N806 -- tensors keep their mathematical capital names (A, X, T, U, V)
"""The user-facing derivative API: SymPy's calling conventions, Hessians, HVPs, worked examples, errors.

References: closed forms written with NumPy, explicit SymPy arrays of scalar symbols differentiated
entry by entry with ``sympy.diff``, and central finite differences.
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import choose_mode, derivative, diff, gradient, hessian, hvp, jacobian
from sympy_einstein.evaluation import evaluate
from sympy_einstein.testing import numeric_derivative, random_bindings

n, m, k = sp.symbols("n m k", integer=True, positive=True)


def values(expr, bindings):
    return np.asarray(evaluate(expr, bindings), dtype=float)


# ---------------------------------------------------------------------------------------------
# SymPy's calling conventions


def test_sympy_diff_and_method_and_counts_agree():
    x, y = se.vector("x", 3), se.vector("y", 2)
    f = se.sum(se.sin(x)) * se.sum(y ** 3)
    bindings = random_bindings(f, seed=1)
    assert sp.diff(f, x) == f.diff(x) == diff(f, x)
    assert sp.diff(f, x, 2) == diff(f, (x, 2)) == diff(f, x, x)
    assert sp.diff(f, x, y).shape == (3, 2)
    assert sp.diff(f, y, x).shape == (2, 3)
    np.testing.assert_allclose(values(sp.diff(f, x, y), bindings), values(sp.diff(f, y, x), bindings).T)
    assert diff(f, (x, 0)) == f
    assert diff(f, x, 1) == diff(f, x)


def test_diff_by_the_only_symbol_when_none_is_named():
    x = se.vector("x", 3)
    assert diff(se.sum(se.exp(x))) == gradient(se.sum(se.exp(x)), x)


def test_mixed_derivative_layout_is_expression_then_variables():
    A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    d = sp.diff(se.tanh(A @ x), A, x)
    assert d.shape == (2, 2, 3, 3)
    bindings = random_bindings(d, seed=2)
    reference = numeric_derivative(derivative(se.tanh(A @ x), A), x, bindings)
    np.testing.assert_allclose(values(d, bindings), reference, rtol=1e-5, atol=1e-7)


def test_sympy_functions_of_order_zero_tensors():
    w, X = se.vector("w", 3), se.matrix("X", 4, 3)
    f = se.sum(se.tanh(X @ w))
    bindings = random_bindings(f, seed=3)
    for expr in (sp.exp(f), sp.sqrt(w @ w), f ** 2, sp.log(1 + sp.exp(f)), sp.sin(f) * sp.exp(w @ w)):
        reference = numeric_derivative(se.as_operand(expr), w, bindings)
        for result in (gradient(expr, w), derivative(expr, w, mode="forward"), se.as_operand(sp.diff(expr, w))):
            assert isinstance(result, se.TensorExpr) and result.shape == (3,)
            np.testing.assert_allclose(values(result, bindings), reference, rtol=1e-5, atol=1e-7)


def test_sympy_diff_of_a_function_of_an_order_zero_tensor_is_a_tensor():
    """SymPy's chain rule for a function calls ``f.diff(w)`` (ours) and multiplies by ``exp(f)`` with our
    operators, so the result is a tensor expression. (SymPy's rule for a product of such trees builds a
    plain ``Mul`` instead: ``se.as_operand`` or ``se.gradient`` turn that into a tensor expression.)"""
    w = se.vector("w", 3)
    f = se.sum(se.tanh(w))
    for expr in (sp.exp(f), sp.sqrt(w @ w), f ** 2, sp.log(1 + sp.exp(f))):
        result = sp.diff(expr, w)
        assert isinstance(result, se.TensorExpr) and result.shape == (3,)


# ---------------------------------------------------------------------------------------------
# modes, Jacobian, Hessian, HVP


def test_choose_mode_from_shapes():
    assert choose_mode((), (n, n)) == "reverse"
    assert choose_mode((2,), (5,)) == "reverse"
    assert choose_mode((5,), (2,)) == "forward"
    assert choose_mode((m,), (n,)) == "forward"
    assert choose_mode((3,), (n,)) == "reverse"
    assert choose_mode((n, 2), (n,)) == "forward"


def test_jacobian_of_tanh_layer():
    A, x = se.matrix("A", 4, 3), se.vector("x", 3)
    bindings = random_bindings([A, x], seed=4)
    a, xv = bindings[A], bindings[x]
    expected = (1 - np.tanh(a @ xv) ** 2)[:, None] * a
    for mode in ("forward", "reverse", "auto"):
        np.testing.assert_allclose(values(jacobian(se.tanh(A @ x), x, mode=mode), bindings), expected)


def test_hessian_equals_second_diff_and_blocks():
    x, y = se.vector("x", 3), se.vector("y", 2)
    f = se.sum(se.exp(x)) * se.sum(y ** 3) + x @ x
    assert hessian(f, x) == sp.diff(f, x, 2)
    blocks = hessian(f, [x, y])
    bindings = random_bindings(f, seed=5)
    for i, u in enumerate((x, y)):
        for j, v in enumerate((x, y)):
            assert blocks[i][j].shape == u.shape + v.shape
            reference = numeric_derivative(gradient(f, u), v, bindings)
            np.testing.assert_allclose(values(blocks[i][j], bindings), reference, rtol=1e-5, atol=1e-7)


def test_hvp_matches_hessian_times_vector_and_has_no_square_intermediate():
    X, w, v = se.matrix("X", m, n), se.vector("w", n), se.vector("v", n)
    f = se.sum(se.softplus(X @ w)) + se.sum(se.sin(w)) * (w @ w)
    product = hvp(f, w, v)
    assert product.shape == (n,)
    assert max_rank(product) <= 2 and not any(node.shape == (n, n) for node in nodes(product))
    bindings = random_bindings(product, seed=6)
    expected = values(hessian(f, w), bindings) @ bindings[v]
    np.testing.assert_allclose(values(product, bindings), expected, rtol=1e-9)


def test_hvp_rejects_a_direction_of_the_wrong_shape():
    w = se.vector("w", 3)
    with pytest.raises(se.ShapeError, match="direction"):
        hvp(w @ w, w, se.vector("v", 4))


def test_third_derivative():
    x, A = se.vector("x", 3), se.matrix("A", 3, 3)
    f = se.sum(se.sin(x)) + x @ A @ x
    third = sp.diff(f, x, 3)
    assert third.shape == (3, 3, 3)
    bindings = random_bindings(f, seed=7)
    expected = np.zeros((3, 3, 3))
    for i in range(3):
        expected[i, i, i] = -np.cos(bindings[x][i])
    np.testing.assert_allclose(values(third, bindings), expected, atol=1e-12)
    np.testing.assert_allclose(values(third, bindings), numeric_derivative(sp.diff(f, x, 2), x, bindings),
                               rtol=1e-5, atol=1e-7)


def test_fourth_derivative_of_a_matrix_function():
    W = se.matrix("W", 2, 2)
    f = se.sum(se.tanh(W @ W))
    fourth = diff(f, W, 4)
    assert fourth.shape == (2,) * 8
    bindings = random_bindings(f, seed=8)
    np.testing.assert_allclose(values(fourth, bindings), numeric_derivative(diff(f, W, 3), W, bindings),
                               rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# zeros keep their shape


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_absent_variable_gives_a_symbolic_zero_of_the_right_shape(mode):
    A, x, z = se.matrix("A", m, n), se.vector("x", n), se.tensor("Z", (2, k))
    for expr in (A @ x, se.exp(A), se.sum(x)):
        d = derivative(expr, z, mode=mode)
        assert isinstance(d, se.ZeroTensor) and d.shape == expr.shape + (2, k)
    assert derivative(sp.Integer(3), z, mode=mode) == se.zeros((2, k))
    assert sp.diff(A @ x, z) == se.zeros((m, 2, k))
    f = se.sum(se.tanh(x))
    assert sp.diff(sp.exp(f), z) == 0, "SymPy's own shortcut for a SymPy tree (documented)"
    assert derivative(sp.exp(f), z, mode=mode) == se.zeros((2, k))


def test_derivative_of_a_constant_expression_in_the_variable_is_zero():
    x = se.vector("x", 3)
    f = se.sum(se.exp(x))
    assert derivative(sp.diff(x @ x, x, 3), x).shape == (3, 3, 3, 3)
    assert np.all(values(sp.diff(x @ x, x, 3), random_bindings(f)) == 0)


# ---------------------------------------------------------------------------------------------
# kinks


def test_relu_abs_and_max_at_the_kink():
    x = se.vector("x", 3)
    at_kink = {x: np.array([0.0, -1.0, 2.0])}
    np.testing.assert_array_equal(values(gradient(se.sum(se.relu(x)), x), at_kink), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(values(gradient(se.sum(se.abs(x)), x), at_kink), [0.0, -1.0, 1.0])
    maximum = se.elementwise(lambda t: sp.Max(t, 0), x)
    np.testing.assert_array_equal(values(gradient(se.sum(maximum), x), at_kink), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(values(hessian(se.sum(se.abs(x)), x), at_kink), np.zeros((3, 3)))
    np.testing.assert_array_equal(values(hessian(se.sum(se.relu(x)), x), at_kink), np.zeros((3, 3)))


# ---------------------------------------------------------------------------------------------
# agreement with sympy.diff on explicit arrays of scalar symbols


def explicit(name, shape):
    symbols = sp.symbols(f"{name}0:{int(np.prod(shape))}", real=True)
    return sp.Array(symbols, shape), symbols


@pytest.mark.parametrize("build, explicit_build", [
    (lambda A, x: se.sum(se.tanh(A @ x)),
     lambda A, x: sum(sp.tanh(sum(A[i, j] * x[j] for j in range(3))) for i in range(2))),
    (lambda A, x: x @ A.T @ A @ x * se.sum(se.exp(x)),
     lambda A, x: sum(sum(A[i, j] * x[j] for j in range(3)) ** 2 for i in range(2)) * sum(sp.exp(t) for t in x)),
    (lambda A, x: se.sum(se.sigmoid(A) * (A @ se.diag(x))),
     lambda A, x: sum(sp.exp(-sp.log(1 + sp.exp(-A[i, j]))) * A[i, j] * x[j] for i in range(2) for j in range(3))),
])
def test_agreement_with_elementwise_sympy_diff(build, explicit_build):
    A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    (Ae, a_entries), (xe, x_entries) = explicit("a", (2, 3)), explicit("x", (3,))
    f, fe = build(A, x), explicit_build(Ae, xe)
    bindings = random_bindings([A, x], seed=9)
    point = dict(zip(a_entries + x_entries, list(bindings[A].ravel()) + list(bindings[x]), strict=True))
    for var, entries, shape in ((A, a_entries, (2, 3)), (x, x_entries, (3,))):
        reference = np.array([float(sp.diff(fe, e).subs(point)) for e in entries]).reshape(shape)
        np.testing.assert_allclose(values(gradient(f, var), bindings), reference, rtol=1e-10)
    hess = np.array([[float(sp.diff(fe, a, b).subs(point)) for b in x_entries] for a in x_entries])
    np.testing.assert_allclose(values(hessian(f, x), bindings), hess, rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# worked examples of docs/calculus.md, against their closed forms


def test_quadratic_form():
    A, x = se.matrix("A", n, n), se.vector("x", n)
    f = x @ A @ x
    b = random_bindings(f, sizes={n: 4}, seed=10)
    a, xv = b[A], b[x]
    np.testing.assert_allclose(values(gradient(f, x), b), (a + a.T) @ xv)
    np.testing.assert_allclose(values(hessian(f, x), b), a + a.T)


def test_logistic_regression():
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    f = se.sum(se.log(1 + se.exp(-y * (X @ w))))
    b = random_bindings(f, sizes={m: 5, n: 3}, seed=11)
    xv, wv, yv = b[X], b[w], np.sign(b[y])
    b[y] = yv
    s = 1 / (1 + np.exp(yv * (xv @ wv)))
    np.testing.assert_allclose(values(gradient(f, w), b), -xv.T @ (yv * s))
    np.testing.assert_allclose(values(hessian(f, w), b), xv.T @ np.diag(s * (1 - s)) @ xv)


def test_matrix_factorization():
    T, U, V = se.matrix("T", n, m), se.matrix("U", n, k), se.matrix("V", m, k)
    f = se.sum((T - U @ V.T) ** 2)
    b = random_bindings(f, sizes={n: 3, m: 4, k: 2}, seed=12)
    t, u, v = b[T], b[U], b[V]
    np.testing.assert_allclose(values(gradient(f, U), b), -2 * (t - u @ v.T) @ v)
    np.testing.assert_allclose(values(hessian(f, U), b), 2 * np.einsum("ac,bd->abcd", np.eye(3), v.T @ v))


def test_log_sum_exp():
    X = se.matrix("X", 2, 3)
    f = sp.log(se.sum(se.exp(X)))
    b = random_bindings([X], seed=13)
    p = np.exp(b[X]) / np.exp(b[X]).sum()
    np.testing.assert_allclose(values(gradient(f, X), b), p)
    flat = p.ravel()
    expected = (np.diag(flat) - np.outer(flat, flat)).reshape(2, 3, 2, 3)
    np.testing.assert_allclose(values(hessian(f, X), b), expected, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# errors


def test_plain_symbol_is_rejected_with_a_hint():
    x, c = se.vector("x", 3), sp.Symbol("c")
    for call in (lambda: x.diff(c), lambda: sp.diff(x, c), lambda: gradient(se.sum(x), c)):
        message = r"^cannot differentiate with respect to c: .*se\.scalar\(.c.\)"
        with pytest.raises(se.DifferentiationError, match=message):
            call()


def test_not_a_variable():
    x = se.vector("x", 3)
    with pytest.raises(se.DifferentiationError, match="only tensor symbols"):
        derivative(x, 2 * x)


def test_function_sympy_cannot_differentiate():
    g = sp.Function("g")
    x = se.vector("x", 3)
    with pytest.raises(se.DifferentiationError, match=r"g\("):
        gradient(se.sum(se.elementwise(g, x)), x)


def test_unknown_node_class_is_named():
    class Det(se.TensorExpr):
        @property
        def shape(self):
            return ()

        def _sympystr(self, printer):
            return "Det(...)"

    x = se.matrix("X", 2, 2)
    for mode in ("forward", "reverse"):
        with pytest.raises(se.DifferentiationError, match="Det"):
            derivative(Det(x) * se.sum(x), x, mode=mode)
    assert derivative(Det(x), se.vector("y", 2)) == se.zeros((2,))


def test_bad_arguments():
    x = se.vector("x", 3)
    with pytest.raises(se.DifferentiationError, match="mode"):
        derivative(x, x, mode="sideways")
    with pytest.raises(se.ShapeError, match="order-0"):
        gradient(x, x)
    with pytest.raises(se.DifferentiationError, match="non-negative"):
        diff(x, (x, -1))
    with pytest.raises(se.DifferentiationError, match="must follow"):
        diff(x, 2)
    with pytest.raises(se.DifferentiationError, match="name the variable"):
        diff(x @ se.vector("y", 3))
    with pytest.raises(se.DifferentiationError, match="unevaluated"):
        diff(x, x, evaluate=False)


# ---------------------------------------------------------------------------------------------
# helpers


def nodes(expr):
    from sympy_einstein.derivatives.graph import postorder
    return postorder(expr)


def max_rank(expr):
    return max(node.rank for node in nodes(expr))

"""Matrix notation with Hadamard products, diagonals, entrywise functions and Kronecker products.

Every result of ``to_matrix`` is checked two ways on random values against ``se.evaluate`` of the tensor
expression: read back with ``from_sympy`` and evaluated, and evaluated explicitly by SymPy alone (numeric
sizes, ``as_explicit``). Vec forms (Kronecker products) are checked explicitly against the reshaped tensor.
"""
import warnings

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
import sympy_einstein.cli
from sympy_einstein.convert import MatrixFormError, from_sympy, to_matrix
from sympy_einstein.entrywise import ENTRY, Entrywise
from sympy_einstein.testing import random_bindings

SIZES = (3, 2, 4, 5)


def parsed(formula):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", se.parsing.NamingWarning)
        expr, symbols = se.parse(formula, return_symbols=True)
    sizes = sorted({s for t in symbols.values() for d in t.shape for s in sp.sympify(d).free_symbols}, key=str)
    numeric = {s: sp.Integer(SIZES[k % len(SIZES)] + k // len(SIZES)) for k, s in enumerate(sizes)}
    return expr.xreplace(numeric), {name: t.xreplace(numeric) for name, t in symbols.items()}


def _explicit_trace(m):
    return sp.Matrix(m.as_explicit()).trace()


def explicit_value(matrix_expr, bindings):
    """SymPy alone: the explicit matrix of entries (traces and 1 x 1 products inside entries expanded),
    then the random numbers substituted for the entries of the symbols."""
    explicit = matrix_expr.as_explicit() if isinstance(matrix_expr, sp.MatrixExpr) else sp.Matrix([[matrix_expr]])
    explicit = explicit.applyfunc(lambda v: v.replace(sp.Trace, _explicit_trace).replace(
        lambda a: isinstance(a, sp.MatrixExpr) and a.shape == (1, 1), lambda a: a.as_explicit()[0, 0]))
    values = {}
    for t, value in bindings.items():
        if not isinstance(t, se.TensorSymbol):
            continue
        if t.rank == 0:
            values[sp.Symbol(t.name)] = float(value)
            continue
        symbol = sp.MatrixSymbol(t.name, t.shape[0], t.shape[1] if t.rank == 2 else 1)
        array = np.asarray(value, dtype=float).reshape(symbol.shape)
        values.update({symbol[i, j]: array[i, j] for i in range(array.shape[0]) for j in range(array.shape[1])})
    return np.array(explicit.xreplace(values).evalf(), dtype=float)


def check(expr, symbols, seed=0, vec=False):
    """``to_matrix(expr)`` agrees with ``se.evaluate(expr)`` through from_sympy and explicitly."""
    bindings = random_bindings(list(symbols.values()), seed=seed, positive=True)
    expected = np.asarray(se.evaluate(expr, bindings), dtype=float)
    matrix = to_matrix(expr, vec=vec)
    assert not matrix.has(sp.Lambda), matrix
    if vec:
        p, q, r, s = expected.shape
        expected = expected.transpose(1, 0, 3, 2).reshape(p * q, r * s)
    else:
        scalars = {sp.Symbol(t.name): v for t, v in bindings.items() if isinstance(t, se.TensorSymbol) and t.rank == 0}
        back = np.asarray(se.evaluate(from_sympy(matrix), {**bindings, **scalars}), dtype=float)
        np.testing.assert_allclose(back, expected, rtol=1e-9, atol=1e-12)
    got = explicit_value(matrix, bindings)
    np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-9, atol=1e-12)
    return matrix


# formulas with Hadamard products, diagonals and entrywise functions; every derivative of order <= 2 by
# every variable has a matrix form
CORPUS = [
    "x'*(A.*B)*x", "z'*diag(X*X')", "norm2(M.*(T - U*V'))^2", "sum(A*diag(diag(B)))",
    "u'*exp(-c*(diag(X*X')*vector(1)' + vector(1)*diag(X*X')' - 2*X*X'))*u",   # an RBF kernel
    "tr(diag(x)*A*diag(x)*B)", "sum((A.*B)*x)", "norm2(x.*(A*x))^2", "sum(exp(X*w).*y)", "y'*tanh(W*x)",
    "diag(A*B)'*x", "sum(sigmoid(X*w))", "x'*diag(diag(A))*x", "sum((X.*X)*(w.*w))", "norm2(A.*(x*y'))^2",
    "sum(relu(W*x))", "sum(log(exp(-y.*(X*w)) + vector(1)))", "sum(tanh(W*X))", "sum(sqrt(x).*y)",
    "x'*(A.*A')*x", "tr(A.*B)", "sum(x.*(A*x))",
]


@pytest.mark.parametrize("formula", CORPUS)
def test_values_and_derivatives_have_correct_matrix_forms(formula):
    expr, symbols = parsed(formula)
    check(expr, symbols)
    for symbol in symbols.values():
        first = se.derivative(expr, symbol)
        if first.rank <= 2:
            check(first, symbols, seed=1)
        if expr.rank == 0 and 2 * symbol.rank <= 2:
            check(se.derivative(first, symbol), symbols, seed=2)


def test_gradient_of_sum_a_diag_diag_b_is_a_diagonal_matrix():
    expr, symbols = parsed("sum(A*diag(diag(B)))")
    gradient = se.derivative(expr, symbols["B"])
    matrix = check(gradient, symbols)
    a = sp.MatrixSymbol("A", *symbols["A"].shape)
    assert matrix == sp.DiagMatrix(a.T * sp.OneMatrix(a.shape[0], 1))
    assert matrix.shape == tuple(symbols["B"].shape)


def test_issue_cases_read_as_expected():
    expr, s = parsed("x'*(A.*B)*x")
    a, b = (sp.MatrixSymbol(k, *s[k].shape) for k in "AB")
    x = sp.MatrixSymbol("x", s["x"].shape[0], 1)
    assert to_matrix(se.derivative(expr, s["x"])) == sp.HadamardProduct(a, b) * x + sp.HadamardProduct(a.T, b.T) * x
    expr, s = parsed("norm2(M.*(T - U*V'))^2")
    gradient = to_matrix(se.derivative(expr, s["U"]))
    assert gradient.has(sp.HadamardPower(sp.MatrixSymbol("M", *s["M"].shape), 2))
    expr, s = parsed("z'*diag(X*X')")
    assert to_matrix(se.derivative(expr, s["z"])).has(sp.HadamardPower(sp.MatrixSymbol("X", *s["X"].shape), 2))


def test_elementwise_functions_print_by_name():
    expr, s = parsed("sum(log(exp(-y.*(X*w)) + vector(1)))")
    matrix = to_matrix(se.hessian(expr, s["w"]))
    assert matrix.atoms(Entrywise) and not matrix.has(sp.Lambda)
    assert "exp.(" in str(matrix) and "Lambda" not in str(matrix)
    latex = se.latex(matrix)
    assert r"\exp_{\odot}" in latex and r"\mapsto" not in latex and r"\circ" not in latex
    expr, s = parsed("sum(tanh(W*X))")
    assert "tanh.(W*X)" in str(to_matrix(se.derivative(expr, s["W"])))


def test_matrix_latex_has_no_stray_one():
    expr, s = parsed("sum(log(exp(-y.*(X*w)) + vector(1)))")
    latex = se.latex(to_matrix(expr))
    assert latex.startswith(r"\mathbf{1}^{T}"), latex
    assert not latex.startswith("1")


def test_command_line_matrix_format_uses_the_same_notation(capsys):
    assert se.cli.main(["sum(log(exp(-y.*(X*w)) + vector(1)))", "--wrt", "w", "--format", "matrix"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(r"f = \mathbf{1}^{T} \log_{\odot}") and r"\circ" not in out and "mapsto" not in out


@pytest.mark.parametrize("body", [lambda s, t: sp.atan2(s, t), lambda s, t: sp.Piecewise((s, t > 0), (t, True))])
def test_elementwise_functions_without_matrix_form_raise(body):
    x, y = se.vector("x", 3), se.vector("y", 3)
    with pytest.raises(MatrixFormError, match="has no matrix form"):
        to_matrix(se.elementwise(body, x, y))


def test_entrywise_round_trip_and_parameters():
    x = sp.MatrixSymbol("x", 3, 1)
    step = Entrywise(sp.Heaviside(ENTRY, 0), x)
    tensor = from_sympy(step)
    value = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(se.evaluate(tensor, {se.vector("x", 3): value}), [0.0, 0.0, 1.0])
    assert explicit_value(step, {se.vector("x", 3): value}).ravel().tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="named function"):
        Entrywise(sp.exp(2 * ENTRY), x)


# ---------------------------------------------------------------------------------------------
# vec forms of order-4 derivatives

VEC_CASES = [
    ("norm2(T - U*V')^2", "U"), ("norm2(T - U*V')^2", "V"), ("tr(X'*A*X)", "X"), ("norm2(X*w - y)^2", "X"),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", "X"),
]


@pytest.mark.parametrize("formula, wrt", VEC_CASES)
def test_hessian_by_a_matrix_as_kronecker_products(formula, wrt):
    expr, symbols = parsed(formula)
    hessian = se.hessian(expr, symbols[wrt])
    matrix = check(hessian, symbols, vec=True)
    assert matrix.has(sp.KroneckerProduct)


def test_factorization_hessian_is_two_v_transpose_v_kron_identity():
    expr, s = parsed("norm2(T - U*V')^2")
    v, identity = sp.MatrixSymbol("V", *s["V"].shape), sp.Identity(s["U"].shape[0])
    assert to_matrix(se.hessian(expr, s["U"]), vec=True) == 2 * sp.KroneckerProduct(v.T * v, identity)


def test_jacobian_of_a_matrix_product_by_a_matrix():
    left, middle, right = se.matrix("A", 2, 3), se.matrix("X", 3, 4), se.matrix("B", 4, 5)
    jacobian = se.derivative(left @ middle @ right, middle)  # vec(A X B) = (B^T kron A) vec(X)
    matrix = check(jacobian, {"A": left, "X": middle, "B": right}, vec=True)
    a, b = sp.MatrixSymbol("A", 2, 3), sp.MatrixSymbol("B", 4, 5)
    assert matrix == sp.KroneckerProduct(b.T, a)


@pytest.mark.parametrize("formula, wrt, message", [
    ("tr(X*X)", "X", "ties a row index"),                       # needs a commutation matrix
    ("norm2(M.*(T - U*V'))^2", "U", "not one Kronecker product"),  # a sum over d of Kronecker products
])
def test_vec_without_kronecker_form_raises(formula, wrt, message):
    expr, symbols = parsed(formula)
    with pytest.raises(MatrixFormError, match=message):
        to_matrix(se.hessian(expr, symbols[wrt]), vec=True)


def test_order_four_without_vec_points_to_it():
    expr, s = parsed("norm2(T - U*V')^2")
    with pytest.raises(MatrixFormError, match="vec=True"):
        to_matrix(se.hessian(expr, s["U"]))


def test_product_without_matrix_form():
    matrices = (se.matrix(k, 2, 2) for k in "ABCDEF")
    complete_graph = se.einsum("ij,ik,il,jk,kl,lj->", *matrices)  # every index joins 3 matrices
    with pytest.raises(MatrixFormError, match="joins 3 matrix factors"):
        to_matrix(complete_graph)

"""Matrix notation: to_matrix and from_sympy, checked numerically on both sides.

The SymPy side is evaluated with SymPy alone: numeric sizes, ``as_explicit`` and the entries of the
MatrixSymbols substituted (traces inside entries expanded explicitly).
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.convert import MatrixFormError, from_sympy, to_matrix
from sympy_einstein.derivatives import derivative
from sympy_einstein.testing import random_bindings


def _explicit_trace(m):
    return sp.Matrix(m.as_explicit()).trace()


def sympy_value(expr, arrays: dict, scalars: dict | None = None) -> np.ndarray:
    """Evaluate a SymPy matrix (or scalar) expression of numeric size; vectors are columns."""
    explicit = expr.as_explicit() if isinstance(expr, sp.MatrixExpr) else sp.Matrix([[expr]])
    explicit = explicit.applyfunc(lambda v: v.replace(sp.Trace, _explicit_trace).replace(
        lambda a: isinstance(a, sp.MatrixExpr) and a.shape == (1, 1), lambda a: a.as_explicit()[0, 0]))
    replacements = {sp.Symbol(k): v for k, v in (scalars or {}).items()}
    for symbol in expr.atoms(sp.MatrixSymbol):
        a = np.asarray(arrays[symbol.name], dtype=float).reshape(symbol.shape)
        replacements.update({symbol[i, j]: a[i, j] for i in range(a.shape[0]) for j in range(a.shape[1])})
    return np.array(explicit.xreplace(replacements).evalf(), dtype=float)


def _numeric_sizes(expr, symbols):
    """``expr`` and its symbols with every size symbol replaced by 2, 3, 4, ..."""
    sizes = sorted({s for t in symbols.values() for d in t.shape for s in sp.sympify(d).free_symbols}, key=str)
    values = {s: sp.Integer(2 + k) for k, s in enumerate(sizes)}
    return expr.xreplace(values), {name: t.xreplace(values) for name, t in symbols.items()}


def _check_to_matrix(expr, symbols, positive=False):
    expr, symbols = _numeric_sizes(expr, symbols)
    bindings = random_bindings(list(symbols.values()), positive=positive, seed=3)
    arrays = {name: bindings[t] for name, t in symbols.items() if t.rank > 0}
    scalars = {name: float(bindings[t]) for name, t in symbols.items() if t.rank == 0}
    expected = np.asarray(se.evaluate(expr, bindings), dtype=float)
    got = sympy_value(to_matrix(expr), arrays, scalars)
    np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-9, atol=1e-12)


FORMULAS = [
    ("x'*A*x", False), ("sum(log(exp(-y.*(X*w)) + vector(1)))", False), ("norm2(T - U*V')^2", False),
    ("a'*X*b", False), ("tr(X'*A*X)", False), ("x*y'", False), ("sum(X)", False), ("diag(x)*A", False),
    ("x'*y*z", False), ("tr(A*B)*x", False), ("c*x + 1", False), ("x.*y", False), ("sum(x./y)", True),
    ("exp(x'*x)", False), ("norm2(A*x - b)", False), ("X'*diag(z)*X", False), ("#('ij,jk->ik', A, B)", False),
    ("#('i,j->ij', x, y) + A", False), ("#('ii->i', A)", False), ("#('i->ii', x)", False),
    ("log(x)'*sqrt(y)", True), ("#('->ij', 1) + A", False), ("A*B*C*x", False),
]


@pytest.mark.parametrize("formula, positive", FORMULAS, ids=[f for f, _ in FORMULAS])
def test_to_matrix_values_and_derivatives(formula, positive):
    expr, symbols = se.parse(formula, return_symbols=True)
    _check_to_matrix(expr, symbols, positive)
    for symbol in symbols.values():
        d = derivative(expr, symbol)
        if d.rank <= 2:
            _check_to_matrix(d, symbols, positive)


def test_hessian_of_quadratic_form_is_a_plus_a_transpose():
    f, s = se.parse("x'*A*x", return_symbols=True)
    hessian = to_matrix(derivative(derivative(f, s["x"]), s["x"]))
    a_mat = sp.MatrixSymbol("A", *s["A"].shape)
    assert hessian == a_mat + a_mat.T
    assert to_matrix(f) == sp.MatrixSymbol("x", s["x"].shape[0], 1).T * a_mat * sp.MatrixSymbol("x", s["x"].shape[0], 1)


def test_logistic_hessian_is_x_transpose_diag_x():
    f, s = se.parse("sum(log(exp(-y.*(X*w)) + vector(1)))", return_symbols=True)
    hessian = to_matrix(derivative(derivative(f, s["w"]), s["w"]))
    x_mat = sp.MatrixSymbol("X", *s["X"].shape)
    assert isinstance(hessian, sp.MatMul)
    assert hessian.args[0] == x_mat.T and hessian.args[-1] == x_mat and isinstance(hessian.args[1], sp.DiagMatrix)
    assert len(hessian.args) == 3
    _check_to_matrix(derivative(derivative(f, s["w"]), s["w"]), s)


def test_matrix_factorization_gradient():
    f, s = se.parse("norm2(T - U*V')^2", return_symbols=True)
    gradient = to_matrix(derivative(f, s["U"]))
    assert gradient.shape == tuple(s["U"].shape)
    assert {a.name for a in gradient.atoms(sp.MatrixSymbol)} == {"T", "U", "V"}


@pytest.mark.parametrize("expr, message", [
    (se.tensor("T", (2, 3, 4)), "has order 3"),
    (se.einsum("ij,ik,il->jkl", se.matrix("A", 2, 2), se.matrix("B", 2, 2), se.matrix("C", 2, 2)), "order 3"),
    (se.einsum("ij,ik,il,jk,kl,lj->", *(se.matrix(k, 2, 2) for k in "ABCDEF")), "joins 3 matrix factors"),
])
def test_forms_without_matrix_equivalent(expr, message):
    with pytest.raises(MatrixFormError, match=message):
        to_matrix(expr)
    assert issubclass(MatrixFormError, se.EinsteinError)


n = sp.Symbol("n")
m = sp.Symbol("m")
x, y = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("y", n, 1)
A, B = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", m, n)
r = sp.MatrixSymbol("r", 1, n)
_t = sp.Dummy("t")
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction  # noqa: E402

SYMPY_INPUTS = [
    x.T * A * x, A * x + A.T * x, 2 * x - y, sp.Trace(A * A.T), sp.HadamardProduct(x, y),
    sp.HadamardPower(x, 3), sp.DiagMatrix(x) * A, sp.DiagonalOf(A), sp.Identity(n) + A, x * y.T,
    B * A * x, sp.exp(x.T * y), ElementwiseApplyFunction(sp.Lambda(_t, sp.sin(_t)), B), A ** 3,
    sp.OneMatrix(n, 1).T * x, r * A, r * x, x.T * A.T * A * x, sp.ZeroMatrix(n, 1) + x,
    sp.Trace(A) * x + y * (x.T * y),
]


@pytest.mark.parametrize("matrix_expr", SYMPY_INPUTS, ids=[str(e) for e in SYMPY_INPUTS])
def test_from_sympy_round_trip(matrix_expr):
    expr = from_sympy(matrix_expr)
    sizes = {n: 3, m: 2}
    numeric = matrix_expr.xreplace(sizes)
    symbols = {s.name: s for s in expr.atoms(se.TensorSymbol)}
    size_symbols = {sp.Symbol(k.name, integer=True, positive=True): v for k, v in sizes.items()}
    bindings = random_bindings(list(symbols.values()), sizes=size_symbols, seed=4)
    arrays = {name: bindings[s] for name, s in symbols.items()}
    expected = sympy_value(numeric, arrays)
    got = np.asarray(se.evaluate(expr, bindings), dtype=float)
    np.testing.assert_allclose(got.reshape(-1), expected.reshape(-1), rtol=1e-9)
    back = to_matrix(expr)  # and back again to SymPy
    numeric_back = back.xreplace({s: v for s, v in size_symbols.items()})
    np.testing.assert_allclose(sympy_value(numeric_back, arrays).reshape(-1), expected.reshape(-1), rtol=1e-9)


def test_from_sympy_shapes_and_kinds():
    assert from_sympy(x).shape == (sp.Symbol("n", integer=True, positive=True),)
    assert from_sympy(x.T * x).shape == ()
    assert from_sympy(x * x.T).rank == 2
    assert from_sympy(sp.MatrixSymbol("s", 1, 1)).rank == 0


@pytest.mark.parametrize("matrix_expr", [sp.MatPow(A, sp.Rational(1, 2)), sp.Adjoint(A)])
def test_from_sympy_rejects_what_has_no_tensor_form(matrix_expr):
    with pytest.raises(MatrixFormError):
        from_sympy(matrix_expr)

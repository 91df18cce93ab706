"""Matrix notation of the matrix functions: to_matrix gives SymPy's Inverse and Determinant, from_sympy
reads them back; values are compared on random data (SymPy's explicit matrices as the reference)."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.evaluation import evaluate

X, A = se.matrix("X", 3, 3), se.matrix("A", 3, 3)
x, z = se.vector("x", 3), se.vector("z", 3)
Z = se.matrix("Z", 2, 3)
n = sp.Symbol("n")
As, bs = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("b", n, 1)


def test_gradient_of_logdet_in_matrix_notation_is_the_inverse_transpose():
    assert se.to_matrix(se.gradient(se.logdet(X), X)) == sp.Inverse(sp.MatrixSymbol("X", 3, 3)).T


@pytest.mark.parametrize("expected, node", [
    (sp.Inverse(sp.MatrixSymbol("X", 3, 3)), se.inv(X)),
    (sp.Determinant(sp.MatrixSymbol("X", 3, 3)), se.det(X)),
    (sp.log(sp.Abs(sp.Determinant(sp.MatrixSymbol("X", 3, 3)))), se.logdet(X)),
    (sp.Inverse(sp.MatrixSymbol("X", 3, 3)) * sp.MatrixSymbol("x", 3, 1), se.solve(X, x)),
])
def test_to_matrix_uses_sympy_classes(expected, node):
    assert se.to_matrix(node) == expected


@pytest.mark.parametrize("expr", [se.inv(X) @ x, se.det(X) * se.trace(A), se.logdet(X @ A), se.adj(X),
                                  se.solve(X, A), se.logsumexp(z), se.softmax(z), se.softmax(Z, axis=1),
                                  se.logsumexp(Z, axis=0), x @ se.inv(X).T @ x])
def test_to_matrix_and_back_keep_the_value(expr):
    rng = np.random.default_rng(0)
    bindings = {X: rng.standard_normal((3, 3)) + 3 * np.eye(3), A: rng.standard_normal((3, 3)),
                x: rng.standard_normal(3), z: rng.standard_normal(3), Z: rng.standard_normal((2, 3))}
    back = se.from_sympy(se.to_matrix(expr))
    by_name = {s.name: s for s in bindings}
    values = {symbol: bindings[by_name[symbol.name]] for symbol in back.atoms(se.TensorSymbol)}
    np.testing.assert_allclose(evaluate(back, values), evaluate(expr, bindings), rtol=1e-10, atol=1e-12)


def test_from_sympy_reads_inverses_determinants_and_integer_powers():
    assert se.from_sympy(sp.Inverse(As)).func is se.Inverse
    assert se.from_sympy(sp.Determinant(As)).func is se.Determinant
    assert se.from_sympy(sp.log(sp.Abs(sp.Determinant(As)))).func is se.LogDeterminant
    assert str(se.from_sympy(bs.T * As ** -2 * bs)) == "b @ (inv(A) @ inv(A)) @ b"
    assert str(se.from_sympy(sp.log(sp.Determinant(As)))) == "log(det(A))"  # log|det| only with Abs
    with pytest.raises(se.MatrixFormError, match="integer matrix powers"):
        se.from_sympy(sp.MatPow(As, sp.Rational(1, 2)))

# ruff: noqa: N806 -- tensors keep their mathematical capital names
"""COMPACTNESS of simplified derivatives (these depend on sympy_einstein.simplification, not only on diff).

The worked examples of docs/calculus.md must come out in compact form: no unit tensor left, no
intermediate of higher order than needed, the logistic Hessian as one product X, vector, X, and the
matrix-factorization Hessian with the delta as a repeated output index. The checks look at the
structure (node classes, operand counts, index strings, ranks), never at printed strings.
"""
import numpy as np
import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import gradient, hessian, hvp
from sympy_einstein.derivatives.graph import postorder
from sympy_einstein.evaluation import evaluate
from sympy_einstein.testing import random_bindings

n, m, k = sp.symbols("n m k", integer=True, positive=True)


def unit_tensors(expr):
    return [node for node in postorder(expr) if isinstance(node, se.EinsteinProduct) and not node.operands]


def max_rank(expr):
    return max(node.rank for node in postorder(expr))


def test_hessian_of_quadratic_form_is_a_plus_a_transpose():
    A, x = se.matrix("A", n, n), se.vector("x", n)
    H = hessian(x @ A @ x, x)
    assert max_rank(H) == 2, "an order-4 (or higher) intermediate is left"
    assert not unit_tensors(H)
    assert H.atoms(se.TensorSymbol) == {A}
    assert isinstance(H, se.TensorAdd) and len(H.terms) == 2
    (plain,) = [term for term in H.terms if term == A]
    (transposed,) = [term for term in H.terms if term != A]
    assert transposed.operands == (A,) and transposed.inputs[0] == transposed.output[::-1]


def test_gradient_of_quadratic_form_has_no_unit_tensor():
    A, x = se.matrix("A", n, n), se.vector("x", n)
    g = gradient(x @ A @ x, x)
    assert max_rank(g) == 2 and not unit_tensors(g)


def logistic():
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    return X, w, y, se.sum(se.log(1 + se.exp(-y * (X @ w))))


def test_logistic_hessian_is_one_product_of_x_a_vector_and_x():
    X, w, y, f = logistic()
    H = hessian(f, w)
    assert isinstance(H, se.EinsteinProduct), type(H).__name__
    operands = list(H.operands)
    assert sorted(type(a).__name__ for a in operands) == ["Elementwise", "TensorSymbol", "TensorSymbol"]
    assert [a for a in operands if isinstance(a, se.TensorSymbol)] == [X, X]
    (vector,) = [a for a in operands if isinstance(a, se.Elementwise)]
    assert vector.shape == (m,) and y in vector.atoms(se.TensorSymbol), "for general y the vector carries y"
    letters = dict(zip(operands, H.inputs, strict=True))
    x_strings = [s for a, s in zip(operands, H.inputs, strict=True) if a == X]
    assert x_strings[0][0] == x_strings[1][0] == letters[vector], "X^T diag(v) X: one summed row index"
    assert len(set(H.output)) == 2 and H.shape == (n, n)
    assert not any(node.shape == (m, m) for node in postorder(H)), "an m x m diagonal is materialized"
    assert max_rank(H) == 2


def test_logistic_gradient_is_one_product_of_x_and_a_vector():
    X, w, y, f = logistic()
    g = gradient(f, w)
    assert isinstance(g, se.EinsteinProduct) and len(g.operands) == 2 and max_rank(g) == 2


def test_matrix_factorization_hessian_keeps_the_delta_as_a_repeated_index():
    T, U, V = se.matrix("T", n, m), se.matrix("U", n, k), se.matrix("V", m, k)
    H = hessian(se.sum((T - U @ V.T) ** 2), U)
    assert H.shape == (n, k, n, k)
    assert isinstance(H, se.EinsteinProduct), type(H).__name__
    assert list(H.operands) == [V, V] and H.coefficient == 2
    out = H.output
    assert out[0] == out[2] and out[1] != out[3], "delta(i, i') as a repeated output index"
    assert not unit_tensors(H)
    b = random_bindings([T, U, V], sizes={n: 3, m: 4, k: 2})
    expected = 2 * np.einsum("ac,bd->abcd", np.eye(3), b[V].T @ b[V])
    np.testing.assert_allclose(evaluate(H, b), expected)


def test_three_layer_network_derivatives_have_no_needless_high_order_intermediates():
    W1, W2, W3 = se.matrix("W1", 4, 3), se.matrix("W2", 4, 4), se.matrix("W3", 2, 4)
    X, Y = se.matrix("X", 3, 5), se.matrix("Y", 2, 5)
    f = se.sum((W3 @ se.tanh(W2 @ se.tanh(W1 @ X)) - Y) ** 2)
    g = gradient(f, W1)
    assert max_rank(g) == 2 and not unit_tensors(g)
    H = hessian(f, W1)
    assert max_rank(H) == 4 and not unit_tensors(H)


def test_hvp_never_forms_the_hessian():
    X, w, y, f = logistic()
    v = se.vector("v", n)
    product = hvp(f, w, v)
    assert max_rank(product) == 2 and not any(node.shape == (n, n) for node in postorder(product))

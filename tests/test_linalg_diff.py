"""The derivative rules of the matrix functions against independent references.

Forward mode against central finite differences, reverse mode with the dot-product test, the two
modes against each other, simplified against unsimplified, and second derivatives against finite
differences of the first. Square matrices are bound well conditioned (a random matrix plus 3 I).
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import derivative, vjp
from sympy_einstein.evaluation import evaluate
from sympy_einstein.testing import numeric_derivative, random_bindings, validate

n = sp.Symbol("n", integer=True, positive=True)
A, B, M = se.matrix("A", 3, 3), se.matrix("B", 3, 2), se.matrix("M", 3, 3)
Z, T = se.matrix("Z", 2, 3), se.tensor("T", (3, 2, 2))
x, b, z = se.vector("x", 3), se.vector("b", 3), se.vector("z", 4)
S = se.matrix("S", 3, 3, symmetric=True)
SQUARE = {"A", "M", "S"}

CASES = [
    (se.inv(A), (A,)),
    (se.inv(A) @ x, (A, x)),
    (se.det(A), (A,)),
    (se.logdet(A), (A,)),
    (se.adj(A), (A,)),
    (se.solve(A, b), (A, b)),
    (se.solve(A, B), (A, B)),
    (se.solve(A, T), (A, T)),
    (se.logsumexp(z), (z,)),
    (se.logsumexp(Z, axis=1), (Z,)),
    (se.logsumexp(Z, axis=0), (Z,)),
    (se.logsumexp(T, axis=(0, 2)), (T,)),
    (se.softmax(z), (z,)),
    (se.softmax(Z, axis=1), (Z,)),
    (se.softmax(T, axis=(1, 2)), (T,)),
    (se.logdet(A.T @ A + M), (A, M)),
    (x @ se.inv(A @ M) @ x, (A, M, x)),
    (se.trace(se.inv(A) @ M) * se.det(M), (A, M)),
    (se.det(A) * se.inv(A) @ x, (A, x)),
    (se.sum(se.solve(A, se.tanh(B))) + se.logdet(se.adj(A)), (A, B)),
    (se.sum(se.softmax(se.tanh(Z), axis=1) * Z), (Z,)),
    (se.softmax(se.solve(A, b)), (A, b)),
    (se.logsumexp(se.inv(A) @ M, axis=0), (A, M)),
    (se.det(A.T @ M) + se.trace(se.adj(M @ A)), (A, M)),
    (x @ se.inv(S) @ x + se.logdet(S) + se.sum(S * M), (S, x)),
    (se.solve(S, x) + se.det(S) * x, (S, x)),
]
PARAMS = [pytest.param(e, w, id=f"case{k}") for k, (e, w) in enumerate(CASES)]
SCALAR_PARAMS = [p for p in PARAMS if p.values[0].shape == ()]


def bindings_for(items, seed):
    bindings = random_bindings(items, seed=seed)
    for symbol in [k for k in bindings if isinstance(k, se.TensorSymbol) and k.name in SQUARE]:
        value = bindings[symbol] + 3 * np.eye(bindings[symbol].shape[0])
        bindings[symbol] = (value + value.T) / 2 if isinstance(symbol, se.SymmetricMatrix) else value
    return bindings


def directional_difference(expr, var, direction, bindings, eps=1e-6):
    point = np.asarray(bindings[var], dtype=float)
    plus = evaluate(expr, {**bindings, var: point + eps * direction})
    minus = evaluate(expr, {**bindings, var: point - eps * direction})
    return (np.asarray(plus) - np.asarray(minus)) / (2 * eps)


@pytest.mark.parametrize("expr, wrt", PARAMS)
def test_forward_mode_matches_finite_differences(expr, wrt):
    bindings = bindings_for(expr, seed=1)
    for var in wrt:
        d = derivative(expr, var, mode="forward", simplify=False)
        validate(d)
        assert d.shape == expr.shape + var.shape
        np.testing.assert_allclose(evaluate(d, bindings), numeric_derivative(expr, var, bindings),
                                   rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("expr, wrt", PARAMS)
def test_reverse_mode_passes_the_dot_product_test(expr, wrt):
    for var in wrt:
        cbar, vdir = se.tensor("Cbar", expr.shape), se.tensor("Vdir", var.shape)
        bindings = bindings_for([expr, cbar, vdir], seed=2)
        if isinstance(var, se.SymmetricMatrix):  # directions in the space of symmetric matrices
            bindings[vdir] = (bindings[vdir] + bindings[vdir].T) / 2
        cotangent = vjp(expr, var, cbar, simplify=False)
        validate(cotangent)
        lhs = np.sum(evaluate(cotangent, bindings) * bindings[vdir])
        rhs = np.sum(bindings[cbar] * directional_difference(expr, var, bindings[vdir], bindings))
        assert lhs == pytest.approx(rhs, rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("expr, wrt", PARAMS)
def test_modes_agree_and_simplification_keeps_values(expr, wrt):
    bindings = bindings_for(expr, seed=3)
    for var in wrt:
        forward = evaluate(derivative(expr, var, mode="forward", simplify=False), bindings)
        reverse = evaluate(derivative(expr, var, mode="reverse", simplify=False), bindings)
        simplified = derivative(expr, var)
        validate(simplified)
        np.testing.assert_allclose(forward, reverse, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(evaluate(simplified, bindings), reverse, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("expr, wrt", SCALAR_PARAMS)
def test_hessians_match_finite_differences_of_gradients(expr, wrt):
    bindings = bindings_for(expr, seed=4)
    for var in wrt:
        gradient = se.gradient(expr, var)
        hessian = se.hessian(expr, var)
        validate(hessian)
        reference = numeric_derivative(gradient, var, bindings)
        scale = max(1.0, float(np.max(np.abs(reference))))  # finite differences err relative to the largest entry
        np.testing.assert_allclose(evaluate(hessian, bindings), reference, rtol=1e-6, atol=1e-8 * scale)


def test_third_derivative_of_logdet_matches_finite_differences():
    bindings = bindings_for(A, seed=5)
    second, third = se.diff(se.logdet(A), A, 2), se.diff(se.logdet(A), A, 3)
    np.testing.assert_allclose(evaluate(third, bindings), numeric_derivative(second, A, bindings),
                               rtol=1e-6, atol=1e-7)


def test_hessian_of_logdet_is_one_product_of_two_inverses():
    hessian = se.hessian(se.logdet(A), A)
    assert isinstance(hessian, se.EinsteinProduct)
    assert hessian.coefficient == -1
    assert hessian.operands == (se.inv(A), se.inv(A))
    assert all(len(s) == 2 for s in hessian.inputs)  # no delta, no order-4 intermediate
    value = evaluate(hessian, bindings_for(A, seed=6))
    inverse = np.linalg.inv(bindings_for(A, seed=6)[A])
    np.testing.assert_allclose(value, -np.einsum("bc,da->abcd", inverse, inverse))


def test_gradients_by_a_symmetric_matrix_are_symmetric_and_match_symmetric_differences():
    y = se.vector("y", 3)
    f = y @ se.inv(S) @ y + se.logdet(S) + se.sum(S * M)
    bindings = bindings_for([f], seed=7)
    gradient = evaluate(se.gradient(f, S), bindings)
    np.testing.assert_allclose(gradient, gradient.T)
    eps, h = 1e-6, np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            direction = np.zeros((3, 3))
            direction[i, j] = direction[j, i] = 1.0
            h[i, j] = np.sum(directional_difference(f, S, direction, bindings, eps) * 1.0)
            h[i, j] /= 1.0 if i == j else 2.0  # <G, E_ij + E_ji> = 2 G_ij off the diagonal
    np.testing.assert_allclose(gradient, h, rtol=1e-6, atol=1e-7)


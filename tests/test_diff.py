"""Every derivative rule against independent references, at ranks 0 to 3.

Forward mode is checked against central finite differences of the evaluated expression, reverse mode
with the dot-product test (``<cbar, J vdir>`` by finite differences equals ``<vjp(cbar), vdir>`` from reverse mode),
and the two modes against each other. Cases cover the einsum generalizations: diagonal read and write,
broadcast output letters, traces, repeated operands, scalar operands and coefficients.
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import derivative, jvp, vjp
from sympy_einstein.evaluation import evaluate
from sympy_einstein.testing import numeric_derivative, random_bindings, validate

n = sp.Symbol("n", integer=True, positive=True)
c = se.scalar("c")
x, y = se.vector("x", 3), se.vector("y", 2)
A, B, S = se.matrix("A", 2, 3), se.matrix("B", 3, 3), se.matrix("S", n, n)
T = se.tensor("T", (2, 3, 3))
v = se.vector("v", n)


def case(expr, *wrt, positive=True):
    return pytest.param(expr, wrt, positive, id=f"case{len(CASES)}")


CASES = []
for _expr, _wrt in [
    # products of every kind (ranks 0..3)
    (A @ x, (A, x)),
    (A @ B, (A, B)),
    (x @ x, (x,)),
    (3 * se.einsum("ij,ij->", A, A), (A,)),
    (se.outer(y, x), (y, x)),
    (se.einsum("ijk,kl->ijl", T, B), (T, B)),
    (se.einsum("ijk,j,k->i", T, x, x), (T, x)),
    (se.transpose(T, (2, 0, 1)), (T,)),
    (se.einsum("i,i,i->i", x, x, x), (x,)),
    (c * x, (c, x)),
    (se.einsum(",i->i", c, x) * c, (c,)),
    # diagonal read, diagonal write, trace, broadcast
    (se.einsum("ii->i", B), (B,)),
    (se.einsum("i->ii", x), (x,)),
    (se.trace(B @ B), (B,)),
    (se.einsum("iij,j->ij", T.transpose((1, 2, 0)), y), (T, y)),
    (se.einsum("i->ij", x, sizes={"j": 2}), (x,)),
    (se.einsum("i->iji", x, sizes={"j": 2}), (x,)),
    (se.einsum(",->ii", c, c, sizes={"i": 3}), (c,)),
    (x + 1, (x,)),
    (B + x, (B, x)),
    (se.sum(A, axis=0) * se.sum(A), (A,)),
    # sums and elementwise functions
    (A @ x + se.tanh(A @ x), (A, x)),
    (se.exp(x) * se.log(x) + se.sqrt(x) - 1 / x, (x,)),
    (se.sigmoid(A) * se.softplus(A), (A,)),
    (se.sin(T) + se.cos(T) ** 2, (T,)),
    (se.relu(x - 1.25) + se.abs(x - 1.25), (x,)),
    (se.power(x, se.exp(x)), (x,)),
    (se.elementwise(lambda s, t: s * sp.sin(t) + t ** 3, A, A @ B.T @ B), (A, B)),
    (se.elementwise(sp.Lambda(sp.Symbol("t"), sp.Symbol("t") ** 2 * sp.Symbol("a")), x), (x,)),
    (sp.exp(x @ x) + sp.sqrt(c * c + x @ x) + c ** 3, (x, c)),
    (S @ v + se.tanh(S.T @ v), (S, v)),
    (se.sum(se.exp(S)), (S,)),
]:
    CASES.append(case(_expr, *_wrt))


def as_tensor(expr):
    return se.as_operand(expr)


@pytest.mark.parametrize("expr, wrt, positive", CASES)
def test_forward_mode_matches_finite_differences(expr, wrt, positive):
    expr = as_tensor(expr)
    bindings = random_bindings(expr, positive=positive, seed=1)
    for var in wrt:
        d = derivative(expr, var, mode="forward", simplify=False)
        validate(d)
        assert d.shape == expr.shape + var.shape
        np.testing.assert_allclose(evaluate(d, bindings), numeric_derivative(expr, var, bindings),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("expr, wrt, positive", CASES)
def test_reverse_mode_passes_the_dot_product_test(expr, wrt, positive):
    expr = as_tensor(expr)
    for var in wrt:
        cbar, vdir = se.tensor("Cbar", expr.shape), se.tensor("Vdir", var.shape)
        bindings = random_bindings([expr, cbar, vdir], positive=positive, seed=2)
        cotangent = vjp(expr, var, cbar, simplify=False)
        validate(cotangent)
        lhs = np.sum(evaluate(cotangent, bindings) * bindings[vdir])
        rhs = np.sum(bindings[cbar] * directional_difference(expr, var, bindings[vdir], bindings))
        assert lhs == pytest.approx(rhs, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("expr, wrt, positive", CASES)
def test_forward_equals_reverse(expr, wrt, positive):
    expr = as_tensor(expr)
    bindings = random_bindings(expr, positive=positive, seed=3)
    for var in wrt:
        forward = derivative(expr, var, mode="forward", simplify=False)
        reverse = derivative(expr, var, mode="reverse", simplify=False)
        validate(reverse)
        assert forward.shape == reverse.shape == expr.shape + var.shape
        np.testing.assert_allclose(evaluate(forward, bindings), evaluate(reverse, bindings), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("expr, wrt, positive", CASES)
def test_simplified_derivative_has_the_same_value(expr, wrt, positive):
    expr = as_tensor(expr)
    bindings = random_bindings(expr, positive=positive, seed=4)
    for var in wrt:
        plain = evaluate(derivative(expr, var, simplify=False), bindings)
        simplified = derivative(expr, var)
        assert simplified.shape == expr.shape + var.shape
        np.testing.assert_allclose(evaluate(simplified, bindings), plain, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("expr, wrt, positive", CASES)
def test_jvp_is_the_jacobian_along_a_direction(expr, wrt, positive):
    expr = as_tensor(expr)
    for var in wrt:
        vdir = se.tensor("Vdir", var.shape)
        bindings = random_bindings([expr, vdir], positive=positive, seed=5)
        tangent = jvp(expr, var, vdir, simplify=False)
        assert tangent.shape == expr.shape
        np.testing.assert_allclose(evaluate(tangent, bindings),
                                   directional_difference(expr, var, bindings[vdir], bindings), rtol=1e-5, atol=1e-6)


def directional_difference(expr, var, direction, bindings, eps=1e-6):
    point = np.asarray(bindings[var], dtype=float)
    plus = evaluate(expr, {**bindings, var: point + eps * direction})
    minus = evaluate(expr, {**bindings, var: point - eps * direction})
    return (np.asarray(plus) - np.asarray(minus)) / (2 * eps)


def test_symbolic_sizes_keep_their_symbols():
    d = derivative(se.tanh(S @ v), v, mode="reverse", simplify=False)
    assert d.shape == (n, n)
    assert derivative(se.tanh(S @ v), S).shape == (n, n, n)


def test_a_shared_subexpression_is_differentiated_once():
    inner = se.tanh(A @ x)
    expr = se.sum(inner * inner) + se.sum(inner)
    bindings = random_bindings(expr, seed=6)
    for mode in ("forward", "reverse"):
        d = derivative(expr, x, mode=mode, simplify=False)
        np.testing.assert_allclose(evaluate(d, bindings), numeric_derivative(expr, x, bindings), rtol=1e-5)

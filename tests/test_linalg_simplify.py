"""Simplification of the matrix functions: each rewrite keeps the value (checked on random data) and
reaches the expected form."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.evaluation import evaluate
from sympy_einstein.simplification.linalg import stable_log_sum_exp
from sympy_einstein.simplification.symmetry import is_symmetric, same_product
from sympy_einstein.testing import random_bindings, validate

n = sp.Symbol("n", integer=True, positive=True)
A, B, C = se.matrix("A", n, n), se.matrix("B", n, n), se.matrix("C", n, 2)
S = se.matrix("S", n, n, symmetric=True)
x, y = se.vector("x", n), se.vector("y", n)
Z = se.matrix("Z", 2, 3)
W = se.matrix("W", 3, n)
c = se.scalar("c")


def bindings_for(expr, seed=0):
    bindings = random_bindings(expr, seed=seed, sizes={n: 4})
    for symbol in list(bindings):
        if isinstance(symbol, se.TensorSymbol) and symbol.name in ("A", "B", "S"):
            value = bindings[symbol] + 4 * np.eye(4)
            bindings[symbol] = value + value.T if symbol.name == "S" else value
    return bindings


REWRITES = [
    (se.inv(se.inv(A)), A),
    (se.inv(A) @ A, se.eye(n)),
    (A @ se.inv(A) @ x, x),
    (x @ A.T @ se.inv(A).T, x),
    (se.inv(A) @ A @ C, C),
    (se.inv(A.T), se.inv(A).T),
    (se.inv(3 * A), se.inv(A) / 3),
    (se.logdet(A @ B), se.logdet(A) + se.logdet(B)),
    (se.logdet(2 * A.T @ B), se.logdet(A) + se.logdet(B) + sp.log(2) * n),
    (se.logdet(se.inv(A)), -se.logdet(A)),
    (se.logdet(se.adj(A)), (n - 1) * se.logdet(A)),
    (se.det(A @ B.T), se.det(A) * se.det(B)),
    (se.det(se.inv(A)), 1 / se.det(A)),
    (se.det(A) * se.inv(A), se.adj(A)),
    (se.adj(A.T), se.adj(A).T),
    (S.T, S),
    (se.inv(S).T @ x, se.inv(S) @ x),
    (se.logdet(c * S), se.logdet(S) + n * se.log(se.abs(c))),
    (se.inv(c * A.T), se.inv(A).T / c),
    (se.det(2 * c * A), (2 * c) ** n * se.det(A)),
    (se.adj(c * A), c ** (n - 1) * se.adj(A)),
    (se.einsum("ab,ab->", S, se.inv(S)), se.einsum("->", n)),
    (se.solve(A, se.zeros(n)), se.zeros(n)),
    (se.solve(se.inv(A), C), A @ C),
    (se.solve(A.T, A.T), se.eye(n)),
    (se.solve(A, 3 * C), 3 * se.solve(A, C)),
    (se.log(se.sum(se.exp(x))), se.logsumexp(x)),
    (se.log(se.sum(se.exp(Z), axis=0)), se.logsumexp(Z, axis=0)),
    (se.sum(se.log(se.sum(se.exp(2 * Z + 1), axis=1))), se.sum(se.logsumexp(2 * Z + 1, axis=1))),
]


@pytest.mark.parametrize("expr, expected", REWRITES, ids=[f"rewrite{k}" for k in range(len(REWRITES))])
def test_rewrite_reaches_the_form_and_keeps_the_value(expr, expected):
    simplified = se.simplify(expr)
    validate(simplified)
    assert simplified == se.simplify(expected)
    bindings = bindings_for([expr, expected])
    np.testing.assert_allclose(evaluate(simplified, bindings), evaluate(expr, bindings), rtol=1e-9, atol=1e-12)


def test_logdet_of_a_non_square_chain_is_kept():
    gram = se.simplify(se.logdet(C.T @ C))
    assert isinstance(gram, se.LogDeterminant)


def test_logsumexp_rewrite_makes_large_logits_finite():
    f = se.sum(se.log(se.sum(se.exp(Z), axis=1)))
    logits = np.array([[800.0, 0.0, -5.0], [1000.0, 1000.0, 3.0]])
    with np.errstate(over="ignore"):
        assert not np.isfinite(evaluate(f, {Z: logits}))
    stable = se.simplify(f)
    expected = np.sum(np.log(np.sum(np.exp(logits - logits.max(1, keepdims=True)), 1)) + logits.max(1))
    assert evaluate(stable, {Z: logits}) == pytest.approx(expected, rel=1e-12)
    gradient = evaluate(se.gradient(f, Z), {Z: logits})
    assert np.all(np.isfinite(gradient))
    np.testing.assert_allclose(gradient.sum(axis=1), 1.0)


def test_log_of_a_sum_of_exp_used_elsewhere_in_a_body_is_left_alone():
    v = se.sum(se.exp(x))
    fused = se.elementwise(lambda t: sp.log(t) * sp.sqrt(t), v)
    assert stable_log_sum_exp(fused) is fused
    assert se.simplify(se.log(v) * v).has(se.LogSumExp)  # the product splits: log(v) is alone


def test_symmetry_detection():
    X = W  # noqa: N806
    assert is_symmetric(S) and is_symmetric(se.inv(S)) and is_symmetric(se.exp(S) + S)
    assert is_symmetric(se.simplify(X @ X.T)) and is_symmetric(se.simplify(X @ S @ X.T))
    assert not is_symmetric(A) and not is_symmetric(se.simplify(A @ S))
    p = se.einsum("c,d,ac,bd->ab", y, y, se.inv(S), se.inv(S))
    assert same_product(p, se.einsum("c,d,ac,bd->ba", y, y, se.inv(S), se.inv(S)))


def test_gradients_by_symmetric_matrices_come_out_compact():
    assert se.gradient(se.logdet(S), S) == se.inv(S)
    gradient = se.gradient(x @ se.inv(S) @ x + se.logdet(S), S)
    assert not gradient.has(se.TensorAdd) or len(gradient.terms) == 2
    assert str(gradient) == "-einsum('c,d,ac,bd->ab', x, x, inv(S), inv(S)) + inv(S)"


def test_evaluate_rejects_a_non_symmetric_array_for_a_symmetric_matrix():
    with pytest.raises(se.BindingError, match="S is declared symmetric"):
        evaluate(se.sum(S), {S: np.arange(4.0).reshape(2, 2)})


def test_non_square_operands_are_named_with_their_shape():
    for build in (se.inv, se.det, se.logdet, se.adj):
        with pytest.raises(se.ShapeError, match=r"C has shape \(n, 2\)"):
            build(C)
    with pytest.raises(se.ShapeError, match=r"solve: A has shape \(n, n\) but the first axis of z"):
        se.solve(A, se.vector("z", 2))
    with pytest.raises(se.ShapeError, match="symmetric matrix must be square"):
        se.matrix("Q", 2, 3, symmetric=True)


def test_singular_matrices_give_clear_errors_and_adjugates_exist():
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    matrix = se.matrix("A2", 2, 2)
    with pytest.raises(se.BindingError, match="singular"):
        evaluate(se.inv(matrix), {matrix: singular})
    np.testing.assert_allclose(evaluate(se.adj(matrix), {matrix: singular}), [[4.0, -2.0], [-2.0, 1.0]])
    assert evaluate(se.logdet(matrix), {matrix: singular}) == -np.inf


def test_deep_chains_of_matrix_functions_do_not_recurse():
    small, v = se.matrix("A", 3, 3), se.vector("v", 3)
    chain, nested = v, small
    for _ in range(1500):
        chain = se.solve(small, se.tanh(chain))
        nested = se.inv(nested)
    bindings = {small: 2 * np.eye(3) + 0.1, v: np.ones(3)}
    gradient = evaluate(se.gradient(se.sum(chain), v), bindings)
    assert gradient.shape == (3,) and np.all(np.isfinite(gradient))
    assert se.simplify(nested) == small


def test_adjugate_evaluation_matches_cofactors_by_minors():
    rng = np.random.default_rng(5)
    matrix = se.matrix("M", 4, 4)
    low_rank = sum(np.outer(rng.standard_normal(4), rng.standard_normal(4)) for _ in range(3))
    for value in (rng.standard_normal((4, 4)), low_rank):
        cofactors = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(value, i, 0), j, 1))
                               for j in range(4)] for i in range(4)])
        np.testing.assert_allclose(evaluate(se.adj(matrix), {matrix: value}), cofactors.T, atol=1e-12)

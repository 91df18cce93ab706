# ruff: noqa: N803, N806
"""Small-size rules of the Numba printer. Gram products are BLAS's symmetric rank-k updates: an unweighted one
of ``X^T`` as stored (no copy), a weighted one (weights of both signs here) by ``_gram_upper``; results equal
``se.evaluate`` at one and several blocks of rows."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.codegen.passes import plan

m, n = sp.symbols("m n", integer=True, positive=True)
B, u, v = se.matrix("B", m, n), se.vector("u", m), se.vector("v", m)
GRAMS = [se.einsum("ca,c,cb->ab", B, se.tanh(u), B),  # weighted
         B.T @ B + se.einsum("ab->ba", B.T @ B),      # unweighted, then a loop reads it
         se.einsum("ca,c,c,cb->ab", B, u, se.exp(v), B)]  # two weights


@pytest.fixture(scope="module")
def grams():
    return se.lambdify([B, u, v], GRAMS, tiered=False)


def test_grams_are_symmetric_rank_k_updates(grams):
    assert grams.source.count("_syrk_upper(B.T, 1.0, 0.0, ") == 1  # X's rows, transposed by BLAS: no copy
    assert grams.source.count("_gram_upper(B, ") == 2  # one weight; two weights multiplied first


@pytest.mark.parametrize("rows, cols", [(5, 3), (plan.ROW_BLOCK + 9, 7), (3 * plan.ROW_BLOCK, plan.COLUMN_BLOCK),
                                        (11, plan.COLUMN_BLOCK + 3), (2 * plan.ROW_BLOCK + 5, 300)])
def test_grams_equal_evaluate_at_every_block_count(grams, rows, cols):
    rng = np.random.default_rng(rows + cols)
    values = {B: rng.normal(size=(rows, cols)), u: rng.normal(size=rows), v: rng.normal(size=rows)}
    for got, expr in zip(grams(values[B], values[u], values[v]), GRAMS, strict=True):
        want = se.evaluate(expr, values)
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11 * np.abs(want).max())
        assert np.array_equal(got, got.T)  # the lower triangle is the upper one


def test_float32_grams_stay_float32(grams):
    rng = np.random.default_rng(0)
    values = [rng.normal(size=(plan.ROW_BLOCK + 1, 4)), rng.normal(size=plan.ROW_BLOCK + 1),
              rng.normal(size=plan.ROW_BLOCK + 1)]
    single = grams(*(a.astype(np.float32) for a in values))
    for got, want in zip(single, grams(*values), strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-4 * np.abs(want).max())


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_whole_array_sigmoid_is_accurate_without_overflow_warnings(backend):
    import warnings

    import mpmath
    z = se.vector("z", n)
    fn = se.lambdify([z], se.sigmoid(z) * 1, backend=backend, tiered=False)
    assert "np.exp(np.minimum(" in fn.source  # the whole-array call (numba: for more than 256 entries)
    extremes = [-1000.0, -745.0, -720.0, -36.0, -1e-8, 0.0, 1e-8, 20.0, 40.0, 800.0, np.inf, -np.inf]
    for points in (np.array(extremes), np.array(extremes * 30)):  # numba: a loop, NumPy
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = fn(points)
        want = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(p)))) for p in points])
        normal = np.abs(want) >= np.finfo(float).tiny
        np.testing.assert_allclose(got[normal], want[normal], rtol=4e-16)
        np.testing.assert_allclose(got[~normal], want[~normal], rtol=1e-6, atol=0)  # subnormal results

def test_small_elementwise_calls_run_as_loops_and_large_ones_in_numpy():
    z = se.vector("z", n)
    exprs = [se.exp(se.tanh(z) + 1) * z, se.sigmoid(2 * z) + se.softplus(z) * se.log(se.exp(z) + 1)]
    fn = se.lambdify([z], exprs, tiered=False)
    kernel = fn.source[fn.source.index("def generated_kernel"):]
    assert kernel.count(".size <= 256:") == 3 and "objmode" not in kernel  # objmode only in the module's functions
    assert "math.tanh(xf[p])" in kernel and "_softplus(xf[p])" in kernel
    for size in (1, 256, 257, 3000):  # the loops, the loops, NumPy, NumPy
        values = {z: np.random.default_rng(size).normal(size=size) * 3}
        for dtype, rtol in ((np.float64, 1e-13), (np.float32, 1e-5)):
            for got, expr in zip(fn(values[z].astype(dtype)), exprs, strict=True):
                np.testing.assert_allclose(got, se.evaluate(expr, {z: values[z].astype(dtype)}), rtol=rtol)


def test_elementwise_calls_of_matrices_and_literal_sizes():
    P, Q = se.matrix("P", m, n), se.matrix("Q", 3, 4)
    exprs = [se.tanh(P) * P, se.exp(Q) @ se.exp(Q).T]
    fn = se.lambdify([P, Q], exprs, tiered=False)
    kernel = fn.source[fn.source.index("def generated_kernel"):]
    assert "if P.size <= 256:" in kernel and "if Q.size" not in kernel  # Q's 12 entries: a loop, decided in print
    rng = np.random.default_rng(5)
    for shape in ((3, 5), (40, 30)):
        values = {P: rng.normal(size=shape), Q: rng.normal(size=(3, 4))}
        for got, expr in zip(fn(values[P], values[Q]), exprs, strict=True):
            np.testing.assert_allclose(got, se.evaluate(expr, values), rtol=1e-13)


h, o, d, f, e = sp.symbols("h o d f e", integer=True, positive=True)
Xb, Db, Mb, Wb = se.matrix("Xb", d, f), se.matrix("Db", h, f), se.matrix("Mb", h, h), se.matrix("Wb", m, o)
Cb = se.matrix("Cb", e, m)  # rows of the Gram stored as columns: the BatchedGram reads X^T
# not benchmark problems: Q Q^T times a factor (a BlockGram), X^T diag(W[:, b]) X for every b (a BatchedGram)
SYMMETRIC = [se.einsum("bf,af,df,cf,ac->abcd", Xb, Db, Xb, Db, Mb), se.einsum("sa,sb,sc->abc", B, Wb, B),
             se.einsum("as,sb,cs->abc", Cb, Wb, Cb)]


def symmetric_by_hand(X, D, M, Bv, W, C):
    Q = (D[:, None, :] * X[None, :, :]).reshape(-1, X.shape[1])
    block = (Q @ Q.T).reshape(len(D), len(X), len(D), len(X)) * M[:, None, :, None]
    return (block, np.stack([Bv.T @ (Bv * W[:, b:b + 1]) for b in range(W.shape[1])], axis=1),
            np.stack([C @ (C.T * W[:, b:b + 1]) for b in range(W.shape[1])], axis=1))


def test_block_and_batched_grams_are_symmetric_rank_k_updates_equal_to_the_hand_formula():
    fn = se.lambdify([Xb, Db, Mb, B, Wb, Cb], SYMMETRIC, tiered=False)
    assert "_syrk_upper(qx, 1.0, 0.0, " in fn.source and "_gram_upper(B, " in fn.source
    assert "_gram_upper(xt, " in fn.source  # Cb^T copied once
    rng = np.random.default_rng(3)
    values = {Xb: rng.normal(size=(5, 40)), Db: rng.normal(size=(3, 40)), Mb: rng.normal(size=(3, 3)),
              B: rng.normal(size=(300, 70)), Wb: rng.normal(size=(300, 2)),  # weights of both signs
              Cb: rng.normal(size=(70, 300))}
    got = fn(*values.values())
    for g, want, expr in zip(got, symmetric_by_hand(*values.values()), SYMMETRIC, strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-11, atol=1e-11 * np.abs(want).max())
        np.testing.assert_allclose(g, se.evaluate(expr, values), rtol=1e-11, atol=1e-11 * np.abs(want).max())

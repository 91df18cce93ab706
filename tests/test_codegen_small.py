"""Small-size rules of the Numba printer: a Gram product that fits one column block is one GEMM per block of
rows of ``X[rows].T`` and the weighted rows (no transposed copies); results equal ``se.evaluate``."""
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


def test_a_gram_in_one_column_block_takes_whole_rows(grams):
    assert grams.source.count(f"if n <= {plan.COLUMN_BLOCK}:") == 3
    assert grams.source.count("B[row0:row1].T @ ") == 3  # X's rows, transposed by BLAS: no copy


@pytest.mark.parametrize("rows, cols", [(5, 3), (plan.ROW_BLOCK + 9, 7), (3 * plan.ROW_BLOCK, plan.COLUMN_BLOCK),
                                        (11, plan.COLUMN_BLOCK + 3)])
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
    assert "np.exp(np.minimum(z, 0.0))" in fn.source  # the whole-array call, not a loop
    points = np.array([-1000.0, -745.0, -720.0, -36.0, -1e-8, 0.0, 1e-8, 20.0, 40.0, 800.0, np.inf, -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fn(points)
    want = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(p)))) for p in points])
    normal = np.abs(want) >= np.finfo(float).tiny
    np.testing.assert_allclose(got[normal], want[normal], rtol=4e-16)
    np.testing.assert_allclose(got[~normal], want[~normal], rtol=1e-6, atol=0)  # subnormal results


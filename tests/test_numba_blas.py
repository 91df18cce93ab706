"""The Numba kernels' matrix products on NumPy's BLAS (codegen/numba_blas.py), against NumPy's ``@``.

Every layout a kernel can hand over (C, transposed, sliced, stepped, reversed, broadcast, single rows
and columns, empty sizes), float64, float32 and mixed; the bound functions and the fallback (Numba's
``@``) alike; the generated source calls them; the fallback forced in a process of its own; a warm
start loads the kernels from Numba's disk cache.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.codegen import numba_blas
from sympy_einstein.codegen.blas import blas_binding, numpy_blas
from sympy_einstein.codegen.lower import lower
from sympy_einstein.codegen.passes import run
from sympy_einstein.codegen.printers.numba import PRODUCTS, NumbaPrinter
from sympy_einstein.codegen.program import build_program

pytestmark = pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaPerformanceWarning")  # the fallback's @
VARIANTS = {"bound": numba_blas.BLAS, "numba": numba_blas.NUMBA}
RNG = np.random.default_rng(7)


def layouts(rows, cols, dtype):
    """``(name, array)`` of shape ``(rows, cols)`` in every memory layout."""
    base = RNG.normal(size=(2 * rows + 1, 3 * cols + 2)).astype(dtype)
    c = np.ascontiguousarray(base[:rows, :cols])
    return [("C", c), ("F", np.asfortranarray(c)), ("transposed", np.ascontiguousarray(c.T).T),
            ("column slice", base[:rows, 1:cols + 1]), ("row step", base[:2 * rows:2, :cols]),
            ("both steps", base[:2 * rows:2, :3 * cols:3]), ("reversed", base[:rows, :cols][::-1, ::-1]),
            ("broadcast rows", np.broadcast_to(base[0, :cols], (rows, cols))),
            ("F column slice", np.asfortranarray(base)[1:rows + 1, :cols])]


def vectors(size, dtype):
    base = RNG.normal(size=3 * size + 1).astype(dtype)
    return [("contiguous", base[:size].copy()), ("step", base[:3 * size:3]), ("reversed", base[:size][::-1]),
            ("broadcast", np.broadcast_to(base[:1], (size,)))]


def close(got, want, dtype):
    assert got.dtype == want.dtype
    tolerance = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance * max(1.0, float(np.abs(want).max(initial=0))))


def pairs(first, second):
    """Each of ``first`` with the C-ordered one of ``second``, then the C-ordered one of ``first`` with
    each of ``second`` (every layout meets a plain operand; few distinct Numba signatures to compile)."""
    return [(a, second[0]) for a in first] + [(first[0], b) for b in second[1:]]


# (variant, dtype, every layout): the bound products in every layout in float64 and in the C and F layouts in
# float32 (the layout code is the same for both dtypes: strides counted in items); the fallback (Numba's own
# ``@``, tested by Numba) in the C and F layouts of float64
CASES = [("bound", np.float64, True), ("bound", np.float32, False), ("numba", np.float64, False)]


def chosen(items, every):
    return items if every else items[:2]


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_matrix_matrix(variant, dtype, every):
    product = VARIANTS[variant]["mat_mat"]
    for m, k, n in [(3, 4, 5), (1, 4, 1), (4, 1, 3), (5, 3, 1), (0, 3, 2), (3, 2, 0), (2, 0, 3)]:
        for (name_a, a), (name_b, b) in pairs(chosen(layouts(m, k, dtype), every), chosen(layouts(k, n, dtype), every)):
            got = product(a, b)
            assert got.shape == (m, n), (name_a, name_b)
            close(got, a @ b, dtype)


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_matrix_vector_and_vector_matrix(variant, dtype, every):
    mat_vec, vec_mat = VARIANTS[variant]["mat_vec"], VARIANTS[variant]["vec_mat"]
    for m, k in [(3, 4), (1, 5), (6, 1), (0, 2), (2, 0)]:
        for (_, a), (_, x) in pairs(chosen(layouts(m, k, dtype), every), chosen(vectors(k, dtype), every)):
            close(mat_vec(a, x), a @ x, dtype)
        for (_, a), (_, x) in pairs(chosen(layouts(k, m, dtype), every), chosen(vectors(k, dtype), every)):
            close(vec_mat(x, a), x @ a, dtype)


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_vector_vector(variant, dtype, every):
    for size in (0, 1, 7):
        for (_, x), (_, y) in pairs(chosen(vectors(size, dtype), every), chosen(vectors(size, dtype), every)):
            got = VARIANTS[variant]["vec_vec"](x, y)  # a scalar: Numba returns a Python float
            close(np.asarray(got, dtype), np.asarray(np.dot(x, y)), dtype)


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_alpha_scales_the_product_and_keeps_the_dtype(variant, dtype, every):
    functions = VARIANTS[variant]
    (_, a), (_, b) = layouts(3, 4, dtype)[1], layouts(4, 2, dtype)[0]
    (_, x) = vectors(4, dtype)[1]
    close(functions["mat_mat"](a, b, -2.5), -2.5 * (a @ b), dtype)
    close(functions["mat_vec"](a, x, 3), 3 * (a @ x), dtype)  # an integer alpha too
    close(functions["vec_mat"](x, a.T, 0.5), 0.5 * (x @ a.T), dtype)
    close(functions["mat_mat"](a[:0], b, 2.0), np.zeros((0, 2), dtype), dtype)


def test_a_scaled_product_passes_its_scale_as_alpha():
    c, d = sp.Symbol("c"), sp.Symbol("d")
    exprs = [c * (A @ B), -2 * (A.T @ v), d * (x @ (B.T @ A.T @ v))]
    fn = se.lambdify([A, B, x, v, c, d], exprs, tiered=False, name="scaled")
    kernel = fn.source[fn.source.index("def scaled_kernel"):]
    assert "_mat_mat(A, B, c)" in kernel and ", -2.0)" in kernel and "*=" not in kernel
    data = [RNG.normal(size=s) for s in ((5, 4), (4, 3), (3,), (5,))]
    values = dict(zip([A, B, x, v, c, d], [*data, 1.5, -0.25], strict=True))
    for got, expr in zip(fn(*data, 1.5, -0.25), exprs, strict=True):
        np.testing.assert_allclose(got, se.evaluate(expr, values), rtol=1e-12)
def upper(c):
    return c[np.triu_indices(len(c))]


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_symmetric_rank_k_update_writes_one_triangle(variant, dtype, every):
    syrk = VARIANTS[variant]["syrk_upper"]
    big = (100, numba_blas.SMALL_SYRK // 100 ** 2 + 1)  # SYRK itself; the smaller ones are a GEMM and a copy
    for rows, cols in [(4, 3), (1, 5), (5, 1), (0, 3), (3, 0), big]:
        for name, a in chosen(layouts(rows, cols, dtype), every):
            for alpha, beta in [(1.0, 0.0), (-2.0, 1.0), (0.5, -3.0)]:
                before = RNG.normal(size=(rows, rows)).astype(dtype)
                if beta == 0.0:
                    before[0:1, :] = np.nan  # not read
                c = before.copy()
                syrk(a, alpha, beta, c)
                want = alpha * (a.astype(np.float64) @ a.T.astype(np.float64)) + beta * np.nan_to_num(before)
                close(upper(c), upper(want.astype(dtype)), dtype)
                lower = np.tril_indices(rows, -1)
                assert np.array_equal(c[lower], before[lower], equal_nan=True), name  # left as it was


@pytest.mark.parametrize("variant, dtype, every", CASES)
def test_weighted_gram_for_weights_of_both_signs(variant, dtype, every):
    gram = VARIANTS[variant]["gram_upper"]
    # one block of rows; three blocks (rows of 256 for 300 columns); empty rows and columns
    for rows, cols in [(7, 4), (600, 300), (0, 3), (5, 0)]:
        weights = RNG.normal(size=rows).astype(dtype)
        weights[::5] = 0.0
        for _, a in chosen(layouts(rows, cols, dtype), every)[:None if rows < 100 else 1]:
            c = np.full((cols, cols), np.nan, dtype)
            gram(a, weights, c)
            want = a.T.astype(np.float64) @ (a * weights[:, None]).astype(np.float64)
            close(upper(c), upper(want.astype(dtype)), dtype)


def test_a_nan_weight_gives_nan_and_mismatched_sizes_raise():
    a, weights = RNG.normal(size=(6, 3)), RNG.normal(size=6)
    weights[2] = np.nan
    c = np.zeros((3, 3))
    numba_blas.BLAS["gram_upper"](a, weights, c)
    assert np.isnan(upper(c)).all()
    with pytest.raises(ValueError, match="weights' size"):
        numba_blas.BLAS["gram_upper"](a, np.ones(5), c)
    with pytest.raises(ValueError, match="not n x n"):
        numba_blas.BLAS["syrk_upper"](a, 1.0, 0.0, c)
    with pytest.raises(ValueError, match="rows are not contiguous"):
        numba_blas.BLAS["syrk_upper"](a.T, 1.0, 0.0, np.zeros((3, 6))[:, ::2])


def test_mixed_dtypes_compute_in_float64():
    a, x = RNG.normal(size=(4, 3)).astype(np.float32), RNG.normal(size=3)
    close(numba_blas.BLAS["mat_vec"](a, x), a.astype(np.float64) @ x, np.float64)
    close(numba_blas.BLAS["mat_mat"](a.T, a.astype(np.float64)), a.T.astype(np.float64) @ a, np.float64)


def test_mismatched_inner_sizes_raise_instead_of_reading_past_the_end():
    functions = numba_blas.BLAS
    with pytest.raises(ValueError, match="inner sizes differ"):
        functions["mat_mat"](np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="inner sizes differ"):
        functions["mat_vec"](np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match="sizes differ"):
        functions["vec_vec"](np.ones(2), np.ones(3))


def test_the_binding_is_numpys_blas_when_numpy_ships_one():
    found = numpy_blas()
    assert numba_blas.BOUND == (found is not None)
    assert blas_binding() == numba_blas.BINDING
    if found is not None:
        assert numba_blas.BLAS is not numba_blas.NUMBA
        assert "blas" in os.path.basename(found[0]).lower()
    assert set(PRODUCTS.values()) == set(numba_blas.FUNCTIONS)


n, m, k = sp.symbols("n m k", integer=True, positive=True)
A, B, x, v = se.matrix("A", n, m), se.matrix("B", m, k), se.vector("x", k), se.vector("v", n)
# not a benchmark problem: a product of two matrices, a matrix-vector product, a vector-matrix product
# and a dot product, around an elementwise function
EXPRS = [se.tanh(A @ B) @ x, v @ A, (v @ se.tanh(A @ B)) @ x]


def numpy_reference(a, b, xv, vv):
    return np.tanh(a @ b) @ xv, vv @ a, vv @ np.tanh(a @ b) @ xv


def test_generated_source_calls_the_bound_products():
    source = NumbaPrinter(run(lower(build_program([A, B, x, v], EXPRS)), "f")).doprint()
    assert "_mat_mat(" in source and ("_mat_vec(" in source or "_vec_mat(" in source)
    assert all(" @ " not in line for line in source.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_generated_products_equal_numpy_and_evaluate(tmp_path, monkeypatch, dtype):
    monkeypatch.setenv("SYMPY_EINSTEIN_CACHE", str(tmp_path))
    fn = se.lambdify([A, B, x, v], EXPRS, tiered=False)
    assert f"# matrix products: {numba_blas.BINDING}" in fn.source
    data = [RNG.normal(size=s).astype(dtype) for s in ((5, 4), (4, 3), (3,), (5,))]
    got = fn(*data)
    want = numpy_reference(*[d.astype(np.float64) for d in data])
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12 if dtype == np.float64 else 1e-4)
    assert got[1].dtype == dtype  # v @ A: a product of the arguments keeps their dtype
    values = dict(zip([A, B, x, v], [d.astype(np.float64) for d in data], strict=True))
    np.testing.assert_allclose(got[0], se.evaluate(EXPRS[0], values), rtol=1e-4)


def run_python(code: str, env: dict) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


PROCESS = """
    import numpy as np, sympy as sp, sympy_einstein as se
    from sympy_einstein.codegen import numba_blas
    n, m = sp.symbols("n m", integer=True, positive=True)
    A, x = se.matrix("A", n, m), se.vector("x", m)
    exprs = [se.tanh(A @ A.T) @ (A @ x), A.T @ A, se.einsum("ca,c,cb->ab", A, se.tanh(A @ x), A)]
    fn = se.lambdify([A, x], exprs, tiered=False)
    a = (np.arange(12.0).reshape(4, 3) - 5.5) / 10
    first, second, third = fn(a, np.ones(3))
    assert np.allclose(first, np.tanh(a @ a.T) @ (a @ np.ones(3)), rtol=1e-12)
    assert np.allclose(second, a.T @ a, rtol=1e-12)
    assert np.allclose(third, a.T @ (a * np.tanh(a @ np.ones(3))[:, None]), rtol=1e-12)  # weights of both signs
    stats = fn.kernel.stats
    print(numba_blas.BINDING.split()[0], all(f + "(" in fn.source for f in ("_mat_vec", "_syrk_upper", "_gram_upper")),
          sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""


def test_forced_fallback_gives_the_same_results(tmp_path):
    out = run_python(PROCESS, {"SYMPY_EINSTEIN_CACHE": str(tmp_path), "SYMPY_EINSTEIN_BLAS": "numba"})
    assert out.split()[:2] == ["numba", "True"]


def test_a_warm_start_loads_the_bound_kernels_from_the_disk_cache(tmp_path):
    env = {"SYMPY_EINSTEIN_CACHE": str(tmp_path)}
    binding = "numpy" if numba_blas.BOUND else "numba"
    assert run_python(PROCESS, env).split() == [binding, "True", "0", "1"]
    assert run_python(PROCESS, env).split() == [binding, "True", "1", "0"]
    # the other binding writes another module (its source names the binding), compiled apart
    assert run_python(PROCESS, {**env, "SYMPY_EINSTEIN_BLAS": "numba"}).split() == ["numba", "True", "0", "1"]
    assert len(list(tmp_path.glob("se_*.py"))) == (2 if numba_blas.BOUND else 1)


# the checked factorizations (linalg_runtime.py) on NumPy's LAPACK, against NumPy and SciPy's path --------
def scipy_path(monkeypatch):
    """Force linalg_runtime's SciPy path (what ``SYMPY_EINSTEIN_BLAS=numba`` selects)."""
    monkeypatch.setenv("SYMPY_EINSTEIN_BLAS", "numba")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size, rhs_shape", [(1, (1,)), (5, (5,)), (6, (6, 3, 2)), (4, (4, 0))])
def test_factorizations_on_numpys_lapack_equal_numpy_and_scipys_path(monkeypatch, dtype, size, rhs_shape):
    from sympy_einstein.codegen import linalg_runtime as lr
    if lr._numpy_lapack("getrf", dtype) is None:
        pytest.skip("NumPy ships no LAPACKE of its own here")
    general = RNG.normal(size=(size, size)).astype(dtype) + 0.5 * np.eye(size, dtype=dtype)
    spd = (general @ general.T + size * np.eye(size)).astype(dtype)
    rhs = RNG.normal(size=rhs_shape).astype(dtype)
    tolerance = 1e-10 if dtype == np.float64 else 2e-4
    results = {}
    for path in ("numpy", "scipy"):
        if path == "scipy":
            scipy_path(monkeypatch)
        for matrix, symmetric in ((general, False), (spd, True), (spd, False)):
            packed = lr._factor(matrix, symmetric, "A")
            for transpose in (False, True):
                got = lr._factor_solve(packed, rhs, transpose, "A")
                a = (matrix.T if transpose else matrix).astype(np.float64)
                want = np.linalg.solve(a, rhs.reshape(size, -1).astype(np.float64)).reshape(rhs_shape)
                np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance)
                assert got.shape == rhs_shape and got.dtype == dtype
                results[path, symmetric, transpose, id(matrix)] = got
            sign, logdet = np.linalg.slogdet(matrix.astype(np.float64))
            np.testing.assert_allclose(lr._factor_det(packed), sign * np.exp(logdet), rtol=tolerance)
            np.testing.assert_allclose(lr._factor_logdet(packed), logdet, rtol=tolerance, atol=tolerance)
    for (path, *key), got in results.items():
        if path == "numpy":
            np.testing.assert_allclose(got, results[("scipy", *key)], rtol=tolerance, atol=tolerance)


def test_lu_on_numpys_lapack_packs_like_scipy_and_reports_singular_matrices():
    from scipy.linalg import lu_factor

    from sympy_einstein.codegen import linalg_runtime as lr
    a = RNG.normal(size=(7, 7))
    lu, pivots = lu_factor(a)
    packed = lr._factor(a, False, "A")
    np.testing.assert_allclose(packed[:7], lu, rtol=1e-12)
    np.testing.assert_array_equal(packed[7], pivots)
    singular = lr._factor(np.ones((3, 3)), False, "inv(A)")
    with pytest.raises(se.BindingError, match=r"inv\(A\): the matrix is singular"):
        lr._factor_solve(singular, np.eye(3), False, "inv(A)")
    assert lr._factor_det(singular) == 0.0 and lr._factor_logdet(singular) == -np.inf

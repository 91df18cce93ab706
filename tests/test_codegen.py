"""lambdify: every backend against se.evaluate on a corpus covering the generalized einsum.

One compiled function holds the whole corpus (module-scoped), so Numba compiles once per dtype.
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.functions import relu, sigmoid, softplus

n, m, k = sp.symbols("n m k", integer=True, positive=True)
c = sp.Symbol("c", real=True)
A, B, C = se.matrix("A", n, m), se.matrix("B", m, k), se.matrix("C", n, n)
x, y, T, s = se.vector("x", n), se.vector("y", m), se.tensor("T", (n, m, k)), se.scalar("s")
ARGS = [A, B, C, x, y, T, s, c]
shared = se.exp(A @ y)

CORPUS = {
    "gemm": A @ B,
    "gemv": A @ y,
    "vector_matrix": x @ A,
    "dot": x @ x,
    "outer": se.outer(x, y),
    "hadamard": A * A,
    "row_broadcast": A * y,
    "transpose": A.T,
    "sum_all": se.sum(A),
    "sum_axis": se.sum(A, axis=0),
    "trace": se.trace(C),
    "diag_read": se.diag(C),
    "diag_write": se.diag(x),
    "diag_read_in_contraction": se.einsum("ii,ij->j", C, A),
    "unit": se.EinsteinProduct(1, "->abab", (n, m)),
    "broadcast_constant": se.EinsteinProduct(c * n, "->ab", (n, k)),
    "broadcast_vector": se.einsum("i->ij", x, sizes={"j": k}),
    "grouped_contraction": se.einsum("ijk,jk->i", T, B),
    "transposed_groups": se.einsum("ijk,ij->k", T, A),
    "batched": se.einsum("ijk,ik->ij", T, se.einsum("ij,jk->ik", A, B)),
    "chain": se.einsum("ij,jk,kl,l->i", C, A, B, se.vector("v", k).xreplace({}) if False else B.T @ y),
    "elementwise_nary": se.elementwise(lambda a, b: a * sp.exp(b) + c, A, 2 * A),
    "functions": se.elementwise(lambda t: sigmoid(t) + relu(t) + softplus(t) + sp.Heaviside(t, 0)
                                + sp.sign(t) + sp.Abs(t) + sp.log(1 + sp.exp(t)) + sp.Max(t, 0)
                                + sp.tanh(t) + sp.DiracDelta(t), x),
    "log1p": se.log1p(x * x),
    "add": A + c * A + se.outer(x, y),
    "symmetric_sum": C + C.T,
    "shared_1": shared,
    "shared_2": se.sum(shared) * shared,
    "scalar_tensor": s * x + se.exp(s),
    "scalar_symbol": c * (x @ C @ x),
    "logistic_hessian": se.einsum("ij,i,ik->jk", A, se.sigmoid(A @ y), A),
    "factorization_hessian": se.EinsteinProduct(2, "bj,dj->abad", (n,), B, B),
    "scaled_sum_in_contraction": -2 * (A + se.outer(x, y)) @ B,
    "zero": se.zeros((n, m)),
    "argument": x,
    "argument_again": x,
    "plain_scalar": c ** 2 + 1,
    "repeated_subexpressions": se.elementwise(lambda t: sp.tanh(t) * (1 - sp.tanh(t) ** 2) + sp.tanh(t), A),
    "repeated_scalar_subexpressions": se.elementwise(lambda t: sp.exp(2 * t) * (1 + sp.exp(2 * t)), A),
    "vectorized_functions": se.elementwise(lambda t, u: sigmoid(t) * softplus(u) + sp.exp(t) * sp.log(1 + u ** 2)
                                           + sp.sin(t) + sp.cos(u), A @ B @ B.T, C @ A),
    "vectorized_log1p": se.log1p(se.einsum("ij,ij->i", A, A)),
    "contraction_of_large_sum": se.einsum("ijk,jk->i", T + se.einsum("ij,jk->ijk", A, B), B),
    "diagonal_blocks": se.einsum("bd,cd,ad->abac", C, C, A.T),
    "sliced_contraction": se.einsum("db,dc,ad->abc", B, B, A),
    "weighted_gram": se.einsum("ca,cb,c->ab", A, A, 2 * x + se.exp(A @ y)),
    "twice_weighted_gram": se.einsum("ca,c,c,cb->ab", A, x, se.exp(A @ y), A),
    "gram": 3 * se.einsum("ca,cb->ba", A, A),
    "sliced_diagonal_blocks": se.einsum("db,dc,ad->abac", B, B, A),
    "pair_gram": se.einsum("ea,ec,bf,df,cf,af->abcd", C, C, A, A, se.elementwise(lambda t: 1 - sp.tanh(t) ** 2, A),
                           se.elementwise(lambda t: 2 - 2 * sp.tanh(t) ** 2, A)),
    "pair_gram_plain": se.einsum("bf,af,df,cf->abcd", A, A, A, A),
    "pair_gram_unequal_halves": se.einsum("bf,af,df,cf->abcd", A, A, A, se.exp(A)),
}
NAMES = list(CORPUS)


def random_arguments(rng, dtype=np.float64, sizes=(3, 4, 2)):
    nn, mm, kk = sizes
    shapes = {A: (nn, mm), B: (mm, kk), C: (nn, nn), x: (nn,), y: (mm,), T: (nn, mm, kk)}
    values = {a: rng.normal(size=shape).astype(dtype) for a, shape in shapes.items()}
    values[s], values[c] = 0.7, -1.3
    return values


@pytest.fixture(scope="module")
def values():
    return random_arguments(np.random.default_rng(0))


@pytest.fixture(scope="module")
def expected(values):
    return {name: se.evaluate(CORPUS[name], values) for name in NAMES}


# The corpus in groups of about nine expressions, one generated function per group and backend: Numba
# compiles (and LLVM optimizes) several small kernels much faster than one kernel of 51 outputs.
GROUP_SIZE = 9
GROUPS = [NAMES[k:k + GROUP_SIZE] for k in range(0, len(NAMES), GROUP_SIZE)]
GROUP_OF = {name: k for k, group in enumerate(GROUPS) for name in group}
FUNCTIONS = [(backend, k) for backend in ("numpy", "numba") for k in range(len(GROUPS))]


@pytest.fixture(scope="module", params=FUNCTIONS, ids=[f"{b}-group{k}" for b, k in FUNCTIONS])
def corpus_function(request):
    """One group's generated function; the tests using it run once per group and backend."""
    backend, k = request.param
    fn = se.lambdify(ARGS, [CORPUS[name] for name in GROUPS[k]], backend=backend)
    fn.names = GROUPS[k]
    return fn


@pytest.fixture(scope="module")
def results(corpus_function, values):
    return dict(zip(corpus_function.names, corpus_function(*(values[a] for a in ARGS)), strict=True))


def test_corpus_matches_evaluate(results, expected):
    for name, got in results.items():
        want = expected[name]
        assert np.shape(got) == np.shape(want), name
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=name)


def test_outputs_do_not_alias_arguments(corpus_function, values):
    out = dict(zip(corpus_function.names, corpus_function(*(values[a] for a in ARGS)), strict=True))
    if "argument" in out:
        assert out["argument"] is not values[x] and out["argument"] is not out["argument_again"]
    arguments = [id(values[a]) for a in ARGS]
    assert all(id(value) not in arguments for value in out.values())


def test_sizes_are_bound_per_call(corpus_function):
    other = random_arguments(np.random.default_rng(1), sizes=(5, 2, 3))
    got = dict(zip(corpus_function.names, corpus_function(*(other[a] for a in ARGS)), strict=True))
    for name, value in got.items():
        np.testing.assert_allclose(value, se.evaluate(CORPUS[name], other), rtol=1e-10, atol=1e-12, err_msg=name)


def test_source_is_shown(corpus_function):
    import inspect
    assert "def generated(*args)" in corpus_function.source
    assert inspect.getsource(corpus_function).startswith("def generated(*args)")


def test_numba_kernel_uses_blas_and_loops():
    fn = se.lambdify([A, B, y], [A @ B, se.exp(A @ y)], cache=False)
    assert "_mat_mat(A, B)" in fn.source and "np.exp(" in fn.source and "@numba.njit" in fn.source


def test_one_expression_returns_one_value():
    fn = se.lambdify([x], x @ x, backend="numpy")
    assert float(fn(np.array([1.0, 2.0]))) == 5.0


def test_symbol_without_value_is_rejected():
    with pytest.raises(se.BindingError, match="c, which is neither an argument"):
        se.lambdify([x], c * x, backend="numpy")


def test_unknown_backend():
    with pytest.raises(ValueError, match="unknown backend"):
        se.lambdify([x], x, backend="tpu")


def test_repeated_subexpressions_are_computed_once():
    fn = se.lambdify([A], CORPUS["repeated_subexpressions"], cache=False)
    # vectorized by NumPy, once (up to 256 entries a loop, once)
    assert fn.source.count("np.tanh(") == 1 and fn.source.count("math.tanh") <= 1
    vectorized = se.lambdify([A, B, C], [CORPUS[name] for name in ("vectorized_functions", "vectorized_log1p")],
                             cache=False).source
    assert all(f"np.{name}(" in vectorized for name in ("exp", "sin", "cos", "log1p", "minimum", "maximum"))
    scalar = se.lambdify([A], CORPUS["repeated_scalar_subexpressions"], cache=False).source
    kernel = scalar[scalar.index("def generated_kernel"):]  # the helpers above it call math.exp too
    assert kernel.count("math.exp(") == 1 and "c0 = math.exp(2*A[i_a, i_b])" in kernel


def test_contraction_of_large_sum_is_distributed():
    fn = se.lambdify([A, B, T], CORPUS["contraction_of_large_sum"], cache=False)
    assert "np.empty((n, m, k), dtype)" not in fn.source  # the order-3 sum is never formed
    assert "result[i_a] += t1[i_a]" in fn.source  # and the sum of the contractions is accumulated in place


def test_diagonal_outputs_are_allocated_lazily_outside_the_kernel():
    fn = se.lambdify([B, x], CORPUS["factorization_hessian"], cache=False)
    start, caller = fn.source.index("def generated_kernel_core("), fn.source.index("def generated_kernel(")
    compiled, allocating = fn.source[start:caller], fn.source[caller:]  # the compiled core, then its caller
    assert "np.zeros((n, m, n, m), dtype)" in allocating and "np.zeros" not in compiled
    rng = np.random.default_rng(2)
    values = {B: rng.normal(size=(3, 2)), x: rng.normal(size=4)}
    np.testing.assert_allclose(fn(values[B], values[x]), se.evaluate(CORPUS["factorization_hessian"], values),
                               rtol=1e-12)


def test_parallel_kernels_match(values, expected):
    names = ["logistic_hessian", "row_broadcast", "diag_write", "symmetric_sum"]
    fn = se.lambdify(ARGS, [CORPUS[name] for name in names], parallel=True, cache=False,
                     size_hints={n: 10**4, m: 10**4})
    assert "numba.prange" in fn.source
    for name, got in zip(names, fn(*(values[a] for a in ARGS)), strict=True):
        np.testing.assert_allclose(got, expected[name], rtol=1e-10, atol=1e-12)


def test_contraction_with_a_large_intermediate_is_sliced():
    other = se.matrix("B2", m, k)  # two different matrices: not a Gram (those are batched, below)
    products = [se.einsum("db,dc,ad->abc", B, other, A), se.einsum("db,dc,ad->abac", B, other, A)]
    fn = se.lambdify([A, B, other], products, cache=False)
    assert fn.source.count("(sliced along a)") == 2 and "np.empty((n, m, k)" not in fn.source


def test_weighted_grams_by_a_letter_of_the_weights_are_batched():
    fn = se.lambdify([A, B], [CORPUS["sliced_contraction"], CORPUS["sliced_diagonal_blocks"]], cache=False)
    assert fn.source.count("(symmetric: one triangle per a)") == 2 and "(sliced along a)" not in fn.source


def test_symmetric_gram_is_computed_by_triangle(values):
    from sympy_einstein.codegen.passes import plan
    names = ("weighted_gram", "gram", "twice_weighted_gram")
    fn = se.lambdify([A, x, y], [CORPUS[name] for name in names], cache=False)
    assert fn.source.count("(symmetric: upper triangle by blocks)") == 3
    assert fn.source.count("# lower triangle = upper triangle") == 3
    rng = np.random.default_rng(3)
    rows = plan.ROW_BLOCK + 7  # several row blocks and column blocks
    cols = plan.COLUMN_BLOCK + 5
    big = {A: rng.normal(size=(rows, cols)), x: rng.normal(size=rows), y: rng.normal(size=cols) / cols}
    for got, name in zip(fn(big[A], big[x], big[y]), names, strict=True):
        np.testing.assert_allclose(got, se.evaluate(CORPUS[name], big), rtol=1e-10, atol=1e-9)


def test_transposed_reads_are_tiled_and_symmetric_results_halved():
    import re

    from sympy_einstein.codegen.passes.layout import TILE
    exprs = [C + C.T, C + 2 * C.T, se.exp(C) * C.T]
    fn = se.lambdify([C], exprs, cache=False)
    assert fn.source.count(f"for i_a0 in range(0, n, {TILE}):") == 3  # three tiled loop nests
    mirrors = re.findall(r"(\w+)\[i_b, i_a\] = \1\[i_a, i_b\]", fn.source)
    assert len(mirrors) == 1  # only C + C.T is symmetric: its mirror write
    value = {C: np.random.default_rng(4).normal(size=(2 * TILE + 5, 2 * TILE + 5))}
    for got, expr in zip(fn(value[C]), exprs, strict=True):
        np.testing.assert_allclose(got, se.evaluate(expr, value), rtol=1e-12)


def test_symmetric_order_four_gram_is_computed_by_column_blocks():
    from sympy_einstein.codegen.passes import plan
    names = ("pair_gram", "pair_gram_plain", "pair_gram_unequal_halves")
    fn = se.lambdify([A, C], [CORPUS[name] for name in names], cache=False)
    assert fn.source.count("(symmetric: one triangle of Q Q^T)") == 2  # not the unequal halves
    rng = np.random.default_rng(5)
    rows = 17  # Q has 17 * 17 rows: two column blocks of at least COLUMN_BLOCK
    assert rows * rows > plan.COLUMN_BLOCK
    big = {A: rng.normal(size=(rows, 6)), C: rng.normal(size=(rows, rows))}
    for got, name in zip(fn(big[A], big[C]), names, strict=True):
        np.testing.assert_allclose(got, se.evaluate(CORPUS[name], big), rtol=1e-10, atol=1e-9)

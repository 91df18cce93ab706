"""backend="dask": the codegen corpus against se.evaluate on a small dask.distributed LocalCluster
(started and stopped here: two in-process workers of one thread), data chunked along the samples axis,
shared work computed once, Gram products as per-chunk partial products, lazy argument checks, export.
Skipped when dask is not installed."""
import importlib.util
import os
import threading

import numpy as np
import pytest
import sympy as sp
import test_codegen_reproducers as reproducers
from hypothesis import given, settings
from test_codegen import ARGS, CORPUS, NAMES, random_arguments
from test_codegen_random import compare, expression_sets
from test_codegen_reproducers import Inverse, LogSumExp

import sympy_einstein as se
from sympy_einstein.errors import ShapeError

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

m, n = sp.symbols("m n", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
lam = sp.Symbol("lam", real=True)
LOSS = se.sum(se.softplus(X @ w)) - y @ (X @ w) + lam * (w @ w)
DERIVATIVES = [LOSS, se.gradient(LOSS, w), se.hessian(LOSS, w)]


@pytest.fixture(scope="module")
def client():
    """Two in-process workers of one thread each, closed after this module's tests."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, memory_limit="1GiB",
                                  dashboard_address="127.0.0.1:0") as cluster, distributed.Client(cluster) as c:
        yield c


def chunked(values, rows=2):
    """Every array argument as a Dask array chunked along its first axis (the samples)."""
    return {a: da.from_array(v, chunks=(rows,) + np.shape(v)[1:]) if np.ndim(v) else v for a, v in values.items()}


def logistic(rows=600, columns=7, seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, columns)), rng.normal(size=columns) / 3, (rng.random(rows) < 0.5) * 1.0


def chunk_by_chunk(data, parameters, labels, c, rows):
    """The logistic value, gradient and Hessian accumulated over row chunks in NumPy (the reference)."""
    value, gradient, hessian = c * parameters @ parameters, 2 * c * parameters, 2 * c * np.eye(len(parameters))
    for start in range(0, len(data), rows):
        x, t = data[start:start + rows], labels[start:start + rows]
        z = x @ parameters
        s = 1 / (1 + np.exp(-z))
        value += np.sum(np.logaddexp(0, z) - t * z)
        gradient += x.T @ (s - t)
        hessian += x.T @ (x * (s * (1 - s))[:, None])
    return value, gradient, hessian


def test_corpus_matches_evaluate(client):
    values = random_arguments(np.random.default_rng(0))
    function = se.lambdify(ARGS, [CORPUS[name] for name in NAMES], backend="dask")
    lazy = function(*(chunked(values)[a] for a in ARGS))
    assert all(isinstance(result, da.Array) for result in lazy)
    for name, result in zip(NAMES, dask.compute(*lazy), strict=True):
        want = se.evaluate(CORPUS[name], values)
        assert np.shape(result) == np.shape(want), name
        np.testing.assert_allclose(result, want, rtol=1e-10, atol=1e-12, err_msg=name)


def test_numpy_arguments_and_scalars(client):
    """Arguments that are not Dask arrays become one chunk each; the results are still Dask arrays."""
    values = random_arguments(np.random.default_rng(1), sizes=(5, 2, 3))
    names = ["logistic_hessian", "sliced_contraction", "diag_write", "plain_scalar"]
    function = se.lambdify(ARGS, [CORPUS[name] for name in names], backend="dask")
    lazy = function(*(values[a] for a in ARGS))
    assert all(isinstance(result, da.Array) for result in lazy)
    for name, result in zip(names, dask.compute(*lazy), strict=True):
        np.testing.assert_allclose(result, se.evaluate(CORPUS[name], values), rtol=1e-10, atol=1e-12)


def test_logistic_derivatives_on_the_cluster(client):
    data, parameters, labels = logistic()
    function = se.lambdify([X, w, y, lam], DERIVATIVES, backend="dask")
    arguments = (da.from_array(data, chunks=(100, 7)), parameters, da.from_array(labels, chunks=100), 0.25)
    got = dask.compute(*function(*arguments))
    for result, want in zip(got, chunk_by_chunk(data, parameters, labels, 0.25, 100), strict=True):
        np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got[2], got[2].T)


def test_hessian_is_a_sum_of_per_chunk_gram_matrices():
    data, parameters, labels = logistic()
    function = se.lambdify([X, w, y], se.hessian(LOSS.subs(lam, 0), w), backend="dask")
    hessian = function(da.from_array(data, chunks=(60, 7)), parameters, da.from_array(labels, chunks=60))
    keys = [str(key) for key in dict(hessian.__dask_graph__())]
    assert sum("gram_block" in key for key in keys) == 10  # one partial product per row chunk
    assert any("sum-partial" in key for key in keys)  # summed by a tree reduction
    assert "_gram(X, " in function.source


def test_shared_work_is_computed_once():
    """dask.compute of value, gradient and Hessian reads each chunk of X once (X @ w and the sigmoid are
    computed once and shared by all three)."""
    data, parameters, labels = logistic()
    loads, lock = [], threading.Lock()

    def load(block, block_info=None):
        with lock:
            loads.append(block_info[None]["chunk-location"])
        return data[block_info[None]["array-location"][0][0]:block_info[None]["array-location"][0][1]]

    lazy_data = da.map_blocks(load, da.zeros((600, 7), chunks=(100, 7)), dtype=float)
    function = se.lambdify([X, w, y, lam], DERIVATIVES, backend="dask")
    outputs = function(lazy_data, parameters, da.from_array(labels, chunks=100), 0.25)
    assert loads == []  # nothing computed by the call itself
    got = dask.compute(*outputs, scheduler="sync")
    assert sorted(loads) == [(k, 0) for k in range(6)]
    for result, want in zip(got, chunk_by_chunk(data, parameters, labels, 0.25, 100), strict=True):
        np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-12)


def test_arguments_are_checked_without_computing():
    function = se.lambdify([X, w, y, lam], LOSS, backend="dask")

    def poisoned(block):
        raise AssertionError("a chunk was computed")

    data = da.map_blocks(poisoned, da.zeros((600, 7), chunks=(100, 7)), dtype=float)
    with pytest.raises(ShapeError, match="argument y axis 0 has size 599, but m = 600"):
        function(data, np.zeros(7), da.zeros(599, chunks=100), 0.1)
    with pytest.raises(se.errors.BindingError, match="argument X has dtype complex128"):
        function(da.zeros((6, 7), dtype=complex), np.zeros(7), np.zeros(6), 0.1)
    assert isinstance(function(data, np.zeros(7), da.zeros(600, chunks=100), 0.1), da.Array)


def test_export_writes_a_dask_module(tmp_path):
    path = tmp_path / "logistic_dask.py"
    source = se.export(path, {"derivatives": ([X, w, y, lam], DERIVATIVES)}, backend="dask")
    imports = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import dask.array as da", "import numpy as np"]
    spec = importlib.util.spec_from_file_location("logistic_dask", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data, parameters, labels = logistic()
    got = dask.compute(*module.derivatives(da.from_array(data, chunks=(150, 7)), parameters, labels, 0.5),
                       scheduler="sync")
    for result, want in zip(got, chunk_by_chunk(data, parameters, labels, 0.5, 150), strict=True):
        np.testing.assert_allclose(result, want, rtol=1e-12, atol=1e-12)


def test_names_of_the_dask_module_are_never_shadowed():
    """Arguments named like the module's globals (da, dask, numpy, _gram) are renamed, numbers right."""
    a, b, c = se.matrix("da", 6, 2), se.vector("dask", 6), se.vector("_gram", 2)
    f = se.lambdify([a, b, c, sp.Symbol("numpy")], [se.einsum("ij,i,ik->jk", a, b, a) * sp.Symbol("numpy"),
                                                    a @ c], backend="dask")
    data = np.arange(12.0).reshape(6, 2)
    hessian, product = dask.compute(*f(da.from_array(data, chunks=(3, 2)), np.ones(6), np.ones(2), 2.0),
                                    scheduler="sync")
    np.testing.assert_allclose(hessian, 2 * data.T @ data, rtol=1e-12)
    np.testing.assert_allclose(product, data.sum(axis=1), rtol=1e-12)


@settings(max_examples=int(os.environ.get("SE_RANDOM_DASK_EXAMPLES", 10)))
@given(expression_sets(operations=8, outputs=4))
def test_random_expressions(exprs):
    """Random expressions (the generator of test_codegen_random) against se.evaluate (NumPy arguments
    become one-chunk Dask arrays; the results are computed by the threaded scheduler)."""
    with dask.config.set(scheduler="threads"):
        compare(exprs, "dask")


def test_previously_failed_cancelled_body_keeps_its_shape():
    """``2*A - 2*A``: SymPy cancels the loop body to 0; the result must still be an n x m array."""
    a_ = se.matrix("A", 3, 2)
    lazy = se.lambdify([a_], [2 * a_ - 2 * a_, se.sum(2 * a_ - 2 * a_, axis=0)], backend="dask")(np.ones((3, 2)))
    got = dask.compute(*lazy, scheduler="sync")
    assert got[0].shape == (3, 2) and got[1].shape == (2,) and not np.any(got[0])


def test_reproducers_of_issue_8_match_evaluate():
    """The formulas that once failed to compile (test_codegen_reproducers), the data chunked by rows."""
    r, rng = reproducers, np.random.default_rng(8)
    values = {r.X: rng.normal(size=(5, 3)), r.A: rng.normal(size=(3, 3)), r.w: rng.normal(size=3),
              r.x: rng.normal(size=3), r.y: rng.normal(size=5), r.c: 0.7, r.lam: 0.3, r.eps: 0.01}
    fn = se.lambdify(r.ARGS, list(r.CORPUS.values()), backend="dask")
    got = dask.compute(*fn(*(chunked(values)[a] for a in r.ARGS)), scheduler="sync")
    for (name, expr), result in zip(r.CORPUS.items(), got, strict=True):
        np.testing.assert_allclose(result, se.evaluate(expr, values), rtol=1e-9, atol=1e-12, err_msg=name)


def test_whole_matrix_nodes_lower_to_library_calls():
    """Library calls (the stand-in node classes of test_codegen_reproducers) on Dask arrays."""
    a_, big, v, u = se.matrix("A", n, n), se.matrix("X", m, n), se.vector("x", n), se.vector("w", n)
    exprs = [Inverse(a_) @ v, LogSumExp(big, sp.Tuple(1)), se.sum(LogSumExp(big, sp.Tuple(0, 1)) * u)]
    fn = se.lambdify([a_, big, v, u], exprs, backend="dask")
    rng = np.random.default_rng(12)
    a, data, xv, wv = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(4, 3)), rng.normal(size=3), \
        rng.normal(size=3)
    solved, rows, total = dask.compute(*fn(a, da.from_array(data, chunks=(2, 3)), xv, wv), scheduler="sync")
    np.testing.assert_allclose(solved, np.linalg.solve(a, xv), rtol=1e-10)
    np.testing.assert_allclose(rows, np.log(np.exp(data).sum(axis=1)), rtol=1e-12)
    np.testing.assert_allclose(total, np.log(np.exp(data).sum()) * wv.sum(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# matrix functions: linalg_runtime's checked factorizations, one lazy task per matrix


def test_every_matrix_function_node_matches_evaluate():
    from test_linalg_codegen import NODES, A, B, M, T, b, c, data, relative_error, x, z
    from test_linalg_codegen import Z as Zl
    args, values = [A, B, M, T, x, b, Zl, z, c], data()
    got = dask.compute(*se.lambdify(args, NODES, backend="dask")(*(values[a] for a in args)), scheduler="sync")
    for expr, result in zip(NODES, got, strict=True):
        assert relative_error(result, se.evaluate(expr, values)) < 1e-8, expr


def test_gaussian_nll_value_gradients_hessian_on_the_cluster(client):
    """The samples chunked by rows; the covariance factored once, on a worker."""
    from test_linalg_codegen import NLL, S, X_data, gaussian_bindings, mu, relative_error
    values = gaussian_bindings()
    exprs = [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu), se.gradient(NLL, S)]
    fn = se.lambdify([X_data, mu, S], exprs, backend="dask")
    got = dask.compute(*fn(da.from_array(values[X_data], chunks=(7, 3)), values[mu], values[S]))
    for expr, result in zip(exprs, got, strict=True):
        assert relative_error(result, se.evaluate(expr, values)) < 1e-8, expr


def test_singular_and_non_finite_matrices_raise_at_compute_naming_the_node():
    from test_linalg_codegen import A, b

    from sympy_einstein.errors import BindingError
    fn = se.lambdify([A, b], [se.solve(A, b), se.adj(A)], backend="dask")
    solved, adjugate = fn(np.ones((4, 4)), np.ones(4))  # lazy: nothing raises yet
    with pytest.raises(BindingError, match=r"solve\(A, b\): the matrix is singular"):
        solved.compute(scheduler="sync")
    np.testing.assert_allclose(adjugate.compute(scheduler="sync"), np.zeros((4, 4)), atol=1e-12)
    matrix = np.eye(4)
    matrix[1, 2] = np.nan
    with pytest.raises(BindingError, match=r"adj\(A\): the matrix has an entry that is not finite"):
        fn(matrix, np.ones(4))[1].compute(scheduler="sync")


def test_export_with_factorizations_writes_a_dask_module(tmp_path):
    from test_linalg_codegen import A, b, data
    path, values = tmp_path / "factor_dask.py", data(4)
    source = se.export(path, {"f": ([A, b], [se.solve(A, b), se.logdet(A)])}, backend="dask")
    assert [line for line in source.splitlines() if line.startswith(("import", "from"))] == \
        ["import dask.array as da", "import numpy as np"]
    spec = importlib.util.spec_from_file_location("factor_dask", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    solved, logdet = dask.compute(*module.f(values[A], values[b]), scheduler="sync")
    np.testing.assert_allclose(solved, np.linalg.solve(values[A], values[b]), rtol=1e-10)
    np.testing.assert_allclose(logdet, np.linalg.slogdet(values[A])[1], rtol=1e-10)
    with pytest.raises(module.BindingError, match="singular"):
        module.f(np.ones((4, 4)), values[b])[0].compute(scheduler="sync")


def test_the_runtime_names_are_module_globals():
    from sympy_einstein.codegen.printers import dask_runtime
    from sympy_einstein.codegen.printers.dask import MODULE_GLOBALS
    assert set(dask_runtime.FUNCTIONS) <= set(MODULE_GLOBALS)

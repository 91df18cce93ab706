"""backend="jax": the codegen corpus against se.evaluate (JAX on CPU, x64), float32 without x64,
jax.vmap over parameter vectors, jax.grad of the generated value against the generated gradient,
export of a module that imports jax only, argument checks. Skipped when jax is not installed."""
import importlib.util
import os
import sys

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

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

m, n = sp.symbols("m n", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
lam = se.scalar("lam")
LOSS = se.sum(se.softplus(X @ w)) - y @ (X @ w) + lam * (w @ w)


@pytest.fixture(scope="module")
def x64():
    """JAX in float64 for this module's tests (restored afterwards)."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", before)


@pytest.fixture(scope="module")
def logistic_data():
    rng = np.random.default_rng(3)
    return rng.normal(size=(40, 5)), rng.normal(size=5), (rng.random(40) < 0.5).astype(float), 0.3


@pytest.fixture(scope="module")
def corpus_function():
    return se.lambdify(ARGS, [CORPUS[name] for name in NAMES], backend="jax")


def test_corpus_matches_evaluate(x64, corpus_function):
    values = random_arguments(np.random.default_rng(0))
    got = corpus_function(*(values[a] for a in ARGS))
    for name, result in zip(NAMES, got, strict=True):
        want = se.evaluate(CORPUS[name], values)
        assert np.shape(result) == np.shape(want), name
        assert result.dtype == jnp.float64, name
        np.testing.assert_allclose(np.asarray(result), want, rtol=1e-10, atol=1e-12, err_msg=name)


def test_sizes_are_bound_per_call(x64, corpus_function):
    values = random_arguments(np.random.default_rng(1), sizes=(5, 2, 3))
    got = dict(zip(NAMES, corpus_function(*(values[a] for a in ARGS)), strict=True))
    for name in ("logistic_hessian", "factorization_hessian", "sliced_contraction", "unit", "chain"):
        np.testing.assert_allclose(np.asarray(got[name]), se.evaluate(CORPUS[name], values), rtol=1e-10,
                                   atol=1e-12, err_msg=name)


def test_float32_without_x64(logistic_data):
    """Without x64, JAX computes in float32 (its default), whatever the inputs' type."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    try:
        f = se.lambdify([X, w, y, lam], [LOSS, se.gradient(LOSS, w)], backend="jax")
        value, gradient = f(*logistic_data)
    finally:
        jax.config.update("jax_enable_x64", before)
    reference = se.lambdify([X, w, y, lam], [LOSS, se.gradient(LOSS, w)], backend="numpy")(*logistic_data)
    assert value.dtype == jnp.float32 and gradient.dtype == jnp.float32
    np.testing.assert_allclose(gradient, reference[1], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(float(value), reference[0], rtol=1e-5)


def test_vmap_over_parameter_vectors(x64, logistic_data):
    data, _, labels, c = logistic_data
    exprs = [LOSS, se.gradient(LOSS, w), se.hessian(LOSS, w)]
    f = se.lambdify([X, w, y, lam], exprs, backend="jax")
    reference = se.lambdify([X, w, y, lam], exprs, backend="numpy")
    batch = np.random.default_rng(4).normal(size=(6, 5))
    got = jax.vmap(f, in_axes=(None, 0, None, None))(data, batch, labels, c)
    for k, parameters in enumerate(batch):
        for result, want in zip(got, reference(data, parameters, labels, c), strict=True):
            np.testing.assert_allclose(np.asarray(result[k]), want, rtol=1e-10, atol=1e-12)


def test_grad_of_generated_value_is_generated_gradient(x64, logistic_data):
    data, parameters, labels, c = logistic_data
    value = se.lambdify([X, w, y, lam], LOSS, backend="jax")
    gradient = se.lambdify([X, w, y, lam], se.gradient(LOSS, w), backend="jax")
    by_jax = jax.grad(lambda v: value(data, v, labels, c))(parameters)
    np.testing.assert_allclose(np.asarray(by_jax), np.asarray(gradient(data, parameters, labels, c)),
                               rtol=1e-10, atol=1e-12)
    by_jax_lam = jax.grad(lambda s: value(data, parameters, labels, s))(c)
    np.testing.assert_allclose(float(by_jax_lam), parameters @ parameters, rtol=1e-10)


def test_grad_through_every_step_kind(x64):
    """jax.grad of a scalar built on a Gram product, a sliced contraction and library functions."""
    a_, b_, v = se.matrix("A", 4, 3), se.matrix("B", 3, 2), se.vector("v", 3)
    f = se.sum(se.einsum("ca,cb,c->ab", a_, a_, se.exp(a_ @ v))) \
        + se.sum(se.einsum("db,dc,ad->abc", b_, b_, a_)) + se.sum(se.sigmoid(a_) * se.tanh(a_))
    generated = se.lambdify([a_, b_, v], [f, se.gradient(f, a_)], backend="jax")
    rng = np.random.default_rng(5)
    a, b, vv = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=3)
    by_jax = jax.grad(lambda t: generated(t, b, vv)[0])(a)
    np.testing.assert_allclose(np.asarray(by_jax), np.asarray(generated(a, b, vv)[1]), rtol=1e-10, atol=1e-12)


def test_export_imports_jax_only(x64, tmp_path, logistic_data):
    path = tmp_path / "logistic_jax.py"
    source = se.export(path, {"loss": ([X, w, y, lam], [LOSS, se.gradient(LOSS, w)])}, backend="jax")
    imports = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import jax", "import jax.numpy as jnp"]
    spec = importlib.util.spec_from_file_location("logistic_jax", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert "sympy_einstein" not in module.__dict__ and "numpy" not in module.__dict__
    reference = se.lambdify([X, w, y, lam], [LOSS, se.gradient(LOSS, w)], backend="numpy")(*logistic_data)
    for got, want in zip(module.loss(*logistic_data), reference, strict=True):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10)
    with pytest.raises(module.ShapeError, match="argument w axis 0 has size 4, but n = 5"):
        module.loss(logistic_data[0], np.ones(4), logistic_data[2], 0.1)


def test_arguments_are_checked_before_the_kernel(x64, logistic_data):
    f = se.lambdify([X, w, y, lam], LOSS, backend="jax")
    data, parameters, labels, c = logistic_data
    with pytest.raises(ShapeError, match="argument y axis 0 has size 39, but m = 40"):
        f(data, parameters, labels[:-1], c)
    with pytest.raises(ShapeError, match=r"argument lam has declared shape \(\) \(order 0\)"):
        f(data, parameters, labels, np.ones(2))
    with pytest.raises(se.errors.BindingError, match="takes 4 argument"):
        f(data, parameters, labels)


def test_names_of_the_jax_module_are_never_shadowed(x64):
    """Arguments named like the module's globals (jax, jnp, dtype) are renamed, numbers right."""
    a, b = se.vector("jax", 3), se.vector("jnp", 3)
    f = se.lambdify([a, b, sp.Symbol("dtype")], [se.sum(se.exp(a) * b) * sp.Symbol("dtype")], backend="jax")
    got = f(np.arange(3.0), np.ones(3), 2.0)[0]
    np.testing.assert_allclose(float(got), 2 * np.exp(np.arange(3.0)).sum(), rtol=1e-12)


def test_every_library_call_has_a_jax_form():
    from sympy_einstein.codegen.calls import LIBRARY
    from sympy_einstein.codegen.printers.jax import JAX_CALLS
    assert set(LIBRARY) <= set(JAX_CALLS)


def test_package_imports_without_jax_and_dask(tmp_path):
    """With jax and dask unimportable, the package imports, the numpy backend works and backend="jax"
    fails with a clear error."""
    import subprocess
    script = (
        "import sys\n"
        "for name in ('jax', 'dask', 'distributed'):\n"
        "    sys.modules[name] = None\n"
        "import numpy as np, sympy_einstein as se\n"
        "x = se.vector('x', 3)\n"
        "print(se.lambdify([x], x @ x, backend='numpy')(np.ones(3)))\n"
        "try:\n"
        "    se.lambdify([x], x @ x, backend='jax')\n"
        "except se.errors.EinsteinError as error:\n"
        "    print(error)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "3.0"
    assert "pip install" in result.stdout and "jax" in result.stdout


def test_unplanned_kernels_print_as_einsum(x64):
    """The printer also prints the IR before contraction planning (Einsum steps as jnp.einsum)."""
    from sympy_einstein.codegen.lower import lower
    from sympy_einstein.codegen.passes.name import name
    from sympy_einstein.codegen.passes.number import number
    from sympy_einstein.codegen.printers.jax import JaxPrinter
    from sympy_einstein.codegen.program import build_program
    a_, v, c = se.matrix("A", 3, 4), se.vector("v", 4), sp.Symbol("c")
    exprs = [a_ @ v, se.einsum("ij,j->ijk", a_, v, sizes={"k": 2}), c * se.einsum("ij,ij->", a_, a_)]
    source = JaxPrinter(name(number(lower(build_program([a_, v, c], exprs))), "f")).doprint()
    assert "jnp.einsum('ab,b->a', A, v)" in source
    namespace = {"jax": jax, "jnp": jnp}
    exec(compile(source, "<unplanned>", "exec"), namespace)  # our own generated source
    rng = np.random.default_rng(6)
    values = {a_: rng.normal(size=(3, 4)), v: rng.normal(size=4), c: 0.5}
    for got, expr in zip(namespace["f"](values[a_], values[v], 0.5), exprs, strict=True):
        np.testing.assert_allclose(np.asarray(got), se.evaluate(expr, values), rtol=1e-12)


@settings(max_examples=int(os.environ.get("SE_RANDOM_JAX_EXAMPLES", 4)))
@given(expression_sets(operations=8, outputs=4))
def test_random_expressions(exprs):
    """Random expressions (the generator of test_codegen_random) against se.evaluate, in float64."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        compare(exprs, "jax")
    finally:
        jax.config.update("jax_enable_x64", before)


def test_previously_failed_cancelled_body_keeps_its_shape(x64):
    """``2*A - 2*A``: SymPy cancels the loop body to 0; the result must still be an n x m array."""
    a_ = se.matrix("A", 3, 2)
    got = se.lambdify([a_], [2 * a_ - 2 * a_, se.sum(2 * a_ - 2 * a_, axis=0)], backend="jax")(np.ones((3, 2)))
    assert got[0].shape == (3, 2) and got[1].shape == (2,) and not np.any(np.asarray(got[0]))


def test_reproducers_of_issue_8_match_evaluate(x64):
    """The formulas that once failed to compile (test_codegen_reproducers) on the jax backend."""
    values = reproducer_values()
    fn = se.lambdify(reproducers.ARGS, list(reproducers.CORPUS.values()), backend="jax")
    got = fn(*(values[a] for a in reproducers.ARGS))
    for (name, expr), result in zip(reproducers.CORPUS.items(), got, strict=True):
        np.testing.assert_allclose(np.asarray(result), se.evaluate(expr, values), rtol=1e-9, atol=1e-12,
                                   err_msg=name)


def reproducer_values():
    r, rng = reproducers, np.random.default_rng(8)
    return {r.X: rng.normal(size=(5, 3)), r.A: rng.normal(size=(3, 3)), r.w: rng.normal(size=3),
            r.x: rng.normal(size=3), r.y: rng.normal(size=5), r.c: 0.7, r.lam: 0.3, r.eps: 0.01}


def test_whole_matrix_nodes_lower_to_library_calls(x64):
    """Library calls (the stand-in node classes of test_codegen_reproducers) print from JAX_CALLS."""
    n_, m_ = sp.symbols("n m", integer=True, positive=True)
    a_, big, v, u = se.matrix("A", n_, n_), se.matrix("X", m_, n_), se.vector("x", n_), se.vector("w", n_)
    exprs = [Inverse(a_) @ v, LogSumExp(big, sp.Tuple(1)), se.sum(LogSumExp(big, sp.Tuple(0, 1)) * u)]
    fn = se.lambdify([a_, big, v, u], exprs, backend="jax")
    rng = np.random.default_rng(12)
    a, data, xv, wv = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(4, 3)), rng.normal(size=3), \
        rng.normal(size=3)
    solved, rows, total = fn(a, data, xv, wv)
    np.testing.assert_allclose(np.asarray(solved), np.linalg.solve(a, xv), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(rows), np.log(np.exp(data).sum(axis=1)), rtol=1e-12)
    np.testing.assert_allclose(float(total), np.log(np.exp(data).sum()) * wv.sum(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# matrix functions: the shared factorizations of passes/factor.py as LU in jax_runtime


def test_every_matrix_function_node_matches_evaluate(x64):
    from test_linalg_codegen import NODES, A, B, M, T, b, c, data, relative_error, x, z
    from test_linalg_codegen import Z as Zl
    args, values = [A, B, M, T, x, b, Zl, z, c], data()
    got = se.lambdify(args, NODES, backend="jax")(*(values[a] for a in args))
    for expr, result in zip(NODES, got, strict=True):
        assert relative_error(np.asarray(result), se.evaluate(expr, values)) < 1e-8, expr


def test_gaussian_nll_value_gradients_hessian(x64):
    from test_linalg_codegen import NLL, S, X_data, gaussian_bindings, mu, relative_error
    values = gaussian_bindings()
    exprs = [NLL, se.gradient(NLL, mu), se.hessian(NLL, mu), se.gradient(NLL, S)]
    got = se.lambdify([X_data, mu, S], exprs, backend="jax")(values[X_data], values[mu], values[S])
    for expr, result in zip(exprs, got, strict=True):
        assert relative_error(np.asarray(result), se.evaluate(expr, values)) < 1e-8, expr


def test_factorizations_trace_under_grad_and_vmap(x64):
    """jax.grad of the generated value is the generated gradient; jax.vmap solves a batch of matrices."""
    from test_linalg_codegen import A, b, data, x
    values = data(3)
    f = x @ se.inv(A) @ x + se.logdet(A) + se.det(A)
    fn = se.lambdify([A, x], [f, se.gradient(f, A)], backend="jax")
    traced = jax.grad(lambda a: fn(a, values[x])[0])(values[A])
    np.testing.assert_allclose(np.asarray(traced), np.asarray(fn(values[A], values[x])[1]), rtol=1e-10)
    batch = np.stack([values[A] + k * np.eye(4) for k in range(3)])
    solve = se.lambdify([A, b], [se.solve(A, b)], backend="jax")
    solved = jax.vmap(lambda a: solve(a, values[b])[0])(batch)
    np.testing.assert_allclose(np.asarray(solved), np.linalg.solve(batch, values[b]), rtol=1e-10)


def test_a_singular_matrix_gives_non_finite_values_as_jax_does(x64):
    """Nothing raises inside jit (docs/backends.md): inf/nan from a solve, -inf log-determinant, det 0."""
    from test_linalg_codegen import A, b
    fn = se.lambdify([A, b], [se.solve(A, b), se.logdet(A), se.det(A)], backend="jax")
    solved, logdet, det = fn(np.ones((4, 4)), np.ones(4))
    assert not np.isfinite(np.asarray(solved)).all()
    assert float(logdet) == -np.inf and float(det) == 0.0


def test_export_with_factorizations_imports_jax_only(x64, tmp_path):
    from test_linalg_codegen import A, b, data
    path, values = tmp_path / "factor_jax.py", data(4)
    source = se.export(path, {"f": ([A, b], [se.solve(A, b), se.logdet(A)])}, backend="jax")
    assert [line for line in source.splitlines() if line.startswith(("import", "from"))] == \
        ["import jax", "import jax.numpy as jnp"]
    spec = importlib.util.spec_from_file_location("factor_jax", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    solved, logdet = module.f(values[A], values[b])
    np.testing.assert_allclose(np.asarray(solved), np.linalg.solve(values[A], values[b]), rtol=1e-10)
    np.testing.assert_allclose(float(logdet), np.linalg.slogdet(values[A])[1], rtol=1e-10)


def test_the_runtime_names_are_module_globals():
    from sympy_einstein.codegen.printers import jax_runtime
    from sympy_einstein.codegen.printers.jax import MODULE_GLOBALS
    assert set(jax_runtime.FUNCTIONS) <= set(MODULE_GLOBALS)

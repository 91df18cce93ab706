"""Previously failed: every reproducer of issue 8 (generated code), on both backends against se.evaluate.

Each of these once failed to compile (an order-0 operand in a scale never bound), computed shared
work twice, or hit the recursion limit. Numba compiles once for the whole corpus (one kernel).
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se

n, m = sp.symbols("n m", integer=True, positive=True)
X, A = se.matrix("X", m, n), se.matrix("A", n, n)
w, x, y = se.vector("w", n), se.vector("x", n), se.vector("y", m)
c, lam = se.scalar("c"), se.scalar("lam")
eps = sp.Symbol("eps", positive=True)
ARGS = [X, A, w, x, y, c, lam, eps]

rayleigh = (x @ A @ x) / (x @ x)
log_sum_exp = se.log(se.sum(se.exp(A @ x)))
logistic = se.sum(se.softplus(X @ w) - y * (X @ w))
CORPUS = {
    "scalar_times_sum": c * se.sum(w),
    "ridge": se.sum((X @ w - y) ** 2) + lam * se.sum(w ** 2),
    "ridge_gradient": se.gradient(lam * se.sum(w ** 2), w),
    "rayleigh_hessian": se.hessian(rayleigh, x),
    "log_sum_exp_hessian": se.hessian(log_sum_exp, x),
    "softplus_over_c": se.sum(se.softplus(c * x)) / c,
    "softplus_over_c_gradient": se.gradient(se.sum(se.softplus(c * x)) / c, x),
    "smoothed_lasso": se.sum((X @ w - y) ** 2) + lam * se.sum(se.sqrt(w ** 2 + eps)),
    "smoothed_lasso_hessian": se.hessian(lam * se.sum(se.sqrt(w ** 2 + eps)), w),
    "logistic_value": logistic,
    "logistic_gradient": se.gradient(logistic, w),
    "logistic_hessian": se.hessian(logistic, w),
}
NAMES = list(CORPUS)


@pytest.fixture(scope="module")
def values():
    rng = np.random.default_rng(8)
    return {X: rng.normal(size=(5, 3)), A: rng.normal(size=(3, 3)), w: rng.normal(size=3), x: rng.normal(size=3),
            y: rng.normal(size=5), c: 0.7, lam: 0.3, eps: 0.01}


@pytest.fixture(scope="module", params=["numpy", "numba"])
def results(request, values):
    fn = se.lambdify(ARGS, [CORPUS[name] for name in NAMES], backend=request.param, cache=False)
    return dict(zip(NAMES, fn(*(values[a] for a in ARGS)), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_reproducer_matches_evaluate(results, values, name):
    want = se.evaluate(CORPUS[name], values)
    np.testing.assert_allclose(results[name], want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_order_zero_operand_in_a_scale_alone(backend):
    fn = se.lambdify([c, w], c * se.sum(w), backend=backend, cache=False)
    assert float(fn(2.0, np.array([1.0, 2.0, 3.0]))) == 12.0


def test_logistic_value_gradient_hessian_share_the_product_and_the_sigmoid():
    f, g, h = (CORPUS[k] for k in ("logistic_value", "logistic_gradient", "logistic_hessian"))
    for backend in ("numpy", "numba"):
        source = se.lambdify([X, w, y], [f, g, h], backend=backend, cache=False).source
        kernel = source[source.index("def generated_kernel"):]
        code = "\n".join(line for line in kernel.splitlines() if not line.lstrip().startswith("#"))
        assert code.count("X @ w") + code.count("_mat_vec(X, w)") == 1, kernel
        assert source.count("np.minimum(") == 1  # one sigmoid (its stable form has one minimum)
        assert "return (value, gradient, hessian)" in kernel


def chain(layers: int):
    z = x
    for _ in range(layers):
        z = se.tanh(A @ z) + z
    return z


def test_thousand_layer_chain_compiles_at_the_default_recursion_limit():
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        fn = se.lambdify([A, x], se.sum(chain(1000)), backend="numpy", cache=False)
    finally:
        sys.setrecursionlimit(limit)
    rng = np.random.default_rng(9)
    a, xv = rng.normal(size=(3, 3)) / 10, rng.normal(size=3)
    z = xv
    for _ in range(1000):
        z = np.tanh(a @ z) + z
    np.testing.assert_allclose(fn(a, xv), z.sum(), rtol=1e-10)


class Inverse(se.TensorExpr):
    """Stand-in for a whole-matrix node class of another module: it lowers by its entry in the
    ``NODE_CALLS`` table of codegen/calls.py alone (no printer knows it)."""

    @property
    def shape(self):
        return self.args[0].shape


class LogSumExp(se.TensorExpr):
    """Stand-in with an option (``axes``) read from the node by the table entry."""

    @property
    def axes(self):
        return tuple(int(a) for a in self.args[1])

    @property
    def shape(self):
        return tuple(s for k, s in enumerate(self.args[0].shape) if k not in self.axes)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_whole_matrix_nodes_lower_to_library_calls(backend):
    exprs = [Inverse(A) @ x, LogSumExp(X, sp.Tuple(1)), se.sum(LogSumExp(X, sp.Tuple(0, 1)) * w)]
    fn = se.lambdify([A, X, x, w], exprs, backend=backend, cache=False)
    rng = np.random.default_rng(12)
    a, big, xv, wv = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(4, 3)), rng.normal(size=3), \
        rng.normal(size=3)
    solved, rows, total = fn(a, big, xv, wv)
    np.testing.assert_allclose(solved, np.linalg.solve(a, xv), rtol=1e-10)
    np.testing.assert_allclose(rows, np.log(np.exp(big).sum(axis=1)), rtol=1e-12)
    np.testing.assert_allclose(total, np.log(np.exp(big).sum()) * wv.sum(), rtol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_constant_loop_read_twice_is_fused(backend):
    """Found by the long fuzz run (docs/fuzzing.md): a constant-filled vector (``vector(1)``) read by two
    loops made the fusion pass unpack an empty read list."""
    f, symbols = se.parse("exp(sum(log(exp(-y.*(X*w)) + vector(1))))", return_symbols=True)
    data, w, y = symbols["X"], symbols["w"], symbols["y"]
    g = sp.diff(f, w)
    rng = np.random.default_rng(0)
    values = {data: rng.normal(size=(5, 3)) * 0.1, w: rng.normal(size=3), y: np.sign(rng.normal(size=5))}
    value, gradient = se.lambdify([data, w, y], [f, g], backend=backend)(values[data], values[w], values[y])
    np.testing.assert_allclose(value, se.evaluate(f, values))
    np.testing.assert_allclose(gradient, se.evaluate(g, values))

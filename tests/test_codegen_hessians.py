# ruff: noqa: N806
"""Order-4 Hessians (deeper nets, multi-output GLMs): the rules that make them cheap fire on problems
that are not benchmark problems, and the results equal se.evaluate and central finite differences of
the generated gradient.

Rules (sympy_einstein/codegen/passes): ``merge`` (matrix products of one sum that share an operand are
one product of the summed other operands), ``symmetric`` (a product whose rows operand is a loop
symmetric in its two row letters is a ``TriangleContract``: one triangle, mirrored, the loop fused),
``layout`` (a product read by one loop along its rows' last letter is computed transposed), ``plan``
(a weighted Gram per value of a letter only the weights carry is one ``BatchedGram``).
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.codegen.kernel import Access, Contract, Formula, Loop, Matrix, TriangleContract, Value, all_steps
from sympy_einstein.codegen.lower import lower
from sympy_einstein.codegen.passes import layout, merge, number, plan, run
from sympy_einstein.codegen.program import build_program

h, g, n, m, o = sp.symbols("h g n m o", integer=True, positive=True)
W1, W2, W3 = se.matrix("W1", h, n), se.matrix("W2", g, h), se.matrix("W3", o, g)
X, Y = se.matrix("X", n, m), se.matrix("Y", o, m)
ARGS = [W1, W2, W3, X, Y]
# a 3-layer sigmoid net with a logistic (softplus) loss: no benchmark problem has this activation or loss
LOGITS = W3 @ se.sigmoid(W2 @ se.sigmoid(W1 @ X))
LOSS = se.sum(se.softplus(LOGITS) - Y * LOGITS)


def data(hh=3, gg=4, oo=2, nn=30, mm=6, seed=3):
    """Arrays for ARGS; n = 30 inputs give 465 pairs (p, q >= p): two blocks of the TriangleContract."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(hh, nn)) / 3, rng.normal(size=(gg, hh)), rng.normal(size=(oo, gg)),
            rng.normal(size=(nn, mm)), (rng.uniform(size=(oo, mm)) < 0.5).astype(float)]


def finite_difference_hessian(gradient, arrays, step=1e-5):
    """Central differences of the generated gradient by W1, as an (h, n, h, n) array."""
    w = arrays[0]
    H = np.empty(w.shape + w.shape)
    for index in np.ndindex(w.shape):
        up, down = w.copy(), w.copy()
        up[index] += step
        down[index] -= step
        H[(...,) + index] = (gradient(up, *arrays[1:]) - gradient(down, *arrays[1:])) / (2 * step)
    return H


def kernel_of(expr):
    return run(lower(build_program(ARGS, [expr])))


def test_deep_net_hessian_has_one_triangle_product_of_the_summed_curvatures():
    kernel = kernel_of(se.hessian(LOSS, W1))
    steps = all_steps(kernel.steps)
    triangles = [s for s in steps if isinstance(s, TriangleContract)]
    assert len(triangles) == 1
    assert "summed first" in triangles[0].note  # the curvature terms were merged before the one GEMM
    # the pairs X[p, f] X[q, f] are never stored whole: their loop is fused into the triangle product
    assert not any(isinstance(s, Loop) and s.writes == triangles[0].rows.writes for s in kernel.steps)
    # the diagonal blocks sum_f X[b, f] X[d, f] t[a, f] (delta over the hidden units): one Gram per unit,
    # reading X as it is stored (X^T of the Gram)
    batched = [s for s in steps if type(s).__name__ == "BatchedGram"]
    assert len(batched) == 1 and batched[0].transposed and batched[0].x == kernel.arguments[3]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_deep_net_hessian_matches_evaluate_and_finite_differences(backend):
    """30 inputs, 3 hidden units: two blocks of pairs; 4 inputs, 6 hidden units: the diagonal blocks'
    Grams by pairs (narrower than the number of hidden units)."""
    H = se.hessian(LOSS, W1)
    fn = se.lambdify(ARGS, H, backend=backend, cache=False)
    gradient = se.lambdify(ARGS, se.gradient(LOSS, W1), backend="numpy", cache=False)
    for arrays in (data(), data(hh=6, nn=4)):
        got = fn(*arrays)
        want = se.evaluate(H, dict(zip(ARGS, arrays, strict=True)))
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got, finite_difference_hessian(gradient, arrays), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(got, got.transpose(2, 3, 0, 1), rtol=1e-12, atol=1e-14)


def test_triangle_product_on_whole_array_backends():
    jax = pytest.importorskip("jax")
    H = se.hessian(LOSS, W1)
    arrays = data(nn=5)
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        got = np.asarray(se.lambdify(ARGS, H, backend="jax", cache=False)(*arrays))
    finally:
        jax.config.update("jax_enable_x64", before)
    np.testing.assert_allclose(got, se.evaluate(H, dict(zip(ARGS, arrays, strict=True))), rtol=1e-10, atol=1e-12)


def planned(args, expr):
    return merge.merge(number.number(plan.plan(lower(build_program(args, [expr])))))


def contracts(kernel):
    return [s for s in kernel.steps if isinstance(s, Contract)]


def test_merge_shares_either_operand_and_keeps_coefficients():
    A, A2 = se.tensor("A", (8, 5, 6)), se.tensor("A2", (8, 5, 6))
    B, C = se.matrix("B", 6, 40), se.matrix("C", 6, 40)
    left = se.einsum("abf,fc->abc", A, B) - 3 * se.einsum("xyz,zw->xyw", A, C)  # A shared, other letters
    right = se.einsum("abf,fc->abc", A, B) + se.einsum("abf,fc->abc", A2, B) / 2
    rng = np.random.default_rng(1)
    values = {A: rng.normal(size=(8, 5, 6)), A2: rng.normal(size=(8, 5, 6)), B: rng.normal(size=(6, 40)),
              C: rng.normal(size=(6, 40))}
    for expr in (left, right):
        args = [A, A2, B, C]
        assert len(contracts(planned(args, expr))) == 1
        got = se.lambdify(args, expr, backend="numpy", cache=False)(*(values[a] for a in args))
        np.testing.assert_allclose(got, se.evaluate(expr, values), rtol=1e-12)


def test_merge_leaves_products_without_a_shared_operand():
    A, B, C, D = se.tensor("A", (8, 5, 6)), se.tensor("B", (8, 5, 6)), se.matrix("C", 6, 3), se.matrix("D", 6, 3)
    expr = se.einsum("abf,fc->abc", A, C) + se.einsum("abf,fc->abc", B, D)
    assert len(contracts(planned([A, B, C, D], expr))) == 2


def test_merge_leaves_matrix_vector_products():
    """``A x + A^T x``: the shared ``x`` has one row per summed index; summing ``A + A^T`` first would
    read and write the whole matrix to save one GEMV."""
    A, x = se.matrix("A", n, n), se.vector("x", n)
    assert len(contracts(planned([A, x], A @ x + A.T @ x))) == 2


def test_product_read_along_its_rows_is_transposed():
    """A batched product: the loop over (f, a, c) sums g innermost; the GEMM giving T[g, a, f] is
    computed as T[a, f, g] so that the sum reads it contiguously."""
    S = se.tensor("S", (3, 7, 4))       # (c, f, g)
    P, Q = se.matrix("P", 5, 4), se.tensor("Q", (5, 3, 7))  # T[g, a, f] = sum_e P[e, g] Q[e, a, f]
    expr = se.einsum("cfg,ge,eaf->fac", S, P.T, Q)
    before = planned([S, P, Q], expr)
    for kernel, turned in ((before, False), (layout.layout(before), True)):
        loop = next(s for s in kernel.steps if isinstance(s, Loop) and s.summed)
        contract = next(s for s in kernel.steps if isinstance(s, Contract))
        read = next(a for _, a in loop.body.reads if a.value == contract.target.value)
        assert (read.letters[-1] == loop.summed[-1]) is turned
    values = {S: np.arange(84.0).reshape(3, 7, 4) % 5, P: np.arange(20.0).reshape(5, 4) % 3,
              Q: np.arange(105.0).reshape(5, 3, 7) % 7}
    got = se.lambdify([S, P, Q], expr, backend="numpy", cache=False)(values[S], values[P], values[Q])
    np.testing.assert_allclose(got, np.einsum("cfg,eg,eaf->fac", values[S], values[P], values[Q]))


def test_triangle_rule_needs_a_loop_symmetric_in_the_row_letters():
    x, y = Value(0, "argument", (4, 9), hint="x"), Value(1, "argument", (4, 9), hint="y")
    pairs, b, t = Value(2, "temporary", (4, 4, 9)), Value(3, "argument", (9, 2), hint="b"), Value(4, "temporary",
                                                                                                 (4, 4, 2))
    r, s = sp.symbols("r s", real=True)
    sizes = (("p", 4), ("q", 4), ("f", 9), ("c", 2))
    contract = Contract(Access(t, "pqc"), Matrix(Access(pairs, "pqf"), "pq", "f"), Matrix(Access(b, "fc"), "f", "c"),
                        sizes)
    from sympy_einstein.codegen.passes import symmetric

    for second, expected in ((x, True), (y, False)):  # x[p, f] x[q, f] is symmetric; x[p, f] y[q, f] is not
        body = Formula(r * s, ((r, Access(x, "pf")), (s, Access(second, "qf"))))
        loop = Loop(Access(pairs, "pqf"), (("p", 4), ("q", 4), ("f", 9)), "", body)
        assert symmetric.rows_symmetric(contract, {pairs: loop}) is expected


# a multi-output Poisson regression (log link), by W: its Hessian is block-diagonal over the outputs,
# one X^T diag(exp(X W[:, b])) X per output b
P, Q = sp.symbols("P Q", integer=True, positive=True)
XP, WP, YP = se.matrix("XP", P, Q), se.matrix("WP", Q, o), se.matrix("YP", P, o)
POISSON = se.sum(se.exp(XP @ WP) - YP * (XP @ WP))
STACKED = se.einsum("sa,sc,sb->abc", XP, XP, se.exp(XP @ WP))  # the batch letter b in the middle of the result


def poisson_data(seed=5, rows=40, inputs=70, outputs=3):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(rows, inputs)) / 8, rng.normal(size=(inputs, outputs)),
            rng.poisson(1.0, size=(rows, outputs)).astype(float)]


def test_multi_output_glm_hessian_is_one_batched_gram():
    kernel = run(lower(build_program([XP, WP, YP], [se.hessian(POISSON, WP), STACKED])))
    grams = [s for s in kernel.steps if type(s).__name__ == "BatchedGram"]
    assert len(grams) == 2  # one per output: the Hessian's (stacked by b, then its layout) and STACKED's
    assert not any(isinstance(s, Contract) and s.target.value.rank == 3 for s in kernel.steps)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_multi_output_glm_hessian_matches_evaluate_and_finite_differences(backend):
    """70 inputs: the Grams by column blocks; 4 inputs, 8 outputs: by pairs, one product for all outputs."""
    H = se.hessian(POISSON, WP)
    fn = se.lambdify([XP, WP, YP], [H, STACKED], backend=backend, cache=False)
    gradient = se.lambdify([XP, WP, YP], se.gradient(POISSON, WP), backend="numpy", cache=False)
    for inputs, outputs in ((70, 3), (4, 8)):
        arrays = poisson_data(inputs=inputs, outputs=outputs)
        got, stacked = fn(*arrays)
        values = dict(zip([XP, WP, YP], arrays, strict=True))
        np.testing.assert_allclose(got, se.evaluate(H, values), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(stacked, se.evaluate(STACKED, values), rtol=1e-10, atol=1e-12)
        w, step = arrays[1], 1e-5
        for index in [(0, 0), (min(5, inputs - 1), 2), (inputs - 1, 1)]:
            up, down = w.copy(), w.copy()
            up[index] += step
            down[index] -= step
            column = (gradient(arrays[0], up, arrays[2]) - gradient(arrays[0], down, arrays[2])) / (2 * step)
            np.testing.assert_allclose(got[(...,) + index], column, rtol=1e-6, atol=1e-8)


def test_batched_gram_on_whole_array_backends():
    jax = pytest.importorskip("jax")
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        arrays = poisson_data(rows=9, inputs=4, outputs=2)
        got = se.lambdify([XP, WP, YP], STACKED, backend="jax", cache=False)(*arrays)
    finally:
        jax.config.update("jax_enable_x64", before)
    want = se.evaluate(STACKED, dict(zip([XP, WP, YP], arrays, strict=True)))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12)

"""Random expressions (ranks 0-3, order-0 operands, shared subexpressions, several outputs) compiled on
both backends and compared with se.evaluate.

An example builds a pool of expressions from the arguments, each new one from earlier ones (so they
share subexpressions), and compiles several of them as one function. The number of examples is set
by ``SE_RANDOM_EXAMPLES`` (numpy backend, default 30) and ``SE_RANDOM_NUMBA_EXAMPLES`` (numba backend,
default 2: a compile takes seconds); the run outside CI reported in docs/codegen.md used
``SE_RANDOM_EXAMPLES=1000``.
"""
import os

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import sympy_einstein as se

n, m = sp.symbols("n m", integer=True, positive=True)
A, B, C = se.matrix("A", n, m), se.matrix("B", m, n), se.matrix("C", n, n)
x, y, T = se.vector("x", n), se.vector("y", m), se.tensor("T", (n, m, n))
c, s = se.scalar("c"), sp.Symbol("s", real=True)
ARGS = [A, B, C, x, y, T, c, s]
LEAVES = [A, B, C, x, y, T, c]

UNARY = [se.tanh, se.sigmoid, se.softplus, se.sin, lambda e: e * e, lambda e: se.exp(se.tanh(e)),
         lambda e: c * e, lambda e: s * e, lambda e: 2 * e, lambda e: -e]


def _binary(a, b):
    """Every way this module combines two expressions (may be empty)."""
    found = []
    if a.shape == b.shape:
        found += [a + b, a * b, a - 2 * b]
    if a.rank == 0 or b.rank == 0:
        found.append(a * b)
    if a.rank in (1, 2) and b.rank in (1, 2) and a.shape[-1] == b.shape[0]:
        found.append(a @ b)
    if a.rank == 1 and b.rank == 1:
        found.append(se.outer(a, b))
    if a.rank == 3 and b.rank == 1 and b.shape[0] == m:
        found.append(se.einsum("ijk,j->ik", a, b))
    return found


def _unary_structural(e):
    found = [se.sum(e)] if e.rank else []
    if e.rank >= 2:
        found += [se.sum(e, axis=0), e.T if e.rank == 2 else se.einsum("ijk->kji", e)]
    if e.rank == 2 and e.shape[0] == e.shape[1]:
        found += [se.trace(e), se.diag(e)]
    if e.rank == 1 and e.shape[0] == n:
        found.append(se.diag(e))
    return found


@st.composite
def expression_sets(draw, operations=6, outputs=3):
    pool = list(LEAVES)
    for _ in range(draw(st.integers(1, operations))):
        kind = draw(st.sampled_from(["unary", "structural", "binary"]))
        a = draw(st.sampled_from(pool))
        if kind == "unary":
            new = draw(st.sampled_from(UNARY))(a)
        elif kind == "structural":
            options = _unary_structural(a)
            new = draw(st.sampled_from(options)) if options else a
        else:
            options = _binary(a, draw(st.sampled_from(pool)))
            new = draw(st.sampled_from(options)) if options else a
        if new.rank <= 3:
            pool.append(new)
    computed = pool[len(LEAVES):] or pool
    count = draw(st.integers(1, outputs))
    return [draw(st.sampled_from(computed)) for _ in range(count)]


def random_values(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    shapes = {A: (3, 2), B: (2, 3), C: (3, 3), x: (3,), y: (2,), T: (3, 2, 3)}
    found = {a: rng.normal(size=shape) for a, shape in shapes.items()}
    found.update({c: 0.6, s: -1.1})
    return found


def compare(exprs, backend: str) -> None:
    given_values = random_values(len(exprs))
    fn = se.lambdify(ARGS, exprs, backend=backend, cache=False)
    for got, expr in zip(fn(*(given_values[a] for a in ARGS)), exprs, strict=True):
        want = se.evaluate(expr, given_values)
        assert np.shape(got) == np.shape(want), expr
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-10, err_msg=str(expr))


@settings(max_examples=int(os.environ.get("SE_RANDOM_EXAMPLES", 30)))
@given(expression_sets())
def test_random_expressions_numpy(exprs):
    compare(exprs, "numpy")


@settings(max_examples=int(os.environ.get("SE_RANDOM_NUMBA_EXAMPLES", 2)))
@given(expression_sets(operations=12, outputs=12))
def test_random_expressions_numba(exprs):
    compare(exprs, "numba")

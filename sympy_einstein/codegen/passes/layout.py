"""Pass 5, layout: how each matrix-product operand is read, tiles for transposed reads, threads.

- A matrix product ``T[rows, cols] = A @ B`` read by one loop only, whose innermost letter is the
  last of ``rows``, is computed transposed (``T[cols, rows] = B^T @ A^T``, both views), so that loop
  walks ``T`` contiguously (a batched product's loop that sums over a GEMM's rows reads it with
  stride 1 instead of one cache line per term).
- A :class:`Matrix` operand whose letters are ``first + second`` is a reshaped view; ``second +
  first`` a transposed view (``.T``, which BLAS reads without a copy); anything else a permuted
  contiguous copy.
- A 2-D loop that sums nothing and reads an array with its letters swapped (``A[b, a]`` in a loop
  over ``a, b``) walks in ``TILE x TILE`` tiles, so both reads stay in cache.
- With ``parallel``, a loop whose distinct output letters cover at least ``PARALLEL_WORK`` entries
  (representative sizes) runs its first letter on threads (never the tiled ones).

>>> import sympy as sp
>>> from sympy_einstein.codegen.kernel import Access, Matrix, Value
>>> A = Value(0, "argument", (2, 3, 4))
>>> [_how(Matrix(Access(A, "abc"), f, s)) for f, s in [("ab", "c"), ("c", "ab"), ("b", "ac")]]
['view', 'transposed', 'copy']
"""
from __future__ import annotations

import math
from dataclasses import replace

from ...ir.indices import unique
from ..contraction import representative_sizes
from ..kernel import Access, Contract, Loop, Matrix, Sliced, Value
from .symmetric import rows_symmetric

TILE = 32
PARALLEL_WORK = 200_000


def layout(kernel, parallel: bool = False, hints: dict | None = None):
    """``kernel`` with operand layouts, tiles and thread flags decided (see the module docstring)."""
    steps = _oriented(kernel.steps, {out.value for out in kernel.outputs})
    return replace(kernel, steps=_steps(steps, parallel, hints))


def _oriented(steps, outputs) -> tuple:
    """The matrix products read by one loop whose innermost letter ends their rows, transposed."""
    readers, producers = {}, {}
    for step in steps:
        for value in step.reads_values():
            readers.setdefault(value, []).append(step)
        producers[step.writes] = step
    mapping = {}
    for step in steps:
        if isinstance(step, Contract) and step.target.value not in outputs and step.target.value.role == "temporary":
            turned = _turned(step, readers.get(step.target.value, []), producers)
            if turned is not None:
                mapping[step.target.value] = turned
    if not mapping:
        return steps
    return tuple(_turn(step, mapping) for step in steps)


def _turned(step, readers, producers):
    """``(transposed value, number of row letters)`` when the one reader of ``step``'s result walks it
    along the last letter of the rows; else ``None``."""
    rows, cols, target = step.a.first, step.b.second, step.target
    if len(readers) != 1 or not isinstance(readers[0], Loop) or not rows or not cols \
            or len(set(target.letters)) != len(target.letters) or rows_symmetric(step, producers):
        return None
    loop = readers[0]
    reads = [access for _, access in loop.body.reads if access.value == target.value]
    if len(reads) != 1 or loop.accumulate or target.value in _values_in_formula(loop.scale):
        return None
    innermost = loop.summed[-1] if loop.summed else unique(loop.out)[-1]
    if reads[0].letters[len(rows) - 1] != innermost or innermost in reads[0].letters[len(rows):]:
        return None
    value = target.value
    return Value(value.key, value.role, value.shape[len(rows):] + value.shape[:len(rows)], value.hint), len(rows)


def _values_in_formula(formula) -> tuple:
    return () if formula is None else formula.values()


def _turn(step, mapping):
    """``step`` computing or reading the transposed products of ``mapping``."""
    if isinstance(step, Contract) and step.target.value in mapping:
        value, _ = mapping[step.target.value]
        a = Matrix(step.b.access, step.b.second, step.b.first)
        b = Matrix(step.a.access, step.a.second, step.a.first)
        return replace(step, target=Access(value, step.b.second + step.a.first), a=a, b=b)
    if not isinstance(step, Loop) or not any(access.value in mapping for _, access in step.body.reads):
        return step
    reads = []
    for symbol, access in step.body.reads:
        if access.value in mapping:
            value, split = mapping[access.value]
            access = Access(value, access.letters[split:] + access.letters[:split])
        reads.append((symbol, access))
    return replace(step, body=replace(step.body, reads=tuple(reads)))


def _steps(steps, parallel, hints) -> tuple:
    result = []
    for step in steps:
        if isinstance(step, Contract):
            step = replace(step, a=replace(step.a, how=_how(step.a)), b=replace(step.b, how=_how(step.b)))
        elif isinstance(step, Loop):
            step = _loop(step, parallel, hints)
        elif isinstance(step, Sliced):
            step = replace(step, steps=_steps(step.steps, False, hints))
        result.append(step)
    return tuple(result)


def _how(matrix) -> str:
    letters = matrix.access.letters
    if letters == matrix.first + matrix.second:
        return "view"
    if letters == matrix.second + matrix.first:
        return "transposed"
    return "copy"


def transposed_read(step: Loop) -> bool:
    """A 2-D loop without summation that reads some array with its letters swapped."""
    return (len(step.out) == 2 and step.out[0] != step.out[1] and not step.summed
            and any(access.letters == step.out[::-1] for _, access in step.body.reads))


def _loop(step: Loop, parallel: bool, hints) -> Loop:
    distinct = unique(step.out)
    work = math.prod(representative_sizes(dict(step.ranges), hints).values())
    if parallel and distinct and work >= PARALLEL_WORK and step.target.value.rank:
        return replace(step, parallel=True)
    if transposed_read(step):
        return replace(step, tile=TILE)
    return step

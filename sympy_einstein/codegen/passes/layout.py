"""Pass 5, layout: how each matrix-product operand is read, tiles for transposed reads, threads.

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
from ..kernel import Contract, Loop, Sliced

TILE = 32
PARALLEL_WORK = 200_000


def layout(kernel, parallel: bool = False, hints: dict | None = None):
    """``kernel`` with operand layouts, tiles and thread flags decided (see the module docstring)."""
    return replace(kernel, steps=_steps(kernel.steps, parallel, hints))


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

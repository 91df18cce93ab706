"""Pass 6, symmetric results: compute one triangle, mirror the other.

- A tiled 2-D loop whose body is unchanged by swapping its two letters (reads of the same arrays
  with the letters swapped) and whose two sizes agree computes only the tiles on and above the
  diagonal and writes each value to both halves (``triangle``), e.g. the Hessian ``A + A^T``.
- :class:`Gram` and :class:`BlockGram` compute the upper triangle; a :class:`Mirror` step after them
  copies it to the lower one.
- A :class:`Contract` ``T[p, q, cols] = A[p, q, inner] @ B[inner, cols]`` whose ``A`` (read as it is
  stored) is a loop unchanged by swapping ``p`` and ``q`` (``X[p, f] X[q, f]``, the pairs of a layer's
  inputs in the Hessian of a net by its first layer) is symmetric in ``p, q`` whatever ``B`` is: a
  :class:`TriangleContract` computes the rows ``q >= p`` (half the multiplications) and mirrors them.
  Its loop is fused into the product (so nothing else may read ``A``): the pairs ``(p, q >= p)`` of
  whole rows ``p`` are computed into a buffer of at least ``TRIANGLE_ROWS`` rows, then one product
  (``B`` read once per buffer; no array of the size of ``A``).

>>> import sympy as sp
>>> from sympy_einstein.codegen.kernel import Access, Formula, Loop, Value
>>> A, t = Value(0, "argument", (5, 5)), Value(1, "temporary", (5, 5))
>>> r, s = sp.symbols("r s", real=True)
>>> body = Formula(r + s, ((r, Access(A, "ab")), (s, Access(A, "ba"))))
>>> loop = Loop(Access(t, "ab"), (("a", 5), ("b", 5)), "", body, tile=32)
>>> symmetric_body(loop)
True
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..kernel import Allocate, BlockGram, Contract, Gram, Loop, Mirror, Sliced, TriangleContract

TRIANGLE_ROWS = 256  # pairs (p, q >= p) per product of a TriangleContract (whole rows p, so at least this)


def symmetric(kernel):
    """``kernel`` with symmetric tiled loops halved and Gram results mirrored."""
    return replace(kernel, steps=_steps(kernel.steps, {out.value for out in kernel.outputs}))


def _steps(steps, outputs=frozenset()) -> tuple:
    result, producers, readers = [], {}, _readers(steps, outputs)
    for step in steps:
        if isinstance(step, Loop) and step.tile and symmetric_body(step):
            step = replace(step, triangle=True)
        if isinstance(step, Sliced):
            step = replace(step, steps=_steps(step.steps))
        if isinstance(step, Contract):
            step = _triangle_contract(step, producers, readers)
        if isinstance(step, Loop):
            producers[step.writes] = step
        result.append(step)
        if isinstance(step, Gram):
            result.append(Mirror(step.target, step.target.shape[0], "lower triangle = upper triangle"))
        if isinstance(step, BlockGram):
            result.append(Mirror(step.target, step.size, "lower triangle = upper triangle"))
    fused = {step.rows.writes for step in result if isinstance(step, TriangleContract)}
    return tuple(step for step in result if not (isinstance(step, (Loop, Allocate)) and step.writes in fused))


def _readers(steps, outputs) -> dict:
    found = {value: 1 for value in outputs}
    for step in steps:
        for value in step.reads_values():
            found[value] = found.get(value, 0) + 1
    return found


def symmetric_body(step: Loop) -> bool:
    """Equal sizes and a body unchanged by swapping the loop's two letters."""
    return swap_symmetric(step, *step.out)


def swap_symmetric(step: Loop, a: str, b: str) -> bool:
    """Whether ``step`` computes the same entry when letters ``a`` and ``b`` (equal sizes) are swapped."""
    if sp.sympify(step.size(a)) != sp.sympify(step.size(b)) or step.scale is not None:
        return False
    swap = {a: b, b: a}
    by_access = {access: symbol for symbol, access in step.body.reads}
    mapping = {}
    for symbol, access in step.body.reads:
        swapped = replace(access, letters="".join(swap.get(c, c) for c in access.letters))
        if swapped not in by_access:
            return False
        mapping[symbol] = by_access[swapped]
    lets = dict(step.body.lets)
    full = step.body.expr.xreplace({s: e for s, e in reversed(list(lets.items()))}) if lets else step.body.expr
    return full.xreplace(mapping) == full


def rows_symmetric(step: Contract, producers) -> bool:
    """Whether a matrix product's rows operand, read as it is stored (``[p, q, inner]``), is a loop
    unchanged by swapping ``p`` and ``q``."""
    a, target = step.a, step.target
    loop = producers.get(a.access.value)
    if not isinstance(loop, Loop) or a.access.letters != a.first + a.second or len(a.first) != 2 \
            or not a.second or not step.b.second or target.letters != a.first + step.b.second \
            or len(set(target.letters)) != len(target.letters) or loop.summed or loop.accumulate \
            or len(set(loop.out)) != len(loop.out):
        return False
    p, q = (loop.out[a.access.letters.index(c)] for c in a.first)
    return swap_symmetric(loop, p, q)


def _triangle_contract(step: Contract, producers, readers):
    """``step`` as a :class:`TriangleContract` when its rows operand is symmetric in its two row letters;
    the operand's loop is fused into it when nothing else reads the operand."""
    if step.a.how != "view" or not rows_symmetric(step, producers):
        return step
    size = dict(step.sizes)[step.a.first[0]]
    operand = step.a.access.value
    loop = producers[operand]
    if operand.role != "temporary" or readers.get(operand) != 1 or loop.parallel or loop.tile:
        return step
    return TriangleContract(step.target.value, step, size, loop, TRIANGLE_ROWS,
                            "(symmetric rows: one triangle, mirrored) " + step.note)

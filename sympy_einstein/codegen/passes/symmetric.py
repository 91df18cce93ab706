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

from ..kernel import BlockGram, Contract, Gram, Loop, Mirror, Sliced, TriangleContract


def symmetric(kernel):
    """``kernel`` with symmetric tiled loops halved and Gram results mirrored."""
    return replace(kernel, steps=_steps(kernel.steps))


def _steps(steps) -> tuple:
    result, producers = [], {}
    for step in steps:
        if isinstance(step, Loop) and step.tile and symmetric_body(step):
            step = replace(step, triangle=True)
        if isinstance(step, Sliced):
            step = replace(step, steps=_steps(step.steps))
        if isinstance(step, Contract):
            step = _triangle_contract(step, producers)
        if isinstance(step, Loop):
            producers[step.writes] = step
        result.append(step)
        if isinstance(step, Gram):
            result.append(Mirror(step.target, step.target.shape[0], "lower triangle = upper triangle"))
        if isinstance(step, BlockGram):
            result.append(Mirror(step.target, step.size, "lower triangle = upper triangle"))
    return tuple(result)


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


def _triangle_contract(step: Contract, producers):
    """``step`` as a :class:`TriangleContract` when its rows operand is symmetric in its two row letters."""
    a, target = step.a, step.target
    loop = producers.get(a.access.value)
    if loop is None or a.how != "view" or len(a.first) != 2 or not a.second or not step.b.second \
            or target.letters != a.first + step.b.second or len(set(target.letters)) != len(target.letters) \
            or loop.summed or loop.accumulate or len(set(loop.out)) != len(loop.out):
        return step
    p, q = (loop.out[a.access.letters.index(c)] for c in a.first)
    if not swap_symmetric(loop, p, q):
        return step
    size = dict(step.sizes)[a.first[0]]
    return TriangleContract(target.value, step, size, step.note + " (symmetric rows: one triangle, mirrored)")

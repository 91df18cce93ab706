"""Symmetric Gram blocks of order-4 contractions, e.g. a two-layer-net Hessian.

``H[a,b,c,d] = sum_f X[b,f] D[a,f] X[d,f] D[c,f] * M[a,c]`` is ``Q Q^T`` with ``Q[(a,b), f] =
X[b,f] D[a,f]``, times a factor read elementwise: half of ``Q Q^T`` suffices (one triangle,
mirrored). :func:`pair_gram` finds that split: the operands connected by the summed
letters ``f`` fall in two halves, the second the image of the first under the swap of the output's
halves (``a <-> c``, ``b <-> d``); every other operand forms the factor. The planning pass
first reads operands that are constant multiples of each other (``2 - 2 tanh(z)^2`` and
``1 - tanh(z)^2``) as the same array.

>>> split = pair_gram([("W", "ea"), ("W", "ec"), ("X", "bf"), ("X", "df"), ("D", "cf"), ("D", "af")],
...                   "abcd", {c: 4 for c in "abcdef"})
>>> split.half, split.summed, split.rest
((('X', 'bf'), ('D', 'af')), 'f', (('W', 'ea'), ('W', 'ec')))
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class GramSplit:
    """``einsum(arrays -> core) = (Q Q^T)[core] * einsum(rest)``, ``Q[core[:k] + summed] = prod(half)``."""

    half: tuple
    summed: str
    rest: tuple


def pair_gram(arrays, core: str, sizes: dict):
    """The :class:`GramSplit` of ``einsum(arrays -> core)``, or ``None`` when there is none.

    >>> pair_gram([("X", "bf"), ("Y", "df")], "bd", {"b": 3, "d": 3, "f": 5}) is None  # X != Y
    True
    """
    k = len(core) // 2
    if len(core) < 2 or len(core) % 2 or any(len(set(s)) != len(s) for _, s in arrays):
        return None
    first, second = core[:k], core[k:]
    if any(sp.sympify(sizes[a]) != sp.sympify(sizes[b]) for a, b in zip(first, second, strict=True)):
        return None
    swap = {**dict(zip(first, second, strict=True)), **dict(zip(second, first, strict=True))}
    for component in _components(arrays, core):
        summed = "".join(sorted({c for _, s in component for c in s if c not in core}))
        half = tuple(a for a in component if set(a[1]) <= set(first + summed))
        other = [a for a in component if set(a[1]) <= set(second + summed)]
        if len(half) + len(other) != len(component) or {c for _, s in half for c in s} != set(first + summed):
            continue
        image = sorted((name, "".join(swap.get(c, c) for c in s)) for name, s in half)
        if image != sorted(other):
            continue
        rest = tuple(a for a in arrays if a not in component)
        if any(c not in core and c in summed for _, s in rest for c in s):
            continue
        return GramSplit(half, summed, rest)
    return None


def _components(arrays, core: str) -> list:
    """The operands grouped by the summed letters that connect them (operands without any: none)."""
    groups = []
    for array in arrays:
        letters = {c for c in array[1] if c not in core}
        if not letters:
            continue
        joined = [g for g in groups if g[0] & letters]
        merged = (letters.union(*(g[0] for g in joined)), [a for g in joined for a in g[1]] + [array])
        groups = [g for g in groups if g not in joined] + [merged]
    return [g[1] for g in groups]

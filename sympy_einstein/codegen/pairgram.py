"""Symmetric Gram blocks of order-4 contractions, e.g. a two-layer-net Hessian.

``H[a,b,c,d] = sum_f X[b,f] D[a,f] X[d,f] D[c,f] * M[a,c]`` is ``Q Q^T`` with ``Q[(a,b), f] =
X[b,f] D[a,f]``, times a factor read elementwise: half of ``Q Q^T`` suffices (one triangle of
column blocks, mirrored). :func:`pair_gram` finds that split: the operands connected by the summed
letters ``f`` fall in two halves, the second the image of the first under the swap of the output's
halves (``a <-> c``, ``b <-> d``); every other operand forms the factor. :func:`merge_proportional`
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

from ..ir.nodes import Elementwise


@dataclass(frozen=True)
class GramSplit:
    """``einsum(arrays -> core) = (Q Q^T)[core] * einsum(rest)``, ``Q[core[:k] + summed] = prod(half)``."""

    half: tuple
    summed: str
    rest: tuple


@dataclass(frozen=True)
class BlockGram:
    """``target[out] = (x x^T).reshape(out)`` for ``x`` of layout ``out[:k] + summed`` (symmetric:
    the backend computes the upper triangle by column blocks and mirrors it)."""

    target: str
    x: str
    out: str
    summed: str
    sizes: dict
    comment: str = ""


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


def merge_proportional(entries) -> tuple:
    """``(arrays, factor)``: ``entries`` (name, letters, node) with each elementwise node that is a
    constant multiple of an earlier one read as that one, the constants collected in ``factor``.

    >>> import sympy_einstein as se
    >>> Z, x = se.matrix("Z", 2, 2), sp.Dummy("x", real=True)
    >>> d1 = se.Elementwise(sp.Lambda(x, 1 - sp.tanh(x) ** 2), Z)
    >>> d2 = se.Elementwise(sp.Lambda(x, 2 - 2 * sp.tanh(x) ** 2), Z)
    >>> merge_proportional([("t1", "af", d1), ("t2", "cf", d2)])
    ([('t1', 'af'), ('t1', 'cf')], 2)
    """
    arrays, factor, seen = [], sp.Integer(1), []
    for name, letters, node in entries:
        for earlier_name, earlier in seen:
            ratio = _ratio(node, earlier)
            if ratio is not None:
                name, factor = earlier_name, factor * ratio
                break
        else:
            seen.append((name, node))
        arrays.append((name, letters))
    return arrays, factor


def _ratio(node, other):
    """The constant ``node / other`` for elementwise nodes of the same operands, else ``None``."""
    if not (isinstance(node, Elementwise) and isinstance(other, Elementwise)) or node == other \
            or node.operands != other.operands:
        return None
    variables = dict(zip(node.function.variables, other.function.variables, strict=True))
    ratio = sp.cancel(node.function.expr.xreplace(variables) / other.function.expr)
    return ratio if ratio.is_number and ratio.is_finite and ratio != 0 else None

"""Recovering shared partial sums: a pre-pass of :func:`~sympy_einstein.simplification.simplify`.

Building ``x = tanh(A @ x) + x`` in a loop with the ``+`` operator flattens every sum, so step k is
a sum of k + 1 terms that repeats all terms of step k - 1; derivatives of such chains repeat their
adjoints and tangents the same way. The total size is then quadratic in the chain's length.
:func:`share_partial_sums` rewrites a sum ``T`` whose terms are those of another sum ``S`` of the
DAG plus one more term ``t`` as ``S + t``, so ``S`` is computed once and the size is linear again.
Terms are compared by identity; the sum one term shorter is found in O(len(T)) by an additive
signature of the multiset of terms, and checked exactly before use.
"""
from __future__ import annotations

from collections import Counter

from ..ir.nodes import TensorAdd, TensorExpr
from ..ir.walk import postorder_by_identity

_MASK = (1 << 64) - 1


def _signature(node_id: int) -> int:
    return hash((node_id, 0x5EED)) & _MASK


def share_partial_sums(root: TensorExpr) -> TensorExpr:
    """``root`` with every sum that extends another sum of the DAG by one term written as that
    sum plus the term (values unchanged; linear in the total number of arguments).

    >>> import sympy_einstein as se
    >>> x, y, z = (se.vector(c, 2) for c in "xyz")
    >>> short = x + y + z
    >>> longer = se.tanh(short) + short  # the + operator flattens: tanh(x + y + z) + x + y + z
    >>> len(longer.terms)
    4
    >>> shared = share_partial_sums(longer)
    >>> shared.terms[0] is short, shared.terms[1] == se.tanh(short)
    (True, True)
    """
    image: dict = {}      # id(original node) -> rewritten node
    flat: dict = {}       # id(rewritten sum) -> Counter of the ids of its flattened terms
    by_signature: dict = {}  # signature of a flattened term multiset -> rewritten sums with it
    keep = []             # holds every rewritten node, so ids stay unique
    for node in postorder_by_identity(root):
        args = [image[id(a)] if isinstance(a, TensorExpr) else a for a in node.args]
        new = node if all(a is b for a, b in zip(args, node.args, strict=True)) else node.func(*args)
        if isinstance(new, TensorAdd):
            new = _register(new, flat, by_signature)
        image[id(node)] = new
        keep.append(new)
    return image[id(root)]


def _register(node: TensorAdd, flat: dict, by_signature: dict) -> TensorAdd:
    """Rewrite ``node`` as a known sum plus one term if there is one, and record its terms."""
    terms = Counter(id(t) for t in node.terms)
    total = sum(_signature(i) * k for i, k in terms.items()) & _MASK
    result = node
    if len(node.terms) > 2:  # a sum has two terms or more, so a 2-term sum extends no sum
        by_id = {id(t): t for t in node.terms}
        for extra, term in by_id.items():
            candidate = next((c for c in by_signature.get((total - _signature(extra)) & _MASK, ())
                              if flat[id(c)] + Counter({extra: 1}) == terms), None)
            if candidate is not None:
                result = TensorAdd(candidate, term)
                break
    flat[id(result)] = terms  # the terms it had: a longer sum extends these
    by_signature.setdefault(total, []).append(result)
    return result

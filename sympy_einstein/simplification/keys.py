"""A deterministic, memoized sort key for tensor expressions (used to order operands and terms).

The key is a flat tuple of readable fields and a digest of the whole subexpression, built bottom-up
and cached per node object (by identity: SymPy's ``==`` on two distinct but equal DAGs walks the
whole tree). Comparing two keys costs O(1) however deep the expressions are. Keys are deterministic
across runs (a blake2 digest, not Python's salted ``hash`` or ``id``).
"""
from __future__ import annotations

import hashlib

from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor

_CACHE: dict = {}  # id(node) -> (node, key); holding the node keeps its id unique
_CACHE_LIMIT = 100_000


def sort_key(expr: TensorExpr) -> tuple:
    """The canonical ordering key of a tensor expression.

    Symbols (by name) sort before zeros, products (by operand count, spec, coefficient), sums and
    elementwise nodes (by body); ties are broken by a digest of the subexpression.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 3), se.vector("y", 3)
    >>> sorted([y, x], key=sort_key) == [x, y]
    True
    """
    if id(expr) in _CACHE:
        return _CACHE[id(expr)][1]
    if len(_CACHE) > _CACHE_LIMIT:
        _CACHE.clear()
    stack = [expr]
    while stack:  # iterative post-order: deep chains must not hit the recursion limit
        node = stack[-1]
        pending = [a for a in _children(node) if id(a) not in _CACHE]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if id(node) not in _CACHE:
            _CACHE[id(node)] = (node, _own_key(node))
    return _CACHE[id(expr)][1]


def _key_of(node) -> tuple:
    return _CACHE[id(node)][1]


def _children(node) -> list:
    return [a for a in node.args if isinstance(a, TensorExpr)]


def _shape_key(shape) -> str:
    return ",".join(str(size) for size in shape)


def _digest(*parts) -> str:
    """A stable digest (Python's ``hash`` of strings changes between runs)."""
    return hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest()


def _own_key(node) -> tuple:
    """``(class order, readable fields..., digest)``: flat, so comparing two keys costs O(1); the
    digest covers the whole subexpression (children by their digests)."""
    child_digests = [_key_of(a)[-1] for a in node.args if isinstance(a, TensorExpr)]
    if isinstance(node, TensorSymbol):
        head = (0, node.name, _shape_key(node.shape))
    elif isinstance(node, ZeroTensor):
        head = (1, _shape_key(node.shape))
    elif isinstance(node, EinsteinProduct):
        head = (2, len(node.operands), node.spec, _shape_key(node.args[2]), str(node.coefficient))
    elif isinstance(node, TensorAdd):
        head = (3, len(node.terms))
    elif isinstance(node, Elementwise):
        # the text of the body: canonical once canonical_elementwise named the variables t0, t1, ...
        # (never substitute other symbols: SymPy would re-evaluate, even expand, the whole body)
        head = (4, len(node.operands), str(node.function.expr))
    else:
        others = [str(a) for a in node.args if not isinstance(a, TensorExpr)]
        head = (9, type(node).__name__, *others)
    return head + (_digest(*map(str, head), *child_digests),)

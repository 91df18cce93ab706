"""A deterministic, memoized sort key for tensor expressions (used to order operands and terms).

The key is a nested tuple built bottom-up and cached per node object (by identity: SymPy's ``==`` on
two distinct but equal DAGs walks the whole tree), so shared subexpressions are keyed once and their
keys compare by identity. Keys are deterministic across runs (no ``id`` or hash).
"""
from __future__ import annotations

import sympy as sp

from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor

_CACHE: dict = {}  # id(node) -> (node, key); holding the node keeps its id unique
_CACHE_LIMIT = 100_000


def sort_key(expr: TensorExpr) -> tuple:
    """The canonical ordering key of a tensor expression.

    Symbols sort before zeros, products, sums and elementwise nodes; products by spec, then operands,
    then coefficient.

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


def _shape_key(shape) -> tuple:
    return tuple(str(size) for size in shape)


def _own_key(node) -> tuple:
    if isinstance(node, TensorSymbol):
        return (0, node.name, _shape_key(node.shape))
    if isinstance(node, ZeroTensor):
        return (1, _shape_key(node.shape))
    if isinstance(node, EinsteinProduct):
        operands = tuple(_key_of(op) for op in node.operands)
        return (2, len(node.operands), node.spec, operands, _shape_key(node.args[2]), str(node.coeff))
    if isinstance(node, TensorAdd):
        return (3, len(node.terms), tuple(_key_of(t) for t in node.terms))
    if isinstance(node, Elementwise):
        function = node.function
        body = function.expr.xreplace({v: sp.Symbol(f"_{k}") for k, v in enumerate(function.variables)})
        return (4, len(node.operands), str(body), tuple(_key_of(op) for op in node.operands))
    return (9, type(node).__name__, tuple(_key_of(a) if isinstance(a, TensorExpr) else str(a) for a in node.args))

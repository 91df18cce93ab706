"""Walking the expression DAG without recursion: each distinct node once, children first.

Derivatives share subexpressions heavily; SymPy's own traversals (``atoms``, ``preorder_traversal``)
visit a shared subtree once per path, and its first hash of a deep tree recurses. These walks visit
each node object once and never recurse.
"""
from __future__ import annotations

from .nodes import TensorExpr


def children(expr: TensorExpr) -> tuple:
    """The tensor operands of a node (its other args are scalars, specs, sizes or a Lambda).

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> children(A @ x) == (A, x)
    True
    """
    return tuple(a for a in expr.args if isinstance(a, TensorExpr))


def postorder_by_identity(root: TensorExpr) -> list:
    """The node objects below and including ``root``, each once (by identity), after all its children.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> [type(n).__name__ for n in postorder_by_identity(se.exp(x) + x)]
    ['TensorSymbol', 'Elementwise', 'TensorAdd']
    """
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children(node)) if id(child) not in done)
    return order


def hash_bottom_up(root: TensorExpr) -> list:
    """Hash every node below ``root`` children first, so that no later hash recurses more than one
    level (SymPy caches a node's hash, but computes the first one recursively); returns the postorder.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> len(hash_bottom_up(se.exp(x) + x))
    3
    """
    order = postorder_by_identity(root)
    for node in order:
        hash(node)
    return order

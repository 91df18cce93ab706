"""Shared pieces of both modes: the expression DAG, unit tensors, zero-skipping sums, partials.

Nodes of the DAG are identified by equality (SymPy's structural equality and hashing), so a
subexpression that occurs twice is differentiated once.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..errors import DifferentiationError
from ..ir.indices import LETTERS
from ..ir.nodes import Elementwise, TensorAdd, TensorExpr, ZeroTensor
from ..ir.walk import children, postorder_by_identity


def postorder(root: TensorExpr) -> list:
    """The distinct nodes below ``root``, every node after all of its children (iterative, no recursion).

    Nodes are first walked by identity, then hashed children first, so that SymPy's recursive hash
    never recurses deeper than one level (deep chains stay within the recursion limit).

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> [type(n).__name__ for n in postorder(se.exp(x) + x)]
    ['TensorSymbol', 'Elementwise', 'TensorAdd']
    """
    distinct = {}
    for node in postorder_by_identity(root):
        distinct.setdefault(node, node)
    return list(distinct)


def dependents(order: list, symbol) -> set:
    """The nodes of a postorder that contain ``symbol`` (the only nodes whose derivative is not zero).

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> dependents(postorder(A @ x), x) == {A @ x, x}
    True
    """
    found = set()
    for node in order:
        if node == symbol or any(child in found for child in children(node)):
            found.add(node)
    return found


def unit_tensor(shape) -> TensorExpr:
    """The unit (delta) tensor ``1[s s']`` of a shape: the scalar 1 with a repeated output string.

    >>> unit_tensor((2, 3)).spec, unit_tensor((2, 3)).shape
    ('->abab', (2, 3, 2, 3))
    """
    from ..ir.nodes import EinsteinProduct
    letters = LETTERS[:len(shape)]
    return EinsteinProduct(1, "->" + letters + letters, tuple(shape))


def add_all(terms, shape) -> TensorExpr:
    """The sum of ``terms`` (tensors of ``shape``); zeros are skipped. A term that is a sum stays
    one term: adjoints and tangents are shared, and copying their terms into every consumer would make
    a chain's derivative quadratic in its length (the simplifier flattens sums that are not shared).

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> add_all([se.zeros(3), x], (3,)) == x, add_all([], (3,)) == se.zeros(3)
    (True, True)
    """
    flat = [term for term in terms if term is not None and not isinstance(term, ZeroTensor)]
    if not flat:
        return ZeroTensor(tuple(shape))
    return flat[0] if len(flat) == 1 else TensorAdd(*flat)


def partial(node: Elementwise, k: int):
    """``∂_k f(A1..An)``: an :class:`Elementwise` over the operands it uses, or a constant scalar.

    The partial derivative comes from SymPy's calculus of the Lambda body (variables real).

    >>> import sympy as sp, sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> d = partial(se.sin(x), 0)
    >>> d.function.expr == sp.cos(d.function.variables[0]), d.operands == (x,)
    (True, True)
    >>> partial(se.elementwise(lambda s, t: 2 * s + t, x, se.exp(x)), 0)
    2
    """
    variables, body = _partial_body(node.function, k)
    used = [(v, a) for v, a in zip(variables, node.operands, strict=True) if body.has(v)]
    if not used:
        return body
    return Elementwise(sp.Lambda(tuple(v for v, _ in used), body), *(a for _, a in used))


@lru_cache(maxsize=4096)
def _partial_body(function: sp.Lambda, k: int):
    variable = function.variables[k]
    body = sp.diff(function.expr, variable)
    if body.has(sp.Derivative, sp.Subs):
        raise DifferentiationError(
            f"cannot differentiate the elementwise function {function} by its argument {k}: "
            f"SymPy leaves the derivative unevaluated ({body})")
    return function.variables, body


def rule_for(table: dict, node, direction: str):
    """The rule of ``node``'s class (or a base class) in ``table``; a clear error if there is none."""
    for cls in type(node).__mro__:
        if cls in table:
            return table[cls]
    raise DifferentiationError(f"no {direction} derivative rule for {type(node).__name__} nodes: register one in "
                               f"{direction.upper()}_RULES of sympy_einstein.derivatives.{direction}")

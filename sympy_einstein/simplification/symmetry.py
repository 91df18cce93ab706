"""Symmetric matrices in the simplifier: recognizing them, and orienting them one way in products.

A matrix is known to be symmetric when it is a :class:`~sympy_einstein.ir.linalg.SymmetricMatrix`, the
identity, an inverse, adjugate, scaling or entrywise function of symmetric matrices, a sum whose terms are
symmetric or come in pairs ``B + B.T``, or a product equal to its own transpose (``X.T @ X``). Products
are compared up to renaming letters, reordering equal operands and flipping symmetric operands
(:func:`same_product`), with bounded effort. Knowledge is cached per node object.
"""
from __future__ import annotations

import itertools
import math

from ..ir.indices import canonical_renaming, format_spec, rename, unique
from ..ir.linalg import Adjugate, Inverse, SymmetricMatrix
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr


def _single_matrix(expr):
    """``(c, A, transposed)`` when ``expr`` is ``c * A`` or ``c * A.T`` for a matrix ``A``, else None."""
    if (isinstance(expr, EinsteinProduct) and len(expr.operands) == 1 and expr.operands[0].rank == 2
            and len(set(expr.inputs[0])) == 2 and sorted(expr.output) == sorted(expr.inputs[0])):
        return expr.coefficient, expr.operands[0], expr.output != expr.inputs[0]
    return None


def is_symmetric(expr) -> bool:
    """Whether a matrix expression is known to be symmetric: a symmetric symbol, the identity, inverses,
    adjugates, sums, scalings and entrywise functions of symmetric matrices, and products equal to
    their own transpose (such as ``X.T @ X``). Iterative; each node is examined once per call.

    >>> import sympy_einstein as se
    >>> S, X = se.matrix("S", 3, 3, symmetric=True), se.matrix("X", 4, 3)
    >>> is_symmetric(se.inv(S) + 2 * S), is_symmetric(se.simplify(X.T @ X)), is_symmetric(se.simplify(X.T @ X @ S))
    (True, True, False)
    """
    if id(expr) in _SYMMETRIC:
        return _SYMMETRIC[id(expr)][1]
    if len(_SYMMETRIC) > _CACHE_LIMIT:
        _SYMMETRIC.clear()
    stack = [expr]
    while stack:
        node = stack[-1]
        pending = [c for c in _symmetry_children(node) if id(c) not in _SYMMETRIC]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        _SYMMETRIC[id(node)] = (node, _own_symmetry(node))
    return _SYMMETRIC[id(expr)][1]


_SYMMETRIC: dict = {}  # id(node) -> (node, symmetric?); holding the node keeps its id unique
_CACHE_LIMIT = 100_000


def _known(node) -> bool:
    return _SYMMETRIC[id(node)][1]


def _symmetry_children(node) -> list:
    if not isinstance(node, TensorExpr) or node.rank != 2:
        return []
    if isinstance(node, (Inverse, Adjugate, TensorAdd, Elementwise)):
        return list(node.args[1:] if isinstance(node, Elementwise) else node.args)
    single = _single_matrix(node)
    return [single[1]] if single is not None else []


def _own_symmetry(node) -> bool:
    if not isinstance(node, TensorExpr) or node.rank != 2 or node.shape[0] != node.shape[1]:
        return False
    if isinstance(node, SymmetricMatrix):
        return True
    if isinstance(node, TensorAdd):
        return _symmetric_sum(node.terms)
    if isinstance(node, (Inverse, Adjugate, Elementwise)):
        return all(_known(c) for c in _symmetry_children(node))
    if _single_matrix(node) is not None:
        return _known(_single_matrix(node)[1])
    if isinstance(node, EinsteinProduct):
        return _equals_own_transpose(node)
    return False


def _symmetric_sum(terms) -> bool:
    """Whether a sum is symmetric: each term is, or its transpose is another term (``B + B.T``)."""
    unmatched = [t for t in terms if not _known(t)]
    while unmatched:
        term = unmatched.pop()
        if not isinstance(term, EinsteinProduct) or len(set(term.output)) != 2:
            return False
        flipped = _swapped_last(term)
        partner = next((k for k, u in enumerate(unmatched) if same_product(u, flipped)), None)
        if partner is None:
            return False
        unmatched.pop(partner)
    return True


def _equals_own_transpose(node: EinsteinProduct) -> bool:
    if len(unique(node.output)) != 2:
        return len(node.output) == 2  # a diagonal matrix (c * I, diag(v), s * I): symmetric
    return same_product(node, _swapped_last(node))


def _swapped_last(node: EinsteinProduct) -> EinsteinProduct:
    """The product with its last two output axes swapped."""
    output = node.output[:-2] + node.output[-1] + node.output[-2]
    return EinsteinProduct(node.coefficient, format_spec(node.inputs, output), node.args[2], *node.operands)


MAX_MATCHINGS = 120
MAX_OPERANDS = 8


def same_product(p: EinsteinProduct, q: EinsteinProduct) -> bool:
    """Whether two products are equal up to renaming letters, reordering operands (equal operands
    matched in every way, if there are at most ``MAX_MATCHINGS`` ways and ``MAX_OPERANDS`` operands;
    otherwise the answer is False, "not known to be equal") and the orientation of symmetric operands.

    >>> import sympy_einstein as se
    >>> y, S = se.vector("y", 3), se.matrix("S", 3, 3, symmetric=True)
    >>> P = se.einsum("c,d,ac,bd->ab", y, y, S, S)
    >>> same_product(P, se.einsum("c,d,ad,bc->ab", y, y, S, S))
    True
    >>> same_product(P, se.einsum("c,d,ac,bd->ab", y, y, S, S.T @ S))
    False
    """
    if p == q:
        return True
    if (not isinstance(p, EinsteinProduct) or not isinstance(q, EinsteinProduct) or p.coefficient != q.coefficient
            or p.args[2] != q.args[2] or len(p.operands) != len(q.operands) or len(p.operands) > MAX_OPERANDS):
        return False
    groups: dict = {}
    for k, operand in enumerate(q.operands):
        groups.setdefault(operand, []).append(k)
    if sorted(map(len, groups.values())) != sorted(len([o for o in p.operands if o == g]) for g in groups):
        return False
    if math.prod(math.factorial(len(g)) for g in groups.values()) > MAX_MATCHINGS:
        return False  # too many ways to match equal operands: not known to be equal
    target = _normal_spec(p.inputs, p.output, p.operands)
    for order in _matchings(p.operands, groups):
        if _normal_spec([q.inputs[k] for k in order], q.output, p.operands) == target:
            return True
    return False


def _matchings(operands, groups):
    """Every assignment of positions of ``groups`` (operand -> positions) to the sequence ``operands``."""
    keys = list(dict.fromkeys(operands))
    slots = {key: [k for k, o in enumerate(operands) if o == key] for key in keys}
    choices = [list(itertools.permutations(groups.get(key, []))) for key in keys]
    for picked in itertools.product(*choices):
        order = [0] * len(operands)
        for key, positions in zip(keys, picked, strict=True):
            for slot, position in zip(slots[key], positions, strict=True):
                order[slot] = position
        yield order


def _normal_spec(inputs, output: str, operands) -> str:
    """The least spec, with letters named by first occurrence, over both orientations of each
    symmetric operand (of the first ``MAX_FLIPS``)."""
    flippable = [k for k, (s, op) in enumerate(zip(inputs, operands, strict=True))
                 if len(s) == 2 and s[0] != s[1] and is_symmetric(op)][:MAX_FLIPS]
    best = None
    for flips in itertools.product((False, True), repeat=len(flippable)):
        strings = list(inputs)
        for k, flip in zip(flippable, flips, strict=True):
            strings[k] = strings[k][::-1] if flip else strings[k]
        mapping = canonical_renaming(strings, output)
        spec = format_spec(rename(tuple(strings), mapping), rename(output, mapping))
        best = spec if best is None else min(best, spec)
    return best


MAX_FLIPS = 4


def symmetric_in_last_axes(expr) -> bool:
    """Whether ``expr`` is known to be symmetric in its last two axes (see :func:`is_symmetric`).

    >>> import sympy_einstein as se
    >>> S, x = se.matrix("S", 3, 3, symmetric=True), se.vector("x", 2)
    >>> symmetric_in_last_axes(se.outer(x, S)), symmetric_in_last_axes(se.outer(S, x))
    (True, False)
    """
    if expr.rank == 2:
        return is_symmetric(expr)
    stack = [expr]
    while stack:  # the terms of (nested) sums, without recursion
        node = stack.pop()
        if isinstance(node, TensorAdd):
            stack.extend(node.terms)
        elif not (node.rank > 2 and isinstance(node, EinsteinProduct) and len(set(node.output[-2:])) == 2
                  and same_product(node, _swapped_last(node))):
            return False
    return True


# S[b a] = S[a b] for a symmetric S
def orient_symmetric(expr):
    """Write each symmetric matrix operand of a product with its letters in alphabetical order, so a
    product and its transpose of symmetric factors become equal.

    >>> import sympy_einstein as se
    >>> S = se.matrix("S", 3, 3, symmetric=True)
    >>> orient_symmetric(se.einsum("ba->ab", S)).spec, se.simplify(se.inv(S).T) == se.inv(S)
    ('ab->ab', True)
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    inputs = list(expr.inputs)
    for k, (operand, s) in enumerate(zip(expr.operands, inputs, strict=True)):
        if len(s) == 2 and s[0] > s[1] and is_symmetric(operand):
            inputs[k] = s[::-1]
    if inputs == list(expr.inputs):
        return expr
    return EinsteinProduct(expr.coefficient, format_spec(inputs, expr.output), expr.args[2], *expr.operands)

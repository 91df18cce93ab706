"""Rules for sums: flatten nested sums, drop zeros, combine like terms, order terms canonically.

Each rule is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged when it
does not apply.
"""
from __future__ import annotations

from ..ir.nodes import EinsteinProduct, TensorAdd, ZeroTensor
from .keys import sort_key
from .products import scale, unwrap_identity
from .traverse import NOTHING_SHARED, uses_sharing


def _sum(terms, shape):
    """The sum of ``terms``: zero, a single term, or a TensorAdd."""
    if not terms:
        return ZeroTensor(shape)
    return terms[0] if len(terms) == 1 else TensorAdd(*terms)


# (A + B) + C = A + B + C, unless A + B has other consumers (then it is computed once)
@uses_sharing
def flatten_sum(expr, shared=NOTHING_SHARED):
    """Inline nested sums that are not in ``shared`` (nodes with other consumers): copying a shared
    sum's terms into each consumer would make a chain of sums quadratic in its length.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.simplification.traverse import Sharing
    >>> x, y, z = (se.vector(c, 2) for c in "xyz")
    >>> flatten_sum(se.TensorAdd(se.TensorAdd(x, y), z)).terms
    (x, y, z)
    >>> inner = se.TensorAdd(x, y)
    >>> flatten_sum(se.TensorAdd(inner, z), Sharing([(inner, 2)])).terms
    (x + y, z)
    """
    def inlined(term):
        return isinstance(term, TensorAdd) and term not in shared

    if not isinstance(expr, TensorAdd) or not any(inlined(t) for t in expr.terms):
        return expr
    return TensorAdd(*(s for t in expr.terms for s in (t.terms if inlined(t) else (t,))))


# A + 0 = A
def drop_zero_terms(expr):
    """Remove zero terms; a sum of zeros is the zero tensor, a single term is that term.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> drop_zero_terms(se.TensorAdd(x, se.zeros(2)))
    x
    """
    if not isinstance(expr, TensorAdd) or not any(isinstance(t, ZeroTensor) for t in expr.terms):
        return expr
    return _sum([t for t in expr.terms if not isinstance(t, ZeroTensor)], expr.shape)


def split_coefficient(term):
    """``(c, P)`` with ``term == c * P`` and ``P`` free of a scalar factor.

    >>> import sympy_einstein as se
    >>> split_coefficient(3 * se.vector("x", 2))
    (3, x)
    """
    if not isinstance(term, EinsteinProduct) or term.coefficient == 1:
        return term.coefficient if isinstance(term, EinsteinProduct) else 1, term
    base = EinsteinProduct(1, term.args[1], term.args[2], *term.operands)
    return term.coefficient, unwrap_identity(base)


# c1 * P + c2 * P = (c1 + c2) * P
def combine_like_terms(expr):
    """Add the coefficients of terms that are equal up to their scalar factor.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 2), se.vector("y", 2)
    >>> combine_like_terms(se.TensorAdd(x, y, 2 * x)).terms[0].coefficient
    3
    """
    if not isinstance(expr, TensorAdd):
        return expr
    groups: dict = {}
    for term in expr.terms:
        coeff, base = split_coefficient(term)
        groups[base] = groups.get(base, 0) + coeff
    if len(groups) == len(expr.terms):
        return expr
    terms = [base if c == 1 else scale(c, base) for base, c in groups.items() if c != 0]
    return _sum(terms, expr.shape)


# Einstein products are multilinear: c1 P(.., A, ..) + c2 P(.., B, ..) = P(.., c1 A + c2 B, ..)
def factor_common_operands(expr):
    """Merge terms that are products with one spec and equal operands except at one position
    (products of two or more operands).

    >>> import sympy_einstein as se
    >>> A, B, x = se.matrix("A", 2, 2), se.matrix("B", 2, 2), se.vector("x", 2)
    >>> merged = factor_common_operands(se.TensorAdd(A @ x, 2 * (B @ x)))
    >>> merged.spec, type(merged.operands[0]).__name__
    ('ab,b->a', 'TensorAdd')
    """
    if not isinstance(expr, TensorAdd):
        return expr
    # a shared operand is needed: with one operand the merged sum would be the same sum again
    products = [t for t in expr.terms if isinstance(t, EinsteinProduct) and len(t.operands) >= 2]
    for k in range(max((len(t.operands) for t in products), default=0)):
        buckets: dict = {}
        for term in products:
            if len(term.operands) > k:
                others = term.operands[:k] + term.operands[k + 1:]
                key = (term.args[1], term.args[2], others, term.operands[k].shape)  # a letter may occur only at k
                buckets.setdefault(key, []).append(term)
        group = next((g for g in buckets.values() if len(g) >= 2), None)
        if group is not None:
            return _merge(expr, group, k)
    return expr


def _merge(expr, group, k):
    """Replace the terms of ``group`` in ``expr`` by one product with a sum at operand ``k``."""
    first = group[0]
    summed = TensorAdd(*(scale(t.coefficient, t.operands[k]) for t in group))
    operands = first.operands[:k] + (summed,) + first.operands[k + 1:]
    merged = EinsteinProduct(1, first.args[1], first.args[2], *operands)
    rest = [t for t in expr.terms if not any(t is g for g in group)]
    return _sum([merged] + rest, expr.shape)


# A + B = B + A
def sort_terms(expr):
    """Order the terms of a sum canonically.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 2), se.vector("y", 2)
    >>> sort_terms(se.TensorAdd(y, x)).terms
    (x, y)
    """
    if not isinstance(expr, TensorAdd):
        return expr
    terms = tuple(sorted(expr.terms, key=sort_key))
    return expr if terms == expr.terms else TensorAdd(*terms)

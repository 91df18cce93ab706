"""Rules for sums: flatten nested sums, drop zeros, combine like terms, order terms canonically.

Each rule is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged when it
does not apply.
"""
from __future__ import annotations

from ..ir.nodes import EinsteinProduct, TensorAdd, ZeroTensor
from .keys import sort_key
from .products import scale, unwrap_identity


def _sum(terms, shape):
    """The sum of ``terms``: zero, a single term, or a TensorAdd."""
    if not terms:
        return ZeroTensor(shape)
    return terms[0] if len(terms) == 1 else TensorAdd(*terms)


# (A + B) + C = A + B + C
def flatten_sum(expr):
    """Inline nested sums.

    >>> import sympy_einstein as se
    >>> x, y, z = (se.vector(c, 2) for c in "xyz")
    >>> flatten_sum(se.TensorAdd(se.TensorAdd(x, y), z)).terms
    (x, y, z)
    """
    if not isinstance(expr, TensorAdd) or not any(isinstance(t, TensorAdd) for t in expr.terms):
        return expr
    return TensorAdd(*(s for t in expr.terms for s in (t.terms if isinstance(t, TensorAdd) else (t,))))


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
    if not isinstance(term, EinsteinProduct) or term.coeff == 1:
        return term.coeff if isinstance(term, EinsteinProduct) else 1, term
    base = EinsteinProduct(1, term.args[1], term.args[2], *term.operands)
    return term.coeff, unwrap_identity(base)


# c1 * P + c2 * P = (c1 + c2) * P
def combine_like_terms(expr):
    """Add the coefficients of terms that are equal up to their scalar factor.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 2), se.vector("y", 2)
    >>> combine_like_terms(se.TensorAdd(x, y, 2 * x)).terms[0].coeff
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

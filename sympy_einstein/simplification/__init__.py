"""The simplifier: small pure rewrite rules combined into named rule sets.

Owns the canonical form of expressions; fed by the builders and the derivative engine (every
derivative is simplified), read by the printers and code generators. Each rule is a pure function
``TensorExpr -> TensorExpr`` that returns its input unchanged when it does not apply;
:func:`simplify` applies a rule set bottom-up to a fixed point, simplifying each distinct node once.

>>> import sympy as sp, sympy_einstein as se
>>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
>>> simplify(se.einsum("ij,j->i", A, x)) == simplify(se.einsum("pq,q->p", A, x))
True
"""
from __future__ import annotations

import sympy as sp

from ..errors import EinsteinError
from ..ir.nodes import TensorExpr
from .prefixes import share_partial_sums
from .rulesets import RULESETS
from .traverse import rewrite

__all__ = ["RULESETS", "simplify"]


def simplify(expr, rules=None):
    """Simplify a tensor expression with a named rule set (default ``"default"``), one rule or a
    sequence of rules; values are preserved.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 3), se.vector("y", 3)
    >>> simplify(x * y) == simplify(y * x)
    True
    >>> five_x = simplify(2 * x + 3 * x)
    >>> five_x.coefficient, five_x.operands
    (5, (x,))
    >>> simplify(x - x) == se.zeros(3)
    True
    """
    rules = _resolve(rules)
    if not isinstance(expr, TensorExpr):
        if isinstance(expr, sp.Basic) and expr.has(TensorExpr):
            from ..build import as_operand
            expr = as_operand(expr)
        else:
            return expr
    return rewrite(share_partial_sums(expr), rules)  # flattened partial sums are shared again first


def _resolve(rules):
    if rules is None:
        return RULESETS["default"]
    if callable(rules):
        return (rules,)
    if isinstance(rules, str):
        if rules not in RULESETS:
            raise EinsteinError(f"unknown rule set {rules!r}; choose one of {sorted(RULESETS)}")
        return RULESETS[rules]
    rules = tuple(rules)
    for rule in rules:
        if not callable(rule):
            raise EinsteinError(f"a simplifier rule must be a function TensorExpr -> TensorExpr, not {rule!r}")
    return rules

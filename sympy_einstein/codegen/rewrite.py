"""Rewrites for speed before code generation (the simplifier's canonical form is not always the cheapest).

``distribute_large_sums``: a contraction of a sum of order >= 3 is the sum of the contractions of its
terms, ``P(.., A + B, ..) = P(.., A, ..) + P(.., B, ..)``; the lowering then plans each term as one
n-ary product, so the large sum (e.g. the ``(h, m, h, n)`` middle of a two-layer-net Hessian) is never
formed.

>>> import sympy_einstein as se
>>> A, B, x = se.tensor("A", (2, 3, 4)), se.matrix("B", 3, 4), se.vector("x", 2)
>>> P = se.einsum("i,ijk->jk", x, A + se.einsum("jk,i->ijk", B, x))
>>> [t.spec for t in for_codegen(P).terms]
['i,ijk->jk', 'i,ijk->jk']
"""
from __future__ import annotations

from ..ir.nodes import EinsteinProduct, TensorAdd
from ..ir.walk import postorder_by_identity
from ..simplification.traverse import rewrite

LARGE_ORDER = 3


def distribute_large_sums(expr):
    """``P(.., A + B, ..) -> P(.., A, ..) + P(.., B, ..)`` when ``P`` sums an index and ``A + B`` has order >= 3."""
    if not isinstance(expr, EinsteinProduct) or set("".join(expr.inputs)) <= set(expr.output):
        return expr
    for k, operand in enumerate(expr.operands):
        if isinstance(operand, TensorAdd) and operand.rank >= LARGE_ORDER:
            terms = [_replace_operand(expr, k, term) for term in operand.terms]
            return TensorAdd(*terms)
    return expr


def _replace_operand(product: EinsteinProduct, k: int, operand) -> EinsteinProduct:
    operands = list(product.operands)
    operands[k] = operand
    return EinsteinProduct(product.coefficient, product.spec, product.args[2], *operands)


def for_codegen(expr):
    """``expr`` with :func:`distribute_large_sums` applied everywhere (iteratively, memoized); a linear
    walk first finds whether there is a sum of order >= 3 at all."""
    if not any(isinstance(node, TensorAdd) and node.rank >= LARGE_ORDER for node in postorder_by_identity(expr)):
        return expr
    return rewrite(expr, (distribute_large_sums,))


__all__ = ["for_codegen", "distribute_large_sums"]

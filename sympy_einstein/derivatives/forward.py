"""Forward mode: every node N gets its tangent dN, of shape ``N.shape + T``, children first.

For a full Jacobian the seed is the unit tensor and ``T = X.shape``; for a Jacobian-vector product
the seed is the direction V and ``T = ()``. The rules below do not care which: they only append the
tangent letters ``t`` to index strings. A rule receives the node, ``d`` (the tangent of a child, or
None where it is zero) and the :class:`Direction`.
"""
from __future__ import annotations

from typing import NamedTuple

from ..ir.indices import LETTERS, format_spec, fresh_letters
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .graph import add_all, dependents, partial, postorder, rule_for


class Direction(NamedTuple):
    """What to differentiate by: ``symbol`` X, ``seed`` dX of shape ``X.shape + tangent_shape``."""

    symbol: TensorSymbol
    seed: TensorExpr
    tangent_shape: tuple


def _zero(node, direction):
    return ZeroTensor(node.shape + direction.tangent_shape)


# dX = seed (the unit tensor 1[s s'] for a Jacobian); any other symbol is a constant
def _symbol_rule(node, d, direction):
    return direction.seed if node == direction.symbol else _zero(node, direction)


# d0 = 0 (a constant)
def _zero_rule(node, d, direction):
    return _zero(node, direction)


# d(c A1..An)[s0 t] = sum_k c product(A1..dAk..An; s1..(sk t)..sn -> s0 t)   (multilinear in the operands)
def _product_rule(node, d, direction):
    t = fresh_letters(node.spec, len(direction.tangent_shape))
    terms = []
    for k, dk in enumerate(d(a) for a in node.operands):
        if dk is None:
            continue
        inputs = node.inputs[:k] + (node.inputs[k] + t,) + node.inputs[k + 1:]
        operands = node.operands[:k] + (dk,) + node.operands[k + 1:]
        terms.append(EinsteinProduct(node.coefficient, format_spec(inputs, node.output + t), node.args[2], *operands))
    return add_all(terms, node.shape + direction.tangent_shape)


# d(A1 + .. + An) = dA1 + .. + dAn
def _add_rule(node, d, direction):
    return add_all([d(a) for a in node.terms], node.shape + direction.tangent_shape)


# d f(A1..An)[s t] = sum_k product(∂_k f(A1..An), dAk; s, s t -> s t)
def _elementwise_rule(node, d, direction):
    s = LETTERS[:node.rank]
    t = LETTERS[node.rank:node.rank + len(direction.tangent_shape)]
    terms = []
    for k, dk in enumerate(d(a) for a in node.operands):
        if dk is not None:
            terms.append(scale_by(partial(node, k), dk, s, t))
    return add_all(terms, node.shape + direction.tangent_shape)


def scale_by(factor, tensor: TensorExpr, s: str, t: str) -> TensorExpr | None:
    """``factor[s] * tensor[s t]`` (or ``tensor[t s]`` when ``t`` comes first); factor a tensor or a scalar.

    >>> import sympy_einstein as se
    >>> scale_by(se.exp(se.vector("x", 3)), se.matrix("A", 3, 2), "a", "b").spec
    'a,ab->ab'
    """
    if isinstance(factor, TensorExpr):
        return EinsteinProduct(1, f"{s},{s}{t}->{s}{t}", (), factor, tensor)
    if factor == 0:
        return None
    return EinsteinProduct(factor, f"{s}{t}->{s}{t}", (), tensor)


FORWARD_RULES = {
    TensorSymbol: _symbol_rule,
    ZeroTensor: _zero_rule,
    EinsteinProduct: _product_rule,
    TensorAdd: _add_rule,
    Elementwise: _elementwise_rule,
}
"""Node class -> forward rule ``(node, d, direction) -> tangent``."""


def forward(expr: TensorExpr, direction: Direction) -> TensorExpr:
    """The tangent of ``expr`` along ``direction`` (unsimplified), shape ``expr.shape + tangent_shape``.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.derivatives.graph import unit_tensor
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> forward(A @ x, Direction(x, unit_tensor((3,)), (3,))).spec
    'ab,bc->ac'
    """
    order = postorder(expr)
    live = dependents(order, direction.symbol)
    tangents = {}

    def d(child):
        return tangents.get(child)

    for node in order:
        if node in live:
            tangent = rule_for(FORWARD_RULES, node, "forward")(node, d, direction)
            if not isinstance(tangent, ZeroTensor):
                tangents[node] = tangent
    return tangents.get(expr, ZeroTensor(expr.shape + direction.tangent_shape))

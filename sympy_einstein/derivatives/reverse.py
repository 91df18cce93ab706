"""Reverse mode: adjoints accumulated over the DAG in reverse topological order.

The adjoint of a node N has shape ``U + N.shape``: ``U`` labels the output (``U = Y.shape`` with the
unit-tensor seed for a full Jacobian; ``U = ()`` with a cotangent seed for a vector-Jacobian product).
A rule receives the node, its accumulated adjoint ``bar``, a predicate ``needs(child)`` (does the child
contain the variable) and the number of output letters; it returns ``(child, contribution)`` pairs.
The output letters ``u`` are drawn fresh for each product, so they never collide with its letters.
"""
from __future__ import annotations

from ..ir.indices import LETTERS, format_spec, fresh_letters, unique
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .forward import scale_by
from .graph import add_all, dependents, partial, postorder, rule_for


# a symbol or a zero is a leaf: nothing to pass on
def _leaf_rule(node, bar, needs, n_out):
    return []


# Akbar[u sk] += c product(Cbar, Aj (j != k); u s0, sj.. -> u sk)
# (a letter of sk found in no other string is a broadcast output letter, a letter repeated in sk a
#  diagonal write, a letter repeated in s0 a diagonal read of Cbar: the einsum language covers them all)
def _product_rule(node, bar, needs, n_out):
    u = fresh_letters(node.spec, n_out)
    pairs = []
    for k, (sk, ak) in enumerate(zip(node.inputs, node.operands, strict=True)):
        if not needs(ak):
            continue
        others = [j for j in range(len(node.operands)) if j != k]
        inputs = (u + node.output,) + tuple(node.inputs[j] for j in others)
        present = set("".join(inputs))
        sizes = [size for c, size in _letter_sizes(sk, ak.shape) if c not in present]
        spec = format_spec(inputs, u + sk)
        pairs.append((ak, EinsteinProduct(node.coefficient, spec, sizes, bar, *(node.operands[j] for j in others))))
    return pairs


def _letter_sizes(letters: str, shape) -> list:
    """``(letter, size)`` for each distinct letter, in order of first occurrence."""
    sizes = dict(zip(letters, shape, strict=True))
    return [(c, sizes[c]) for c in unique(letters)]


# Abar += Cbar for every term A of C = A + B + ..
def _add_rule(node, bar, needs, n_out):
    return [(term, bar) for term in node.terms if needs(term)]


# Akbar[u s] += product(Cbar, ∂_k f(A1..An); u s, s -> u s)
def _elementwise_rule(node, bar, needs, n_out):
    s = LETTERS[n_out:n_out + node.rank]
    u = LETTERS[:n_out]
    pairs = []
    for k, ak in enumerate(node.operands):
        if needs(ak):
            contribution = _scale_adjoint(partial(node, k), bar, u, s)
            if contribution is not None:
                pairs.append((ak, contribution))
    return pairs


def _scale_adjoint(factor, bar: TensorExpr, u: str, s: str):
    """``bar[u s] * factor[s]``."""
    if isinstance(factor, TensorExpr):
        return EinsteinProduct(1, f"{u}{s},{s}->{u}{s}", (), bar, factor)
    return scale_by(factor, bar, u, s)


REVERSE_RULES = {
    TensorSymbol: _leaf_rule,
    ZeroTensor: _leaf_rule,
    EinsteinProduct: _product_rule,
    TensorAdd: _add_rule,
    Elementwise: _elementwise_rule,
}
"""Node class -> reverse rule ``(node, bar, needs, n_out) -> [(child, contribution), ...]``."""


def reverse(expr: TensorExpr, symbol: TensorSymbol, seed: TensorExpr, out_shape: tuple) -> TensorExpr:
    """The adjoint of ``symbol`` (unsimplified), shape ``out_shape + symbol.shape``.

    ``seed`` is the adjoint of ``expr``, of shape ``out_shape + expr.shape``.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.derivatives.graph import unit_tensor
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> g = reverse(A @ x, x, unit_tensor((2,)), (2,))
    >>> g.spec, g.shape
    ('ca,ab->cb', (2, 3))
    """
    order = postorder(expr)
    live = dependents(order, symbol)
    if expr not in live:
        return ZeroTensor(tuple(out_shape) + symbol.shape)
    contributions = {expr: [seed]}
    for node in reversed(order):
        if node not in live or node == symbol:
            continue
        bar = add_all(contributions.pop(node, []), tuple(out_shape) + node.shape)
        if isinstance(bar, ZeroTensor):
            continue
        for child, contribution in rule_for(REVERSE_RULES, node, "reverse")(node, bar, live.__contains__,
                                                                            len(out_shape)):
            contributions.setdefault(child, []).append(contribution)
    return add_all(contributions.get(symbol, []), tuple(out_shape) + symbol.shape)

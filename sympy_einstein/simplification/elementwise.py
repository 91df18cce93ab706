"""Rules for elementwise nodes: constants, duplicate operands, identity, fusion of elementwise clusters.

An *elementwise cluster* is a subtree made of Elementwise nodes, sums, Hadamard factors of products
(operands whose index string equals the product's output) and scalar coefficients. A cluster that
contains an Elementwise node becomes one Elementwise node over its leaf tensors, so
``y * sigmoid(-y * z)`` is one node over ``(y, z)``. Purely linear clusters stay products and sums.
"""
from __future__ import annotations

import sympy as sp

from ..ir.indices import LETTERS, format_spec, unique
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, ZeroTensor, canonical_variables
from .keys import sort_key
from .products import is_constant
from .traverse import NOTHING_SHARED, uses_sharing


def constant_value(expr):
    """The scalar an operand equals at every entry (0 for a zero tensor), or None.

    >>> import sympy_einstein as se
    >>> constant_value(se.zeros(2)), constant_value(se.broadcast_to(5, (2,))), constant_value(se.vector("x", 2))
    (0, 5, None)
    """
    if isinstance(expr, ZeroTensor):
        return sp.Integer(0)
    return expr.coefficient if is_constant(expr) else None


def _is_finite(value) -> bool:
    return not value.has(sp.zoo, sp.nan, sp.oo, -sp.oo)


def constant_tensor(value, shape):
    """The tensor of ``shape`` with every entry ``value`` (a zero tensor for 0).

    >>> constant_tensor(2, (3,)).spec
    '->a'
    """
    if value == 0:
        return ZeroTensor(shape)
    return EinsteinProduct(value, "->" + LETTERS[:len(shape)], shape)


# f(A, c, A, B) = g(A, B) with g(s, t) = f(s, c, s, t); f(A) = A when f is the identity.
def canonical_elementwise(expr):
    """Substitute constant operands, merge equal operands, drop unused ones, order operands and
    name variables canonically; a constant body is a constant tensor, an identity body its operand,
    a body that is a sum of scaled products of distinct variables is those Hadamard products.

    >>> import sympy as sp, sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> canonical_elementwise(se.elementwise(lambda s, t: s * t, x, x)).function.expr.is_Pow
    True
    >>> canonical_elementwise(se.elementwise(lambda s, t: 3 * s * t, x, se.vector("y", 2))).spec
    'a,a->a'
    >>> canonical_elementwise(se.elementwise(lambda s, t: s + t, x, se.zeros(2))) == x
    True
    """
    if not isinstance(expr, Elementwise):
        return expr
    variables, body = expr.function.variables, expr.function.expr
    replace, operands, used = {}, {}, body.free_symbols
    for v, op in zip(variables, expr.operands, strict=True):
        value = constant_value(op)
        if value is not None and _is_finite(body.xreplace({v: value})):
            replace[v] = value
        elif op in operands:
            replace[v] = operands[op]
        elif v in used:
            operands[op] = v
    body = body.xreplace(replace) if replace else body
    ordered = sorted(operands, key=sort_key)
    new_vars = canonical_variables(len(ordered))
    body = body.xreplace({operands[op]: nv for op, nv in zip(ordered, new_vars, strict=True)})
    if not ordered:
        return constant_tensor(body, expr.shape)
    if body in new_vars:
        return ordered[new_vars.index(body)]
    if body == 0:
        return ZeroTensor(expr.shape)
    linear = _as_products(body, dict(zip(new_vars, ordered, strict=True)), expr.shape)
    if linear is not None:
        return linear
    new = Elementwise(sp.Lambda(new_vars, body), *ordered)
    return expr if new == expr else new


def _monomial(term, operands: dict):
    """``(coeff, [operand, ...])`` if ``term`` is a constant times distinct variables, else None."""
    coeff, factors = term.as_coeff_mul()
    constant, used = [coeff], []
    for factor in factors:
        if factor in operands and factor not in used:
            used.append(factor)
        elif factor.free_symbols.isdisjoint(operands):
            constant.append(factor)
        else:
            return None
    return sp.Mul(*constant), [operands[v] for v in used]


def _as_products(body, operands: dict, shape):
    """The body as a sum of scaled Hadamard products of the operands, if it is one (else None)."""
    terms = [_monomial(term, operands) for term in sp.Add.make_args(body)]
    if any(term is None for term in terms):
        return None
    letters = LETTERS[:len(shape)]
    products = [EinsteinProduct(c, format_spec([letters] * len(ops), letters), () if ops else shape, *ops)
                for c, ops in terms]
    return products[0] if len(products) == 1 else TensorAdd(*products)


def hadamard_split(expr):
    """``(coeff, factors, rest)`` with ``expr == coeff * prod(factors) * rest`` entrywise, where the
    factors are operands indexed exactly like the output and ``rest`` the product of the others
    (None if there are none); None when ``expr`` is not such a product (e.g. a diagonal output).

    >>> import sympy_einstein as se
    >>> X, w, y = se.matrix("X", 3, 2), se.vector("w", 2), se.vector("y", 3)
    >>> c, factors, rest = hadamard_split(se.einsum("a,ab,b->a", y, X, w))
    >>> c, factors, rest.spec
    (1, [y], 'ab,b->a')
    """
    if not isinstance(expr, EinsteinProduct) or len(unique(expr.output)) != len(expr.output):
        return None
    out = expr.output
    factors = [op for s, op in zip(expr.inputs, expr.operands, strict=True) if s == out]
    others = [(s, op) for s, op in zip(expr.inputs, expr.operands, strict=True) if s != out]
    if not others:
        return expr.coefficient, factors, None
    covered = set("".join(s for s, _ in others))
    sizes = [size for c, size in zip(out, expr.shape, strict=True) if c not in covered]
    rest = EinsteinProduct(1, format_spec([s for s, _ in others], out), sizes, *(op for _, op in others))
    return expr.coefficient, factors, rest


def _cluster_children(expr) -> list:
    """The operands of ``expr`` that belong to its elementwise cluster."""
    if isinstance(expr, (Elementwise, TensorAdd)):
        return list(expr.args[1:] if isinstance(expr, Elementwise) else expr.terms)
    if not isinstance(expr, EinsteinProduct) or len(unique(expr.output)) != len(expr.output):
        return []
    return [op for s, op in zip(expr.inputs, expr.operands, strict=True) if s == expr.output]


MAX_BODY_NODES = 80


def is_large(expr) -> bool:
    """Whether ``expr`` is an Elementwise node whose body has more than ``MAX_BODY_NODES`` nodes.

    Large bodies are not fused further: SymPy re-evaluates a body (with assumption queries) each time
    it is rebuilt, which costs more than linear time in its depth.

    >>> import sympy_einstein as se
    >>> is_large(se.exp(se.vector("x", 2)))
    False
    """
    if not isinstance(expr, Elementwise):
        return False
    for count, _ in enumerate(sp.preorder_traversal(expr.function.expr)):
        if count >= MAX_BODY_NODES:
            return True
    return False


MAX_CLUSTER_NODES = 64


def inlined_members(root, shared=NOTHING_SHARED) -> set:
    """The ids of the members of ``root``'s elementwise cluster that fusion copies into the body:
    ``root`` and every member whose consumers (``shared.consumers``) are all inlined members.
    A member that other nodes consume too stays a leaf (the standard rule of loop fusion: it is
    computed once), and so does a large body. Only inlined members are expanded, at most
    ``MAX_CLUSTER_NODES`` of them, so the cost is bounded by the size of the fused body.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.simplification.traverse import shared_nodes
    >>> x = se.vector("x", 2)
    >>> s = se.sigmoid(x)
    >>> expr = s * (1 - s)
    >>> len(inlined_members(expr, shared_nodes(expr))) == len(inlined_members(expr))
    True
    >>> id(s) in inlined_members(se.tanh(s), shared_nodes(se.tanh(s) + se.sin(s)))
    False
    """
    inlined, votes, work = {id(root)}, {}, [root]
    while work:  # a member is inlined once its last consumer is
        node = work.pop()
        for child in {id(c): c for c in _cluster_children(node)}.values():
            votes[id(child)] = votes.get(id(child), 0) + 1
            if (id(child) not in inlined and votes[id(child)] >= shared.consumers(child)
                    and len(inlined) < MAX_CLUSTER_NODES and not is_large(child)):
                inlined.add(id(child))
                work.append(child)
    return inlined


def _fusible(expr, inlined: set) -> bool:
    """Whether ``expr`` is the root of a cluster that is worth fusing into one Elementwise."""
    if is_large(expr):
        return False
    children = [c for c in _cluster_children(expr) if id(c) in inlined]
    if isinstance(expr, Elementwise):
        return any(isinstance(c, (Elementwise, TensorAdd)) or _scaled_or_hadamard(c) for c in children)
    return any(isinstance(c, Elementwise) for c in children)


def _scaled_or_hadamard(expr) -> bool:
    """Whether ``expr`` contributes more to a fused body than one leaf variable."""
    if not isinstance(expr, EinsteinProduct) or is_constant(expr):
        return False
    return len(unique(expr.output)) == len(expr.output) and (expr.coefficient != 1 or bool(_cluster_children(expr)))


def _body(expr, leaves: dict, memo: dict, inlined: set):
    """The scalar body of a cluster node in terms of variables for its leaves (filled in ``leaves``);
    only the members in ``inlined`` are expanded."""
    if id(expr) in memo:
        return memo[id(expr)]
    if id(expr) not in inlined:
        result = leaves.setdefault(expr, sp.Dummy(f"t{len(leaves)}", real=True))
    elif isinstance(expr, Elementwise):
        inner = [_body(op, leaves, memo, inlined) for op in expr.operands]
        result = expr.function.expr.xreplace(dict(zip(expr.function.variables, inner, strict=True)))
    elif isinstance(expr, TensorAdd):
        result = sp.Add(*(_body(t, leaves, memo, inlined) for t in expr.terms))
    else:
        split = hadamard_split(expr)
        if split is None or is_constant(expr) or (split[0] == 1 and not split[1]):
            result = leaves.setdefault(expr, sp.Dummy(f"t{len(leaves)}", real=True))
        else:
            coeff, factors, rest = split
            parts = [_body(f, leaves, memo, inlined) for f in factors]
            if rest is not None:
                parts.append(leaves.setdefault(rest, sp.Dummy(f"t{len(leaves)}", real=True)))
            result = sp.Mul(coeff, *parts)
    memo[id(expr)] = result
    return result


# A maximal cluster of elementwise operations is one elementwise function of its leaves:
#   f(g(A), B) = (s, t -> f(g(s), t))(A, B),  c*A*f(B) + g(B) = (s, t -> c*s*f(t) + g(t))(A, B)
# A member that other nodes consume too (``shared``) stays a leaf: it is computed once.
@uses_sharing
def fuse_elementwise(expr, shared=NOTHING_SHARED):
    """Fuse an elementwise cluster that contains an Elementwise node into one Elementwise node;
    members in ``shared`` (nodes with other consumers) and large bodies stay operands.

    >>> import sympy_einstein as se
    >>> y, z = se.vector("y", 3), se.vector("z", 3)
    >>> fused = fuse_elementwise(y * se.sigmoid(-y * z))
    >>> type(fused).__name__, fused.operands
    ('Elementwise', (y, z))
    >>> from sympy_einstein.simplification.traverse import Sharing
    >>> inner = se.tanh(z)
    >>> fuse_elementwise(inner + se.sin(inner), Sharing([(inner, 3)])).operands == (inner,)
    True
    """
    if not _fusible(expr, {id(c) for c in _cluster_children(expr)}):
        return expr  # cheap test first: the cluster walk is needed only when fusion may apply
    inlined = inlined_members(expr, shared)
    if not _fusible(expr, inlined):
        return expr
    leaves: dict = {}
    body = _body(expr, leaves, {}, inlined)
    fused = Elementwise(sp.Lambda(tuple(leaves.values()), body), *leaves)
    return canonical_elementwise(fused)


# Operands with one index string s multiply entry by entry: einsum('ab,a,a->ab', X, u, f(v)) is
# einsum('ab,a->ab', X, (s, t -> s f(t))(u, v)).
@uses_sharing
def fuse_hadamard_groups(expr, shared=NOTHING_SHARED):
    """Fuse the operands of a product that share one index string (no repeated letter, not the
    output) into one Elementwise operand, when at least one of them is an Elementwise node.

    >>> import sympy_einstein as se
    >>> X, u, v = se.matrix("X", 3, 2), se.vector("u", 3), se.vector("v", 3)
    >>> fused = fuse_hadamard_groups(se.EinsteinProduct(1, "ab,a,a->b", (), X, u, se.exp(v)))
    >>> fused.spec, type(fused.operands[1]).__name__
    ('ab,a->b', 'Elementwise')
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    groups: dict = {}
    for k, s in enumerate(expr.inputs):
        if s != expr.output and len(unique(s)) == len(s):
            groups.setdefault(s, []).append(k)
    for s, positions in groups.items():
        members = [expr.operands[k] for k in positions]
        if len(members) >= 2 and any(isinstance(op, Elementwise) for op in members):
            group = EinsteinProduct(1, format_spec([s] * len(members), s), (), *members)
            fused = fuse_elementwise(group, shared)
            keep = [k for k in range(len(expr.operands)) if k not in positions]
            inputs = [expr.inputs[k] for k in keep] + [s]
            operands = [expr.operands[k] for k in keep] + [fused]
            return EinsteinProduct(expr.coefficient, format_spec(inputs, expr.output), expr.args[2], *operands)
    return expr

"""Rules for Einstein products: flattening by union-find over letters, zeros, scalars, canonical names.

Each rule is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged when it
does not apply.
"""
from __future__ import annotations

import sympy as sp

from ..ir.indices import LETTERS, canonical_renaming, format_spec, rename, unique
from ..ir.nodes import EinsteinProduct, TensorAdd, ZeroTensor
from .keys import sort_key


class _Letters:
    """Union-find over index letters (integer ids), each class with its size."""

    def __init__(self):
        self.parent: list[int] = []
        self.size: list = []

    def new(self, size) -> int:
        self.parent.append(len(self.parent))
        self.size.append(size)
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(j)] = self.find(i)


# A product operand that is itself a product is inlined:
#   P(.., Q(t1..tm -> q), ..; .., s, .. -> o) = P'(.., t1..tm, ..; .., -> o)
# with Q's letters renamed fresh and Q's output q equated letter by letter with s (union-find).
# Repeated letters in q equate letters of s (unit tensors, diagonal writes); a summed class that
# occurs in no operand and not in the output contributes a factor of its size.
def flatten_product(expr):
    """Inline nested products into one n-ary product.

    >>> import sympy_einstein as se
    >>> A, B, x = se.matrix("A", 2, 3), se.matrix("B", 3, 4), se.vector("x", 4)
    >>> flatten_product(se.einsum("ij,j->i", A @ B, x)).spec
    'ab,bc,c->a'
    >>> unit = se.EinsteinProduct(1, "->abab", (2, 3))
    >>> flatten_product(se.einsum("ab,abcd->cd", A, unit)).spec
    'ab->ab'
    """
    if not isinstance(expr, EinsteinProduct) or not any(isinstance(op, EinsteinProduct) for op in expr.operands):
        return expr
    letters = _Letters()
    outer = {c: letters.new(size) for c, size in expr.index_sizes.items()}
    coeff, factors = expr.coefficient, []
    for string, operand in zip(expr.inputs, expr.operands, strict=True):
        ids = [outer[c] for c in string]
        if not isinstance(operand, EinsteinProduct):
            factors.append((operand, ids))
            continue
        inner = {c: letters.new(size) for c, size in operand.index_sizes.items()}
        for c, i in zip(operand.output, ids, strict=True):
            letters.union(i, inner[c])
        coeff *= operand.coefficient
        factors.extend((op, [inner[c] for c in s]) for s, op in zip(operand.inputs, operand.operands, strict=True))
    flat = _assemble(letters, coeff, factors, [outer[c] for c in expr.output])
    return expr if flat is None else flat


def _assemble(letters: _Letters, coeff, factors, output_ids):
    """Build the product of ``factors`` (operand, letter ids) from the union-find classes."""
    output = [letters.find(i) for i in output_ids]
    inputs = [[letters.find(i) for i in ids] for _, ids in factors]
    used = set(output).union(*inputs)
    for root in {letters.find(i) for i in range(len(letters.parent))} - used:
        coeff *= letters.size[root]  # broadcast, then summed: a factor of its size
    order = list(dict.fromkeys(output + [i for ids in inputs for i in ids]))
    if len(order) > len(LETTERS):
        return None
    name = {root: LETTERS[k] for k, root in enumerate(order)}
    in_operands = {i for ids in inputs for i in ids}
    sizes = [letters.size[i] for i in dict.fromkeys(output) if i not in in_operands]
    spec = format_spec(["".join(name[i] for i in ids) for ids in inputs], "".join(name[i] for i in output))
    return EinsteinProduct(coeff, spec, sizes, *(op for op, _ in factors))


def is_structured(expr) -> bool:
    """Whether ``expr`` is a product with a diagonal or broadcast output (a unit tensor, diag(v),
    a broadcast): summing it with a dense tensor would materialize that structure.

    >>> import sympy_einstein as se
    >>> is_structured(se.diag(se.vector("v", 3))), is_structured(se.matrix("A", 3, 3) @ se.vector("v", 3))
    (True, False)
    """
    return isinstance(expr, EinsteinProduct) and (
        len(unique(expr.output)) != len(expr.output) or len(expr.args[2]) > 0)


# P(.., D + S, ..) = P(.., D, ..) + P(.., S, ..) for a structured D (a diagonal, unit or broadcast):
# the first term then flattens, and no dense form of D is ever built.
def split_structured_terms(expr):
    """Distribute a product over the structured terms of a sum operand (only those terms).

    >>> import sympy_einstein as se
    >>> A, B, v = se.matrix("A", 3, 3), se.matrix("B", 3, 3), se.vector("v", 3)
    >>> split = split_structured_terms(A @ (se.diag(v) + B))
    >>> [term.spec for term in split.terms]
    ['ab,bc->ac', 'ab,bc->ac']
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    for k, operand in enumerate(expr.operands):
        if isinstance(operand, TensorAdd) and any(is_structured(t) for t in operand.terms):
            parts = [t for t in operand.terms if is_structured(t)]
            rest = [t for t in operand.terms if not is_structured(t)]
            if rest:
                parts.append(rest[0] if len(rest) == 1 else TensorAdd(*rest))
            head, tail = expr.operands[:k], expr.operands[k + 1:]
            return TensorAdd(*(EinsteinProduct(expr.coefficient, expr.args[1], expr.args[2], *head, part, *tail)
                               for part in parts))
    return expr


# 0 * P = 0 and P(.., 0, ..) = 0: a zero coefficient or a zero operand kills the product.
def zero_product(expr):
    """A product with a zero coefficient or a zero operand is the zero tensor of its shape.

    >>> import sympy_einstein as se
    >>> zero_product(se.einsum("ij,j->i", se.matrix("A", 2, 3), se.zeros(3))) == se.zeros(2)
    True
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    if expr.coefficient.is_zero or any(isinstance(op, ZeroTensor) for op in expr.operands):
        return ZeroTensor(expr.shape)
    return expr


# 1 * einsum('ab->ab', A) = A
def unwrap_identity(expr):
    """A product with coefficient 1, one operand and the identity spec is that operand.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 3)
    >>> unwrap_identity(se.einsum("ij->ij", A)) == A
    True
    """
    if (isinstance(expr, EinsteinProduct) and len(expr.operands) == 1 and expr.coefficient == 1
            and expr.inputs[0] == expr.output and len(set(expr.output)) == len(expr.output)):
        return expr.operands[0]
    return expr


_MAX_RENAMINGS = 8


# Alpha-renaming and reordering operands do not change an Einstein product.
def canonical_product(expr):
    """Rename letters canonically (output first) and sort operands, so alpha-equivalent products
    are equal objects.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> canonical_product(se.einsum("j,ij->i", x, A)).spec
    'ab,b->a'
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    state = (expr.inputs, expr.output, expr.operands)
    seen: dict = {}
    while state not in seen and len(seen) < _MAX_RENAMINGS + 2 * len(expr.operands):
        seen[state] = len(seen)
        state = _rename_and_sort(*state)
    # many equal operands can make the cycle long: past the bound, the least state seen (deterministic)
    cycle = list(seen)[seen[state]:] if state in seen else list(seen)
    inputs, output, operands = min(cycle, key=lambda s: (format_spec(s[0], s[1]), [sort_key(o) for o in s[2]]))
    spec = format_spec(inputs, output)
    if spec == expr.spec and operands == expr.operands:
        return expr
    return EinsteinProduct(expr.coefficient, spec, expr.args[2], *operands)


def _rename_and_sort(inputs, output, operands):
    mapping = canonical_renaming(inputs, output)
    inputs, output = rename(inputs, mapping), rename(output, mapping)
    order = sorted(range(len(operands)), key=lambda k: (sort_key(operands[k]), inputs[k]))
    return tuple(inputs[k] for k in order), output, tuple(operands[k] for k in order)


def is_constant(expr) -> bool:
    """Whether ``expr`` is a broadcast constant: an operand-free product without a diagonal.

    >>> import sympy_einstein as se
    >>> is_constant(se.einsum("->ab", 2, sizes={"a": 2, "b": 3})), is_constant(se.einsum("->aa", 1, sizes={"a": 2}))
    (True, False)
    """
    return (isinstance(expr, EinsteinProduct) and not expr.operands
            and len(unique(expr.output)) == len(expr.output))


def scale(coeff, expr):
    """``coeff * expr`` as a product (merging into a product's coefficient).

    >>> import sympy_einstein as se
    >>> scale(3, se.vector("x", 2)).spec
    'a->a'
    """
    coeff = sp.sympify(coeff)
    if isinstance(expr, EinsteinProduct):
        return EinsteinProduct(coeff * expr.coefficient, expr.args[1], expr.args[2], *expr.operands)
    letters = LETTERS[:expr.rank]
    return EinsteinProduct(coeff, letters + "->" + letters, (), expr)

"""Recognize the familiar shapes of an Einstein product, for every printer.

:func:`classify` turns a product into a :class:`Form`: a kind such as ``"matmul"`` or
``"transpose"`` that the printers show in NumPy or math notation, or ``"einsum"`` for the general
case. Scalar factors of the operands are pulled in front first (the product is multilinear), so
``(-y) * (X @ w)`` prints as ``-y*(X @ w)``. Classification is exact: a kind is chosen only when the
familiar notation means the same tensor.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..ir.indices import canonical_renaming, format_spec, rename, unique
from ..ir.nodes import EinsteinProduct

#: canonical specs of NumPy's ``@`` for operands of order 1 and 2
_MATMUL_SPECS = {"ab,b->a", "ab,bc->ac", "a,a->", "a,ab->b"}


@dataclass(frozen=True)
class Form:
    """A product seen as ``coefficient * <kind>(operands)``; ``axes`` for sums and permutations."""

    kind: str
    coefficient: sp.Expr
    operands: tuple
    inputs: tuple
    output: str
    sizes: tuple
    axes: tuple | None = None
    pair: tuple | None = None  # (left, right) of ``left @ right`` for kind "matmul"

    @property
    def spec(self) -> str:
        return format_spec(self.inputs, self.output)


def canonical_spec(inputs, output: str) -> str:
    """The spec with letters renamed ``a, b, c, ...`` in order of first occurrence (output first).

    >>> canonical_spec(("ij", "jk"), "ik")
    'ac,cb->ab'
    """
    mapping = canonical_renaming(inputs, output)
    return format_spec(rename(tuple(inputs), mapping), rename(output, mapping))


def _matmul_canonical() -> set[str]:
    specs = set()
    for spec in _MATMUL_SPECS:
        lhs, output = spec.split("->")
        specs.add(canonical_spec(tuple(lhs.split(",")), output))
    return specs


_MATMUL = _matmul_canonical()


def split_scalar(node) -> tuple[sp.Expr, object]:
    """``(c, core)`` with ``node == c * core``: the scalar factors of a product and of its operands
    (recursively) pulled out, as the product is multilinear.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> split_scalar(-2 * x)
    (-2, x)
    """
    if not isinstance(node, EinsteinProduct):
        return sp.S.One, node
    if _is_identity(node):
        inner_coeff, core = split_scalar(node.operands[0])
        return node.coefficient * inner_coeff, core
    coeff, cores = node.coefficient, []
    for operand in node.operands:
        factor, core = split_scalar(operand)
        coeff, cores = coeff * factor, cores + [core]
    if coeff == 1 and tuple(cores) == node.operands:
        return coeff, node
    return coeff, EinsteinProduct(1, node.args[1], node.args[2], *cores)


def _is_identity(node: EinsteinProduct) -> bool:
    return len(node.operands) == 1 and node.inputs[0] == node.output and _distinct(node.output)


def _distinct(letters: str) -> bool:
    return len(unique(letters)) == len(letters)


@lru_cache(maxsize=4096)
def classify(product: EinsteinProduct) -> Form:
    """The :class:`Form` of a product, with the operands' scalar factors moved into ``coefficient``.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> f = classify(2 * (A @ (3 * x)))
    >>> f.kind, f.coefficient, f.operands
    ('matmul', 6, (A, x))
    """
    coeff, core = split_scalar(product)
    if _is_identity(product):
        return Form("identity", coeff, (core,), product.inputs, product.output, ())
    operands = core.operands
    inputs, output, sizes = product.inputs, product.output, tuple(product.args[2])
    kind, axes, pair = _kind(inputs, output, sizes), None, None
    if kind in ("sum", "permute"):
        axes = _axes(kind, inputs[0], output)
    if kind in ("hadamard", "outer", "einsum") and not sizes:
        pair = matmul_pair(inputs, output, operands)
        kind = "matmul" if pair else kind
    return Form(kind, coeff, tuple(operands), inputs, output, sizes, axes, pair)


def matmul_pair(inputs, output: str, operands):
    """``(left, right)`` with ``left @ right`` equal to the product, or ``None``; matrices may be
    transposed (``'ba,b->a'`` is ``A.T @ x``) and operands swapped (``'ab,ca->cb'`` is ``C @ A``).

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 2)
    >>> matmul_pair(("ba", "b"), "a", (A, x)), matmul_pair(("b", "ab"), "a", (x.T, A.T))
    ((A.T, x), (x, A))
    >>> matmul_pair(("ab", "ab"), "ab", (A, A)) is None
    True
    """
    if len(inputs) != 2 or not all(_distinct(s) for s in (*inputs, output)):
        return None
    for order in ((0, 1), (1, 0)):
        for flips in itertools.product((False, True), repeat=2):
            if any(flip and len(inputs[k]) != 2 for k, flip in zip(order, flips, strict=True)):
                continue
            strings = [inputs[k][::-1] if flip else inputs[k] for k, flip in zip(order, flips, strict=True)]
            if canonical_spec(strings, output) in _MATMUL:
                return tuple(_transposed(operands[k]) if flip else operands[k]
                             for k, flip in zip(order, flips, strict=True))
    return None


def _transposed(matrix):
    if (isinstance(matrix, EinsteinProduct) and matrix.coefficient == 1 and len(matrix.operands) == 1
            and _distinct(matrix.output) and matrix.output == matrix.inputs[0][::-1]):
        return matrix.operands[0]
    return EinsteinProduct(1, "ab->ba", (), matrix)


def _kind(inputs, output: str, sizes) -> str:
    if not inputs:
        return "ones" if _distinct(output) else "unit"
    if sizes or not all(_distinct(s) for s in inputs):
        return _diagonal_kind(inputs, output, sizes)
    if not _distinct(output):
        return "diag" if _is_diag_write(inputs, output) else "einsum"
    if len(inputs) == 1:
        return _unary_kind(inputs[0], output)
    if all(output.endswith(s) for s in inputs):
        return "hadamard"
    if len(inputs) == 2 and not set(inputs[0]) & set(inputs[1]) and output == inputs[0] + inputs[1]:
        return "outer"
    return "einsum"


def _is_diag_write(inputs, output: str) -> bool:
    return len(inputs) == 1 and len(inputs[0]) == 1 and output == inputs[0] * 2


def _diagonal_kind(inputs, output: str, sizes) -> str:
    if sizes or len(inputs) != 1:
        return "einsum"
    (letters,) = inputs
    if len(letters) == 2 and letters[0] == letters[1]:
        return {"": "trace", letters[0]: "diag"}.get(output, "einsum")
    return "einsum"


def _unary_kind(letters: str, output: str) -> str:
    if output == letters:
        return "identity"
    if sorted(output) == sorted(letters):
        return "transpose" if len(letters) == 2 else "permute"
    if set(output) < set(letters) and "".join(c for c in letters if c in output) == output:
        return "sum"
    return "einsum"


def _axes(kind: str, letters: str, output: str) -> tuple | None:
    if kind == "permute":
        return tuple(letters.index(c) for c in output)
    summed = tuple(k for k, c in enumerate(letters) if c not in output)
    return None if not output else summed


def implicit_broadcast(term, operands: bool = True):
    """What NumPy's broadcasting in ``+`` would stretch to ``term``, or ``None``: the scalar ``c`` of
    a constant ``c * ones(shape)`` and (if ``operands``) ``c * A`` for a product that only prepends
    axes to ``A``.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> implicit_broadcast((x + 1).terms[1]), implicit_broadcast((A + x).terms[1]), implicit_broadcast(x)
    (1, x, None)
    """
    if not isinstance(term, EinsteinProduct) or len(term.operands) > 1 or not _distinct(term.output):
        return None
    if not term.operands:
        return term.coefficient
    (letters,) = term.inputs
    if not operands or len(letters) >= len(term.output) or not term.output.endswith(letters):
        return None
    if not _distinct(letters):
        return None
    return rescaled(term.coefficient, term.operands[0])


def rescaled(coeff, tensor):
    """``coeff * tensor`` as a product (just ``tensor`` when ``coeff`` is 1).

    >>> import sympy_einstein as se
    >>> rescaled(3, se.vector("x", 2)).spec
    'a->a'
    """
    if coeff == 1:
        return tensor
    if isinstance(tensor, EinsteinProduct):
        return EinsteinProduct(coeff * tensor.coefficient, tensor.args[1], tensor.args[2], *tensor.operands)
    letters = "abcdefghijklmnopqrstuvwxyz"[:tensor.rank]
    return EinsteinProduct(coeff, f"{letters}->{letters}", (), tensor)


def signed_terms(expr, operands: bool = True):
    """``[(negative, term), ...]`` of a sum: the sign of each term pulled out, and (unless every
    term is one) broadcasts shown as what NumPy would stretch (see :func:`implicit_broadcast`).

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> signed_terms(x - 1), signed_terms(-x + 2 * x)
    ([(False, x), (True, 1)], [(True, x), (False, 2*x)])
    """
    stretched = [implicit_broadcast(term, operands) for term in expr.terms]
    explicit = all(s is not None for s in stretched)
    result = []
    for term, short in zip(expr.terms, stretched, strict=True):
        term = term if explicit or short is None else short
        if not isinstance(term, EinsteinProduct):
            negative = term.could_extract_minus_sign() and not hasattr(term, "shape")
            result.append((negative, -term if negative else term))
            continue
        coeff, core = split_scalar(term)
        negative = coeff.could_extract_minus_sign()
        result.append((negative, rescaled(-coeff if negative else coeff, core)))
    return result

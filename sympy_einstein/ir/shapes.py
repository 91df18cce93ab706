"""Shapes: validated tuples of sizes, size comparison and numpy broadcasting by declared shapes."""
from __future__ import annotations

import sympy as sp

from ..errors import ShapeError


def as_size(size, where: str = "size") -> sp.Expr:
    """Validate one axis size: a positive integer or a SymPy expression declared positive integer.

    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> as_size(3), as_size(n)
    (3, n)
    >>> as_size(sp.Symbol("k"))
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.ShapeError: size k is not known to be a positive integer: declare it with
    sympy.Symbol('k', integer=True, positive=True)
    """
    try:
        size = sp.sympify(size, strict=True)
    except (sp.SympifyError, TypeError):
        raise ShapeError(f"{where} {size!r} is not a number or a SymPy expression") from None
    if size.is_integer is True and size.is_positive is True:
        return size
    if size.is_Symbol:
        raise ShapeError(
            f"size {size} is not known to be a positive integer: declare it with "
            f"sympy.Symbol('{size}', integer=True, positive=True)")
    raise ShapeError(f"{where} {size} is not a positive integer")


def as_shape(shape, where: str = "shape") -> sp.Tuple:
    """Validate a shape: an iterable of sizes (an int alone is a shape of order 1).

    >>> as_shape((2, 3))
    (2, 3)
    """
    if isinstance(shape, (int, sp.Basic)) and not isinstance(shape, sp.Tuple):
        shape = (shape,)
    return sp.Tuple(*(as_size(s, f"{where} axis {k}") for k, s in enumerate(shape)))


def format_shape(shape) -> str:
    """Print a shape as numpy does.

    >>> format_shape((3,)), format_shape(()), format_shape((2, 3))
    ('(3,)', '()', '(2, 3)')
    """
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(s) for s in shape) + ")"


def short_label(operand) -> str:
    """An operand as it appears in an error message: its text, shortened to 40 characters.

    >>> short_label("x" * 50)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'
    """
    text = str(operand)
    return text if len(text) <= 40 else text[:37] + "..."


def broadcast_shapes(*named_shapes) -> tuple:
    """NumPy broadcasting of ``(operand, shape)`` pairs: right-aligned; only a declared 1 stretches.

    The operands are only printed (shortened) when the shapes do not broadcast, so checking stays
    cheap for deep expressions.

    >>> broadcast_shapes(("A", (2, 1)), ("B", (3,)))
    (2, 3)
    """
    rank = max((len(s) for _, s in named_shapes), default=0)
    result = []
    for axis in range(rank):
        size = sp.Integer(1)
        for _, shape in named_shapes:
            k = axis - (rank - len(shape))
            if k < 0 or shape[k] == 1:
                continue
            if size == 1:
                size = shape[k]
            elif shape[k] != size:
                names = " with ".join(f"{short_label(n)} (shape {format_shape(s)})" for n, s in named_shapes)
                raise ShapeError(f"cannot broadcast {names}: axis {axis} has size {size} and {shape[k]}")
        result.append(size)
    return tuple(result)

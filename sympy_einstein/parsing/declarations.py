"""Declarations of variables: ``"w: vector(n); X: matrix(m,n); c: scalar; T: tensor(a,b,c)"`` or a dict;
``S: symmetric(n)`` declares a symmetric ``n x n`` matrix.

A type without sizes (``x: vector``) fixes the order and leaves the sizes to inference.
A dict maps names to a :class:`~sympy_einstein.TensorSymbol` (used as it is), a shape (a tuple of
sizes: integers, SymPy sizes or names) or a declaration string such as ``"matrix(m, n)"``.
Size names become positive integer symbols.

>>> read_declarations("w: vector(n); X: matrix(m,n); c: scalar")
{'w': (n,), 'X': (m, n), 'c': ()}
>>> read_declarations({"T": (2, "k", 3)})
{'T': (2, k, 3)}
"""
from __future__ import annotations

import re

import sympy as sp

from ..errors import EinsteinError
from ..ir.nodes import TensorSymbol
from ..ir.shapes import as_size
from .syntax import ParseError

_ARITY = {"scalar": 0, "vector": 1, "matrix": 2, "tensor": None}
_ENTRY = re.compile(r"\s*([A-Za-z_]\w*)\s*:\s*([A-Za-z]+)\s*(?:\(([^()]*)\))?\s*$")


def size_of(value):
    """A size from an integer, a SymPy size or a name (a positive integer symbol).

    >>> size_of("n").is_positive, size_of(3)
    (True, 3)
    """
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit():
            value = int(value)
        elif not re.fullmatch(r"[A-Za-z_]\w*", value):
            raise ParseError(f"a size must be a positive integer or a name, not {value!r}")
        else:
            return sp.Symbol(value, integer=True, positive=True)
    try:
        return as_size(value)
    except EinsteinError as error:
        raise ParseError(str(error)) from None


def _shape_from_text(name: str, text: str, where: str) -> tuple:
    match = _ENTRY.match(f"{name}: {text}")
    if match is None:
        raise ParseError(f"{where}: expected a type such as vector(n), matrix(m, n), scalar or tensor(a, b, c)")
    kind, sizes = match.group(2), match.group(3)
    if kind not in _ARITY:
        raise ParseError(f"{where}: unknown type '{kind}'; expected scalar, vector, matrix, symmetric or tensor")
    shape = tuple(size_of(s) for s in sizes.split(",")) if sizes and sizes.strip() else ()
    arity = _ARITY[kind]
    if arity is not None and len(shape) != arity and not (arity > 0 and sizes is None):
        raise ParseError(f"{where}: {kind} takes {arity} size(s), not {len(shape)}")
    if arity is not None and sizes is None:
        shape = (None,) * arity  # the order is declared, the sizes are inferred
    return shape


def _declared(name: str, text: str, where: str):
    """A shape, or for ``symmetric(n)`` the :class:`~sympy_einstein.ir.linalg.SymmetricMatrix` itself.

    >>> _declared("S", "symmetric(n)", "here")
    S
    """
    match = _ENTRY.match(f"{name}: {text}")
    if match is None or match.group(2) != "symmetric":
        return _shape_from_text(name, text, where)
    from ..ir.linalg import SymmetricMatrix
    sizes = [s for s in (match.group(3) or "").split(",") if s.strip()]
    if len(sizes) != 1:
        raise ParseError(f"{where}: symmetric takes one size, the number of rows and columns: symmetric(n)")
    size = size_of(sizes[0])
    return SymmetricMatrix(name, (size, size))


def _declarations_from_text(text: str) -> dict:
    declared = {}
    for k, entry in enumerate(re.split(r"[;\n]", text)):
        if not entry.strip():
            continue
        match = _ENTRY.match(entry)
        if match is None:
            raise ParseError(f"declaration {k + 1} ({entry.strip()!r}): expected NAME: TYPE, "
                             "e.g. 'X: matrix(m, n)'")
        name = match.group(1)
        if name in declared:
            raise ParseError(f"declaration {k + 1}: {name} is declared twice")
        declared[name] = _declared(name, entry.split(":", 1)[1], f"declaration of {name}")
    return declared


def read_declarations(declarations) -> dict:
    """Names to shapes (tuples of SymPy sizes), or to the TensorSymbol given for them."""
    if declarations is None:
        return {}
    if isinstance(declarations, str):
        return _declarations_from_text(declarations)
    if not isinstance(declarations, dict):
        raise ParseError(f"declarations must be a string or a dict, not {type(declarations).__name__}")
    declared = {}
    for name, value in declarations.items():
        if isinstance(value, TensorSymbol):
            if value.name != name:
                raise ParseError(f"the declaration of {name} is the tensor symbol {value.name}")
            declared[name] = value
        elif isinstance(value, str):
            declared[name] = _declared(name, value, f"declaration of {name}")
        elif isinstance(value, (tuple, list)):
            declared[name] = tuple(size_of(s) for s in value)
        else:
            raise ParseError(f"the declaration of {name} must be a TensorSymbol, a shape tuple or a string "
                             f"such as 'vector(n)', not {value!r}")
    return declared


def shape_of(declared) -> tuple:
    """The shape of a declaration entry."""
    return declared.shape if isinstance(declared, TensorSymbol) else declared

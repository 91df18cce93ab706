"""The text input language of MatrixCalculus.org and the einsum.org differentiator.

Owns: reading a formula (``syntax``), inferring orders and sizes (``infer``, ``rules``, ``sizes``,
``declarations``) and building the tensor expression (``lower``). Feeds: the IR of
:mod:`sympy_einstein.build`, the command line and the notebooks. The language is described in
``docs/language.md``.

>>> import sympy_einstein as se
>>> f = se.parse("x'*A*x")
>>> f.shape
()
>>> f, symbols = se.parse("sum(log(exp(-y.*(X*w)) + vector(1)))", return_symbols=True)
>>> {name: s.shape for name, s in symbols.items()}
{'X': (m, n), 'w': (n,), 'y': (m,)}
"""
from __future__ import annotations

import warnings

from ..ir.nodes import TensorSymbol
from .declarations import read_declarations, shape_of
from .infer import Inferred, infer
from .lower import Lowering
from .notes import NamingWarning, culprits
from .syntax import ParseError, parse_program

__all__ = ["parse", "ParseError", "NamingWarning"]


def parse(text: str, declarations=None, return_symbols: bool = False):
    """The tensor expression of a formula (for several statements, the value of the last one).

    ``text``: statements separated by newlines or ``;``; all but the last may be assignments
    ``NAME = expr``. ``declarations``: ``"w: vector(n); X: matrix(m,n); c: scalar; T: tensor(a,b,c)"``
    or a dict from names to a TensorSymbol, a shape or such a type string. With
    ``return_symbols=True`` the result is ``(expr, symbols)``, ``symbols`` a dict from each variable's
    name to its TensorSymbol, sorted by name. Errors raise :class:`ParseError` with line and column.
    When a variable typed only by the naming default makes the result non-scalar (``lambda`` is a vector
    by the default), a :class:`NamingWarning` names it and the declaration that makes it a scalar.

    >>> import sympy_einstein as se
    >>> se.parse("A*x - b", "b: vector(m)").shape
    (m,)
    >>> se.parse("t = X*w; sum(t.*t)", return_symbols=True)[1]
    {'X': X, 'w': w}
    >>> se.parse("x + y'")
    Traceback (most recent call last):
    ...
    sympy_einstein.parsing.syntax.ParseError: line 1, column 3: cannot add a column vector and a row vector with '+' ...
    """
    declared = read_declarations(declarations)
    program = parse_program(text)
    shapes = {name: shape_of(d) for name, d in declared.items()}
    inferred = infer(program, shapes)
    symbols = _symbols(inferred, declared)
    lowering = Lowering(symbols, inferred.sizes.resolve(_size_order(inferred), _used_names(inferred)))
    for statement in program:
        value = lowering.statement(statement)
    if getattr(value, "shape", ()) != ():
        _warn_naming(text, shapes, inferred, value)
    if return_symbols:
        return value, dict(sorted(symbols.items()))
    return value


def _warn_naming(text: str, shapes: dict, inferred: Inferred, value) -> None:
    result = {1: "vector", 2: "matrix"}.get(len(value.shape), f"tensor of order {len(value.shape)}")
    for name, kind in culprits(text, shapes, inferred):
        warnings.warn(NamingWarning(name, kind, result), stacklevel=3)


def _size_order(inferred: Inferred) -> list[int]:
    """Size ids in naming order: variables by decreasing order, then first use."""
    ranked = sorted(inferred.variables.values(), key=lambda t: -t.order)
    return [k for t in ranked for k in t.sizes]


def _used_names(inferred: Inferred) -> set[str]:
    return set(inferred.variables) | set(inferred.assigned)


def _symbols(inferred: Inferred, declared: dict) -> dict:
    sizes = inferred.sizes.resolve(_size_order(inferred), _used_names(inferred))
    symbols = {}
    for name, t in inferred.variables.items():
        given = declared.get(name)
        if isinstance(given, TensorSymbol):
            symbols[name] = given
        else:
            symbols[name] = TensorSymbol(name, tuple(sizes[k] for k in t.sizes))
    return symbols

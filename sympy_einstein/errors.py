"""Exceptions raised by sympy_einstein.

Every error about user input is a :class:`ValueError` subclass whose message names the operand,
the index or the axis at fault, so that ``except ValueError`` catches all of them.
"""


class EinsteinError(ValueError):
    """Base class of every input error raised by sympy_einstein.

    >>> issubclass(EinsteinError, ValueError)
    True
    """


class SpecError(EinsteinError):
    """A malformed index specification, such as ``"ij,j->i,"`` or an output index of unknown size.

    >>> from sympy_einstein.ir.indices import parse_spec
    >>> parse_spec("ij,j->k1")
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.SpecError: index spec 'ij,j->k1': character '1' at position 7 is not a letter
    """


class ShapeError(EinsteinError):
    """Operands whose shapes do not fit: rank or size mismatch, failed broadcast, wrong array shape.

    >>> import sympy_einstein as se
    >>> se.vector("x", 3) + se.vector("y", 4)
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.ShapeError: cannot broadcast x (shape (3,)) with y (shape (4,)): axis 0 has size 3 and 4
    """


class BindingError(EinsteinError):
    """A value missing for a symbol, or given with the wrong shape, when evaluating or calling code.

    >>> import numpy as np, sympy_einstein as se
    >>> se.evaluate(se.vector("x", 3), {})
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.BindingError: no value given for x (shape (3,))
    """


class DifferentiationError(EinsteinError):
    """A derivative that cannot be formed: an unknown node class, a function SymPy cannot differentiate.

    >>> import sympy as sp, sympy_einstein as se
    >>> se.vector("x", 3).diff(sp.Symbol("c"))
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.DifferentiationError: cannot differentiate with respect to c: ...
    """


class DomainError(EinsteinError):
    """A constant that is not a finite number: a division by zero, ``log(0)``, ``0/0``, an infinity.

    >>> import sympy_einstein as se
    >>> se.vector("x", 3) / 0
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.DomainError: x / 0 is not a finite number (it is zoo)
    """

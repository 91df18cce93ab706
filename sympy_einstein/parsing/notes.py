"""Naming notes: a warning when MatrixCalculus' naming default, not a declaration or a use, gave a variable
the type that makes a formula non-scalar.

``norm2(X*w - y)^2 + lambda*norm2(w)^2`` reads ``lambda`` as a vector (lower-case names from h to z are
vectors), so the "loss" is a vector and its derivatives are Jacobians. A variable is a culprit when its
type came from the default alone and declaring it a scalar makes the formula a scalar; :func:`culprits`
finds them by inferring the formula again with that declaration.

>>> from .syntax import parse_program
>>> text = "norm2(X*w - y)^2 + lambda*norm2(w)^2"
>>> culprits(text, {}, infer(parse_program(text), {}))
[('lambda', 'vector')]
>>> culprits("A*x - b", {}, infer(parse_program("A*x - b"), {}))
[]
"""
from __future__ import annotations

from ..errors import EinsteinError
from .infer import Inferred, default_order, infer
from .syntax import parse_program

DEFAULT_RULE = {1: "lower-case names from h to z are vectors", 2: "capitalized names are matrices"}


class NamingWarning(UserWarning):
    """A variable typed only by the naming default makes the formula non-scalar (see :mod:`.notes`).

    ``name``: the variable; ``kind``: the type it got; ``declaration``: the declaration that makes it a
    scalar, such as ``"lambda: scalar"``.

    >>> import warnings, sympy_einstein as se
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f = se.parse("norm2(X*w - y)^2 + lambda*norm2(w)^2")
    >>> print(caught[0].message)
    lambda is a vector only by the naming default (lower-case names from h to z are vectors), so the formula \
is a vector, not a scalar; if lambda is a scalar, declare "lambda: scalar"
    >>> se.parse("norm2(X*w - y)^2 + lambda*norm2(w)^2", "lambda: scalar").shape
    ()
    """

    def __init__(self, name: str, kind: str, result: str):
        self.name, self.kind, self.result = name, kind, result
        self.declaration = f"{name}: scalar"
        super().__init__(f"{name} is a {kind} only by the naming default ({DEFAULT_RULE[default_order(name)]}), "
                         f"so the formula is a {result}, not a scalar; if {name} is a scalar, declare "
                         f'"{self.declaration}"')

    def __reduce__(self):  # pickle (process pools, pytest-xdist) with the constructor's arguments
        return type(self), (self.name, self.kind, self.result)


def by_default(inferred: Inferred, declared: dict) -> list[str]:
    """The variables whose non-scalar type only the naming default decided: not declared, no hint from a use
    (einsum operand, transpose, partner of ``+`` or ``.*``) and of the default order.

    >>> from .syntax import parse_program
    >>> by_default(infer(parse_program("x'*A*x + c"), {}), {"A": (3, 3)})
    ['x']
    """
    return [name for name, t in inferred.variables.items()
            if t.order > 0 and name not in declared and name not in inferred.hints
            and t.order == default_order(name)]


MAX_CULPRIT_CHECKS = 32  # each check infers the whole formula again: bounded, so long formulas stay linear


def culprits(text: str, declared: dict, inferred: Inferred) -> list[tuple[str, str]]:
    """``(name, kind)`` of each variable typed by the default alone whose declaration as a scalar makes the
    last statement of ``text`` a scalar (``inferred``: the inference of ``text`` under ``declared``, which
    maps names to shapes). Only the first :data:`MAX_CULPRIT_CHECKS` such variables are tried: each try
    infers the formula again (a sum of 1,000 default-typed names took 21 s when all were tried)."""
    found = []
    for name in by_default(inferred, declared)[:MAX_CULPRIT_CHECKS]:
        try:
            program = parse_program(text)
            infer(program, {**declared, name: ()})
        except EinsteinError:
            continue
        if program[-1].type.order == 0:
            found.append((name, inferred.variables[name].describe().split()[-1]))
    return found

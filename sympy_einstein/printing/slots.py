"""Placeholders that let SymPy's own printers lay out scalar structure around tensor pieces.

To print ``coeff * <tensor>`` or the body of an elementwise function with its operands substituted,
we put a :class:`Slot` where the tensor goes and let the active SymPy printer print the scalar tree.
When the printer meets the slot it calls back into our renderer with the same printer, so settings
and nesting stay consistent. The slot's ``precedence`` (and ``binding`` for the pretty printer) makes
SymPy add parentheses exactly where the tensor piece needs them.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.stringpict import prettyForm

#: prettyForm binding for each SymPy precedence level (the pretty printer parenthesizes by binding)
#: (FUNC is avoided: SymPy's pretty power expects a function form to carry its parts separately)
_BINDING = [(PRECEDENCE["Add"], prettyForm.ADD), (PRECEDENCE["Mul"], prettyForm.MUL),
            (PRECEDENCE["Pow"], prettyForm.POW)]


def binding_of(precedence: int) -> int:
    """The prettyForm binding that corresponds to a SymPy precedence value.

    >>> binding_of(PRECEDENCE["Add"]) == prettyForm.ADD, binding_of(PRECEDENCE["Atom"]) == prettyForm.ATOM
    (True, True)
    """
    for level, binding in _BINDING:
        if precedence <= level:
            return binding
    return prettyForm.ATOM


class Slot(sp.Dummy):
    """A placeholder symbol that prints as ``render(printer)`` and has the given precedence.

    With ``last=True`` it sorts after every other factor, so ``2*a*slot`` prints the scalars first;
    otherwise it sorts like a symbol.

    >>> s = Slot(lambda printer: "A @ x", PRECEDENCE["Mul"])
    >>> sp.sstr(3 * sp.Symbol("a") * s)
    '3*a*(A @ x)'
    """

    def __new__(cls, render, precedence: int, last: bool = True):
        obj = super().__new__(cls, "slot")
        obj.render, obj.precedence, obj.last = render, precedence, last
        return obj

    def sort_key(self, order=None):
        if not self.last:
            return super().sort_key(order)
        return (99, 0, "Slot"), (1, (self.dummy_index,)), sp.S.One.sort_key(), sp.S.One

    def _sympystr(self, printer):
        return self.render(printer)

    def _latex(self, printer):
        return self.render(printer)

    def _pretty(self, printer):
        form = self.render(printer)
        return prettyForm("\n".join(form.picture), form.baseline, binding_of(self.precedence))


def scaled(coeff, render, precedence: int):
    """The SymPy expression ``coeff * slot`` (just the slot when ``coeff`` is 1; a zero factor
    stays visible).

    >>> sp.sstr(scaled(sp.Integer(-2), lambda printer: "x", PRECEDENCE["Atom"]))
    '-2*x'
    >>> sp.sstr(scaled(sp.Integer(0), lambda printer: "x", PRECEDENCE["Atom"]))
    '0*x'
    """
    return sp.Mul(coeff, Slot(render, precedence), evaluate=coeff != 0)


def parenthesized(printer, printed):
    """``printed`` (the output of ``printer``) in parentheses of the printer's format.

    >>> from sympy.printing.latex import LatexPrinter
    >>> print(parenthesized(LatexPrinter(), "a + b"))
    \\left(a + b\\right)
    """
    if printer.printmethod == "_pretty":
        return prettyForm(*printed.parens())
    if printer.printmethod == "_latex":
        return r"\left(" + printed + r"\right)"
    return "(" + printed + ")"

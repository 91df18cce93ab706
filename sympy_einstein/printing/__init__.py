"""Printing of tensor expressions: ``str``, unicode pretty printing and LaTeX.

The node classes call :func:`str_form`, :func:`pretty_form` and :func:`latex_form` from their
``_sympystr``, ``_pretty`` and ``_latex`` hooks, so ``str``, ``sympy.pretty``, ``sympy.latex`` and
Jupyter all print through this package, also inside SymPy containers. :func:`latex` chooses the LaTeX
notation: the paper's Einstein products (default) or index notation.

Importing this package registers the ``str`` precedence of tensor expressions with SymPy, so a SymPy
tree around a tensor (``sympy.sqrt(x @ x)**3``) gets its parentheses right.
"""
from sympy.printing.precedence import PRECEDENCE_FUNCTIONS

from .strings import str_form, str_precedence

PRECEDENCE_FUNCTIONS["TensorExpr"] = str_precedence

__all__ = ["str_form", "str_precedence"]
from .index import index_form  # noqa: E402
from .latex_printer import NOTATIONS, EinsteinLatexPrinter, latex, latex_form  # noqa: E402
from .pretty import pretty_form, pretty_precedence  # noqa: E402

# The LaTeX notations by name; a new notation is one more entry (form(expr, printer) -> str).
NOTATIONS["index"] = index_form

__all__ += ["pretty_form", "pretty_precedence", "NOTATIONS", "EinsteinLatexPrinter", "latex", "latex_form",
            "index_form"]

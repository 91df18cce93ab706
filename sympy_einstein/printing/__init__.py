"""Printing of tensor expressions: ``str``, unicode pretty printing and LaTeX.

The node classes call :func:`str_form`, :func:`pretty_form` and :func:`latex_form` from their
``_sympystr``, ``_pretty`` and ``_latex`` hooks, so ``str``, ``sympy.pretty``, ``sympy.latex`` and
Jupyter all print through this package, also inside SymPy containers. :func:`latex` chooses the LaTeX
notation: the paper's Einstein products (default) or index notation.

Modules: ``forms`` recognizes familiar products (matmul, transpose, sum, ...) for every format;
``slots`` lets SymPy's printers lay out scalar structure around tensor pieces; ``strings``,
``pretty``, ``latex_printer`` (einstein notation and the notation dispatch) and ``index`` print;
``bottom_up`` makes the printers print a DAG children first, one level of recursion at a time.
Reads the IR only; feeds users, the docs and the command line.

Importing this package registers the ``str`` precedence of tensor expressions with SymPy, so a SymPy
tree around a tensor (``sympy.sqrt(x @ x)**3``) gets its parentheses right.

>>> import sympy_einstein as se
>>> x = se.vector("x", 3)
>>> str(2 * x), latex(2 * x), latex(2 * x, notation="index")
('2*x', '2 x', '\\\\left[2 x_{i}\\\\right]_{i}')
"""
from sympy.printing.precedence import PRECEDENCE_FUNCTIONS

from . import latex_printer, pretty, strings
from .bottom_up import bottom_up
from .index import index_form
from .latex_printer import NOTATIONS, EinsteinLatexPrinter, latex, latex_form
from .pretty import pretty_precedence
from .strings import str_precedence

PRECEDENCE_FUNCTIONS["TensorExpr"] = str_precedence

# The hooks of the node classes print through these: bottom-up, so deep expressions do not recurse.
str_form = bottom_up(strings.str_form, str_precedence)
pretty_form = bottom_up(pretty.pretty_form, pretty_precedence)
NOTATIONS["einstein"] = bottom_up(latex_printer.einstein_form, latex_printer.latex_precedence)

# The LaTeX notations by name: the extension point (a new notation is one more entry,
# form(expr, printer) -> str; the printer carries the setting "notation").
NOTATIONS["index"] = index_form

__all__ = ["EinsteinLatexPrinter", "NOTATIONS", "index_form", "latex", "latex_form", "pretty_form",
           "pretty_precedence", "str_form", "str_precedence"]

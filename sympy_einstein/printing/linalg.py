"""Printing of the matrix functions for every format: ``inv(A)`` in ``str`` and pretty printing,
``A^{-1}``, ``\\det``, ``\\log\\left|\\det A\\right|`` in LaTeX.

Each function returns a :class:`~sympy_einstein.printing.slots.Slot` for the ``_scalar_tree`` of its
format; operands are printed through the active printer.

>>> import sympy as sp, sympy_einstein as se
>>> A, b = se.matrix("A", 3, 3), se.vector("b", 3)
>>> print(se.solve(A, b), se.logdet(A.T @ A), se.logsumexp(A, axis=1))
solve(A, b) logdet(A.T @ A) logsumexp(A, axis=1)
>>> print(sp.latex(se.inv(A) @ b), "|", sp.latex(se.logdet(A)))
A^{-1} *_{(ij,j,i)} b | \\log\\left|\\det\\left(A\\right)\\right|
"""
from __future__ import annotations

from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.stringpict import prettyForm

from ..ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, MatrixFunction, Solve
from .slots import Slot

ATOM, FUNC, POW, MUL = (PRECEDENCE[k] for k in ("Atom", "Func", "Pow", "Mul"))


def _axis_text(expr) -> str:
    axes = getattr(expr, "axes", None)
    if axes is None or len(axes) == expr.args[0].rank:
        return ""
    return f"axis={axes[0]}" if len(axes) == 1 else f"axis={axes}"


def str_tree(expr: MatrixFunction) -> Slot:
    """``name(operands[, axis=...])``, the spelling of the builders and the parser.

    >>> import sympy_einstein as se
    >>> str(se.softmax(se.matrix("Z", 2, 3), axis=0))
    'softmax(Z, axis=0)'
    """
    def render(p):
        parts = [p._print(x) for x in expr.operands] + ([_axis_text(expr)] if _axis_text(expr) else [])
        return f"{expr.function_name}({', '.join(parts)})"
    return Slot(render, ATOM)  # a call binds like a name: inv(A).T


def pretty_tree(expr: MatrixFunction) -> Slot:
    """A function call laid out by the pretty printer: ``inv(A)``, ``logsumexp(Z, axis=1)``.

    >>> import sympy as sp, sympy_einstein as se
    >>> sp.pretty(se.inv(se.matrix("A", 2, 2)) @ se.vector("x", 2))
    'inv(A)⋅x'
    """
    def render(p):
        args = [p._print(x) for x in expr.operands]
        if _axis_text(expr):
            args.append(prettyForm(_axis_text(expr)))
        joined = args[0]
        for arg in args[1:]:
            joined = prettyForm(*joined.right(", ", arg))
        return prettyForm(*prettyForm(*joined.parens()).left(expr.function_name))
    return Slot(render, FUNC)


def latex_tree(expr: MatrixFunction, child) -> Slot:
    """Math notation; ``child(operand, printer, level)`` prints an operand, parenthesized below ``level``.

    >>> import sympy as sp, sympy_einstein as se
    >>> A, B = se.matrix("A", 2, 2), se.matrix("B", 2, 2)
    >>> print(sp.latex(se.inv(A @ B)), "|", sp.latex(se.adj(A)))
    \\left(A *_{(ij,jk,ik)} B\\right)^{-1} | \\operatorname{adj}\\left(A\\right)
    """
    a = expr.args[0]
    if isinstance(expr, Inverse):
        return Slot(lambda p: child(a, p, FUNC) + "^{-1}", POW)
    if isinstance(expr, Solve):
        return Slot(lambda p: child(a, p, FUNC) + "^{-1} " + child(expr.rhs, p, MUL), MUL)
    if isinstance(expr, Determinant):
        return Slot(lambda p: r"\det\left(" + p._print(a) + r"\right)", FUNC)
    if isinstance(expr, LogDeterminant):
        return Slot(lambda p: r"\log\left|\det\left(" + p._print(a) + r"\right)\right|", FUNC)
    name = r"\operatorname{adj}" if isinstance(expr, Adjugate) else r"\operatorname{" + expr.function_name + "}"
    axis = _axis_text(expr)
    subscript = r"_{\mathrm{" + axis.replace("axis=", "axis}=") + "}" if axis else ""
    return Slot(lambda p: name + subscript + r"\left(" + p._print(a) + r"\right)", FUNC)

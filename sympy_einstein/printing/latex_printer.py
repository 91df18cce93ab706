"""LaTeX in the paper's notation: ``A *_{(ij,j,i)} x`` for products, with a dispatch by notation.

A binary product shows the index strings of its operands and its output in the subscript of the
star; other products list their operands, ``*_{(ij,jk,kl,il)}\\left(A, B, C\\right)``. Letters are
renamed ``i, j, k, l, p, q, ...`` per product (in order of first occurrence), and an empty index
string prints as ``\\emptyset``.
Transposes print as ``A^{\\top}``; traces, diagonals and sums of all entries by name; the unit
tensor as ``\\mathbb{1}_{(ijij)}``; elementwise functions through SymPy's LaTeX printer.

>>> import sympy as sp, sympy_einstein as se
>>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
>>> sp.latex(A @ x)
'A *_{(ij,j,i)} x'
>>> latex(2 * A.T, notation="einstein")
'2 A^{\\\\top}'
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from ..errors import EinsteinError
from ..ir.indices import rename, unique
from ..ir.linalg import MatrixFunction
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from . import linalg
from .forms import Form, classify, signed_terms
from .matrix_latex import MatrixLatexMixin
from .slots import Slot, scaled
from .strings import elementwise_tree, scalar_precedence

ATOM, FUNC, POW, MUL, ADD = (PRECEDENCE[k] for k in ("Atom", "Func", "Pow", "Mul", "Add"))
#: index letters for display, in the order products use them (m, n, x, y, z are left for names)
DISPLAY_LETTERS = "ijklpqrstuvwabcdefgho"


class EinsteinLatexPrinter(MatrixLatexMixin, LatexPrinter):
    """SymPy's LaTeX printer with one more setting: ``notation`` (a key of :data:`NOTATIONS`), and the
    package's matrix notation for SymPy matrix expressions (:mod:`.matrix_latex`)."""

    _default_settings = {**LatexPrinter._default_settings, "notation": "einstein"}


def latex_form(expr, printer) -> str:
    """The LaTeX of a tensor expression in the notation the printer asks for (``einstein`` for
    SymPy's own printer).

    >>> import sympy as sp, sympy_einstein as se
    >>> sp.latex(se.trace(se.matrix("A", 2, 2)))
    '\\\\operatorname{tr}\\\\left(A\\\\right)'
    """
    notation = getattr(printer, "_settings", {}).get("notation", "einstein")
    return NOTATIONS[notation](expr, printer)


def latex(expr, notation: str = "einstein", **settings) -> str:
    """LaTeX of a tensor expression (or any SymPy object containing them).

    ``notation`` is ``"einstein"`` (the paper's products, the default) or ``"index"`` (entries
    with Einstein's summation convention); other keyword arguments are settings of
    ``sympy.latex``.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> print(latex(A @ x), "|", latex(A @ x, notation="index"))
    A *_{(ij,j,i)} x | \\left[A_{ij} x_{j}\\right]_{i}
    >>> latex(x, notation="tensor")
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.EinsteinError: unknown LaTeX notation 'tensor'; use one of 'einstein', 'index'
    """
    if notation not in NOTATIONS:
        allowed = ", ".join(repr(name) for name in NOTATIONS)
        raise EinsteinError(f"unknown LaTeX notation {notation!r}; use one of {allowed}")
    return EinsteinLatexPrinter({**settings, "notation": notation}).doprint(expr)


def symbol_latex(name: str, printer) -> str:
    """The LaTeX of a tensor's name, grouped so that indices can be attached.

    >>> symbol_latex("W1", LatexPrinter()), symbol_latex("alpha", LatexPrinter())
    ('{W_{1}}', '\\\\alpha')
    """
    text = printer._print(sp.Symbol(name))
    return "{" + text + "}" if "_" in text or "^" in text else text


def scaled_latex(coeff, render, precedence: int):
    """``coeff * piece`` as a SymPy tree for the LaTeX printer (which drops the parentheses of
    ``-(a + b)`` when the sum hides in a slot, so ``-1`` is written out here).

    >>> LatexPrinter().doprint(scaled_latex(sp.Integer(-1), lambda p: "A + B", ADD))
    '- \\\\left(A + B\\\\right)'
    """
    if coeff == -1:
        inner = (lambda p: r"\left(" + render(p) + r"\right)") if precedence <= ADD else render
        return Slot(lambda p: "- " + inner(p), ADD)
    return scaled(coeff, render, precedence)


def einstein_form(expr, printer) -> str:
    """The paper's notation (the ``einstein`` entry of :data:`NOTATIONS`).

    >>> import sympy_einstein as se
    >>> A, B, C = (se.matrix(name, 2, 2) for name in "ABC")
    >>> print(einstein_form(se.einsum("ij,jk,kl->il", A, B, C), LatexPrinter()))
    *_{(ij,jk,kl,il)}\\left(A, B, C\\right)
    """
    return printer._print(_scalar_tree(expr))


@lru_cache(maxsize=4096)
def latex_precedence(expr) -> int:
    """The precedence of the einstein-notation LaTeX of a tensor expression.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 2)
    >>> latex_precedence(A) > latex_precedence(A.T) > latex_precedence(A @ A) > latex_precedence(A + A)
    True
    """
    return scalar_precedence(_scalar_tree(expr))


def _scalar_tree(expr):
    if isinstance(expr, TensorSymbol):
        return Slot(lambda p: symbol_latex(expr.name, p), ATOM)
    if isinstance(expr, ZeroTensor):
        return Slot(lambda p: _zero(expr.shape, p), ATOM)
    if isinstance(expr, TensorAdd):
        return Slot(lambda p: join_terms(expr, p, lambda term: (p._print(term), latex_precedence(term))), ADD)
    if isinstance(expr, Elementwise):
        return elementwise_tree(expr, latex_precedence)
    if isinstance(expr, EinsteinProduct):
        form = classify(expr)
        render, precedence = _product(form)
        return scaled_latex(form.coefficient, render, precedence)
    if isinstance(expr, MatrixFunction):
        return linalg.latex_tree(expr, _child)
    raise TypeError(f"cannot print {type(expr).__name__}")


def _zero(shape, printer) -> str:
    if not shape:
        return "0"
    return r"\mathbb{0}_{" + r" \times ".join(printer._print(s) for s in shape) + "}"


def _child(operand, printer, level: int = MUL, strict: bool = False) -> str:
    text, precedence = printer._print(operand), latex_precedence(operand)
    weaker = precedence < level or (not strict and precedence <= level)
    return r"\left(" + text + r"\right)" if weaker else text


def _subscript(form: Form) -> str:
    """``(ij,j,i)``: the operands' index strings and the output, letters renamed for display."""
    display = display_renaming(form.inputs, form.output)
    strings = [rename(s, display) or r"\emptyset" for s in (*form.inputs, form.output)]
    return "(" + ",".join(strings) + ")"


def display_renaming(inputs, output: str) -> dict[str, str]:
    """Letters renamed ``i, j, k, l, p, ...`` in order of first occurrence, operands first.

    >>> display_renaming(("ab", "bc"), "ac")
    {'a': 'i', 'b': 'j', 'c': 'k'}
    """
    order = unique("".join(inputs) + output)
    if len(order) > len(DISPLAY_LETTERS):
        return {c: c for c in order}
    return dict(zip(order, DISPLAY_LETTERS, strict=False))


def _product(form: Form):
    ops, kind = form.operands, form.kind
    if kind == "identity":
        return (lambda p: p._print(ops[0])), latex_precedence(ops[0])
    if kind == "transpose":
        return (lambda p: _child(ops[0], p, FUNC) + r"^{\top}"), FUNC
    if kind in ("trace", "diag") or (kind == "sum" and form.axes is None):
        name = {"trace": r"\operatorname{tr}", "diag": r"\operatorname{diag}", "sum": r"\operatorname{sum}"}[kind]
        return (lambda p: name + r"\left(" + p._print(ops[0]) + r"\right)"), FUNC
    if not ops:
        return (lambda p: r"\mathbb{1}_{" + _subscript(form) + "}"), ATOM
    if len(ops) == 2:
        return (lambda p: f"{_child(ops[0], p)} *_{{{_subscript(form)}}} {_child(ops[1], p)}"), MUL
    return (lambda p: f"*_{{{_subscript(form)}}}" + r"\left(" + ", ".join(p._print(x) for x in ops)
            + r"\right)"), FUNC


def join_terms(expr: TensorAdd, printer, render) -> str:
    """The terms of a sum joined by ``+`` and ``-``; ``render(term)`` gives ``(latex, precedence)``
    of a tensor term (shared with the index notation).

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 2), se.vector("y", 2)
    >>> join_terms(x - 2 * y, LatexPrinter(), lambda t: (LatexPrinter().doprint(t), ATOM))
    'x - 2 y'
    """
    pieces = []
    for k, (negative, term) in enumerate(signed_terms(expr, operands=False)):
        if isinstance(term, TensorExpr):
            text, precedence = render(term)
        else:
            text, precedence = printer._print(term), scalar_precedence(term)
        if precedence < ADD or (negative and precedence <= ADD):
            text = r"\left(" + text + r"\right)"
        pieces.append(("- " if k == 0 else " - ") if negative else ("" if k == 0 else " + "))
        pieces.append(text)
    return "".join(pieces)


#: LaTeX notations by name: ``notation -> form(expr, printer)``; the extension point for new ones
NOTATIONS: dict[str, Callable] = {"einstein": einstein_form}

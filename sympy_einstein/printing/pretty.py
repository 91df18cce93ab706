"""Unicode (and ASCII) pretty printing: the structure of ``str`` drawn with SymPy's ``prettyForm``.

Matrix products print as ``A⋅x``, Hadamard products as ``x⊙y``, transposes as ``Aᵀ``, outer
products as ``x⊗y``; a general product as ``einsum`` with its spec written below the name.
Elementwise bodies are laid out by SymPy (fractions, powers) with the operands substituted.

>>> import sympy as sp, sympy_einstein as se
>>> X, w, y = se.matrix("X", 3, 2), se.vector("w", 2), se.vector("y", 3)
>>> print(sp.pretty(se.sum(se.log(1 + se.exp(-y * (X @ w))))))
   ⎛   ⎛     -y⊙(X⋅w)⎞⎞
sum⎝log⎝1 + ℯ        ⎠⎠
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.pretty_symbology import xsym
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from ..ir.linalg import MatrixFunction
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from . import linalg
from .forms import Form, classify, signed_terms
from .pretty_layout import hadamard_tree
from .slots import Slot, scaled
from .strings import elementwise_tree, scalar_precedence

ATOM, FUNC, POW, MUL, ADD = (PRECEDENCE[k] for k in ("Atom", "Func", "Pow", "Mul", "Add"))
#: (unicode, ascii) symbols of the binary products
_SYMBOLS = {"hadamard": ("⊙", "*"), "outer": ("⊗", "(x)"), "transpose": ("ᵀ", ".T"), "arrow": ("→", "->")}


def pretty_form(expr, printer) -> prettyForm:
    """The ``prettyForm`` of a tensor expression; nested parts are printed through ``printer``.

    >>> import sympy as sp, sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 2), se.vector("x", 2)
    >>> sp.pretty(2 * A.T @ x - x)
    '2⋅Aᵀ⋅x - x'
    """
    return printer._print(_scalar_tree(expr))


@lru_cache(maxsize=4096)
def pretty_precedence(expr) -> int:
    """The SymPy precedence of the pretty form of a tensor expression.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 2)
    >>> pretty_precedence(A) > pretty_precedence(A.T) > pretty_precedence(A @ A)
    True
    """
    return scalar_precedence(_scalar_tree(expr))


def _scalar_tree(expr):
    if isinstance(expr, TensorSymbol):
        return Slot(lambda p: p._print(sp.Symbol(expr.name)), ATOM)
    if isinstance(expr, ZeroTensor):
        return Slot(lambda p: _call("zeros", p, *(p._print(s) for s in expr.shape)), FUNC)
    if isinstance(expr, TensorAdd):
        return Slot(lambda p: _add(expr, p), ADD)
    if isinstance(expr, Elementwise):  # entrywise products of tensors as ⊙, as outside bodies
        tree = elementwise_tree(expr, pretty_precedence)
        return hadamard_tree(tree) if expr.rank else tree
    if isinstance(expr, EinsteinProduct):
        form = classify(expr)
        render, precedence = _product(form)
        return scaled(form.coefficient, render, precedence)
    if isinstance(expr, MatrixFunction):
        return linalg.pretty_tree(expr)
    raise TypeError(f"cannot print {type(expr).__name__}")


def _symbol(printer, name: str) -> str:
    fancy, plain = _SYMBOLS[name]
    return fancy if printer._use_unicode else plain


def _child(operand, printer, level: int = MUL, strict: bool = False) -> prettyForm:
    form, precedence = printer._print(operand), pretty_precedence(operand)
    if precedence < level or (not strict and precedence <= level):
        return prettyForm(*form.parens())
    return form


def _join(forms, separator: str) -> stringPict:
    result = forms[0]
    for form in forms[1:]:
        result = prettyForm(*result.right(separator, form))
    return result


def _call(name: str, printer, *args) -> prettyForm:
    if not args:
        return prettyForm(name + "()")
    arguments = prettyForm(*_join(list(args), ", ").parens())
    return prettyForm(*arguments.left(name))


def _product(form: Form):
    ops, kind = form.operands, form.kind
    if kind == "identity":
        return (lambda p: p._print(ops[0])), pretty_precedence(ops[0])
    if kind == "matmul":
        left, right = form.pair
        chained = isinstance(left, EinsteinProduct) and classify(left).kind == "matmul"
        return (lambda p: _join([_child(left, p, strict=chained), _child(right, p)], xsym("*"))), MUL
    if kind in ("hadamard", "outer"):
        return (lambda p: _join([_child(x, p, strict=_same_kind(x, kind)) for x in ops],
                                _symbol(p, kind))), MUL
    if kind == "transpose":
        return (lambda p: _join([_child(ops[0], p, POW), prettyForm(_symbol(p, "transpose"))], "")), POW
    calls = {
        "ones": lambda p: _call("ones", p, *(p._print(s) for s in form.sizes)),
        "sum": lambda p: _call("sum", p, p._print(ops[0]), *_axis_arg(form.axes)),
        "trace": lambda p: _call("tr", p, p._print(ops[0])),
        "diag": lambda p: _call("diag", p, p._print(ops[0])),
        "permute": lambda p: _call("transpose", p, p._print(ops[0]), prettyForm(str(form.axes))),
    }
    return calls.get(kind, lambda p: _einsum(form, p)), FUNC


def _same_kind(operand, kind: str) -> bool:
    return isinstance(operand, EinsteinProduct) and classify(operand).kind == kind


def _axis_arg(axes):
    if axes is None:
        return []
    return [prettyForm(f"axis={axes[0]}" if len(axes) == 1 else f"axis={axes}")]


def _einsum(form: Form, printer) -> prettyForm:
    """``einsum(A, x)`` with the spec below the name; broadcast sizes as ``sizes=(m, n)``."""
    spec = form.spec.replace("->", _symbol(printer, "arrow"))
    head = stringPict("einsum" + " " * len(spec) + "\n" + " " * len("einsum") + spec, 0)
    args = [printer._print(x) for x in form.operands]
    if form.sizes:
        args.append(prettyForm(*printer._print(sp.Tuple(*form.sizes)).left("sizes=")))
    return prettyForm(*head.right(prettyForm(*_join(args, ", ").parens())))


def _add(expr: TensorAdd, printer) -> prettyForm:
    pieces = []
    for k, (negative, term) in enumerate(signed_terms(expr)):
        form = printer._print(term)
        precedence = pretty_precedence(term) if isinstance(term, TensorExpr) else scalar_precedence(term)
        if precedence < ADD or (negative and precedence <= ADD):
            form = prettyForm(*form.parens())
        if k or negative:
            pieces.append(("-" if k == 0 else " - ") if negative else " + ")
        pieces.append(form)
    return prettyForm(*stringPict.next(*pieces))

"""``str`` of tensor expressions: NumPy-like where that is unambiguous, ``einsum(...)`` otherwise.

>>> import sympy as sp, sympy_einstein as se
>>> n, m = sp.symbols("n m", integer=True, positive=True)
>>> X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
>>> print(se.sum(se.log(1 + se.exp(-y * (X @ w)))))
sum(log(1 + exp(-y*(X @ w))))
>>> print(se.einsum("ij,i->ij", X, y), 2 * X.T, se.zeros((m, n)))
einsum('ij,i->ij', X, y) 2*X.T zeros((m, n))
"""
from __future__ import annotations

from sympy.printing.precedence import PRECEDENCE

from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .forms import Form, classify, signed_terms
from .slots import Slot, scaled

ATOM, FUNC, MUL, ADD = PRECEDENCE["Atom"], PRECEDENCE["Func"], PRECEDENCE["Mul"], PRECEDENCE["Add"]


def str_form(expr, printer) -> str:
    """The ``str`` of a tensor expression; nested parts are printed through ``printer``.

    >>> import sympy_einstein as se
    >>> A, B = se.matrix("A", 2, 2), se.matrix("B", 2, 2)
    >>> str(A - 2 * B @ A)
    'A - 2*(B @ A)'
    """
    return printer._print(_scalar_tree(expr, printer))


def str_precedence(expr) -> int:
    """The SymPy precedence of the ``str`` of a tensor expression (where it needs parentheses).

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> str_precedence(x) > str_precedence(x * x) > str_precedence(x + x)
    True
    """
    return scalar_precedence(_scalar_tree(expr, None))


def scalar_precedence(tree) -> int:
    """SymPy's precedence of a scalar tree, with ``1/a`` counted as a product (as it prints).

    >>> import sympy as sp
    >>> scalar_precedence(1 / sp.Symbol("a")) == MUL
    True
    """
    from sympy.printing.precedence import precedence
    if tree.is_Pow and tree.exp.is_negative:
        return MUL
    return precedence(tree)


def _scalar_tree(expr, printer):
    """A SymPy scalar tree with slots for the tensor parts, which SymPy's printer lays out."""
    if isinstance(expr, TensorSymbol):
        return Slot(lambda p: expr.name, ATOM)
    if isinstance(expr, ZeroTensor):
        return Slot(lambda p: f"zeros({_shape(expr.shape, p)})", FUNC)
    if isinstance(expr, TensorAdd):
        return Slot(lambda p: _add(expr, p), ADD)
    if isinstance(expr, Elementwise):
        return elementwise_tree(expr)
    if isinstance(expr, EinsteinProduct):
        form = classify(expr)
        render, precedence = _product(form)
        return scaled(form.coeff, render, precedence)
    raise TypeError(f"cannot print {type(expr).__name__}")


def elementwise_tree(expr: Elementwise, precedence_of=None):
    """The body of the elementwise function with a slot per operand (printed via the printer).

    >>> import sympy_einstein as se
    >>> str(se.sigmoid(se.vector("z", 3)))
    'sigmoid(z)'
    """
    precedence_of = precedence_of or str_precedence
    slots = {v: _operand_slot(x, precedence_of) for v, x in
             zip(expr.function.variables, expr.operands, strict=True)}
    return expr.function.expr.xreplace(slots)


def _operand_slot(operand, precedence_of):
    return Slot(lambda p: p._print(operand), precedence_of(operand), last=False)


def _shape(shape, printer) -> str:
    inner = ", ".join(printer._print(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _child(operand, printer, level: int = MUL, strict: bool = False) -> str:
    """An operand printed through ``printer``, in parentheses when it binds weaker than ``level``
    (or as weak, unless ``strict``), as SymPy's ``parenthesize``."""
    text, precedence = printer._print(operand), str_precedence(operand)
    return f"({text})" if precedence < level or (not strict and precedence <= level) else text


def _product(form: Form):
    """``(render, precedence)`` of the unscaled product of ``form``."""
    ops, kind = form.operands, form.kind
    if kind == "identity":
        return (lambda p: p._print(ops[0])), str_precedence(ops[0])
    if kind == "matmul":
        chained = isinstance(ops[0], EinsteinProduct) and classify(ops[0]).kind == "matmul"
        return (lambda p: f"{_child(ops[0], p, strict=chained)} @ {_child(ops[1], p)}"), MUL
    if kind == "hadamard":
        return (lambda p: "*".join(_hadamard_factor(x, p) for x in ops)), MUL
    if kind == "transpose":
        return (lambda p: _child(ops[0], p, FUNC) + ".T"), FUNC
    calls = {
        "ones": lambda p: f"ones({_shape(form.sizes, p)})",
        "sum": lambda p: f"sum({p._print(ops[0])}{_axis_arg(form.axes)})",
        "trace": lambda p: f"trace({p._print(ops[0])})",
        "diag": lambda p: f"diag({p._print(ops[0])})",
        "outer": lambda p: f"outer({p._print(ops[0])}, {p._print(ops[1])})",
        "permute": lambda p: f"transpose({p._print(ops[0])}, {form.axes})",
    }
    return calls.get(kind, lambda p: _einsum(form, p)), FUNC


def _hadamard_factor(operand, printer) -> str:
    nested = isinstance(operand, EinsteinProduct) and classify(operand).kind == "hadamard"
    return _child(operand, printer, strict=nested)


def _axis_arg(axes) -> str:
    if axes is None:
        return ""
    return f", axis={axes[0]}" if len(axes) == 1 else f", axis={axes}"


def _einsum(form: Form, printer) -> str:
    parts = [repr(form.spec)] + [printer._print(x) for x in form.operands]
    if form.sizes:
        parts.append("sizes=" + _shape(form.sizes, printer))
    return "einsum(" + ", ".join(parts) + ")"


def _add(expr: TensorAdd, printer) -> str:
    pieces = []
    for k, (negative, term) in enumerate(signed_terms(expr)):
        if isinstance(term, TensorExpr):
            text = _child(term, printer, ADD, strict=not negative)
        else:
            text = printer.parenthesize(term, ADD, strict=not negative)
        pieces.append(("-" if k == 0 else " - ") if negative else ("" if k == 0 else " + "))
        pieces.append(text)
    return "".join(pieces)

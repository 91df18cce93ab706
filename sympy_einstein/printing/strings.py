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

from functools import lru_cache

from sympy import evaluate
from sympy.printing.precedence import PRECEDENCE

from ..ir.linalg import MatrixFunction
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from . import linalg
from .forms import Form, classify, signed_terms
from .slots import Slot, parenthesized, scaled

ATOM, FUNC, MUL, ADD = PRECEDENCE["Atom"], PRECEDENCE["Func"], PRECEDENCE["Mul"], PRECEDENCE["Add"]
#: a Hadamard product binds like ``*`` among scalar factors (``2*x*y``) but is parenthesized in ``@``
HADAMARD = MUL + 1


def str_form(expr, printer) -> str:
    """The ``str`` of a tensor expression; nested parts are printed through ``printer``.

    >>> import sympy_einstein as se
    >>> A, B = se.matrix("A", 2, 2), se.matrix("B", 2, 2)
    >>> str(A - 2 * B @ A)
    'A - 2*(B @ A)'
    """
    return printer._print(_scalar_tree(expr, printer))


@lru_cache(maxsize=4096)
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
        return scaled(form.coefficient, render, precedence)
    if isinstance(expr, MatrixFunction):
        return linalg.str_tree(expr)
    raise TypeError(f"cannot print {type(expr).__name__}")


def elementwise_tree(expr: Elementwise, precedence_of=None):
    """The body of the elementwise function with a slot per operand (printed via the printer).

    An operand that prints as a product is parenthesized where it is a factor (or a denominator)
    in the body: SymPy omits those parentheses in a negative product, and ``-y*X @ w`` misreads.

    >>> import sympy_einstein as se
    >>> X, w, y = se.matrix("X", 3, 2), se.vector("w", 2), se.vector("y", 3)
    >>> str(se.sigmoid(X @ w)), str(se.elementwise(lambda s, t: -s * t, y, X @ w))
    ('sigmoid(X @ w)', '-y*(X @ w)')
    """
    precedence_of = precedence_of or str_precedence
    plain, wrapped = {}, {}
    for variable, operand in zip(expr.function.variables, expr.operands, strict=True):
        precedence = precedence_of(operand)
        plain[variable] = Slot(lambda p, x=operand: p._print(x), precedence, last=False)
        if ADD < precedence <= MUL:
            wrapped[variable] = Slot(lambda p, x=operand: parenthesized(p, p._print(x)), ATOM, last=False)
    with evaluate(False):  # the body is already evaluated; evaluating it again can be exponential (tanh(tanh(...)))
        return _substitute(expr.function.expr, plain, wrapped)


def _substitute(body, plain, wrapped):
    """Put slots for the variables: ``wrapped`` ones where a variable is a factor or the base of a
    negative power."""
    if body in plain:
        return plain[body]
    if not body.args:
        return body
    tight = body.args if body.is_Mul else body.args[:1] if body.is_Pow and body.exp.is_negative else ()
    return body.func(*(wrapped.get(arg) or plain[arg] if arg in tight and arg in plain
                       else _substitute(arg, plain, wrapped) for arg in body.args))


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
        left, right = form.pair
        chained = isinstance(left, EinsteinProduct) and classify(left).kind == "matmul"
        return (lambda p: f"{p._print(left) if chained else _child(left, p, HADAMARD)} @ "
                          f"{_child(right, p, HADAMARD)}"), MUL
    if kind == "hadamard":
        return (lambda p: "*".join(_hadamard_factor(x, p) for x in ops)), HADAMARD
    if kind == "transpose":
        return (lambda p: _child(ops[0], p, FUNC) + ".T"), FUNC
    if len(form.output) == 2 and form.output[0] == form.output[1] and not any(form.inputs):  # s*eye(n)
        return (lambda p: "*".join([_child(x, p) for x in ops] + [f"eye({p._print(form.sizes[0])})"])), (
            MUL if ops else FUNC)
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

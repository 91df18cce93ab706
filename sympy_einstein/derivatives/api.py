"""What users call: diff (SymPy's conventions), derivative, gradient, jacobian, hessian, hvp, jvp, vjp.

Layout: the derivative of an expression of shape S by X has shape ``S + X.shape`` (as ``jax.jacobian``);
``diff(f, X, Y)`` is the derivative by X, then by Y, of shape ``S + X.shape + Y.shape``.
Every result is simplified unless ``simplify=False``.
"""
from __future__ import annotations

import sympy as sp

from ..build import as_operand
from ..errors import DifferentiationError, ShapeError
from ..ir.nodes import TensorExpr, TensorSymbol, ZeroTensor, _label
from ..ir.shapes import format_shape
from .forward import Direction, forward
from .graph import unit_tensor
from .linalg import stabilized, symmetric_result
from .reverse import reverse

MODES = ("auto", "forward", "reverse")


def derivative(expr, wrt, mode: str = "auto", simplify: bool = True) -> TensorExpr:
    """The derivative of ``expr`` by the tensor symbol ``wrt`` (X), shape ``expr.shape + X.shape``.

    ``mode`` is ``"forward"``, ``"reverse"`` or ``"auto"`` (see :func:`choose_mode`); both modes give
    the same tensor.

    >>> import sympy as sp, sympy_einstein as se
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> A, x = se.matrix("A", n, n), se.vector("x", n)
    >>> derivative(se.tanh(A @ x), x).shape
    (n, n)
    >>> zero = derivative(A @ x, se.vector("y", n), mode="reverse")
    >>> isinstance(zero, se.ZeroTensor), zero.shape
    (True, (n, n))
    """
    expr, wrt = stabilized(_as_expression(expr)), _as_variable(wrt)
    mode = choose_mode(_shape(expr), wrt.shape) if _checked_mode(mode) == "auto" else mode
    if not isinstance(expr, TensorExpr):
        return ZeroTensor(wrt.shape)
    if mode == "forward":
        result = forward(expr, Direction(wrt, unit_tensor(wrt.shape), wrt.shape))
    else:
        result = reverse(expr, wrt, unit_tensor(expr.shape), expr.shape)
    return symmetric_result(result, wrt, _simplifier(simplify))


def choose_mode(out_shape, in_shape) -> str:
    """``"reverse"`` for a scalar output or fewer outputs than inputs, else ``"forward"``.

    Sizes compare by their number of symbolic factors first (every symbolic size counts as one equal,
    large size), then by the product of the numeric sizes.

    >>> import sympy as sp
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> choose_mode((), (n,)), choose_mode((3,), (n,)), choose_mode((n, n), (n,)), choose_mode((n,), (n,))
    ('reverse', 'reverse', 'forward', 'forward')
    """
    if not tuple(out_shape):
        return "reverse"
    return "reverse" if _cost(out_shape) < _cost(in_shape) else "forward"


def _cost(shape) -> tuple:
    numeric = [int(s) for s in shape if sp.sympify(s).is_Integer]
    return len(shape) - len(numeric), sp.prod(numeric)


def jvp(expr, wrt, v, simplify: bool = True) -> TensorExpr:
    """The directional derivative ``d expr(X + eps v) / d eps`` at 0 (X = ``wrt``), shape ``expr.shape``
    (forward mode).

    >>> import sympy_einstein as se
    >>> A, x, v = se.matrix("A", 2, 3), se.vector("x", 3), se.vector("v", 3)
    >>> jvp(A @ x, x, v) == se.simplify(A @ v)
    True
    """
    expr, wrt = stabilized(_as_expression(expr)), _as_variable(wrt)
    v = _as_direction(v, wrt)
    if not isinstance(expr, TensorExpr):
        return ZeroTensor(())
    return _simplified(forward(expr, Direction(wrt, v, ())), simplify)


def vjp(expr, wrt, cotangent, simplify: bool = True) -> TensorExpr:
    """``sum(cotangent * d expr / dX)`` over the axes of ``expr`` (X = ``wrt``), shape ``X.shape``
    (reverse mode).

    >>> import sympy_einstein as se
    >>> A, x, c = se.matrix("A", 2, 3), se.vector("x", 3), se.vector("c", 2)
    >>> vjp(A @ x, x, c) == se.simplify(c @ A)
    True
    """
    expr, wrt = stabilized(_as_expression(expr)), _as_variable(wrt)
    cotangent = _as_direction(cotangent, expr if isinstance(expr, TensorExpr) else ZeroTensor(()), "cotangent")
    if not isinstance(expr, TensorExpr):
        return ZeroTensor(wrt.shape)
    return symmetric_result(reverse(expr, wrt, cotangent, ()), wrt, _simplifier(simplify))


def gradient(f, wrt, simplify: bool = True) -> TensorExpr:
    """The gradient of an order-0 expression ``f`` by ``wrt`` (reverse mode), shape ``wrt.shape``.

    >>> import numpy as np, sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> g = gradient(se.sum(se.exp(x)), x)
    >>> g.shape, np.allclose(se.evaluate(g, {x: [0.0, 1.0, 2.0]}), np.exp([0.0, 1.0, 2.0]))
    ((3,), True)
    """
    f = _as_expression(f)
    if _shape(f):
        raise ShapeError(f"gradient needs an order-0 expression, not {_label(f)} of shape "
                         f"{format_shape(_shape(f))}: use jacobian or derivative")
    return derivative(f, wrt, mode="reverse", simplify=simplify)


def jacobian(expr, wrt, mode: str = "auto", simplify: bool = True) -> TensorExpr:
    """The Jacobian of ``expr`` by ``wrt``, shape ``expr.shape + wrt.shape`` (mode chosen from the shapes).

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 4, 3), se.vector("x", 3)
    >>> jacobian(se.tanh(A @ x), x).shape
    (4, 3)
    """
    return derivative(expr, wrt, mode=mode, simplify=simplify)


def hessian(f, wrt, simplify: bool = True):
    """The Hessian of an order-0 ``f`` (forward over reverse), shape ``wrt.shape + wrt.shape``.

    For a list of variables ``wrt``, a tuple of tuples of blocks ``H[i][j] = d^2 f / dX_i dX_j``.

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 3), se.vector("y", 2)
    >>> hessian(se.sum(se.exp(x)), x).shape
    (3, 3)
    >>> [[block.shape for block in row] for row in hessian(se.sum(se.exp(x)) * se.sum(y), [x, y])]
    [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    """
    if isinstance(wrt, (list, tuple)):
        grads = [gradient(f, wrt_i, simplify) for wrt_i in wrt]
        return tuple(tuple(derivative(g, wrt_j, "forward", simplify) for wrt_j in wrt) for g in grads)
    return derivative(gradient(f, wrt, simplify), wrt, "forward", simplify)


def hvp(f, wrt, v, simplify: bool = True) -> TensorExpr:
    """The Hessian-vector product ``H v`` of an order-0 ``f``: the directional derivative of the
    gradient along ``v`` (shape ``wrt.shape``) (forward over reverse), so the Hessian itself is never formed.

    >>> import sympy_einstein as se
    >>> A, x, v = se.matrix("A", 3, 3), se.vector("x", 3), se.vector("v", 3)
    >>> hvp(x @ A @ x, x, v).shape
    (3,)
    """
    return jvp(gradient(f, wrt, simplify), wrt, v, simplify)


def diff(expr, *symbols, simplify: bool = True, mode: str = "auto", evaluate: bool = True) -> TensorExpr:
    """``sympy.diff`` for tensor expressions: ``diff(f, X)``, ``diff(f, X, 2)``, ``diff(f, (X, 2))``,
    ``diff(f, X, Y)`` (by X, then by Y; shape ``f.shape + X.shape + Y.shape``).

    >>> import sympy as sp, sympy_einstein as se
    >>> x, y = se.vector("x", 3), se.vector("y", 2)
    >>> f = se.sum(se.exp(x)) * se.sum(y ** 2)
    >>> diff(f, x).shape, diff(f, x, 2).shape, diff(f, (x, 3)).shape, diff(f, x, y).shape
    ((3,), (3, 3), (3, 3, 3), (3, 2))
    >>> sp.diff(f, x, y) == diff(f, x, y)
    True
    """
    if not evaluate:
        raise DifferentiationError("unevaluated derivatives of tensor expressions are not supported")
    expr = _as_expression(expr)
    for wrt in _variables(expr, symbols):
        expr = derivative(expr, wrt, mode=mode, simplify=simplify)
    return expr


def _variables(expr, symbols) -> list:
    """SymPy's calling conventions -> the list of variables, each repeated by its count."""
    if not symbols:
        found = expr.atoms(TensorSymbol) if isinstance(expr, sp.Basic) else set()
        if len(found) != 1:
            raise DifferentiationError(
                f"name the variable to differentiate by: the expression has {len(found)} tensor symbols")
        return list(found)
    variables = []
    for item in symbols:
        if isinstance(item, (tuple, sp.Tuple)) and len(item) == 2:
            variables.extend([item[0]] * _count(item[1], item[0]))
        elif _is_count(item):
            if not variables:
                raise DifferentiationError(f"a count ({item}) must follow the variable it repeats")
            variables.extend([variables[-1]] * (_count(item, variables[-1]) - 1))
        else:
            variables.append(item)
    return variables


def _is_count(item) -> bool:
    return isinstance(item, int) or (isinstance(item, sp.Basic) and item.is_Integer is True)


def _count(count, variable) -> int:
    if not _is_count(count) or int(count) < 0:
        raise DifferentiationError(f"the count of {variable} must be a non-negative integer, not {count}")
    return int(count)


def _as_expression(expr):
    try:
        return as_operand(expr)
    except ShapeError as error:
        raise DifferentiationError(f"cannot differentiate {_label(expr)}: {error}") from None


def _as_variable(wrt) -> TensorSymbol:
    if isinstance(wrt, TensorSymbol):
        return wrt
    if isinstance(wrt, sp.Symbol):
        raise DifferentiationError(
            f"cannot differentiate with respect to {wrt}: it is a SymPy scalar symbol (a constant to "
            f"sympy_einstein); declare the variable as se.scalar('{wrt}') to differentiate by it")
    raise DifferentiationError(
        f"cannot differentiate with respect to {_label(wrt)}: only tensor symbols (se.tensor, se.matrix, "
        "se.vector, se.scalar) are variables")


def _as_direction(v, like, what: str = "direction"):
    v = as_operand(v)
    shape = v.shape if isinstance(v, TensorExpr) else ()
    if not isinstance(v, TensorExpr) or shape != like.shape:
        raise ShapeError(f"the {what} {_label(v)} (shape {format_shape(shape)}) must be a tensor expression "
                         f"of shape {format_shape(like.shape)}")
    return v


def _checked_mode(mode):
    if mode not in MODES:
        raise DifferentiationError(f"mode must be one of {MODES}, not {mode!r}")
    return mode


def _shape(expr) -> tuple:
    return expr.shape if isinstance(expr, TensorExpr) else ()


def _simplifier(simplify: bool):
    """The simplifier function, or None when derivatives stay raw."""
    if not simplify:
        return None
    from ..simplification import simplify as simplify_expr
    return simplify_expr


def _simplified(expr: TensorExpr, simplify: bool) -> TensorExpr:
    if not simplify:
        return expr
    try:
        from ..simplification import simplify as simplify_expr
    except ImportError:  # the simplifier is not installed yet: derivatives stay correct, not compact
        return expr
    return simplify_expr(expr)

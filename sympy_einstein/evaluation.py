"""Exact numeric evaluation of tensor expressions with NumPy: the reference every backend is checked against.

``evaluate(expr, bindings)`` binds arrays to tensor symbols (which also binds the size symbols of their
declared shapes), numbers to scalar symbols, and walks the expression once, sharing equal subtrees.
Einstein products go to ``numpy.einsum``; the three generalizations (diagonal read, diagonal write,
broadcast output index) are handled around it. Elementwise bodies are compiled with ``sympy.lambdify``
and the module map :data:`NUMPY_FUNCTIONS`.

>>> import numpy as np, sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> A, x = se.matrix("A", n, n), se.vector("x", n)
>>> evaluate(x @ A @ x, {A: np.eye(2), x: [1.0, 2.0]})
5.0
"""
from __future__ import annotations

import cmath
import functools

import numpy as np
import sympy as sp
from sympy.printing.codeprinter import CodePrinter
from sympy.printing.numpy import NumPyPrinter

from .errors import BindingError, EinsteinError
from .ir.indices import unique
from .ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .ir.shapes import format_shape
from .ir.walk import hash_bottom_up

# ---------------------------------------------------------------------------------------------
# scalar functions on arrays


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _relu(x):
    return np.maximum(x, 0.0)


def _heaviside(x, h0=0.5):
    return np.heaviside(x, h0)


def _dirac_delta(x, k=0):
    """Zero everywhere: the machine-learning convention for derivatives at a kink."""
    return np.zeros(np.shape(x))


def _maximum(*args):
    return functools.reduce(np.maximum, args)


def _minimum(*args):
    return functools.reduce(np.minimum, args)


NUMPY_FUNCTIONS = {
    "sigmoid": _sigmoid,
    "relu": _relu,
    "softplus": _softplus,
    "Heaviside": _heaviside,
    "DiracDelta": _dirac_delta,
    "Max": _maximum,
    "Min": _minimum,
    "log1p": np.log1p,
    "sign": np.sign,
    "Abs": np.abs,
}
"""Names in elementwise bodies -> NumPy callables that work on arrays and on 0-d values.

``relu`` is ``max(x, 0)``, ``Heaviside(x, h0)`` is ``numpy.heaviside`` (so ``relu'(0) = 0``),
``DiracDelta`` is 0 (as JAX and PyTorch treat kinks), ``Max``/``Min`` reduce with
``numpy.maximum``/``numpy.minimum`` (so arrays mix with scalars).

>>> import numpy as np
>>> NUMPY_FUNCTIONS["Max"](np.array([-1.0, 2.0]), 0.0)
array([0., 2.])
>>> float(NUMPY_FUNCTIONS["Heaviside"](0.0, 0))
0.0
"""


class _ElementwisePrinter(NumPyPrinter):
    """NumPy printer that calls :data:`NUMPY_FUNCTIONS` by name instead of SymPy's inline forms."""

    _print_Max = _print_Min = CodePrinter._print_Function  # noqa: N815 -- SymPy's printer method names
    _print_Heaviside = _print_DiracDelta = CodePrinter._print_Function  # noqa: N815
    _print_Abs = _print_sign = _print_log1p = CodePrinter._print_Function  # noqa: N815


def numpy_lambdify(variables, body):
    """``sympy.lambdify`` with the module map :data:`NUMPY_FUNCTIONS` (used by evaluation and codegen).

    >>> import sympy as sp
    >>> t = sp.Symbol("t", real=True)
    >>> f = numpy_lambdify([t], sp.Max(t, 0) + sp.Heaviside(t, 0))
    >>> f(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 3.])
    """
    printer = _ElementwisePrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                                   "user_functions": {name: name for name in NUMPY_FUNCTIONS}})
    with sp.evaluate(False):  # lambdify renames the variables: re-evaluating tanh(tanh(...)) can be exponential
        return sp.lambdify(list(variables), body, modules=[NUMPY_FUNCTIONS, "numpy"], printer=printer)


@functools.lru_cache(maxsize=4096)
def _compiled(function: sp.Lambda, constants: tuple):
    return numpy_lambdify(tuple(function.variables) + constants, function.expr)


# ---------------------------------------------------------------------------------------------
# bindings


def _as_array(symbol: TensorSymbol, value) -> np.ndarray:
    try:
        array = np.asarray(value)
        if array.dtype.kind != "c":
            array = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise BindingError(f"the value of {symbol.name} (shape {format_shape(symbol.shape)}) is not a numeric "
                           f"array: {error}") from None
    except OverflowError:
        raise BindingError(f"the value of {symbol.name} (shape {format_shape(symbol.shape)}) has an entry too "
                           "large for a 64-bit float") from None
    return array


def _shape_mismatch(symbol, array, detail: str) -> BindingError:
    return BindingError(f"{symbol.name} has declared shape {format_shape(symbol.shape)} but its array has "
                        f"shape {format_shape(array.shape)}: {detail}")


def _bind_sizes(symbol: TensorSymbol, array: np.ndarray, values: dict, origins: dict) -> None:
    """Bind the size symbols of ``symbol``'s declared shape from the array's shape."""
    if array.ndim != symbol.rank:
        raise _shape_mismatch(symbol, array, f"order {array.ndim} instead of {symbol.rank}")
    for declared, actual in zip(symbol.shape, array.shape, strict=True):
        if declared.is_Symbol and declared not in values:
            values[declared] = sp.Integer(actual)
            origins[declared] = f"by the array of {symbol.name}"
    for axis, (declared, actual) in enumerate(zip(symbol.shape, array.shape, strict=True)):
        expected = declared.xreplace(values)
        if expected.is_Integer and expected != actual:
            where = "; ".join(f"{s} = {values[s]} {origins[s]}" for s in sorted(declared.free_symbols, key=str))
            raise _shape_mismatch(symbol, array, f"axis {axis} has size {actual}, not {expected}"
                                  + (f" ({where})" if where else ""))


def _as_size(symbol: sp.Symbol, value) -> sp.Integer:
    try:
        size = int(value)
        ok = not isinstance(value, bool | np.bool_) and size == value and size >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise BindingError(f"the size {symbol} must be bound to a positive integer, not {value!r}")
    return sp.Integer(size)


def _as_number(symbol: sp.Symbol, value) -> sp.Expr:
    try:
        number = sp.sympify(value.item() if isinstance(value, np.ndarray | np.generic) else value, strict=True)
    except (sp.SympifyError, TypeError, ValueError):
        number = None
    if not isinstance(number, sp.Expr) or not number.is_number:
        raise BindingError(f"the value of the scalar {symbol} must be a number, not {value!r}")
    if number.is_finite and not cmath.isfinite(_number_value(number)):
        raise BindingError(f"the value of the scalar {symbol} is too large for a 64-bit float: {_short(number)}")
    return number


def _read_bindings(bindings: dict) -> tuple[dict, dict]:
    """Split the mapping into tensor arrays and scalar values (sizes included), checking shapes."""
    arrays, values, origins = {}, {}, {}
    for key, value in bindings.items():
        if isinstance(key, TensorSymbol):
            arrays[key] = _as_array(key, value)
        elif isinstance(key, sp.Symbol) and key.is_integer and key.is_positive:
            values[key] = _as_size(key, value)
            origins[key] = "given directly"
        elif isinstance(key, sp.Symbol):
            values[key] = _as_number(key, value)
    for symbol, array in arrays.items():
        _bind_sizes(symbol, array, values, origins)
    return arrays, values


# ---------------------------------------------------------------------------------------------
# evaluation


def evaluate(expr, bindings=None):
    """The value of ``expr`` as a NumPy array (a float for an order-0 result).

    ``bindings`` maps tensor symbols to arrays (their declared sizes are bound from the array
    shapes), scalar symbols to numbers and, optionally, size symbols to integers. Entries that do not
    occur in ``expr`` are fine; a missing value or an array of the wrong shape is a
    :class:`~sympy_einstein.errors.BindingError`.

    >>> import numpy as np, sympy as sp, sympy_einstein as se
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> v = se.vector("v", n)
    >>> evaluate(se.einsum("i->ii", v), {v: [1, 2]})
    array([[1., 0.],
           [0., 2.]])
    >>> evaluate(se.zeros((n,)), {n: 3})
    array([0., 0., 0.])
    """
    from .build import as_operand
    expr = as_operand(expr)
    arrays, values = _read_bindings(dict(bindings or {}))
    if not isinstance(expr, TensorExpr):
        return _as_result(np.asarray(_scalar_value(expr, values, "the expression")))
    hash_bottom_up(expr)  # later hashes (memo, sets) then never recurse over the depth
    _check_all_bound(expr, arrays)
    return _as_result(_Evaluator(arrays, values).value(expr))


def distinct_subexpressions(expr: sp.Basic) -> list[sp.Basic]:
    """Every distinct subexpression once, parents before children (linear in the size of a DAG).

    ``expr.atoms()`` and ``sympy.preorder_traversal`` visit a shared subtree once per path to it,
    which is exponential for deep DAGs such as derivatives.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> len(distinct_subexpressions(se.TensorAdd(x, x)))
    5
    """
    seen, order, stack = set(), [], [expr]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            order.append(node)
            stack.extend(reversed(node.args))
    return order


def _check_all_bound(expr: TensorExpr, arrays: dict) -> None:
    symbols = {node for node in distinct_subexpressions(expr) if isinstance(node, TensorSymbol)}
    missing = sorted(symbols - arrays.keys(), key=lambda s: s.name)
    if missing:
        raise BindingError(f"no value given for {missing[0].name} (shape {format_shape(missing[0].shape)})")


def _as_result(array: np.ndarray):
    array = np.asarray(array)
    if array.ndim:
        return array
    return complex(array) if array.dtype.kind == "c" else float(array)


def _scalar_value(expr, values: dict, where):
    """A SymPy scalar (coefficient, size) as a Python number, with every symbol bound.

    ``where`` (a string, or a callable returning one) says where the scalar occurs, for the error.
    """
    number = sp.sympify(sp.sympify(expr).xreplace(values))
    missing = [s for s in number.free_symbols if s not in values]
    if missing:
        names = ", ".join(sorted(str(s) for s in missing))
        raise BindingError(f"no value given for {names} (in {where() if callable(where) else where})")
    return _number_value(number)


def _number_value(number: sp.Expr):
    """A SymPy number as a Python float (or complex); functions ``evalf`` does not know (``relu``,
    ``softplus``) are computed with :data:`NUMPY_FUNCTIONS`, as the generated code does."""
    number = sp.N(number)
    try:
        value = complex(number)
    except TypeError:
        with np.errstate(all="ignore"):
            value = complex(np.asarray(numpy_lambdify((), number)()).item())
    return value.real if value.imag == 0 else value


class _Evaluator:
    """One evaluation: the bound values and a memo of the nodes already computed."""

    def __init__(self, arrays: dict, values: dict):
        self.arrays, self.values, self.memo = arrays, values, {}

    def value(self, root: TensorExpr) -> np.ndarray:
        """The value of ``root``; children first, without recursion (derivative DAGs can be deep)."""
        stack = [root]
        while stack:
            node = stack[-1]
            if node in self.memo:
                stack.pop()
                continue
            pending = [a for a in node.args if isinstance(a, TensorExpr) and a not in self.memo]
            if pending:
                stack.extend(reversed(pending))
                continue
            self.memo[node] = _rule(node)(self, node)
            stack.pop()
        return self.memo[root]

    def shape(self, node: TensorExpr) -> tuple[int, ...]:
        return tuple(self.size(size, node) for size in node.shape)

    def size(self, size, node) -> int:
        number = sp.sympify(size).xreplace(self.values)
        if not number.is_Integer:
            missing = ", ".join(sorted(str(s) for s in number.free_symbols))
            raise BindingError(f"no value given for the size {missing} (in {_short(node)} of shape "
                               f"{format_shape(node.shape)}): bind it or an array of a symbol using it")
        return int(number)


def _rule(node: TensorExpr):
    """The evaluation rule of the node's class (or of its nearest base class that has one)."""
    for cls in type(node).__mro__:
        if cls in _RULES:
            return _RULES[cls]
    raise EinsteinError(f"cannot evaluate a {type(node).__name__}: no evaluation rule")


def _short(node) -> str:
    text = node.name if isinstance(node, TensorSymbol) else str(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _symbol(ev: _Evaluator, node: TensorSymbol) -> np.ndarray:
    if node not in ev.arrays:
        raise BindingError(f"no value given for {node.name} (shape {format_shape(node.shape)})")
    return ev.arrays[node]


def _zero(ev: _Evaluator, node: ZeroTensor) -> np.ndarray:
    return np.zeros(ev.shape(node))


def _add(ev: _Evaluator, node: TensorAdd) -> np.ndarray:
    return functools.reduce(np.add, (ev.value(term) for term in node.terms))


def _elementwise(ev: _Evaluator, node: Elementwise) -> np.ndarray:
    function = node.function
    constants = tuple(sorted(function.free_symbols, key=str))
    constant_values = [_scalar_value(c, ev.values, lambda: f"the function {function}") for c in constants]
    result = _compiled(function, constants)(*(ev.value(x) for x in node.operands), *constant_values)
    result = np.asarray(result)
    if result.dtype.kind != "c":
        result = result.astype(np.float64)
    return np.broadcast_to(result, ev.shape(node)).copy()


def _product(ev: _Evaluator, node: EinsteinProduct) -> np.ndarray:
    sizes = {c: ev.size(s, node) for c, s in node.index_sizes.items()}
    letters = unique(node.output)
    contracted = _contract(ev, node, letters)
    coeff = _scalar_value(node.coefficient, ev.values, lambda: f"the coefficient of {_short(node)}")
    compact = np.broadcast_to(contracted, tuple(sizes[c] for c in letters)) * coeff
    if len(letters) == len(node.output):
        return np.array(compact)
    return _write_diagonal(compact, letters, node.output, sizes)


def _contract(ev: _Evaluator, node: EinsteinProduct, letters: str) -> np.ndarray:
    """The einsum over the operands, with size-1 axes for output letters that occur in no operand."""
    in_operands = set("".join(node.inputs))
    kept = "".join(c for c in letters if c in in_operands)
    if node.operands:
        result = einsum_in_groups(list(node.inputs), kept, [ev.value(x) for x in node.operands])
    else:
        result = np.array(1.0)
    broadcast_axes = tuple(k for k, c in enumerate(letters) if c not in in_operands)
    return np.expand_dims(result, broadcast_axes)


def einsum_in_groups(inputs: list, output: str, operands: list, group: int = 16) -> np.ndarray:
    """``numpy.einsum`` of any number of operands (NumPy takes at most 32): ``group`` operands at a
    time are contracted into one, summing the letters no other operand nor the output has.

    >>> x = np.full(3, 2.0)
    >>> float(einsum_in_groups(["i"] * 40, "", [x] * 40))
    3298534883328.0
    """
    while len(operands) > group:
        rest = set(output) | set("".join(inputs[group:]))
        kept = "".join(dict.fromkeys(c for c in "".join(inputs[:group]) if c in rest))
        partial = np.einsum(",".join(inputs[:group]) + "->" + kept, *operands[:group], optimize=True)
        inputs, operands = [kept] + inputs[group:], [partial] + operands[group:]
    return np.einsum(",".join(inputs) + "->" + output, *operands, optimize=True)


def _write_diagonal(compact: np.ndarray, letters: str, output: str, sizes: dict) -> np.ndarray:
    """Zeros of the output shape with ``compact`` written on the diagonal of repeated letters."""
    result = np.zeros(tuple(sizes[c] for c in output), dtype=compact.dtype)
    np.einsum(output + "->" + letters, result)[...] = compact
    return result


_RULES = {
    TensorSymbol: _symbol,
    ZeroTensor: _zero,
    TensorAdd: _add,
    Elementwise: _elementwise,
    EinsteinProduct: _product,
}


from .evaluation_linalg import RULES as _LINALG_RULES  # noqa: E402 -- matrix functions: more entries of the table

_RULES.update(_LINALG_RULES)

"""Reading what the user gives to ``minimize``: objective, variables, constraints, data, start and bounds.

Everything is checked here, in plain Python and before anything is compiled or run, with messages that
name the symbol at fault. The result is a :class:`Problem` (symbolic, hashable: the key of the compiled
code) and a :class:`Instance` (the numbers of one call).

>>> import sympy_einstein as se
>>> problem = read_problem("sum((A*x - b).^2)", "x", ())
>>> [v.name for v in problem.variables], [p.name for p in problem.parameters]
(['x'], ['A', 'b'])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..build import as_operand
from ..errors import BindingError, EinsteinError, ShapeError
from ..ir.nodes import TensorExpr, TensorSymbol
from ..ir.shapes import format_shape

KINDS = ("eq", "ineq")


class OptimizeError(EinsteinError):
    """A problem ``minimize`` cannot set up: not a scalar objective, an unknown or missing name, a wrong
    shape, bounds or a method that do not fit.

    >>> import sympy_einstein as se
    >>> se.minimize("A*x", "x", {})
    Traceback (most recent call last):
    ...
    sympy_einstein.optimize.problem.OptimizeError: the objective must be a scalar (order 0), but A @ x has shape (m,)
    """


@dataclass(frozen=True)
class Problem:
    """``min objective`` over ``variables`` subject to ``constraints`` (pairs ``(kind, expr)``: ``"eq"``
    means ``expr == 0``, ``"ineq"`` means ``expr >= 0``, as in SciPy); ``parameters`` are the other
    symbols, sorted by name, bound to data at each call."""

    objective: TensorExpr
    variables: tuple
    parameters: tuple
    constraints: tuple

    @property
    def symbols(self) -> tuple:
        """The arguments of every generated function: variables, then parameters."""
        return self.variables + self.parameters


def _name(symbol) -> str:
    return symbol.name if isinstance(symbol, TensorSymbol) else str(symbol)


def _describe(symbol) -> str:
    if isinstance(symbol, TensorSymbol):
        return f"{symbol.name} (shape {format_shape(symbol.shape)})"
    return f"{symbol} (scalar)"


def _size_symbols(tensors) -> set:
    return {s for t in tensors for size in t.shape for s in sp.sympify(size).free_symbols}


def symbols_of(exprs) -> dict:
    """The tensor symbols and scalar SymPy symbols (not sizes) of ``exprs``, by name.

    >>> import sympy as sp, sympy_einstein as se
    >>> x, c = se.vector("x", 3), sp.Symbol("c")
    >>> symbols_of([c * se.sum(x)])
    {'c': c, 'x': x}
    """
    tensors = set().union(*(e.atoms(TensorSymbol) for e in exprs if isinstance(e, sp.Basic)))
    sizes = _size_symbols(tensors)
    scalars = set().union(*(e.free_symbols for e in exprs if isinstance(e, sp.Basic))) - tensors - sizes
    found = {}
    for symbol in sorted(tensors | {s for s in scalars if not isinstance(s, TensorExpr)}, key=_name):
        name = _name(symbol)
        if name in found:
            raise OptimizeError(f"two different symbols are named {name}: {_describe(found[name])} and "
                                f"{_describe(symbol)}")
        found[name] = symbol
    return found


def _objective(f, declared):
    from ..parsing import parse
    if isinstance(f, str):
        return parse(f, declared)
    try:
        return as_operand(f)
    except ShapeError as error:
        raise OptimizeError(f"the objective is not a tensor expression: {error}") from None


def _constraint(item, declared):
    from ..parsing import parse
    if not isinstance(item, dict) or set(item) != {"type", "fun"} or item["type"] not in KINDS:
        raise OptimizeError(f"a constraint is a dict {{'type': 'eq' or 'ineq', 'fun': expression}} "
                            f"(fun == 0 or fun >= 0), not {item!r}")
    fun = item["fun"]
    try:
        expr = parse(fun, declared) if isinstance(fun, str) else as_operand(fun)
    except ShapeError as error:
        raise OptimizeError(f"the constraint {fun!r} is not a tensor expression: {error}") from None
    if not isinstance(expr, TensorExpr):
        raise OptimizeError(f"the constraint {fun!r} does not depend on any variable")
    return item["type"], expr


ORDERS = {0: "scalar", 1: "vector", 2: "matrix"}


def declarations_for(arrays: dict, declarations=None) -> dict:
    """Declarations for parsing formulas: the order of each named array of order 0, 1 or 2 (so that
    ``"lam*(w'*w)"`` reads ``lam`` as a scalar when its data is a number), then ``declarations``
    (a string as in :func:`sympy_einstein.parse`) on top.

    >>> declarations_for({"X": np.ones((2, 3)), "lam": 0.5, "T": np.ones((2, 2, 2))}, "w: vector(n)")
    {'X': 'matrix', 'lam': 'scalar', 'w': 'vector(n)'}
    """
    declared = {k: ORDERS[np.ndim(v)] for k, v in arrays.items() if isinstance(k, str) and np.ndim(v) in ORDERS}
    if declarations is None:
        return declared
    if not isinstance(declarations, str):
        raise OptimizeError(f"declarations must be a string such as 'X: matrix(m, n); c: scalar', not "
                            f"{declarations!r}")
    for entry in declarations.replace("\n", ";").split(";"):
        name, colon, kind = entry.partition(":")
        if entry.strip() and not colon:
            raise OptimizeError(f"declaration {entry.strip()!r}: expected NAME: TYPE, e.g. 'X: matrix(m, n)'")
        if entry.strip():
            declared[name.strip()] = kind.strip()
    return declared


def read_problem(f, wrt, constraints, declared=None) -> Problem:
    """The symbolic problem: the objective parsed if it is a formula, the variables looked up by name.

    ``declared``: ``{name: type string}`` used when formulas are parsed (see :func:`declarations_for`)."""
    declared = dict(declared or {})
    objective = _objective(f, declared)
    shape = objective.shape if isinstance(objective, TensorExpr) else ()
    if shape:
        raise OptimizeError(f"the objective must be a scalar (order 0), but {objective} has shape "
                            f"{format_shape(shape)}")
    declared.update({k: v for k, v in symbols_of([objective]).items() if isinstance(v, TensorSymbol)})
    if isinstance(constraints, dict):
        constraints = [constraints]
    pairs = tuple(_constraint(item, declared) for item in constraints or ())
    symbols = symbols_of([objective] + [expr for _, expr in pairs])
    variables = _variables(wrt, symbols)
    parameters = tuple(s for s in symbols.values() if s not in variables)
    return Problem(objective, variables, parameters, pairs)


def _variables(wrt, symbols) -> tuple:
    items = list(wrt) if isinstance(wrt, (list, tuple)) else [wrt]
    if not items:
        raise OptimizeError("wrt names no variable: give one tensor symbol (or name) or a list of them")
    variables = []
    for item in items:
        name = item if isinstance(item, str) else _name(item) if isinstance(item, sp.Basic) else None
        if name not in symbols or (not isinstance(item, str) and symbols[name] != item):
            listed = ", ".join(symbols) or "none"
            raise OptimizeError(f"wrt: {item!r} is not a symbol of the objective or the constraints "
                                f"(their symbols: {listed})")
        if not isinstance(symbols[name], TensorSymbol):
            raise OptimizeError(f"wrt: {name} is a SymPy scalar symbol; declare it as se.scalar({name!r}) "
                                "to optimize over it")
        if symbols[name] in variables:
            raise OptimizeError(f"wrt: {name} is given twice")
        variables.append(symbols[name])
    return tuple(variables)


def lookup(problem: Problem, key, what: str):
    """The symbol of ``problem`` a user's key (a symbol or its name) stands for."""
    by_name = {_name(s): s for s in problem.symbols}
    name = key if isinstance(key, str) else _name(key) if isinstance(key, sp.Basic) else None
    if name not in by_name or (not isinstance(key, str) and by_name[name] != key):
        raise OptimizeError(f"{what}: {key!r} is not a symbol of the problem (its symbols: "
                            f"{', '.join(by_name)})")
    return by_name[name]


class Solution(dict):
    """The solution's variables by name, each in its own shape; the variable's symbol works as a key too.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> s = Solution({"x": [1.0, 2.0]})
    >>> s[x] == s["x"]
    True
    """

    def __missing__(self, key):
        name = getattr(key, "name", None)
        if isinstance(name, str) and name in self:
            return self[name]
        raise KeyError(key)


@dataclass
class Instance:
    """The numbers of one ``minimize`` call: data in the order of ``problem.parameters``, the shape of
    every variable, the starting point and the bounds (flat, float64)."""

    data: tuple
    shapes: tuple
    x0: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def split(self, x) -> list:
        """The flat vector ``x`` as one array per variable (views, in the variables' shapes)."""
        parts, start = [], 0
        for shape in self.shapes:
            size = int(np.prod(shape, dtype=np.int64))
            parts.append(x[start:start + size].reshape(shape))
            start += size
        return parts

    @staticmethod
    def join(arrays) -> np.ndarray:
        """One flat float64 vector from per-variable arrays."""
        return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])

    @property
    def bounded(self) -> bool:
        return bool(np.isfinite(self.lower).any() or np.isfinite(self.upper).any())


def _real_array(value, symbol, what: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception as error:  # noqa: BLE001 -- whatever numpy cannot read is a user error here
        raise BindingError(f"{what} for {_describe(symbol)} is not an array: {error}") from None
    if array.dtype.kind not in "biuf":
        raise BindingError(f"{what} for {_describe(symbol)} has dtype {array.dtype}; expected real numbers")
    rank = symbol.rank if isinstance(symbol, TensorSymbol) else 0
    if array.ndim != rank:
        raise ShapeError(f"{what} for {_describe(symbol)} has shape {format_shape(array.shape)} (order "
                         f"{array.ndim}), expected order {rank}")
    array = np.array(array, dtype=np.float64, order="C")
    if not np.isfinite(array).all():
        raise BindingError(f"{what} for {_describe(symbol)} has NaN or infinite entries")
    return array


class _Sizes:
    """Size symbols bound from array shapes, each remembering where its value came from."""

    def __init__(self):
        self.values, self.origins = {}, {}

    def bind(self, symbol, array, what):
        if not isinstance(symbol, TensorSymbol):
            return
        for axis, (declared, actual) in enumerate(zip(symbol.shape, array.shape)):
            declared = sp.sympify(declared)
            if declared.is_Symbol and declared not in self.values:
                self.values[declared], self.origins[declared] = sp.Integer(actual), f"{what} {symbol.name} axis {axis}"
        self.check(symbol, array.shape, what)

    def check(self, symbol, shape, what):
        expected = self.shape(symbol)
        for axis, (size, actual) in enumerate(zip(expected, shape)):
            if size is not None and size != actual:
                why = "".join(f", {s} = {self.values[s]} from {self.origins[s]}"
                              for s in sp.sympify(symbol.shape[axis]).free_symbols if s in self.origins)
                raise ShapeError(f"{what} for {_describe(symbol)}: axis {axis} has size {actual}, expected "
                                 f"{size}{why}")
        if 0 in shape:
            raise ShapeError(f"{what} for {_describe(symbol)} has an empty axis: shape {format_shape(shape)}")

    def shape(self, symbol) -> tuple:
        """The numeric shape of ``symbol`` (``None`` for an axis whose size is not bound yet)."""
        sizes = []
        for size in symbol.shape:
            value = sp.sympify(size).xreplace(self.values)
            sizes.append(int(value) if value.is_Integer else None)
        return tuple(sizes)


def read_instance(problem: Problem, data, x0, bounds) -> Instance:
    """Check and convert the numbers of one call (see :class:`Instance`)."""
    given = {}
    for key, value in dict(data or {}).items():
        symbol = lookup(problem, key, "data")
        if symbol in problem.variables:
            raise OptimizeError(f"data: {symbol.name} is a variable being optimized; give its starting "
                                "value as x0")
        given[symbol] = value
    sizes, arrays = _Sizes(), []
    for symbol in problem.parameters:
        if symbol not in given:
            raise BindingError(f"data: no value given for {_describe(symbol)}")
        array = _real_array(given[symbol], symbol, "data")
        sizes.bind(symbol, array, "data")
        arrays.append(array if array.ndim else float(array))
    starts = _starts(problem, x0, sizes)
    shapes = []
    for variable in problem.variables:
        shape = sizes.shape(variable)
        if None in shape:
            raise ShapeError(f"the shape {format_shape(variable.shape)} of the variable {variable.name} is not "
                             "fixed by the data: give a starting point x0")
        shapes.append(shape)
    lower, upper = _bounds(problem, bounds, shapes)
    start = [starts.get(v, np.zeros(s)) for v, s in zip(problem.variables, shapes)]
    x = Instance.join(start)
    if x0 is None:
        x = np.clip(x, lower, upper)
    return Instance(tuple(arrays), tuple(shapes), x, lower, upper)


def _starts(problem, x0, sizes) -> dict:
    if x0 is None:
        return {}
    if not isinstance(x0, dict):
        if len(problem.variables) != 1:
            raise OptimizeError("x0 must be a dict from each variable (or its name) to its starting array "
                                "when there are several variables")
        x0 = {problem.variables[0]: x0}
    starts = {}
    for key, value in x0.items():
        symbol = lookup(problem, key, "x0")
        if symbol not in problem.variables:
            raise OptimizeError(f"x0: {symbol.name} is not a variable being optimized (wrt)")
        starts[symbol] = _real_array(value, symbol, "x0")
        sizes.bind(symbol, starts[symbol], "x0")
    return starts


def _bounds(problem, bounds, shapes):
    per_variable = [(None, None)] * len(problem.variables)
    if bounds is not None:
        if not isinstance(bounds, dict):
            if len(problem.variables) != 1:
                raise OptimizeError("bounds must be a dict from variables (or names) to (lower, upper) pairs "
                                    "when there are several variables")
            bounds = {problem.variables[0]: bounds}
        for key, pair in bounds.items():
            symbol = lookup(problem, key, "bounds")
            if symbol not in problem.variables:
                raise OptimizeError(f"bounds: {symbol.name} is not a variable being optimized (wrt)")
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise OptimizeError(f"bounds for {symbol.name} must be a pair (lower, upper), each None, a number "
                                    f"or an array, not {pair!r}")
            per_variable[problem.variables.index(symbol)] = tuple(pair)
    lower, upper = [], []
    for variable, shape, (lo, hi) in zip(problem.variables, shapes, per_variable):
        lower.append(_bound(lo, -np.inf, variable, shape, "lower"))
        upper.append(_bound(hi, np.inf, variable, shape, "upper"))
        if (lower[-1] > upper[-1]).any():
            raise OptimizeError(f"bounds for {variable.name}: a lower bound exceeds its upper bound")
    return Instance.join(lower), Instance.join(upper)


def _bound(value, default, variable, shape, which) -> np.ndarray:
    if value is None:
        return np.full(shape, default)
    array = np.asarray(value, dtype=np.float64) if not isinstance(value, str) else None
    if array is None or np.isnan(array).any():
        raise OptimizeError(f"the {which} bound of {variable.name} must be a number or an array, not {value!r}")
    try:
        return np.broadcast_to(array, shape)
    except ValueError:
        raise ShapeError(f"the {which} bound of {variable.name} has shape {format_shape(array.shape)}, which does "
                         f"not broadcast to the variable's shape {format_shape(shape)}") from None

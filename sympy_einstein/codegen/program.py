"""From user arguments and expressions to a :class:`Program`: the checked DAG the lowering reads.

Equal subtrees are one node across all outputs (nodes are hash-consed bottom-up by their class,
their non-tensor args and the numbers of their children: linear time, no deep equality tests), so
several outputs share their common subexpressions. Every walk is iterative: depth is unbounded.

>>> import sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> A, x = se.matrix("A", n, n), se.vector("x", n)
>>> p = build_program([A, x], [A @ x, se.exp(A @ x)])
>>> len(p.nodes), p.consumers[p.number[id(p.outputs[0])]], p.sizes
(4, 2, (n,))
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..build import as_operand
from ..errors import BindingError
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from ..ir.shapes import format_shape
from ..ir.walk import children
from .calls import call_of
from .rewrite import for_codegen


@dataclass(frozen=True)
class Program:
    """The DAG of one generated function.

    ``args``: the user's arguments (tensor symbols and SymPy scalar symbols) in order; ``outputs``:
    one node per requested expression; ``nodes``: the distinct nodes, operands before users;
    ``number``: ``id(node) -> position in nodes`` for every node object met; ``consumers``: for each
    position, how many distinct nodes read it, plus one per output it is; ``sizes``: the size
    symbols bound from argument shapes that are not arguments; ``single``: one expression was given.
    """

    args: tuple
    outputs: tuple
    nodes: tuple
    number: dict
    consumers: tuple
    sizes: tuple
    single: bool

    def index(self, node) -> int:
        return self.number[id(node)]

    def operands(self, node) -> tuple:
        """The distinct-node positions of ``node``'s tensor operands, in order."""
        return tuple(self.number[id(c)] for c in children(node))


def build_program(args, exprs) -> Program:
    """Check ``args`` and ``exprs`` and collect the DAG (see :class:`Program`).

    >>> import sympy_einstein as se
    >>> build_program([se.vector("x", 3)], se.vector("y", 3))
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.BindingError: the expression uses y (shape (3,)), which is not among the arguments [x]
    """
    args = _check_args(args)
    single = not isinstance(exprs, (list, tuple))
    outputs = tuple(for_codegen(_as_node(e)) for e in ([exprs] if single else exprs))
    nodes, number = _intern(outputs)
    consumers = _consumers(nodes, number, outputs)
    _check_leaves(args, nodes)
    sizes = _size_symbols(args, nodes)
    return Program(args, outputs, tuple(nodes), number, consumers, sizes, single)


def _check_args(args) -> tuple:
    if isinstance(args, (TensorSymbol, sp.Symbol)):
        args = [args]
    args = tuple(args)
    for k, arg in enumerate(args):
        if not isinstance(arg, (TensorSymbol, sp.Symbol)):
            raise BindingError(f"argument {k} ({arg!r}) must be a tensor symbol or a SymPy symbol")
        if any(arg == other and type(arg) is type(other) for other in args[:k]):
            raise BindingError(f"argument {k} ({arg}) is given twice")
    return args


def _as_node(expr) -> TensorExpr:
    """A tensor expression; a plain SymPy scalar becomes the product ``coeff * einsum('->')``."""
    expr = as_operand(expr)
    if isinstance(expr, TensorExpr):
        _check_kind(expr)
        return expr
    return EinsteinProduct(expr, "->", ())


def _check_kind(node) -> None:
    if not isinstance(node, (EinsteinProduct, Elementwise, TensorAdd, TensorSymbol, ZeroTensor)) \
            and call_of(node) is None:
        raise BindingError(f"cannot generate code for a {type(node).__name__}")


def _intern(outputs) -> tuple[list, dict]:
    """Distinct nodes in post-order and ``id(node) -> position`` (hash-consed, iterative)."""
    nodes, number, keys = [], {}, {}
    stack = list(reversed(outputs))
    while stack:
        node = stack[-1]
        if id(node) in number:
            stack.pop()
            continue
        pending = [c for c in children(node) if id(c) not in number]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        _check_kind(node)
        key = (type(node), tuple(("#", number[id(a)]) if isinstance(a, TensorExpr) else a for a in node.args))
        if key not in keys:
            keys[key] = len(nodes)
            nodes.append(node)
        number[id(node)] = keys[key]
    return nodes, number


def _consumers(nodes, number, outputs) -> tuple:
    counts = [0] * len(nodes)
    for node in nodes:
        for k in dict.fromkeys(number[id(c)] for c in children(node)):
            counts[k] += 1
    for out in outputs:
        counts[number[id(out)]] += 1
    return tuple(counts)


def scalar_symbols(node) -> set:
    """Symbols in coefficients, function bodies and shapes of one node."""
    found = set()
    for size in node.shape:
        found |= sp.sympify(size).free_symbols
    if isinstance(node, EinsteinProduct):
        found |= node.coefficient.free_symbols
        for size in node.args[2]:
            found |= size.free_symbols
    if isinstance(node, Elementwise):
        found |= node.function.free_symbols
    return found


def _check_leaves(args, nodes) -> None:
    names = "[" + ", ".join(str(a) for a in args) + "]"
    for node in nodes:
        if isinstance(node, TensorSymbol) and node not in args:
            raise BindingError(f"the expression uses {node.name} (shape {format_shape(node.shape)}), "
                               f"which is not among the arguments {names}")


def _size_symbols(args, nodes) -> tuple:
    """Size symbols bound from argument shapes; every other symbol must be a scalar argument."""
    bindable = {size for a in args if isinstance(a, TensorSymbol) for size in a.shape if size.is_Symbol}
    needed = set().union(*(scalar_symbols(n) for n in nodes),
                         *(scalar_symbols(a) for a in args if isinstance(a, TensorSymbol)))
    for symbol in sorted(needed, key=str):
        if symbol not in args and symbol not in bindable:
            raise BindingError(f"the expression uses {symbol}, which is neither an argument nor a size of an "
                               "argument's shape: add it to the arguments")
    return tuple(sorted((s for s in bindable if s not in args), key=str))

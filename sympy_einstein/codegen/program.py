"""From user arguments and expressions to a :class:`Program`: the DAG every backend prints.

Equal subtrees are one node (expressions are DAGs, nodes compared by equality), so several outputs
share their common subexpressions. The program also decides the identifiers of the generated code
and checks that every symbol the expressions use can be bound at call time.

>>> import sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> A, x = se.matrix("A", n, n), se.vector("x", n)
>>> p = build_program([A, x], [A @ x, se.exp(A @ x)])
>>> len(p.nodes), p.uses[p.outputs[0]], p.sizes
(4, 2, (n,))
"""
from __future__ import annotations

import keyword
from dataclasses import dataclass

import sympy as sp

from ..build import as_operand
from ..errors import BindingError
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from ..ir.shapes import format_shape
from .rewrite import for_codegen

RESERVED = frozenset({"np", "numba", "math", "dtype", "args", "acc", "prange"})


@dataclass(frozen=True)
class Program:
    """The DAG of one generated function.

    ``args``: the user's arguments (tensor symbols and scalar SymPy symbols) in order;
    ``outputs``: one node per requested expression; ``nodes``: every distinct node, operands before
    users; ``uses``: how often each node is read (by distinct users and as an output);
    ``sizes``: the size symbols the kernel needs that are not arguments; ``names``: identifiers of
    arguments and size symbols; ``single``: one expression was given (return it, not a tuple).
    """

    args: tuple
    outputs: tuple
    nodes: tuple
    uses: dict
    sizes: tuple
    names: dict
    single: bool

    @property
    def tensor_args(self) -> tuple:
        return tuple(a for a in self.args if isinstance(a, TensorSymbol))

    @property
    def scalar_args(self) -> tuple:
        return tuple(a for a in self.args if not isinstance(a, TensorSymbol))


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
    nodes, uses = _collect(outputs)
    _check_leaves(args, nodes)
    sizes = _size_symbols(args, nodes)
    names = _identifiers(args, sizes)
    return Program(args, outputs, nodes, uses, sizes, names, single)


def _check_args(args) -> tuple:
    if isinstance(args, (TensorSymbol, sp.Symbol)):
        args = [args]
    args = tuple(args)
    for k, arg in enumerate(args):
        if not isinstance(arg, (TensorSymbol, sp.Symbol)):
            raise BindingError(f"argument {k} ({arg!r}) must be a tensor symbol or a SymPy symbol")
        if arg in args[:k]:
            raise BindingError(f"argument {k} ({arg}) is given twice")
    return args


def _as_node(expr) -> TensorExpr:
    """A tensor expression; a plain SymPy scalar becomes the product ``coeff * einsum('->')``."""
    expr = as_operand(expr)
    if isinstance(expr, TensorExpr):
        return expr
    return EinsteinProduct(expr, "->", ())


def _children(node) -> tuple:
    if isinstance(node, (EinsteinProduct, Elementwise)):
        return node.operands
    if isinstance(node, TensorAdd):
        return node.terms
    if isinstance(node, (TensorSymbol, ZeroTensor)):
        return ()
    raise BindingError(f"cannot generate code for a {type(node).__name__}")


def _collect(outputs) -> tuple[tuple, dict]:
    """Distinct nodes in post-order (operands first) and their use counts."""
    order, uses, seen = [], {}, set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for child in dict.fromkeys(_children(node)):
            uses[child] = uses.get(child, 0) + 1
            visit(child)
        order.append(node)

    for out in outputs:
        uses[out] = uses.get(out, 0) + 1
        visit(out)
    return tuple(order), uses


def _scalar_symbols(node) -> set:
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


def _bindable_sizes(args) -> set:
    return {size for a in args if isinstance(a, TensorSymbol) for size in a.shape if size.is_Symbol}


def _size_symbols(args, nodes) -> tuple:
    """Size symbols bound from argument shapes; every other symbol must be a scalar argument."""
    bindable = _bindable_sizes(args)
    needed = set().union(*(_scalar_symbols(n) for n in nodes), *(_scalar_symbols(a) for a in args
                                                                  if isinstance(a, TensorSymbol)))
    for symbol in sorted(needed, key=str):
        if symbol not in args and symbol not in bindable:
            raise BindingError(f"the expression uses {symbol}, which is neither an argument nor a size of an "
                               "argument's shape: add it to the arguments")
    return tuple(sorted((s for s in bindable if s not in args), key=str))


def _identifiers(args, sizes) -> dict:
    """A valid, distinct Python identifier for every argument and size symbol."""
    names, taken = {}, set(RESERVED)
    for k, symbol in enumerate(args + sizes):
        text = symbol.name if isinstance(symbol, TensorSymbol) else str(symbol)
        if not text.isidentifier() or keyword.iskeyword(text) or text.startswith("_"):
            text = f"arg{k}"
        while text in taken or _looks_internal(text):
            text += "_"
        taken.add(text)
        names[symbol] = text
    return names


def _looks_internal(text: str) -> bool:
    """Names of the generated temporaries (t0, t1, ...) and loop variables (i_a, ...)."""
    return (text[:1] == "t" and text[1:].isdigit()) or text.startswith("i_") or text.startswith("kernel")

"""Lowering a :class:`~sympy_einstein.codegen.program.Program` (the tensor DAG) to the kernel IR.

One distinct node becomes one value and (for all but arguments) one step, in the DAG's order:

- an argument is a parameter value; a size symbol is a parameter value bound from the shapes;
- an :class:`~sympy_einstein.ir.nodes.Elementwise` node, a sum, and a product that sums nothing are a
  :class:`~sympy_einstein.codegen.kernel.Loop` whose body reads the operands (a product writing a
  diagonal writes into zeros);
- a contraction is an :class:`~sympy_einstein.codegen.kernel.Einsum` (planned later); a product
  operand read by nothing else is flattened into it first, a shared one stays one value (so ``X @ w``
  read by a value, a gradient and a Hessian is computed once);
- a node of :data:`~sympy_einstein.codegen.calls.NODE_CALLS` is a :class:`~sympy_einstein.codegen.kernel.Call`.

Order-0 operands, size symbols and scalar arguments are read through the same
:class:`~sympy_einstein.codegen.kernel.Access` as arrays (letters ``""``), in bodies and in scales.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> c, w = se.scalar("c"), se.vector("w", 3)
>>> kernel = lower(build_program([c, w], c * se.sum(w)))
>>> [type(step).__name__ for step in kernel.steps], kernel.outputs[0].name
(['Einsum'], 'value')
"""
from __future__ import annotations

import sympy as sp

from ..ir.indices import LETTERS, unique
from ..ir.nodes import EinsteinProduct, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from ..simplification.products import flatten_product
from .calls import LIBRARY, call_of
from .kernel import Access, Allocate, Call, Einsum, Formula, Kernel, Loop, Output, Value


class _Values:
    """Fresh values and their reads: the only state of one lowering (local to :func:`lower`)."""

    def __init__(self):
        self.count = 0
        self.symbols = {}  # SymPy symbol (size or scalar argument) -> its value

    def new(self, role, shape=(), hint="t", symbol=None, dtype="float") -> Value:
        self.count += 1
        return Value(self.count - 1, role, tuple(shape), hint, symbol, dtype)

    def formula(self, expr, reads=()) -> Formula:
        """``expr`` with its size and scalar-argument symbols read from their values."""
        expr = sp.sympify(expr)
        binding = {}
        for symbol in sorted(expr.free_symbols, key=str):
            if symbol in self.symbols:
                binding[symbol] = sp.Dummy(symbol.name, real=True)
        reads = tuple(reads) + tuple((binding[s], Access(self.symbols[s], "")) for s in binding)
        return Formula(expr.xreplace(binding), reads)

    def scale(self, expr, reads=()):
        expr = sp.sympify(expr)
        return None if expr == 1 and not reads else self.formula(expr, reads)


def lower(program, names: tuple = ()) -> Kernel:
    """The kernel of ``program`` before any pass: one step per computed node; ``names`` the outputs'."""
    values, made, steps = _Values(), {}, []
    arguments = tuple(_parameter(values, a) for a in program.args)
    sizes = tuple(values.new("size", (), str(s), s, "int") for s in program.sizes)
    for value in arguments + sizes:
        if value.rank == 0:
            values.symbols[value.symbol] = value
    by_symbol = {arg: value for arg, value in zip(program.args, arguments, strict=True)
                 if isinstance(arg, TensorSymbol)}
    for k, node in enumerate(program.nodes):
        if isinstance(node, TensorSymbol):
            made[k] = by_symbol[node]
    out_hints = _output_hints(program, names)
    inlined, flat, sums = _inlined_products(program), {}, {}
    for k, node in enumerate(program.nodes):
        if isinstance(node, EinsteinProduct):
            flat[k] = _flatten(program, node, flat, inlined)
        if k in made or k in inlined:
            continue
        hint = out_hints.get(k, "t")
        made[k] = values.new("temporary", node.shape, hint)
        if isinstance(node, TensorAdd):
            steps += _lower_sum(program, node, made, values, sums)
            continue
        steps += _lower_node(program, node, made, values, flat.get(k))
    outputs = tuple(_output(program, made, out, out_hints) for out in program.outputs)
    return Kernel(arguments, sizes, tuple(steps), outputs, program.single)


def _parameter(values, arg) -> Value:
    if isinstance(arg, TensorSymbol):
        return values.new("argument", arg.shape, arg.name, arg)
    return values.new("argument", (), str(arg), arg, "int" if arg.is_integer else "float")


def _output_hints(program, names) -> dict:
    """Output positions -> names: the user's; else ``value``, ``gradient``, ``hessian`` for a list of that
    shape (order 0, the shape of an argument, that shape twice); else ``value`` / ``result``."""
    ranks = [out.rank for out in program.outputs]
    shapes = {tuple(a.shape) for a in program.args if isinstance(a, TensorSymbol)}
    shape = tuple(program.outputs[1].shape) if len(ranks) > 1 else ()
    derivatives = 2 <= len(ranks) <= 3 and ranks[0] == 0 and shape in shapes and \
        (len(ranks) == 2 or tuple(program.outputs[2].shape) == shape + shape)
    hints = {}
    for j, out in enumerate(program.outputs):
        k = program.index(out)
        if j < len(names):
            hints.setdefault(k, names[j])
        elif derivatives:
            hints.setdefault(k, ("value", "gradient", "hessian")[j])
        else:
            hints.setdefault(k, "value" if out.rank == 0 else "result")
    return hints


def _output(program, made, node, hints) -> Output:
    k = program.index(node)
    value = made[k]
    twice = sum(program.index(o) == k for o in program.outputs) > 1
    return Output(hints.get(k, "result"), value, copy=value.role != "temporary" or (twice and value.rank > 0))


def _is_product(node) -> bool:
    return isinstance(node, EinsteinProduct)


def _inlined_products(program) -> set:
    """Positions of the products read by exactly one product and by nothing else (not outputs): they
    are flattened into their reader."""
    outputs = {program.index(o) for o in program.outputs}
    readers = {}
    for node in program.nodes:
        if _is_product(node):
            for k in set(program.operands(node)):
                readers[k] = readers.get(k, 0) + 1
    return {k for k, node in enumerate(program.nodes) if _is_product(node) and k not in outputs
            and program.consumers[k] == 1 and readers.get(k) == 1}


def _is_contraction(node) -> bool:
    return set("".join(node.inputs)) - set(node.output) != set()


def _flatten(program, node, flat: dict, inlined: set):
    """``(product, hidden)``: ``node`` with the inlined products among its operands (already flattened,
    in ``flat``) spliced in; every other operand is a placeholder symbol, ``hidden`` maps it back."""
    hidden, operands = {}, []
    for op in node.operands:
        k = program.index(op)
        if k in inlined:
            inner, inner_hidden = flat[k]
            operands.append(inner)
            hidden.update(inner_hidden)
        else:
            placeholder = TensorSymbol(f"operand{k}", op.shape)
            hidden[placeholder] = op
            operands.append(placeholder)
    product = EinsteinProduct(node.coefficient, node.spec, node.args[2], *operands)
    return flatten_product(product), hidden


def _lower_node(program, node, made, values, flat) -> list:
    target = made[program.index(node)]
    function = call_of(node)
    if function is not None:
        operands = tuple(Access(made[k], LETTERS[:made[k].rank]) for k in program.operands(node))
        options = tuple((name, _short(node) if name == "label" else tuple(getattr(node, name)))
                        for name in LIBRARY[function].options)
        return [Call(target, function, operands, options, note=_short(node))]
    if isinstance(node, EinsteinProduct):
        return _lower_product(program, flat, made, values, target)
    letters = LETTERS[:node.rank]
    ranges = tuple(zip(letters, node.shape, strict=True))
    if isinstance(node, ZeroTensor):
        body = values.formula(sp.Integer(0))
    else:
        body = _elementwise_body(program, node, made, values, letters)
    return _allocated(target, [Loop(Access(target, letters), ranges, "", body, note=_short(node))])


def _lower_sum(program, node, made, values, sums: dict) -> list:
    """A sum; when an earlier sum holds all its terms but one (``z + f(z)`` with ``z`` a sum, flattened
    by the builder), that sum plus the one term: a chain of ``k`` such sums stays linear in ``k``."""
    terms = [program.index(t) for t in node.terms]
    key = _sum_key(terms)
    earlier = None
    if len(set(terms)) == len(terms):
        for term in terms:
            found = sums.get((key[0] ^ hash(term), key[1] - 1))
            if found is not None and found[0] == frozenset(terms) - {term}:
                earlier = (found[1], term)
                break
        sums[key] = (frozenset(terms), made[program.index(node)])
    letters = LETTERS[:node.rank]
    parts = [earlier[0], made[earlier[1]]] if earlier else [made[t] for t in terms]
    reads = [(sp.Dummy("r", real=True), _read(value, letters)) for value in parts]
    body = values.formula(sp.Add(*(r for r, _ in reads)), reads)
    target = made[program.index(node)]
    ranges = tuple(zip(letters, node.shape, strict=True))
    return _allocated(target, [Loop(Access(target, letters), ranges, "", body, note=_short(node))])


def _sum_key(terms) -> tuple:
    key = 0
    for term in terms:
        key ^= hash(term)
    return key, len(terms)


def _read(value, letters) -> Access:
    return Access(value, letters[:value.rank] if value.rank else "")


def _elementwise_body(program, node, made, values, letters) -> Formula:
    function = node.function
    reads, binding = [], {}
    for variable, operand in zip(function.variables, node.operands, strict=True):
        symbol = sp.Dummy("r", real=True)
        binding[variable] = symbol
        reads.append((symbol, _read(made[program.index(operand)], letters)))
    return values.formula(function.expr.xreplace(binding), reads)


def _allocated(target, steps) -> list:
    if target.rank == 0:
        return steps
    loop = steps[-1]
    fill = "zeros" if len(unique(loop.target.letters)) < len(loop.target.letters) else "empty"
    return [Allocate(target, fill)] + steps


def _lower_product(program, flat, made, values, target) -> list:
    product, hidden = flat
    operands = [hidden.get(op, op) for op in product.operands]
    sizes = product.index_sizes
    reads, arrays = [], []
    for letters, op in zip(product.inputs, operands, strict=True):
        value = made[program.index(op)]
        if value.rank == 0:
            reads.append((sp.Dummy("s", real=True), Access(value, "")))
        else:
            arrays.append(Access(value, letters))
    scale_expr = product.coefficient * sp.Mul(*(r for r, _ in reads))
    out = product.output
    note = _einsum_note(product, operands)
    if _is_contraction(product):
        ranges = tuple((c, sizes[c]) for c in unique(out + "".join(a.letters for a in arrays)))
        return [Einsum(Access(target, out), tuple(arrays), ranges, values.scale(scale_expr, reads), note)]
    body_reads = [(sp.Dummy("r", real=True), a) for a in arrays]
    body = values.formula(sp.Mul(*(r for r, _ in body_reads)) * scale_expr, body_reads + reads)
    ranges = tuple((c, sizes[c]) for c in unique(out))
    return _allocated(target, [Loop(Access(target, out), ranges, "", body, note=note)])


def _einsum_note(product, operands) -> str:
    names = ", ".join(_short(op) for op in operands)
    coeff = "" if product.coefficient == 1 else f"{product.coefficient} * "
    return f"{coeff}einsum('{product.spec}'{', ' if names else ''}{names})"


SMALL = 24  # nodes: a subexpression this small is shown in comments as the package prints it


def _short(node) -> str:
    """A few words for a comment: a small subexpression as printed, else its class and shape."""
    if _small(node):
        try:
            text = str(node)
        except TypeError:  # a node class the printers do not know (yet)
            text = type(node).__name__
        return text if len(text) <= 48 else text[:45] + "..."
    return f"{type(node).__name__}{tuple(node.shape)}"


def _small(node) -> bool:
    """Whether ``node``'s DAG has at most ``SMALL`` nodes (an iterative walk that stops early)."""
    seen, stack = set(), [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if len(seen) > SMALL:
            return False
        stack.extend(a for a in item.args if isinstance(a, TensorExpr))
    return True

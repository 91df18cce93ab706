"""Lowering a :class:`~sympy_einstein.codegen.program.Program` to kernel operations for Numba.

Three operations: :class:`Loop` (a loop nest writing ``target[out] = scale * sum(body)``; the body is
a SymPy expression of array reads), :class:`Blas` (a matrix product after grouping axes) and
:class:`Scale` (in place). Elementwise functions, sums and pointwise products (Hadamard, broadcast,
transpose, diagonal read) are fused into the loop of the node that reads them when they are read
once and not broadcast; every other node gets its own array (common subexpressions computed once).
Contractions follow :func:`~sympy_einstein.codegen.plan.contraction_steps`.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> X, w = se.matrix("X", 4, 3), se.vector("w", 3)
>>> ops, outputs = lower(build_program([X, w], se.exp(X @ w) + 1))
>>> [type(op).__name__ for op in ops], outputs
(['Blas', 'Loop'], ['t1'])
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

from ..ir.indices import LETTERS, unique
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorSymbol, ZeroTensor
from .pairgram import BlockGram, merge_proportional, pair_gram
from .plan import contraction_steps, representative_sizes


@dataclass(frozen=True)
class Loop:
    """``target[out] = scale * sum over summed of body``; a letter repeated in ``out`` writes a
    diagonal of a zero array. ``reads`` maps the read symbols of ``body`` to ``(array, letters)``."""

    target: str
    out: str
    summed: str
    sizes: dict
    body: sp.Expr
    reads: dict
    scale: sp.Expr = sp.Integer(1)
    comment: str = ""
    allocate: bool = True  # False: ``target`` exists (a sum accumulated into one of its terms)


@dataclass(frozen=True)
class Blas:
    """``target[rows cols] = a[rows, inner] @ b[inner, cols]`` after grouping (and, if needed,
    transposing) the axes of the operands ``(array, letters)``."""

    target: str
    a: tuple
    b: tuple
    rows: str
    inner: str
    cols: str
    sizes: dict
    comment: str = ""


@dataclass(frozen=True)
class Sliced:
    """``for i in range(size of out[0]): view = array[i]; <ops>; target[i] = inner`` -- a contraction
    computed one slice of its first output letter at a time (``ops`` use ``view`` for ``array[i]``)."""

    target: str
    out: str
    sizes: dict
    view: str
    array: str
    ops: tuple
    inner: str
    comment: str = ""


@dataclass(frozen=True)
class Gram:
    """``target[out] = sum_c x[c, a] w1[c] w2[c] .. x[c, b]`` (``weights``: the vectors ``w1, ..``,
    maybe none): symmetric, so the backend computes one triangle by blocks and mirrors it."""

    target: str
    x: str
    weights: tuple
    out: str
    sizes: dict
    summed: str
    comment: str = ""


@dataclass(frozen=True)
class Scale:
    """``target *= scale`` (in place; ``target`` is a fresh array of this kernel)."""

    target: str
    scale: sp.Expr
    rank: int
    reads: dict


@dataclass
class _Lowering:
    program: object
    hints: dict
    names: dict = field(default_factory=dict)
    ops: list = field(default_factory=list)
    reads: dict = field(default_factory=dict)
    inlined: set = field(default_factory=set)
    counter: int = 0

    def fresh(self) -> str:
        self.counter += 1
        return f"t{self.counter - 1}"

    def read(self, name: str, letters: str, rank: int) -> sp.Symbol:
        if rank == 0:
            letters = ""
        key = (name, letters)
        if key not in self.reads:
            self.reads[key] = sp.Symbol(f"_read{len(self.reads)}", real=True)
        return self.reads[key]


def lower(program, hints: dict | None = None) -> tuple[list, list]:
    """The kernel operations and the names of the outputs (in order)."""
    state = _Lowering(program, dict(hints or {}))
    for arg in program.tensor_args:
        state.names[arg] = program.names[arg]
    inlined = state.inlined = _inlined_nodes(program)
    for node in program.nodes:
        if node not in state.names and node not in inlined:
            state.names[node] = _lower_node(state, node, inlined)
    return state.ops, [state.names[out] for out in program.outputs]


# ---------------------------------------------------------------------------------------------
# fusion


def is_pointwise(node) -> bool:
    """A product that sums nothing and writes no diagonal: each output entry is one product."""
    if not isinstance(node, EinsteinProduct):
        return False
    return set("".join(node.inputs)) <= set(node.output) and len(unique(node.output)) == len(node.output)


def _fusable(node) -> bool:
    return isinstance(node, (Elementwise, TensorAdd, ZeroTensor)) or is_pointwise(node)


def _covers(consumer, child) -> bool:
    """``child`` is read in full by ``consumer`` (not broadcast, so fusing computes it once per entry)."""
    if isinstance(consumer, (Elementwise, TensorAdd)):
        return True
    if isinstance(consumer, EinsteinProduct) and set("".join(consumer.inputs)) <= set(consumer.output):
        return all(set(letters) == set(consumer.output)
                   for letters, op in zip(consumer.inputs, consumer.operands, strict=False) if op == child)
    return False


def is_view(node) -> bool:
    """One operand, relabelled (transposed, diagonal read, scaled) but not broadcast: a contraction
    that reads it can read the operand itself with renamed letters."""
    return (is_pointwise(node) and len(node.operands) == 1 and node.operands[0].rank > 0
            and set(node.inputs[0]) == set(node.output))


def _is_contraction(node) -> bool:
    return isinstance(node, EinsteinProduct) and not set("".join(node.inputs)) <= set(node.output)


def _folded_view(node, users: set, program) -> bool:
    return node not in program.outputs and is_view(node) and bool(users) and all(map(_is_contraction, users))


def _inlined_nodes(program) -> set:
    """Nodes computed inside their users: fused into loops, or views folded into contractions."""
    consumers = {}
    for node in program.nodes:
        for child in getattr(node, "operands", None) or getattr(node, "terms", None) or ():
            consumers.setdefault(child, set()).add(node)
    views = {node for node in program.nodes if _folded_view(node, consumers.get(node, set()), program)}
    fused = set()
    for node in program.nodes:
        users = consumers.get(node, set())
        if (node not in program.outputs and node not in views and _fusable(node) and program.uses.get(node) == 1
                and len(users) == 1 and not users & views and _covers(next(iter(users)), node)):
            fused.add(node)
    return views | fused


def _unfold_view(letters: str, node, inlined: set):
    """``(coeff, letters, operand)`` reading through inlined views: ``einsum('ab->ba', X)`` read with
    letters ``ij`` is ``X`` read with ``ji``."""
    coeff = sp.Integer(1)
    while node in inlined and is_view(node):
        mapping = dict(zip(node.output, letters, strict=False))
        coeff, letters, node = coeff * node.coefficient, "".join(mapping[c] for c in node.inputs[0]), node.operands[0]
    return coeff, letters, node


def _entry(state, node, letters: str, inlined: set) -> sp.Expr:
    """The entry of ``node`` at the loop indices ``letters`` (one letter per axis)."""
    if node not in inlined:
        return state.read(state.names[node], letters, node.rank)
    if isinstance(node, ZeroTensor):
        return sp.Integer(0)
    if isinstance(node, TensorAdd):
        return sp.Add(*(_entry(state, t, letters, inlined) for t in node.terms))
    if isinstance(node, Elementwise):
        variables = node.function.variables
        values = {v: _entry(state, op, letters, inlined) for v, op in zip(variables, node.operands, strict=False)}
        return node.function.expr.xreplace(values)
    mapping = dict(zip(node.output, letters, strict=False))
    factors = [_entry(state, op, "".join(mapping[c] for c in s), inlined)
               for s, op in zip(node.inputs, node.operands, strict=False)]
    return node.coefficient * sp.Mul(*factors)


# ---------------------------------------------------------------------------------------------
# one materialized node


def _lower_node(state, node, inlined: set) -> str:
    target = state.fresh()
    comment = _describe(node)
    if isinstance(node, EinsteinProduct) and not is_pointwise(node) and not _writes_only(node):
        return _lower_contraction(state, node, target, comment)
    out = node.output if isinstance(node, EinsteinProduct) else LETTERS[:node.rank]
    if isinstance(node, EinsteinProduct):
        mapping = {c: c for c in out}
        body = node.coefficient * sp.Mul(*(_entry(state, op, "".join(mapping[c] for c in s), inlined)
                                     for s, op in zip(node.inputs, node.operands, strict=False)))
        sizes = node.index_sizes
    else:
        body = sp.Integer(0) if isinstance(node, ZeroTensor) else _entry_of_root(state, node, out, inlined)
        sizes = dict(zip(out, node.shape, strict=False))
    reused = _reusable_term(state, node)
    state.ops.append(_loop(state, reused or target, out, "", sizes, body, comment=comment, allocate=not reused))
    return reused or target


def _reusable_term(state, node) -> str:
    """A sum is accumulated in place into the array of one of its terms when no one else reads it
    (a temporary of this kernel, read once, not an output): one array of the sum's size less."""
    if not isinstance(node, TensorAdd) or node.rank == 0:
        return ""
    for term in node.terms:
        name = state.names.get(term)
        if (name and term not in state.inlined and not isinstance(term, TensorSymbol)
                and term not in state.program.outputs and state.program.uses.get(term) == 1):
            return name
    return ""


def _entry_of_root(state, node, letters, inlined):
    return _entry(state, node, letters, inlined | {node})


def _writes_only(node) -> bool:
    """A product that sums nothing but writes a diagonal: one loop over the distinct output letters."""
    return set("".join(node.inputs)) <= set(node.output)


def _loop(state, target, out, summed, sizes, body, scale=sp.S.One, comment="", allocate=True):
    reads = {symbol: key for key, symbol in state.reads.items() if symbol in body.free_symbols}
    return Loop(target, out, summed, {c: sizes[c] for c in unique(out + summed)}, body, reads, scale, comment,
                allocate)


def _lower_contraction(state, node, target: str, comment: str) -> str:
    """Pairwise steps (BLAS where they are matrix products), then the output's layout and scale."""
    scale, entries = node.coefficient, []
    for letters, op in zip(node.inputs, node.operands, strict=False):
        factor, letters, op = _unfold_view(letters, op, state.inlined)
        scale = scale * factor
        if op.rank == 0:
            scale = scale * state.read(state.names[op], "", 0)
        else:
            entries.append((state.names[op], letters, op))
    arrays, factor = merge_proportional(entries)
    scale = scale * factor
    sizes = node.index_sizes
    core = "".join(c for c in unique(node.output) if any(c in s for _, s in arrays))
    if core == node.output:
        _contract(state, arrays, core, sizes, scale, target, comment)
        return target
    compact = state.fresh()
    _contract(state, arrays, core, sizes, sp.Integer(1), compact, comment)
    body = scale * state.read(compact, core, len(core))
    state.ops.append(_loop(state, target, node.output, "", sizes, body, comment=comment + " (layout)"))
    return target


def _contract(state, arrays, core: str, sizes: dict, scale, target: str, comment: str) -> None:
    """Ops computing ``target[core] = scale * einsum(arrays -> core)``, sliced when that pays."""
    gram = _weighted_gram(arrays, core)
    if gram:
        state.ops.append(Gram(target, gram[0], gram[1], core, {c: sizes[c] for c in gram[2] + core},
                              gram[2], comment + " (symmetric: upper triangle by blocks, mirrored)"))
        if scale != 1:
            reads = {symbol: key for key, symbol in state.reads.items() if symbol in scale.free_symbols}
            state.ops.append(Scale(target, scale, 2, reads))
        return
    split = pair_gram(arrays, core, sizes)
    if split:
        _lower_pair_gram(state, split, core, sizes, scale, target, comment)
        return
    letter = _slice_letter(arrays, core, representative_sizes(sizes, state.hints))
    if letter:
        _lower_sliced(state, arrays, core, sizes, scale, target, comment)
        return
    steps = contraction_steps([s for _, s in arrays], core, representative_sizes(sizes, state.hints))
    values = list(arrays)
    for k, step in enumerate(steps):
        last = k == len(steps) - 1
        name = target if last else state.fresh()
        _lower_step(state, step, values, name, sizes, scale if last else sp.Integer(1), comment)
        values.append((name, step.out))


def _lower_pair_gram(state, split, core, sizes, scale, target, comment) -> None:
    """``Q[first + summed] = prod(half)``, ``G = Q Q^T`` (one triangle), ``target = scale G rest``."""
    half_out = core[:len(core) // 2] + split.summed
    q, gram = state.fresh(), state.fresh()
    body = sp.Mul(*(state.read(name, letters, len(letters)) for name, letters in split.half))
    state.ops.append(_loop(state, q, half_out, "", sizes, body, comment=comment + " (Gram factor)"))
    state.ops.append(BlockGram(gram, q, core, split.summed, {c: sizes[c] for c in core + split.summed},
                               comment + " (symmetric: upper column blocks, mirrored)"))
    body = state.read(gram, core, len(core))
    if split.rest:
        rest_out = "".join(c for c in core if any(c in s for _, s in split.rest))
        rest = state.fresh()
        _contract(state, list(split.rest), rest_out, sizes, sp.Integer(1), rest, comment)
        body = body * state.read(rest, rest_out, len(rest_out))
    state.ops.append(_loop(state, target, core, "", sizes, body, scale, comment))


def _slice_letter(arrays, core: str, sizes: dict) -> str:
    """The first output letter, when slicing the contraction along it avoids a large intermediate.

    It must lead ``core`` and exactly one operand (so ``operand[i]`` is a contiguous view), and the
    pairwise plan must build an intermediate of order >= 3 at least as large as the output: slicing
    then computes, for each value of the letter, a smaller contraction (e.g. the diagonal blocks of
    a one-layer-net Hessian, ``H[a] = X diag(S[a]) X^T``: one GEMM per ``a`` with an ``n x m``
    temporary instead of an ``n x m x n`` one).
    """
    if len(core) < 3:
        return ""
    holders = [letters for _, letters in arrays if core[0] in letters]
    if len(holders) != 1 or holders[0][0] != core[0] or len(unique(holders[0])) != len(holders[0]) \
            or len(holders[0]) < 2:
        return ""
    steps = contraction_steps([s for _, s in arrays], core, sizes)
    largest = max((step.out for step in steps[:-1]), key=lambda out: _volume(out, sizes), default="")
    return core[0] if len(largest) >= 3 and _volume(largest, sizes) >= _volume(core, sizes) else ""


def _weighted_gram(arrays, core: str) -> tuple:
    """``(X, weights, c)`` when the contraction is ``X^T diag(s1 s2 ..) X`` (or ``X^T X``): letters
    ``ca, cb, c, .. -> ab`` with the same matrix ``X`` twice -- a symmetric result."""
    if len(core) != 2 or len(arrays) < 2:
        return ()
    matrices = [(name, letters) for name, letters in arrays if len(letters) == 2]
    vectors = [(name, letters) for name, letters in arrays if len(letters) == 1]
    if len(matrices) != 2 or matrices[0][0] != matrices[1][0] or len(vectors) != len(arrays) - 2:
        return ()
    (x, first), (_, second) = matrices
    summed = first[0]
    if second[0] != summed or {first[1], second[1]} != set(core) or first[1] == second[1] \
            or any(letters != summed for _, letters in vectors):
        return ()
    return x, tuple(name for name, _ in vectors), summed


def _volume(letters: str, sizes: dict) -> int:
    return math.prod(sizes[c] for c in letters)


def _lower_sliced(state, arrays, core, sizes, scale, target, comment) -> None:
    """``for i in range(size): target[i] = contraction with operand[i]`` (see :class:`Sliced`)."""
    letter = core[0]
    k = next(j for j, (_, letters) in enumerate(arrays) if letter in letters)
    view, inner_target = state.fresh(), state.fresh()
    inner_arrays = list(arrays)
    inner_arrays[k] = (view, arrays[k][1][1:])
    saved, state.ops = state.ops, []
    _contract(state, inner_arrays, core[1:], sizes, scale, inner_target, comment)
    inner, state.ops = state.ops, saved
    state.ops.append(Sliced(target, core, {c: sizes[c] for c in core}, view, arrays[k][0], tuple(inner),
                            inner_target, comment + f" (sliced along {letter})"))


def _lower_step(state, step, values, name, sizes, scale, comment) -> None:
    operands = [values[v] for v, _ in step.inputs]
    if step.kind == "blas":
        (a, la), (b, lb) = operands
        state.ops.append(Blas(name, (a, step.inputs[0][1]), (b, step.inputs[1][1]), step.rows, step.inner,
                              step.cols, {c: sizes[c] for c in la + lb}, comment))
        if scale != 1:
            reads = {symbol: key for key, symbol in state.reads.items() if symbol in scale.free_symbols}
            state.ops.append(Scale(name, scale, len(step.out), reads))
        return
    body = sp.Mul(*(state.read(array, letters, len(unique(letters))) for (array, _), (_, letters)
                    in zip(operands, step.inputs, strict=False)))
    state.ops.append(_loop(state, name, step.out, step.summed, sizes, body, scale, comment))


def _describe(node) -> str:
    if isinstance(node, EinsteinProduct):
        names = ", ".join(_short(op) for op in node.operands)
        coeff = "" if node.coefficient == 1 else f"{node.coefficient} * "
        return f"{coeff}einsum('{node.spec}'{', ' if names else ''}{names})"
    return _short(node)


def _short(node) -> str:
    text = node.name if isinstance(node, TensorSymbol) else str(node)
    return text if len(text) <= 60 else text[:57] + "..."

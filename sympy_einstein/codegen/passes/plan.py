"""Pass 2, contraction planning: every :class:`Einsum` becomes pairwise steps.

For one ``Einsum`` (in this order):

1. operands that are *views* -- a loop that only relabels (transposes, reads a diagonal of) or scales
   one array, read by contractions only -- are read through: ``einsum('ab->ba', X)`` read at ``ij`` is
   ``X`` read at ``ji`` (the view's loop is dropped when nothing else reads it);
2. operands that are constant multiples of an earlier one (``2 - 2 tanh(z)^2`` and ``1 - tanh(z)^2``:
   loops with one read of the same array) are read as that one, the constant moved to the scale;
3. a diagonal or broadcast output is computed compact, then written into its layout by a loop;
4. ``X^T diag(w..) X`` is a :class:`Gram` (symmetric: one triangle, by BLAS's SYRK in the Numba
   printer); the same for every value of a letter that only the weights carry (``sa, sc, sb -> abc``:
   the Hessian of a multi-output GLM, block-diagonal over the outputs) is one :class:`BatchedGram` (one
   triangle per value);
   ``sum_f Q[ab,f] Q[cd,f] * M`` (:mod:`~sympy_einstein.codegen.pairgram`) is a :class:`BlockGram`;
   a contraction whose plan builds an order-3 intermediate as large as the output is :class:`Sliced`
   along its leading output letter; everything else follows
   :func:`~sympy_einstein.codegen.contraction.contraction_steps` (opt_einsum's order on
   representative sizes): :class:`Contract` for matrix products, :class:`Loop` for the rest.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> X, s = se.matrix("X", 40, 3), se.vector("s", 40)
>>> kernel = plan(lower(build_program([X, s], [X.T @ s, se.einsum("ij,i,ik->jk", X, s, X)])))
>>> [type(step).__name__ for step in kernel.steps]
['Contract', 'Gram']
"""
from __future__ import annotations

import math
from dataclasses import replace

import sympy as sp

from ...ir.indices import unique
from ..contraction import contraction_steps, representative_sizes
from ..kernel import (
    Access,
    Allocate,
    BatchedGram,
    BlockGram,
    Contract,
    Einsum,
    Formula,
    Gram,
    Loop,
    Matrix,
    Scale,
    Sliced,
    Value,
    all_values,
    drop_unread,
)
from ..pairgram import pair_gram

ROW_BLOCK, COLUMN_BLOCK = 256, 256  # Gram products: blocks of rows (copied) and of result columns (one GEMM)
BATCHED_COLUMNS = 64  # batched Gram products: columns per GEMM (all rows at once); narrower Grams: by pairs


class Temporaries:
    """Fresh temporaries of one pass (keys after every key of the kernel)."""

    def __init__(self, kernel):
        self.next = 1 + max((v.key for v in all_values(kernel)), default=-1)

    def new(self, shape, hint="t") -> Value:
        self.next += 1
        return Value(self.next - 1, "temporary", tuple(shape), hint)


def plan(kernel, hints: dict | None = None):
    """``kernel`` with every :class:`Einsum` replaced by pairwise steps (see the module docstring)."""
    fresh, hints = Temporaries(kernel), dict(hints or {})
    producers = {step.writes: step for step in kernel.steps if not isinstance(step, Allocate)}
    readers = _readers(kernel)
    outputs = {out.value for out in kernel.outputs}
    steps = []
    for step in kernel.steps:
        if isinstance(step, Einsum):
            steps += _plan_einsum(step, producers, readers, outputs, fresh, hints)
        else:
            steps.append(step)
    return replace(kernel, steps=drop_unread(tuple(steps), outputs))


def _readers(kernel) -> dict:
    found = {}
    for step in kernel.steps:
        for value in step.reads_values():
            found.setdefault(value, []).append(step)
    return found


# ---------------------------------------------------------------------------------------------
# reading through views and proportional operands

def _view(value, producers, readers, outputs):
    """``(coefficient formula, read)`` when ``value`` is a loop relabelling or scaling one array and every
    reader is an ``Einsum``; else ``None``."""
    step = producers.get(value)
    if not isinstance(step, Loop) or step.summed or value in outputs or step.accumulate \
            or len(unique(step.out)) != len(step.out):
        return None
    arrays = [(s, a) for s, a in step.body.reads if a.value.rank > 0]
    if len(arrays) != 1 or set(arrays[0][1].letters) != set(step.out):
        return None
    symbol, read = arrays[0]
    if step.body.expr.diff(symbol).has(symbol) or step.body.expr.subs(symbol, 0) != 0:
        return None  # not linear in the one array read
    if not all(isinstance(r, Einsum) for r in readers.get(value, ())):
        return None
    others = tuple((s, a) for s, a in step.body.reads if s != symbol)
    return Formula(step.body.expr.xreplace({symbol: sp.Integer(1)}), others), read, step.out


def _through_views(operands, scale, producers, readers, outputs):
    operands, factors = list(operands), [scale] if scale is not None else []
    for k, access in enumerate(operands):
        found = _view(access.value, producers, readers, outputs)
        while found is not None:
            factor, read, out = found
            mapping = dict(zip(out, access.letters, strict=True))
            access = Access(read.value, "".join(mapping[c] for c in read.letters))
            factors.append(factor)
            found = _view(access.value, producers, readers, outputs)
        operands[k] = access
    return operands, _product(factors)


def _product(factors):
    """The product of formulas (``None`` for one)."""
    factors = [f for f in factors if f is not None]
    if not factors:
        return None
    expr, reads = sp.Integer(1), []
    for f in factors:
        expr, reads = expr * f.expr, reads + [r for r in f.reads if r not in reads]
    return None if expr == 1 and not reads else Formula(expr, tuple(reads))


def _proportional(operands, producers):
    """Operands that are constant multiples of an earlier one read as that one; the constant."""
    factor, seen, result = sp.Integer(1), [], []
    for access in operands:
        for earlier in seen:
            ratio = _ratio(producers.get(access.value), producers.get(earlier))
            if ratio is not None:
                access, factor = Access(earlier, access.letters), factor * ratio
                break
        else:
            seen.append(access.value)
        result.append(access)
    return result, factor


def _ratio(step, other):
    """The constant ``step / other`` for loops of one read each of the same array, else ``None``."""
    if not (isinstance(step, Loop) and isinstance(other, Loop)) or step == other or step.summed or other.summed \
            or len(step.body.reads) != 1 or len(other.body.reads) != 1 or step.out != other.out:
        return None
    (a, read_a), (b, read_b) = step.body.reads[0], other.body.reads[0]
    if read_a != read_b:
        return None
    ratio = sp.cancel(step.body.expr.xreplace({a: b}) / other.body.expr)
    return ratio if ratio.is_number and ratio.is_finite and ratio != 0 else None


# ---------------------------------------------------------------------------------------------
# one Einsum

def _plan_einsum(step: Einsum, producers, readers, outputs, fresh, hints) -> list:
    operands, scale = _through_views(step.operands, step.scale, producers, readers, outputs)
    operands, factor = _proportional(operands, producers)
    if factor != 1:
        scale = _product([scale, Formula(factor)])
    sizes = dict(step.sizes)
    out, target = step.target.letters, step.target.value
    core = "".join(c for c in unique(out) if any(c in a.letters for a in operands))
    batched = _batched_gram(operands, core)
    if batched and core != out:  # the compact result is ours: stacked by the batch letter
        core = batched[0] + core.replace(batched[0], "")
    if core == out:
        return _contract(operands, core, sizes, scale, target, fresh, hints, step.note)
    compact = fresh.new(tuple(sizes[c] for c in core))
    steps = _contract(operands, core, sizes, None, compact, fresh, hints, step.note)
    symbol = sp.Dummy("r", real=True)
    ranges = tuple((c, sizes[c]) for c in unique(out))
    body = _product([Formula(symbol, ((symbol, Access(compact, core)),)), scale])
    loop = Loop(step.target, ranges, "", body, note=step.note + " (layout)")
    return steps + ([] if target.rank == 0 else [Allocate(target, "zeros")]) + [loop]


def _contract(operands, core, sizes, scale, target, fresh, hints, note) -> list:
    """Steps computing ``target[core] = scale * einsum(operands -> core)``."""
    gram = _weighted_gram(operands, core)
    if gram:
        x, weights = gram
        gram = Gram(target, x, weights, ROW_BLOCK, COLUMN_BLOCK, note + " (symmetric: upper triangle by blocks)")
        return [gram] + _scaled(target, scale)
    batched = _batched_gram(operands, core)
    if batched:
        return _batched_gram_steps(batched, core, sizes, scale, target, fresh, note)
    split = pair_gram([(a.value.key, a.letters) for a in operands], core, sizes)
    if split:
        return _pair_gram(operands, split, core, sizes, scale, target, fresh, hints, note)
    representative = representative_sizes(sizes, hints)
    if _slice_letter(operands, core, representative):
        return _sliced(operands, core, sizes, scale, target, fresh, hints, note)
    return _pairwise(operands, core, sizes, scale, target, fresh, representative, note)


def _scaled(target, scale) -> list:
    return [] if scale is None else [Scale(target, scale)]


def _weighted_gram(operands, core):
    """``(X, weights)`` for ``ca, cb, c, .. -> ab`` with the same matrix ``X`` twice."""
    if len(core) != 2 or len(operands) < 2:
        return ()
    matrices = [a for a in operands if len(a.letters) == 2]
    vectors = [a for a in operands if len(a.letters) == 1]
    if len(matrices) != 2 or matrices[0].value != matrices[1].value or len(vectors) != len(operands) - 2:
        return ()
    first, second = matrices[0].letters, matrices[1].letters
    summed = first[0]
    if second[0] != summed or {first[1], second[1]} != set(core) or first[1] == second[1] \
            or any(a.letters != summed for a in vectors):
        return ()
    return matrices[0].value, tuple(a.value for a in vectors)


def _batched_gram(operands, core):
    """``(b, s, weight operands, X, transposed)`` for ``sa, sc, sb.., s.. -> abc`` (``core`` in any order;
    ``as, cs``: ``transposed``): the weighted Gram of one matrix ``X`` for every value of a letter ``b``
    that only weights (``[s, b]`` operands) carry, e.g. the Hessian of a multi-output GLM, block-diagonal
    over the outputs, or a layer's diagonal blocks; else ``()``."""
    if len(core) != 3:
        return ()
    for b in core:
        batch = [a for a in operands if b in a.letters]
        rest = [a for a in operands if b not in a.letters]
        summed = {c for a in batch for c in a.letters} - {b}
        if not batch or any(len(a.letters) != 2 for a in batch) or len(summed) != 1:
            continue
        s = summed.pop()
        for transposed in (False, True):
            flipped = [Access(a.value, a.letters[::-1]) if len(a.letters) == 2 and transposed else a for a in rest]
            gram = _weighted_gram(flipped, core.replace(b, ""))
            if gram and next(a for a in flipped if len(a.letters) == 2).letters[0] == s:
                return b, s, tuple(batch) + tuple(a for a in rest if len(a.letters) == 1), gram[0], transposed
    return ()


def _batched_gram_steps(batched, core, sizes, scale, target, fresh, note) -> list:
    """``w[b, s] = prod(weights)``, then one :class:`BatchedGram` (stacked by ``b``; a loop puts ``b`` in
    its place when ``core`` does not lead with it)."""
    b, s, weights, x, transposed = batched
    pair = core.replace(b, "")
    stacked = fresh.new((sizes[b], sizes[s]))
    reads = [(sp.Dummy("r", real=True), a) for a in weights]
    product = Loop(Access(stacked, b + s), ((b, sizes[b]), (s, sizes[s])), "",
                   Formula(sp.Mul(*(r for r, _ in reads)), tuple(reads)), note=note + f" (weights by {b})")
    grams = target if core[0] == b else fresh.new((sizes[b], sizes[pair[0]], sizes[pair[1]]))
    steps = [Allocate(stacked), product,
             BatchedGram(grams, x, stacked, transposed, BATCHED_COLUMNS, note + f" (symmetric: one triangle per {b})")]
    if grams is target:
        return steps + _scaled(target, scale)
    r = sp.Dummy("r", real=True)
    body = _product([Formula(r, ((r, Access(grams, b + pair)),)), scale])
    return steps + [Allocate(target), Loop(Access(target, core), tuple((c, sizes[c]) for c in core), "", body,
                                           note=note)]


def _pair_gram(operands, split, core, sizes, scale, target, fresh, hints, note) -> list:
    """``Q[first + summed] = prod(half)``, ``G = Q Q^T`` (one triangle), ``target = scale G rest``."""
    by_key = {a.value.key: a.value for a in operands}
    half_out = core[:len(core) // 2] + split.summed
    steps, q = _gram_factor(split.half, half_out, by_key, sizes, fresh, note)
    direct = not split.rest and scale is None
    gram = target if direct else fresh.new(tuple(sizes[c] for c in core))
    rows = sp.Mul(*(sizes[c] for c in core[:len(core) // 2]))
    steps.append(BlockGram(gram, q, rows, sp.Mul(*(sizes[c] for c in split.summed)), COLUMN_BLOCK,
                           note + " (symmetric: one triangle of Q Q^T)"))
    if direct:
        return steps
    g = sp.Dummy("g", real=True)
    reads = [(g, Access(gram, core))]
    if split.rest:
        rest_out = "".join(c for c in core if any(c in s for _, s in split.rest))
        rest = fresh.new(tuple(sizes[c] for c in rest_out))
        rest_operands = [Access(by_key[k], letters) for k, letters in split.rest]
        steps += _contract(rest_operands, rest_out, sizes, None, rest, fresh, hints, note)
        reads.append((sp.Dummy("m", real=True), Access(rest, rest_out)))
    body = _product([Formula(sp.Mul(*(s for s, _ in reads)), tuple(reads)), scale])
    return steps + [Allocate(target), Loop(Access(target, core), tuple((c, sizes[c]) for c in core), "", body,
                                           note=note)]


def _gram_factor(half, half_out, by_key, sizes, fresh, note) -> tuple[list, Value]:
    """The steps computing ``Q[half_out] = prod(half)`` and ``Q`` (an operand itself when it is one)."""
    if len(half) == 1 and half[0][1] == half_out:
        return [], by_key[half[0][0]]
    q = fresh.new(tuple(sizes[c] for c in half_out))
    reads = [(sp.Dummy("r", real=True), Access(by_key[k], letters)) for k, letters in half]
    body = Formula(sp.Mul(*(s for s, _ in reads)), tuple(reads))
    return [Allocate(q), Loop(Access(q, half_out), tuple((c, sizes[c]) for c in half_out), "", body,
                              note=note + " (Gram factor)")], q


def _slice_letter(operands, core, sizes) -> str:
    """The leading output letter, when slicing along it avoids an order-3 intermediate at least as large
    as the output (it must lead exactly one operand, which has no repeated letter)."""
    if len(core) < 3:
        return ""
    holders = [a.letters for a in operands if core[0] in a.letters]
    if len(holders) != 1 or holders[0][0] != core[0] or len(unique(holders[0])) != len(holders[0]) \
            or len(holders[0]) < 2:
        return ""
    steps = contraction_steps([a.letters for a in operands], core, sizes)
    largest = max((s.out for s in steps[:-1]), key=lambda out: _volume(out, sizes), default="")
    return core[0] if len(largest) >= 3 and _volume(largest, sizes) >= _volume(core, sizes) else ""


def _volume(letters, sizes) -> int:
    return math.prod(sizes[c] for c in letters)


def _sliced(operands, core, sizes, scale, target, fresh, hints, note) -> list:
    k = next(j for j, a in enumerate(operands) if core[0] in a.letters)
    source = operands[k].value
    view = fresh.new(source.shape[1:], "view")
    inner = fresh.new(tuple(sizes[c] for c in core[1:]))
    inner_operands = list(operands)
    inner_operands[k] = Access(view, operands[k].letters[1:])
    steps = _contract(inner_operands, core[1:], sizes, scale, inner, fresh, hints, note)
    return [Sliced(target, source, view, sizes[core[0]], tuple(steps), inner,
                   note=note + f" (sliced along {core[0]})")]


def _pairwise(operands, core, sizes, scale, target, fresh, representative, note) -> list:
    plan_steps = contraction_steps([a.letters for a in operands], core, representative)
    values, steps = [a.value for a in operands], []
    for k, pair in enumerate(plan_steps):
        last = k == len(plan_steps) - 1
        result = target if last else fresh.new(tuple(sizes[c] for c in pair.out))
        reads = [Access(values[v], letters) for v, letters in pair.inputs]
        steps += _pair_step(pair, reads, result, sizes, scale if last else None, note)
        values.append(result)
    return steps


def _pair_step(pair, reads, result, sizes, scale, note) -> list:
    if pair.kind == "blas":
        a, b = reads
        letters = pair.rows + pair.cols
        ranges = tuple((c, sizes[c]) for c in unique(a.letters + b.letters))
        return [Contract(Access(result, letters), Matrix(a, pair.rows, pair.inner), Matrix(b, pair.inner, pair.cols),
                         ranges, scale, note)]
    symbols = [(sp.Dummy("r", real=True), Access(r.value, r.letters if r.value.rank else "")) for r in reads]
    body = Formula(sp.Mul(*(s for s, _ in symbols)), tuple(symbols))
    ranges = tuple((c, sizes[c]) for c in unique(pair.out + pair.summed))
    loop = Loop(Access(result, pair.out), ranges, pair.summed, body, scale, note=note)
    return ([Allocate(result)] if result.rank else []) + [loop]


__all__ = ["plan", "Temporaries"]

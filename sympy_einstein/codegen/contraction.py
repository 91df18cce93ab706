"""Contraction order: one Einstein product -> pairwise steps, each classified (used by the planning pass).

The order of pairwise contractions comes from ``opt_einsum.contract_path`` on representative sizes
(symbolic sizes are assumed large: ``size_hint`` each unless told otherwise). Each step is classified:

- ``"blas"``: a matrix product after grouping axes -- no index shared by both operands survives, at
  least one is summed (GEMM, GEMV or a dot product); ``rows``/``inner``/``cols`` give the groups;
- ``"loop"``: everything else (Hadamard, outer, broadcast, batched products), an explicit loop nest;
- ``"reduce"``: one operand: sum out indices needed nowhere else, or read a diagonal.

>>> steps = contraction_steps(["ij", "i", "ik"], "jk", {"i": 4000, "j": 200, "k": 200})
>>> [(s.kind, s.inputs, s.out) for s in steps]
[('loop', ((1, 'i'), (2, 'ik')), 'ik'), ('blas', ((0, 'ij'), (3, 'ik')), 'jk')]
>>> steps[1].rows, steps[1].inner, steps[1].cols
('j', 'i', 'k')
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import opt_einsum
import sympy as sp

from ..ir.indices import unique

SIZE_HINT = 1000
DP_OPERANDS = 8


@dataclass(frozen=True)
class Step:
    """``value[result] = kind-of-product(inputs) -> out``; inputs are ``(value id, letters)`` pairs.

    Value ids ``0 .. k-1`` are the operands, each step appends the next id. ``summed`` are the
    letters summed in this step. For ``"blas"``: ``rows + cols == out`` and the first input is
    viewed as a ``rows x inner`` matrix, the second as ``inner x cols``.
    """

    kind: str
    inputs: tuple
    out: str
    summed: str
    rows: str = ""
    inner: str = ""
    cols: str = ""


def representative_sizes(sizes: dict, hints: dict | None = None) -> dict:
    """Integer sizes for planning: numbers as they are, symbols from ``hints`` or ``SIZE_HINT``.

    >>> n = sp.Symbol("n")
    >>> representative_sizes({"a": n, "b": 2 * n, "c": sp.Integer(3)}, {n: 10})
    {'a': 10, 'b': 20, 'c': 3}
    """
    hints = dict(hints or {})
    result = {}
    for letter, size in sizes.items():
        size = sp.sympify(size)
        values = {s: hints.get(s, SIZE_HINT) for s in size.free_symbols}
        result[letter] = int(size.xreplace(values))
    return result


def einsum_path(inputs, output: str, sizes: dict) -> list:
    """The pairwise order opt_einsum chooses, as a list of index tuples (numpy's ``optimize`` form).

    Up to ``DP_OPERANDS`` operands, opt_einsum's dynamic programming minimizing flops plus the
    size of the intermediates ("combo"): among orders of equal flop count it avoids the ones that
    build large intermediates (e.g. ``X[b,f] X[d,f]`` of size n x m x n in a two-layer-net Hessian).

    >>> einsum_path(["ij", "jk", "k"], "i", {"i": 100, "j": 100, "k": 100})
    [(1, 2), (0, 1)]
    """
    if len(inputs) < 2:
        return [(0,)] if inputs else []
    shapes = [tuple(sizes[c] for c in letters) for letters in inputs]
    optimize = opt_einsum.DynamicProgramming(minimize="combo") if len(inputs) <= DP_OPERANDS else "auto"
    path, _ = opt_einsum.contract_path(",".join(inputs) + "->" + output, *shapes, shapes=True, optimize=optimize)
    return [tuple(p) for p in path]


def contraction_steps(inputs, output: str, sizes: dict) -> list[Step]:
    """Pairwise steps computing ``einsum(inputs -> output)``; ``output`` has distinct letters, all of
    which occur in some input (diagonal writes and broadcasts are the backend's final step).

    >>> [s.kind for s in contraction_steps(["ii", "ij"], "j", {"i": 3, "j": 3})]
    ['reduce', 'blas']
    """
    values = list(inputs)
    live = list(range(len(inputs)))
    steps = []
    for k, letters in enumerate(inputs):
        if len(unique(letters)) != len(letters):
            steps.append(Step("reduce", ((k, letters),), unique(letters), ""))
            values.append(unique(letters))
            live[live.index(k)] = len(values) - 1
    for pair in einsum_path([values[v] for v in live], output, sizes):
        chosen = [live[p] for p in pair]
        rest = [v for v in live if v not in chosen]
        needed = set(output).union(*(values[v] for v in rest))
        for step in _pair_steps(chosen, values, needed, output if not rest else None):
            steps.append(step)
            values.append(step.out)
        live = rest + [len(values) - 1]
    if not steps or values[live[0]] != output:
        last = values[live[0]]
        steps.append(Step("reduce", ((live[0], last),), output, _minus(last, output)))
    return _blas_ready(steps, len(inputs), output)


def _blas_ready(steps: list, first_value: int, output: str) -> list:
    """Loop and reduce steps that feed a matrix product write their result in the layout the product
    reads (``rows + inner`` or ``inner + cols``), so no transposed copy is made before BLAS.

    >>> steps = contraction_steps(["bf", "af", "df", "cf"], "abcd", {c: 10 for c in "abcdf"})
    >>> [(s.kind, s.out) for s in steps]
    [('loop', 'abf'), ('loop', 'fcd'), ('blas', 'abcd')]
    """
    steps = list(steps)
    for j, step in enumerate(steps):
        if step.kind != "blas":
            continue
        free = [0 <= v - first_value < j and steps[v - first_value].kind in ("loop", "reduce")
                for v, _ in step.inputs]
        rows, cols = (_in_order_of(group, output) if movable else group
                      for group, movable in zip((step.rows, step.cols), free, strict=True))
        step = steps[j] = replace(step, rows=rows, cols=cols, out=rows + cols)
        for k in range(j + 1, len(steps)):  # readers of this product see its new layout
            steps[k] = replace(steps[k], inputs=tuple((v, step.out if v == first_value + j else letters)
                                                      for v, letters in steps[k].inputs))
        inputs = list(step.inputs)
        for side, (value, letters) in enumerate(step.inputs):
            wanted = rows + step.inner if side == 0 else step.inner + cols
            if free[side] and letters != wanted:
                steps[value - first_value] = replace(steps[value - first_value], out=wanted)
                inputs[side] = (value, wanted)
        steps[j] = replace(step, inputs=tuple(inputs))
    last = steps[-1]
    if len(steps) > 1 and last.kind == "reduce" and not last.summed and steps[-2].out == last.out \
            and last.inputs[0][0] == first_value + len(steps) - 2:
        steps.pop()  # the product already writes the output's layout
    return steps


def _in_order_of(group: str, output: str) -> str:
    """``group``'s letters in the order of ``output`` when all occur there."""
    return "".join(sorted(group, key=output.index)) if set(group) <= set(output) else group


def _pair_steps(chosen, values, needed: set, final: str | None) -> list[Step]:
    """Steps for one entry of the path: pre-reductions, then one pairwise (or single) product."""
    steps, operands = [], []
    for v in chosen:
        letters = values[v]
        others = set().union(*(values[w] for w in chosen if w != v))
        kept = "".join(c for c in letters if c in needed or c in others)
        if kept != letters:
            steps.append(Step("reduce", ((v, letters),), kept, _minus(letters, kept)))
            operands.append((len(values) + len(steps) - 1, kept))
        else:
            operands.append((v, letters))
    if len(operands) == 2:
        steps.append(_classify(operands, needed, final))
    return steps


def _minus(letters: str, removed: str) -> str:
    return "".join(c for c in letters if c not in removed)


def _classify(operands, needed: set, final: str | None) -> Step:
    (ia, a), (ib, b) = operands
    shared = set(a) & set(b)
    summed = "".join(c for c in a if c in shared and c not in needed)
    batch = shared - set(summed)
    if summed and not batch:
        return _blas_step(operands, summed, final)
    out = final or unique(a + b)
    out = "".join(c for c in out if c not in summed)
    return Step("loop", tuple(operands), out, summed)


def _blas_step(operands, summed: str, final: str | None) -> Step:
    """A matrix product; swap the operands when that gives the final output order directly."""
    (ia, a), (ib, b) = operands
    rows, cols = _minus(a, summed), _minus(b, summed)
    if final is not None and final == cols + rows and final != rows + cols:
        (ia, a), (ib, b), rows, cols = (ib, b), (ia, a), cols, rows
    inner = _inner_order(a, b, summed)
    return Step("blas", ((ia, a), (ib, b)), rows + cols, inner, rows, inner, cols)


def _inner_order(a: str, b: str, summed: str) -> str:
    """The order of the summed letters that lets the operands be reshaped without copies, if any."""
    in_a = "".join(c for c in a if c in summed)
    in_b = "".join(c for c in b if c in summed)
    return in_a if _copies(a, in_a, rows_first=True) + _copies(b, in_a, rows_first=False) <= \
        _copies(a, in_b, rows_first=True) + _copies(b, in_b, rows_first=False) else in_b


def _copies(letters: str, inner: str, rows_first: bool) -> int:
    """1 when an operand must be transposed into a copy to view it as a matrix with ``inner``."""
    outer = _minus(letters, inner)
    return 0 if letters in (outer + inner, inner + outer) else 1

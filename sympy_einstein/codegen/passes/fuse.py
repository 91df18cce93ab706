"""Pass 3, fusion: an elementwise loop read by exactly one other elementwise loop is computed inside it.

A producer is fused into its reader when it is a :class:`Loop` that sums nothing, writes no diagonal,
is not an output, and its value is read by one step only: a loop that sums nothing and reads the
value once at letters covering its own output (so fusing computes each entry once, never per
broadcast). A view (a loop relabelling one array, ``C^T``) is fused into every such reader. Fused
bodies are substituted into the reader's body (letters renamed), reads of the same array at the same
letters become one symbol, and the repeated subexpressions of every loop body
become ``lets`` (SymPy's ``cse``). Views and constant multiples read by contractions were handled by
planning; everything else stays one array (shared subexpressions computed once).

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> A = se.matrix("A", 3, 3)
>>> kernel = fuse(lower(build_program([A], se.exp(A) * A.T + 1)))
>>> [type(s).__name__ for s in kernel.steps], len(kernel.steps[-1].body.reads)
(['Allocate', 'Loop'], 2)
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ...ir.indices import unique
from ..kernel import Access, Allocate, Formula, Loop


def fuse(kernel):
    """``kernel`` with single-use elementwise loops fused into their readers (module docstring)."""
    fusable = _fusable(kernel)
    producers, steps = {}, []
    for step in kernel.steps:
        if isinstance(step, Loop) and not step.summed and not step.accumulate:
            step = replace(step, body=_inline(step.body, step.out, producers))
        if isinstance(step, Loop) and step.target.value in fusable:
            producers[step.target.value] = step
            continue
        steps.append(step)
    steps = [s for s in steps if not (isinstance(s, Allocate) and s.target in fusable)]
    steps = [replace(s, body=_with_lets(s.body)) if isinstance(s, Loop) else s for s in steps]
    return replace(kernel, steps=tuple(steps))


def _fusable(kernel) -> set:
    """Values of elementwise loops read exactly once, by a loop that sums nothing, at covering letters."""
    reads = {}
    for step in kernel.steps:
        if isinstance(step, Loop):
            for _, access in step.body.reads:
                covering = not step.summed and not step.accumulate and _covers(access, step.out)
                reads.setdefault(access.value, []).append(covering)
        for value in step.reads_values():
            if not isinstance(step, Loop) or value in (step.scale.values() if step.scale else ()):
                reads.setdefault(value, []).append(False)
    outputs = {out.value for out in kernel.outputs}
    return {step.target.value for step in kernel.steps if isinstance(step, Loop) and _elementwise(step)
            and step.target.value not in outputs and reads.get(step.target.value, [False])
            and all(reads[step.target.value]) and (len(reads[step.target.value]) == 1 or _is_view(step))}


def _is_view(step) -> bool:
    """A loop that only fills a constant, or relabels (or scales by a number) one read: fused into every
    reader."""
    if not step.body.reads:
        return True
    (symbol, _), *rest = step.body.reads
    return not rest and (step.body.expr / symbol).is_number


def _elementwise(step) -> bool:
    return (not step.summed and not step.accumulate and step.scale is None and step.target.value.rank > 0
            and len(unique(step.out)) == len(step.out))


def _covers(access, out) -> bool:
    return len(unique(access.letters)) == len(access.letters) and set(access.letters) == set(out) \
        and len(access.letters) == len(out)


def _inline(body: Formula, out: str, fusable: dict) -> Formula:
    """``body`` with reads of fusable values replaced by their producers' bodies (already inlined)."""
    expr, reads, changed = body.expr, [], False
    for symbol, access in body.reads:
        producer = fusable.get(access.value)
        if producer is None or not _covers(access, out):
            reads.append((symbol, access))
            continue
        mapping = dict(zip(producer.out, access.letters, strict=True))
        inner = producer.body
        renamed = {s: sp.Dummy("r", real=True) for s, _ in inner.reads}
        expr = expr.xreplace({symbol: inner.expr.xreplace(renamed)})
        reads += [(renamed[s], Access(a.value, "".join(mapping[c] for c in a.letters))) for s, a in inner.reads]
        changed = True
    return _merge_reads(Formula(expr, tuple(reads))) if changed else body


def _merge_reads(body: Formula) -> Formula:
    """One symbol per distinct access."""
    first, replacement = {}, {}
    for symbol, access in body.reads:
        if access in first:
            replacement[symbol] = first[access]
        else:
            first[access] = symbol
    if not replacement:
        return body
    reads = tuple((s, a) for s, a in body.reads if s not in replacement)
    return Formula(body.expr.xreplace(replacement), reads)


def _with_lets(body: Formula) -> Formula:
    """Repeated subexpressions of ``body`` as ``lets`` (computed once per entry)."""
    replacements, (reduced,) = sp.cse(body.expr, symbols=(sp.Dummy("c", real=True) for _ in iter(int, 1)))
    if not replacements:
        return body
    return Formula(reduced, body.reads, tuple(replacements))

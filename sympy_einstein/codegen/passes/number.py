"""Pass 1, value numbering across all outputs: steps that compute the same thing become one.

The lowering already gives equal subtrees of the DAG one value; flattening products and planning
contractions can still produce two steps with equal content (same kind, same reads, the same body
up to the names of its symbols). The later one is dropped (with its allocation) and every read of its
value reads the earlier one.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> x = se.vector("x", 3)
>>> kernel = number(lower(build_program([x], [se.exp(x) + 1, 1 + se.exp(x)])))
>>> len(kernel.steps), kernel.outputs[0].value == kernel.outputs[1].value
(6, True)
"""
from __future__ import annotations

from dataclasses import fields, replace

import sympy as sp

from ..kernel import Allocate, Call, Contract, Einsum, Formula, Loop, Output, substitute


def number(kernel):
    """``kernel`` with duplicate steps merged (see the module docstring)."""
    seen, mapping, kept = {}, {}, []
    for step in kernel.steps:
        step = substitute(step, mapping)
        key = _key(step)
        if key is not None and key in seen:
            mapping[step.writes] = seen[key]
            continue
        if key is not None:
            seen[key] = step.writes
        kept.append(step)
    dropped = set(mapping)
    steps = tuple(s for s in kept if not (isinstance(s, Allocate) and s.target in dropped))
    return replace(kernel, steps=steps, outputs=_outputs(kernel.outputs, mapping))


def _outputs(outputs, mapping) -> tuple:
    """Outputs reading through ``mapping``; a value returned twice is copied (after the first time)."""
    result, seen = [], set()
    for out in outputs:
        value = mapping.get(out.value, out.value)
        copy = value.role != "temporary" or value in seen
        seen.add(value)
        result.append(Output(out.name, value, copy))
    return tuple(result)


def _key(step):
    """What ``step`` computes, independent of its target's identity and its symbols' names."""
    if isinstance(step, (Loop, Einsum)) and not getattr(step, "accumulate", False):
        parts = []
        for f in fields(step):
            item = getattr(step, f.name)
            if f.name == "note":
                continue
            if f.name == "target":
                item = (item.letters, item.value.shape)
            parts.append(_canonical(item) if isinstance(item, Formula) else item)
        return (type(step), tuple(parts))
    if isinstance(step, Contract) and step.target.value.rank == len(step.target.letters):
        return (Contract, step.target.letters, step.a, step.b, step.sizes,
                None if step.scale is None else _canonical(step.scale))
    if isinstance(step, Call):
        return (Call, step.function, step.arguments, step.options, step.target.shape)
    return None


def _canonical(formula: Formula):
    """The formula with its symbols named by the order of their accesses (so ``a + b == b + a``)."""
    reads = sorted(formula.reads, key=lambda read: (read[1].value.key, read[1].letters))
    symbols = {symbol: sp.Symbol(f"_r{k}") for k, (symbol, _) in enumerate(reads)}
    lets = tuple(e.xreplace(symbols) for _, e in formula.lets)
    return (formula.expr.xreplace(symbols), tuple(access for _, access in reads), lets)

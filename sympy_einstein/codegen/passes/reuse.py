"""Pass 7, buffers: sums accumulated in place, lazily zeroed diagonal outputs, unread steps dropped.

- A sum ``t = u + v`` whose term ``u`` is a temporary array of the same layout that nothing else
  reads (not an output) is accumulated in place: ``u``'s step writes ``t`` directly, then ``t += v``
  (one array of the sum's size less).
- An array that a loop writes only on a diagonal (the rest zero) is allocated ``lazy``: by
  ``numpy.zeros`` outside the compiled code, whose pages the operating system zeroes on first touch
  (compiled ``np.zeros`` writes them all).
- Steps whose values nothing reads are dropped.

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> x = se.vector("x", 3)
>>> kernel = reuse(lower(build_program([x], se.diag(x))))
>>> kernel.steps[0].fill
'lazy'
"""
from __future__ import annotations

from dataclasses import replace

from ..kernel import Allocate, Formula, Loop, drop_unread, substitute


def reuse(kernel):
    """``kernel`` with the buffer decisions above."""
    outputs = {out.value for out in kernel.outputs}
    steps = _lazy(_accumulate(kernel.steps, outputs))
    return replace(kernel, steps=drop_unread(steps, outputs))


def _readers(steps) -> dict:
    found = {}
    for step in steps:
        for value in step.reads_values():
            found[value] = found.get(value, 0) + 1
    return found


def _accumulate(steps, outputs) -> tuple:
    readers = _readers(steps)
    result, mapping, dropped = [], {}, set()
    for step in steps:
        term = _term(step, readers, outputs) if isinstance(step, Loop) else None
        if term is None:
            result.append(step)
            continue
        symbol, access = term
        mapping[access.value] = step.target.value
        dropped.add(step.target.value)
        body = Formula(step.body.expr - symbol, tuple((s, a) for s, a in step.body.reads if s != symbol))
        result.append(replace(step, body=body, accumulate=True))
    result = [s for s in result if not (isinstance(s, Allocate) and s.target in dropped)]
    resolved = _resolved(mapping)
    return tuple(substitute(s, resolved) for s in result)


def _resolved(mapping: dict) -> dict:
    """``mapping`` applied until it changes nothing (a term of a sum that is a term of another sum)."""
    result = {}
    for value in mapping:
        target = value
        while target in mapping:
            target = mapping[target]
        result[value] = target
    return result


def _term(step: Loop, readers, outputs):
    """The read ``(symbol, access)`` of a temporary term whose producer can write into the sum's array."""
    if step.summed or step.scale is not None or step.target.value.rank == 0 or not step.body.expr.is_Add \
            or len(set(step.out)) != len(step.out) or step.body.lets or step.accumulate:
        return None
    for symbol, access in step.body.reads:
        value = access.value
        if (symbol in step.body.expr.args and access.letters == step.out and value.role == "temporary"
                and value not in outputs and readers.get(value) == 1 and value.shape == step.target.value.shape):
            return symbol, access
    return None


def _lazy(steps) -> tuple:
    diagonal = {step.target.value for step in steps
                if isinstance(step, Loop) and len(set(step.out)) < len(step.out)}
    return tuple(replace(step, fill="lazy") if isinstance(step, Allocate) and step.target in diagonal
                 and step.target.rank > 1 else step for step in steps)

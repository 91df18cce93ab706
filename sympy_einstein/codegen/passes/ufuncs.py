"""Pass 4, whole-array library calls: ``f(array)`` in a loop body becomes one :class:`Call` per kernel.

When a loop that sums nothing and writes no diagonal applies a function of the library table
(:data:`~sympy_einstein.codegen.calls.ELEMENTWISE`: ``tanh``, ``exp``, ``log``, ``sigmoid``, ...) to an
array read at exactly the loop's letters, the function is computed once for the whole array by a
:class:`Call` (NumPy's SIMD ufuncs: measured 13 times faster than one libm call per entry from Numba),
and the loop reads the result. The same function of the same array is called once per kernel, so the
value, gradient and Hessian of a logistic loss share one ``sigmoid(X @ w)``.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes.fuse import fuse
>>> x = se.vector("x", 3)
>>> kernel = ufuncs(fuse(lower(build_program([x], [se.tanh(x) + 1, se.tanh(x) * x, se.exp(x)]))))
>>> [type(s).__name__ for s in kernel.steps]
['Call', 'Allocate', 'Loop', 'Allocate', 'Loop', 'Call']
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ..calls import ELEMENTWISE
from ..kernel import Access, Allocate, Call, Formula, Loop, substitute
from .plan import Temporaries


def ufuncs(kernel):
    """``kernel`` with the library functions of whole arrays taken out of loop bodies."""
    fresh, calls, steps, aliases = Temporaries(kernel), {}, [], {}
    outputs = {out.value for out in kernel.outputs}
    for step in kernel.steps:
        if isinstance(step, Loop) and step.out and not step.summed and len(set(step.out)) == len(step.out):
            direct = _direct(step, calls, outputs)
            if direct is not None:
                steps = [s for s in steps if not (isinstance(s, Allocate) and s.target == step.target.value)]
                if isinstance(direct, Call):
                    steps.append(direct)
                else:
                    aliases[step.target.value] = direct
                continue
            new_calls, body = _extract(step, calls, fresh)
            steps += new_calls
            step = replace(step, body=body)
        steps.append(step)
    return replace(kernel, steps=tuple(substitute(s, aliases) for s in steps))


def _direct(step: Loop, calls: dict, outputs: set):
    """A loop computing just ``f(array)`` at its own letters is the call itself, into its target; or,
    when that call was made already, the value it made (if the loop's value is no output)."""
    reads = dict(step.body.reads)
    found = _candidates(step.body.expr, reads, step.out)
    if step.body.lets or step.scale is not None or step.accumulate or len(found) != 1 or found[0][0] != step.body.expr:
        return None
    call, function, access = found[0]
    if (function, access.value) in calls:
        return None if step.target.value in outputs else calls[(function, access.value)]
    calls[(function, access.value)] = step.target.value
    return Call(step.target.value, function, (access,), note=step.note)


def _candidates(expr, reads, out) -> list:
    found = []
    for call in sorted(expr.atoms(sp.Function), key=sp.default_sort_key):
        function = ELEMENTWISE.get(type(call))
        if function and len(call.args) == 1 and call.args[0] in reads and reads[call.args[0]].letters == out:
            found.append((call, function, reads[call.args[0]]))
    return found


def _extract(step: Loop, calls: dict, fresh) -> tuple[list, Formula]:
    body = step.body
    lets = dict(body.lets)
    reads = dict(body.reads)
    expressions = [body.expr] + list(lets.values())
    new, replaced = [], {}
    for expr in expressions:
        for call, function, access in _candidates(expr, reads, step.out):
            key = (function, access.value)
            if key not in calls:
                calls[key] = fresh.new(access.value.shape, function)
                new.append(Call(calls[key], function, (Access(access.value, access.letters),),
                                note=f"{function} of a whole array"))
            replaced[call] = replaced.get(call) or sp.Dummy("u", real=True)
    if not replaced:
        return [], body
    extra = tuple((symbol, Access(calls[(ELEMENTWISE[type(call)], reads[call.args[0]].value)], step.out))
                  for call, symbol in replaced.items())
    new_lets = tuple((s, e.xreplace(replaced)) for s, e in body.lets)
    expr = body.expr.xreplace(replaced)
    used = expr.free_symbols.union(*(e.free_symbols for _, e in new_lets))
    kept = tuple((s, a) for s, a in body.reads + extra if s in used)
    return new, Formula(expr, kept, new_lets)

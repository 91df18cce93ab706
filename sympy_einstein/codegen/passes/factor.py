"""Pass 3, factorizations: one per distinct matrix, shared by every solve, inverse and determinant of it.

Each matrix ``A`` that a ``solve``, ``inv``, ``det`` or ``slogdet`` call reads is factored once (a
``factor`` call: Cholesky when ``A`` is an argument declared symmetric and the matrix passed is
positive definite, else LU; :mod:`sympy_einstein.codegen.linalg_runtime`); then

- ``solve(A, B)`` becomes ``factor_solve`` against that factorization;
- ``inv(A)`` that is only multiplied -- every reader a matrix product ``inv(A) @ B``, ``inv(A).T @ B``
  or ``b @ inv(A)`` (``b`` a vector) -- becomes one ``factor_solve`` per product (scaled after), and
  the inverse is never formed; any other ``inv(A)`` is ``factor_inverse`` of the factorization;
- ``slogdet(A)`` and ``det(A)`` read the factorization's diagonal (``factor_logdet``, ``factor_det``).

Matrices are compared by what they compute, not by their node: each elementwise loop's body is
expanded through the elementwise loops it reads (a few levels, over placeholders for the other
values), so two spellings of one kernel matrix (``exp(-theta D) + I/10`` from the value and the same
sum with ``theta`` broadcast from a derivative) share a factorization, and a matrix equal to the
transpose of another (``solve(K.T, .)`` of a reverse rule) uses its factorization transposed (arrays
written only on their diagonal and declared symmetric arguments are symmetric). So the value, gradient
and Hessian of ``logdet(S) + x @ inv(S) @ x`` or of a Gaussian-process likelihood factor once. Each call
keeps its node as ``label`` for the error a singular or non-finite matrix raises at run time.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import number, plan
>>> A, x = se.matrix("A", 3, 3), se.vector("x", 3)
>>> kernel = factor(plan.plan(number.number(lower(build_program([A, x], [se.logdet(A), se.inv(A) @ x])))))
>>> [s.function for s in kernel.steps], kernel.steps[2].options
(['factor', 'factor_logdet', 'factor_solve'], (('transpose', False), ('label', 'inv(A)')))
"""
from __future__ import annotations

from dataclasses import replace

import sympy as sp

from ...ir.linalg import SymmetricMatrix
from ..kernel import Access, Call, Contract, Gram, Loop, Scale, Value, all_steps, all_values, drop_unread

FACTORED = {"solve": "factor_solve", "inv": "factor_inverse", "slogdet": "factor_logdet", "det": "factor_det"}


def factor(kernel):
    """``kernel`` with one factorization per distinct matrix (module docstring)."""
    calls = [s for s in kernel.steps if isinstance(s, Call) and s.function in FACTORED]
    if not calls:
        return kernel
    first_key = max(v.key for v in all_values(kernel)) + 1
    same = _same_matrices(kernel, list(dict.fromkeys(s.arguments[0].value for s in calls)))
    packed = {m: Value(first_key + k, "temporary", (m.shape[0] + 1, m.shape[1]), "factor")
              for k, m in enumerate(dict.fromkeys(m for m, _ in same.values()))}
    inverses = {s.target: s for s in calls if s.function == "inv"}
    multiplied = _only_multiplied(kernel, inverses)
    steps, done = [], set()
    for step in kernel.steps:
        if step in calls:
            matrix, flipped = same[step.arguments[0].value]
            if matrix not in done:
                done.add(matrix)
                steps.append(_factor_step(matrix, packed[matrix], step.note))
            if step.target not in multiplied:
                steps.append(_factored_call(step, packed[matrix], flipped))
        elif isinstance(step, Contract) and {step.a.access.value, step.b.access.value} & multiplied:
            inverse, rhs, transpose = _inverse_read(step, inverses)
            call = inverses[inverse]
            matrix, flipped = same[call.arguments[0].value]
            steps += _solve_product(step, packed[matrix], rhs, transpose != flipped, call.note)
        else:
            steps.append(step)
    return replace(kernel, steps=drop_unread(tuple(steps), {out.value for out in kernel.outputs}))


def _factor_step(matrix, target, note) -> Call:
    symmetric = isinstance(matrix.symbol, SymmetricMatrix) and matrix.role == "argument"
    return Call(target, "factor", (Access(matrix, "ab"),), (("symmetric", symmetric), ("label", note)),
                note=f"factorization of the matrix of {note}")


def _factored_call(step, packed, transpose: bool) -> Call:
    """``step`` reading the factorization of its matrix (of its transpose when ``transpose``)."""
    source = Access(packed, "ab")
    if step.function in ("solve", "inv"):
        options = (("transpose", transpose), ("label", step.note))
        function = "factor_solve" if step.function == "solve" else "factor_inverse"
        return Call(step.target, function, (source,) + step.arguments[1:], options, note=step.note)
    return Call(step.target, FACTORED[step.function], (source,), note=step.note)


def _only_multiplied(kernel, inverses) -> set:
    """The inverses whose every reader is a top-level product a solve can compute (not an output)."""
    readers = {}
    for step in all_steps(kernel.steps):
        for value in step.reads_values():
            readers.setdefault(value, []).append(step)
    outputs = {out.value for out in kernel.outputs}
    top = set(kernel.steps)
    return {v for v in inverses if v not in outputs and readers.get(v)
            and all(step in top and _inverse_read(step, inverses) for step in readers[v])}


def _inverse_read(step, inverses):
    """``(inverse, right-hand side access, transpose)`` when ``step`` is a product of one inverse that a
    solve computes: ``inv(A) @ B`` or ``inv(A).T @ B`` (``B`` read as it is stored), or ``b @ inv(A)``
    (``b`` a vector); else ``None``."""
    if not isinstance(step, Contract):
        return None
    a, b = step.a, step.b
    if a.access.value in inverses and b.access.value not in inverses and _plain(a) and _straight(b):
        return a.access.value, b.access, a.access.letters != a.first + a.second
    if b.access.value in inverses and a.access.value not in inverses and not a.first and _plain(b) \
            and _straight(a) and a.access.value.rank == 1:
        return b.access.value, a.access, b.access.letters == b.first + b.second
    return None


def _plain(matrix) -> bool:
    return len(matrix.first) == 1 and len(matrix.second) == 1 and matrix.how == "view"


def _straight(matrix) -> bool:
    letters = matrix.access.letters
    return letters == matrix.first + matrix.second and matrix.how == "view" and len(set(letters)) == len(letters)


def _solve_product(step, packed, rhs, transpose, label) -> list:
    """``step`` (a product of an inverse) as a solve against the factorization of its matrix, scaled after."""
    target = step.target.value
    call = Call(target, "factor_solve", (Access(packed, "ab"), rhs), (("transpose", transpose), ("label", label)),
                note=step.note)
    return [call] if step.scale is None else [call, Scale(target, step.scale)]


# which matrices are equal (or transposes of each other) ------------------------------------------------

DEPTH = 6  # levels of elementwise loops expanded into a matrix's key; deeper ones stay placeholders


def _same_matrices(kernel, matrices) -> dict:
    """``{matrix: (representative, transposed)}``: the first matrix with an equal key, or whose key is
    the transpose of this one's."""
    keys = _keys(kernel, set(matrices))
    x0, x1 = _letter("a"), _letter("b")
    found, result = {}, {}
    for matrix in matrices:
        key = keys.get(matrix, _leaf(matrix, "ab", set()))
        flipped = _canonical(key.xreplace({x0: x1, x1: x0}), keys["symmetric"])
        if key in found:
            result[matrix] = (found[key], False)
        elif flipped in found:
            result[matrix] = (found[flipped], True)
        else:
            found[key] = matrix
            result[matrix] = (matrix, False)
    return result


def _keys(kernel, matrices) -> dict:
    """Each elementwise loop's value as an expression over letters ``a, b, ..`` (its target's axes) and
    placeholders ``v<key>(letters)`` for the values it reads, expanded ``DEPTH`` levels deep."""
    symmetric = {f"v{v.key}" for v in kernel.arguments if isinstance(v.symbol, SymmetricMatrix)}
    symmetric |= {f"v{s.target.value.key}" for s in kernel.steps if isinstance(s, Loop)
                  and s.target.value.rank == 2 and len(set(s.target.letters)) == 1}
    keys, depth = {"symmetric": symmetric}, {}
    for step in kernel.steps:
        if isinstance(step, Gram):  # X^T diag(w) X: named by its operands (two equal ones are one), symmetric
            name = "gram_" + "_".join(str(v.key) for v in (step.x,) + tuple(step.weights))
            symmetric.add(name)
            keys[step.target], depth[step.target] = sp.Function(name)(_letter("a"), _letter("b")), 0
        if not _elementwise(step):
            continue
        letters = {c: _letter("abcdefgh"[k]) for k, c in enumerate(step.target.letters)}
        binding, levels = {}, [0]
        for symbol, access in step.body.reads:
            inner = keys.get(access.value) if depth.get(access.value, DEPTH) < DEPTH else None
            if inner is None:
                binding[symbol] = _leaf(access.value, access.letters, symmetric, letters)
                continue
            own = {_letter("abcdefgh"[k]): letters.get(c, sp.Symbol(c)) for k, c in enumerate(access.letters)}
            binding[symbol] = inner.xreplace(own)
            levels.append(depth[access.value] + 1)
        expr = step.body.expr if step.scale is None else step.body.expr * step.scale.expr
        keys[step.target.value] = _canonical(expr.xreplace(binding), symmetric)
        depth[step.target.value] = max(levels)
    return keys


def _elementwise(step) -> bool:
    return isinstance(step, Loop) and not step.summed and not step.accumulate and not step.body.lets \
        and len(set(step.target.letters)) == len(step.target.letters) == step.target.value.rank


def _letter(c: str) -> sp.Symbol:
    return sp.Symbol(f"_axis_{c}")


def _leaf(value, letters: str, symmetric: set, names=None):
    names = names or {}
    axes = [names.get(c, _letter(c)) for c in letters]
    if f"v{value.key}" in symmetric:
        axes = sorted(axes, key=str)
    return sp.Function(f"v{value.key}")(*axes) if axes else sp.Symbol(f"v{value.key}")


def _canonical(expr, symmetric: set):
    """``expr`` with the axes of every symmetric placeholder sorted."""
    return expr.replace(lambda e: isinstance(e, sp.core.function.AppliedUndef) and e.func.__name__ in symmetric,
                        lambda e: e.func(*sorted(e.args, key=str)))

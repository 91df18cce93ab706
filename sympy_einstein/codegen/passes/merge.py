"""After planning (pass 2), shared factors of matrix products in sums: ``A @ B1 + A @ B2 = A @ (B1 + B2)``.

Planning turns each term of a sum into its own products (a contraction of a sum of order >= 3 was
distributed over its terms before lowering, so that large sums are never formed). When two terms end
in matrix products with the same operand read the same way (``A[rows, inner]``), the sum computes
one product of ``A`` with the sum of the other operands: one GEMM of ``rows x inner x cols`` less for
an elementwise sum of ``inner x cols`` entries. The second derivative of a deeper net by its first
layer is such a sum: every curvature term is ``X[b, f] X[d, f]`` times a term over ``a, c, f``.

A *linear sum* is a loop that sums nothing and whose body is ``sum_i c_i r_i`` (numbers ``c_i``,
each ``r_i`` a read of an array at a permutation of the loop's letters). Its terms are expanded
through the linear sums and relabelling views that only it reads, down to the values they add; terms
that are :class:`Contract` results read by nothing else (numeric scale) are grouped by the operand
they share, read in the sum's letters (an operand with fewer than ``MIN_FREE`` rows, such as the
``x`` of ``A x + A^T x``, is not shared: summing ``A + A^T`` would cost what the second GEMV does).
A group of two or more becomes one sum of the other operands and one product; the sum reads that
product (the intermediate sums and views become unread and are dropped).

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import number, plan
>>> A, B, C = se.tensor("A", (8, 5, 6)), se.matrix("B", 6, 3), se.matrix("C", 6, 3)
>>> expr = se.einsum("abf,fc->abc", A, B) + 2 * se.einsum("abf,fc->abc", A, C)
>>> kernel = merge(number.number(plan.plan(lower(build_program([A, B, C], expr)))))
>>> sum(type(step).__name__ == "Contract" for step in kernel.steps)
1
"""
from __future__ import annotations

import math
from dataclasses import replace

import sympy as sp

from ...ir.indices import LETTERS, unique
from ..contraction import representative_sizes
from ..kernel import Access, Allocate, Contract, Formula, Loop, Matrix, drop_unread
from .plan import Temporaries

MIN_FREE = 32  # entries of the shared operand per summed index (rows of A in A @ B) for a merge to pay


def merge(kernel, hints: dict | None = None):
    """``kernel`` with the matrix products of a sum that share an operand computed as one (docstring);
    ``hints``: representative sizes of the size symbols (as for planning)."""
    steps = kernel.steps
    producers = {step.writes: step for step in steps if not isinstance(step, Allocate)}
    position = {step.writes: k for k, step in enumerate(steps) if not isinstance(step, Allocate)}
    readers, outputs = _readers(steps), {out.value for out in kernel.outputs}
    sums = [step for step in steps if _linear(step)]
    linear = {step.writes for step in sums}
    read_by_linear = {access.value for step in sums for _, access in step.body.reads}
    fresh, replaced, inserted = Temporaries(kernel), {}, {}
    context = (producers, readers, outputs, hints)
    for step in sums:
        if _single(step.writes, readers, outputs) and step.writes in read_by_linear:
            continue  # a term of another sum (expanded there)
        found = _merged(step, _expand(step, linear, context), context, fresh)
        if found is not None:
            body, groups = found
            replaced[step.writes] = replace(step, body=body)
            for new_steps, members in groups:
                inserted.setdefault(max(position[v] for v in members), []).extend(new_steps)
    if not replaced:
        return kernel
    result = []
    for k, step in enumerate(steps):
        result.append(replaced.get(step.writes, step) if isinstance(step, Loop) else step)
        result += inserted.get(k, [])
    return replace(kernel, steps=drop_unread(tuple(result), outputs))


def _readers(steps) -> dict:
    """``{value: number of reads}`` (a loop body reading a value twice counts twice)."""
    found = {}
    for step in steps:
        values = list(step.reads_values())
        if isinstance(step, Loop):
            body = [access.value for _, access in step.body.reads]
            values += [v for v in set(body) for _ in range(body.count(v) - 1)]
        for value in values:
            found[value] = found.get(value, 0) + 1
    return found


def _linear(step) -> bool:
    """A loop ``target[out] = sum_i c_i r_i`` over reads at permutations of its distinct letters."""
    return _coefficients(step) is not None


def _coefficients(step):
    """``{symbol: number}`` of a linear sum's reads (its numeric scale included), else ``None``."""
    if not isinstance(step, Loop) or step.summed or step.accumulate or step.body.lets \
            or step.target.value.rank == 0 or len(unique(step.out)) != len(step.out):
        return None
    scale = _numeric_scale(step)
    symbols = {symbol for symbol, _ in step.body.reads}
    if scale is None or len(symbols) != len(step.body.reads) \
            or any(sorted(access.letters) != sorted(step.out) for _, access in step.body.reads):
        return None
    coefficients = step.body.expr.as_coefficients_dict()
    if set(coefficients) != symbols or not all(c.is_number for c in coefficients.values()):
        return None
    return {symbol: scale * c for symbol, c in coefficients.items()}


def _single(value, readers, outputs) -> bool:
    return value.role == "temporary" and value not in outputs and readers.get(value) == 1


def _expand(step, linear, context) -> list:
    """``[(coefficient, access in the sum's letters)]``: the sum's terms through single-read linear sums."""
    producers, readers, outputs, _ = context
    terms, stack = [], [(sp.Integer(1), access, symbol, step) for symbol, access in step.body.reads]
    while stack:
        factor, access, symbol, owner = stack.pop()
        coefficient = factor * _coefficients(owner)[symbol]
        if access.value in linear and _single(access.value, readers, outputs):
            inner = producers[access.value]
            mapping = dict(zip(inner.out, access.letters, strict=True))
            stack += [(coefficient, Access(a.value, "".join(mapping[c] for c in a.letters)), s, inner)
                      for s, a in inner.body.reads]
        else:
            terms.append((coefficient, access))
    return terms[::-1]


def _merged(step, terms, context, fresh):
    """The sum's new body and ``[(steps of one merged product, the products it replaces)]``, or ``None``."""
    groups = {}
    for k, (_, access) in enumerate(terms):
        for key in _keys(access, context):
            groups.setdefault(key, []).append(k)
    used, found, extra = set(), [], []
    for key, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        members = [k for k in members if k not in used]
        if len(members) < 2:
            continue
        used |= set(members)
        product, new_steps = _one_product(key[0], [terms[k] for k in members], step.out, context[0], fresh)
        found.append((new_steps, [terms[k][1].value for k in members]))
        extra.append((sp.Integer(1), product))
    if not found:
        return None
    rest = [term for k, term in enumerate(terms) if k not in used] + extra
    symbols = [(c, sp.Dummy("r", real=True), a) for c, a in rest]
    return Formula(sp.Add(*(c * s for c, s, _ in symbols)), tuple((s, a) for _, s, a in symbols)), found


def _numeric_scale(step):
    if step.scale is None:
        return sp.Integer(1)
    return step.scale.expr if not step.scale.reads and step.scale.expr.is_number else None


def _keys(access, context) -> list:
    """Keys of the operands a term's matrix product shares with another term, in the sum's letters: an
    operand with at least ``MIN_FREE`` entries per summed index (representative sizes; else the sum of
    the other operands costs about what the products it saves do: ``A x + A^T x`` stays two GEMVs)."""
    producers, readers, outputs, hints = context
    step = producers.get(access.value)
    if not isinstance(step, Contract) or not _single(access.value, readers, outputs) \
            or _numeric_scale(step) is None or len(unique(step.target.letters)) != len(step.target.letters):
        return []
    token = _tokens(step, access)
    keys, sizes = [], representative_sizes(dict(step.sizes), hints)
    for side, shared in (("a", step.a), ("b", step.b)):
        free = shared.first if side == "a" else shared.second
        if math.prod(sizes[c] for c in free) < MIN_FREE:
            continue
        keys.append((side, shared.access.value, tuple(map(token, shared.access.letters)),
                     tuple(map(token, shared.first)), tuple(map(token, shared.second))))
    return keys


def _tokens(step, access):
    """A contract's letters in the sum's letters; its summed letters as ``(position,)``."""
    mapping = dict(zip(step.target.letters, access.letters, strict=True))
    inner = step.a.second
    return lambda c: mapping[c] if c in mapping else (inner.index(c),)


def _one_product(side, members, out, producers, fresh):
    """``(read of the product in the sum's letters, steps)``: the other operands summed, then one product."""
    first = producers[members[0][1].value]
    spare = [c for c in LETTERS if c not in out]
    letters, sizes, reads = {}, {}, []
    for coefficient, access in members:
        step = producers[access.value]
        token = _tokens(step, access)
        letter = {c: (t if isinstance(t, str) else spare[t[0]]) for c in dict(step.sizes) for t in [token(c)]}
        sizes.update({letter[c]: size for c, size in step.sizes})
        letters[access.value] = letter
        other = step.b if side == "a" else step.a
        symbol = sp.Dummy("r", real=True)
        reads.append((coefficient * _numeric_scale(step) * symbol,
                      (symbol, Access(other.access.value, "".join(letter[c] for c in other.access.letters)))))
    letter = letters[members[0][1].value]
    rows, inner, cols = ("".join(letter[c] for c in part) for part in (first.a.first, first.a.second, first.b.second))
    other_letters = inner + cols if side == "a" else rows + inner
    summed = fresh.new(tuple(sizes[c] for c in other_letters), "sum")
    body = Formula(sp.Add(*(term for term, _ in reads)), tuple(read for _, read in reads))
    shared = first.a if side == "a" else first.b
    shared = Matrix(Access(shared.access.value, "".join(letter[c] for c in shared.access.letters)),
                    *("".join(letter[c] for c in part) for part in (shared.first, shared.second)))
    other = Matrix(Access(summed, other_letters), *((inner, cols) if side == "a" else (rows, inner)))
    product = fresh.new(tuple(sizes[c] for c in rows + cols))
    ranges = tuple((c, sizes[c]) for c in unique(rows + inner + cols))
    contract = Contract(Access(product, rows + cols), *((shared, other) if side == "a" else (other, shared)),
                        ranges, None, first.note + " (products sharing an operand, summed first)")
    loop = Loop(Access(summed, other_letters), tuple((c, sizes[c]) for c in other_letters), "", body,
                note=first.note + " (the other operands, summed)")
    return Access(product, rows + cols), [Allocate(summed), loop, contract]


__all__ = ["merge"]

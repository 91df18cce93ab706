"""The NumPy printer: a named kernel as a plain Python function of NumPy calls (no Numba needed).

A loop nest prints as one vectorized statement: a body that is a product of reads as ``np.einsum``,
any other body with each read aligned to the loop's letters (a transposing or diagonal ``einsum``
view, ``None`` axes for broadcasting) and summed over the reduced axes; a diagonal target is written
through an ``einsum`` view of it. Matrix products print as ``@`` (as in the Numba printer), library
calls from the table, Gram products as one product (NumPy picks SYRK for ``A @ A.T``).

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import run
>>> A = se.matrix("A", 3, 3)
>>> print(NumpyPrinter(run(lower(build_program([A], A + A.T)), "f")).doprint().rstrip())
def f(A):
    dtype = A.dtype
    result = np.empty((3, 3), dtype)
    # A + A.T
    result[...] = A + np.einsum('ba->ab', A)
    return result
"""
from __future__ import annotations

import sympy as sp

from ...ir.indices import unique
from ..calls import call_text
from ..kernel import Allocate
from .base import KernelPrinter, indent, product_text, triangle_parts
from .scalar import print_array


class NumpyPrinter(KernelPrinter):
    """Every loop, call and Gram product vectorized."""

    def _print_Kernel(self, kernel) -> list:  # noqa: N802 -- printer method names
        params = [self.name(v) for v in kernel.parameters]
        lines = [f"def {kernel.function}({', '.join(params)}):"]
        lines += indent([f"{self.local('dtype')} = {self.dtype_text()}"] + self._print(kernel.steps))
        return lines + indent([f"return {self.returns()}"])

    def _print_Allocate(self, step) -> list:  # noqa: N802
        function = "np.empty" if step.fill == "empty" else "np.zeros"
        return [f"{self.name(step.target)} = {function}({self.shape(step.target.shape)}, {self.local('dtype')})"]

    def _print_Einsum(self, step) -> list:  # noqa: N802
        inputs = ",".join(a.letters for a in step.operands)
        operands = "".join(", " + self.name(a) for a in step.operands)
        value = f"np.einsum('{inputs}->{step.target.letters}'{operands})"
        if step.scale is not None:
            value = f"{self.formula(step.scale, None)[1]} * {value}"
        return self.comment(step.note) + self.store(step, value, False)

    def _print_Call(self, step) -> list:  # noqa: N802
        call = call_text(step.function, [self.name(a) for a in step.arguments], step.options)
        return self.comment(step.note) + [f"{self.name(step.target)} = {call}"]

    def _print_Contract(self, step) -> list:  # noqa: N802
        target = self.name(step.target)
        lines = self.comment(step.note) + [f"{target} = {product_text(self, step)}"]
        return lines + self.scale_lines(target, step.scale, step.target.value.rank)

    def _print_Loop(self, step) -> list:  # noqa: N802
        order = unique(step.out) + step.summed
        value = self.einsum_text(step, order)
        lets = []
        if value is None:
            lets, value = self.formula(step.body, order)
            if step.summed:
                shape = self.shape([step.size(c) for c in order])
                axes = tuple(range(len(order) - len(step.summed), len(order)))
                value = f"np.broadcast_to({value}, {shape}).sum(axis={axes})"
        if step.scale is not None:
            value = f"{self.formula(step.scale, order)[1]} * {value}"
        return self.comment(step.note) + lets + self.store(step, value, step.accumulate)

    def store(self, step, value: str, accumulate: bool) -> list:
        target, letters = self.name(step.target), step.target.letters
        if not step.target.value.rank:
            return [f"{target} = {target} + {value}" if accumulate else f"{target} = {value}"]
        view = f"{target}[...]"
        if len(unique(letters)) < len(letters):
            view = f"np.einsum('{letters}->{unique(letters)}', {target})[...]"
        return [f"{view} {'+=' if accumulate else '='} {value}"]

    def einsum_text(self, step, order: str):
        """``np.einsum`` of a body that is a product of array reads (and order-0 factors), else None."""
        return einsum_of_product(step, self.name, "np", print_array)

    def aligned(self, access, order: str) -> str:
        """``access`` as an array whose axes follow ``order`` (``None`` for the letters it lacks)."""
        name = self.name(access)
        if not access.value.rank:
            return name
        kept = "".join(c for c in order if c in access.letters)
        text = name if access.letters == kept else f"np.einsum('{access.letters}->{kept}', {name})"
        if kept != order:
            text += "[" + ", ".join(":" if c in kept else "None" for c in order) + "]"
        return text

    def formula(self, formula, order) -> tuple[list, str]:
        names = {symbol: self.aligned(access, order or "") for symbol, access in formula.reads}
        lines = []
        for k, (symbol, expr) in enumerate(formula.lets):
            lines.append(f"{self.names[('let', k)]} = {print_array(expr, names)}")
            names[symbol] = self.names[("let", k)]
        return lines, print_array(formula.expr, names)

    def _print_Mirror(self, step) -> list:  # noqa: N802
        g, size = self.local("g"), self.size(step.size)
        return self.comment(step.note) + [f"{g} = {self.name(step.target)}.reshape(({size}, {size}))",
                                          f"{g}[...] = np.triu({g}) + np.triu({g}, 1).T"]

    def _print_BatchedGram(self, step) -> list:  # noqa: N802
        x, w, k = self.name(step.x), self.name(step.weights), self.local("k")
        t = self.name(step.target)
        return self.comment(step.note) + [
            f"{t} = np.empty({self.shape(step.target.shape)}, {self.local('dtype')})",
            f"for {k} in range({self.size(step.weights.shape[0])}):",
            f"    {t}[{k}] = ({x} * {w}[{k}]) @ {x}.T" if step.transposed else
            f"    {t}[{k}] = {x}.T @ ({x} * {w}[{k}][:, None])"]

    def _print_TriangleContract(self, step) -> list:  # noqa: N802
        """The whole operand (vectorized), then its pairs ``(p, q >= p)`` of whole rows ``p`` stacked by
        blocks of at least ``step.block`` rows, one product per block, rows stored to both halves."""
        t, qx, xt, g, b, p, _, _, size, inner, cols = triangle_parts(self, step)
        p0, p1, count, row = (self.local(w) for w in ("p0", "p1", "count", "row"))
        rows = self._print(Allocate(step.rows.writes)) + self._print(step.rows)
        return self.comment(step.note) + rows + [
            f"{qx} = {self.name(step.contract.a.access)}.reshape(({size}, {size}, {inner}))",
            f"{xt} = {self.b_text(step)}",
            f"{t} = np.empty({self.shape(step.target.shape)}, {self.local('dtype')})",
            f"{g} = {t}.reshape(({size}, {size}, {cols}))",
            f"{p0} = 0",
            f"while {p0} < {size}:",
            f"    {p1}, {count} = {p0}, 0",
            f"    while {p1} < {size} and {count} < {step.block}:",
            f"        {count}, {p1} = {count} + {size} - {p1}, {p1} + 1",
            f"    {b} = np.concatenate([{qx}[{p}, {p}:] for {p} in range({p0}, {p1})]) @ {xt}",
            f"    {row} = 0",
            f"    for {p} in range({p0}, {p1}):",
            f"        {g}[{p}, {p}:] = {b}[{row}:{row} + {size} - {p}]",
            f"        {g}[{p}:, {p}] = {b}[{row}:{row} + {size} - {p}]",
            f"        {row} += {size} - {p}",
            f"    {p0} = {p1}",
            *self.scale_lines(t, step.contract.scale, step.target.rank)]

    def _print_Gram(self, step) -> list:  # noqa: N802
        x = self.name(step.x)
        weighted = x
        if step.weights:
            weights = " * ".join(self.name(w) for w in step.weights)
            weighted = f"({x} * ({weights})[:, None])"
        return self.comment(step.note) + [f"{self.name(step.target)} = {x}.T @ {weighted}"]

    def _print_BlockGram(self, step) -> list:  # noqa: N802
        qx, rows, inner = self.local("qx"), self.size(step.size), self.size(step.inner)
        return self.comment(step.note) + [
            f"{qx} = {self.name(step.q)}.reshape(({rows}, {inner}))",
            f"{self.name(step.target)} = ({qx} @ {qx}.T).reshape({self.shape(step.target.shape)})"]


def einsum_of_product(step, name, xp: str, scalar) -> str | None:
    """The ``<xp>.einsum`` of a summing :class:`~sympy_einstein.codegen.kernel.Loop` whose body is a product of
    distinct array reads (order-0 factors printed by ``scalar(expr, names)`` in front), else ``None``;
    ``name`` names an access. Shared by the NumPy and the whole-array (JAX, Dask) printers."""
    if step.body.lets or not step.summed:
        return None
    reads = dict(step.body.reads)
    factors = sp.Mul.make_args(step.body.expr)
    arrays = [f for f in factors if f in reads and reads[f].value.rank]
    rest = [f for f in factors if f not in arrays]
    if not arrays or len(set(arrays)) != len(arrays) or any(f.free_symbols - set(reads) for f in rest):
        return None
    spec = ",".join(reads[f].letters for f in arrays) + "->" + unique(step.out)
    text = f"{xp}.einsum('{spec}', {', '.join(name(reads[f]) for f in arrays)})"
    if rest:
        text = f"{scalar(sp.Mul(*rest), {s: name(a) for s, a in step.body.reads})} * {text}"
    return text

"""The whole-array printer without mutation: the base of the JAX and Dask printers.

JAX arrays cannot be written in place and Dask arrays are lazy graphs, so every step of the kernel
IR prints as an assignment of a new whole array (``t = ...``), never as ``t[...] = ...``:

- :class:`~sympy_einstein.codegen.kernel.Allocate` prints only when the array starts as zeros (a
  diagonal or an accumulated target); an ``empty`` one is defined by the step that writes it;
- a :class:`~sympy_einstein.codegen.kernel.Loop` is one vectorized expression: a product of reads is
  an ``einsum``, any other body has each read aligned to the loop's letters (``transpose``, an
  ``einsum`` diagonal view, ``None`` axes) and is summed over the reduced axes; a diagonal target is
  the value times identity matrices (``einsum`` with ``eye``), added to the zeros it replaces;
- ``accumulate`` and :class:`~sympy_einstein.codegen.kernel.Scale` rebind (``t = t + v``,
  ``t = f * t``); :class:`~sympy_einstein.codegen.kernel.Mirror` rebuilds the array from its upper
  triangle;
- :class:`~sympy_einstein.codegen.kernel.Contract`, :class:`~sympy_einstein.codegen.kernel.Gram`,
  :class:`~sympy_einstein.codegen.kernel.BlockGram` and an unplanned
  :class:`~sympy_einstein.codegen.kernel.Einsum` are matrix products / ``einsum`` calls.

A subclass names its array namespace (``xp``: ``"jnp"``, ``"da"``), prints scalar formulas
(:meth:`scalar`), library calls (:meth:`call_text`) and the function frame. Loop flags that only
steer compiled loops (``tile``, ``triangle``, ``parallel``) do not change a whole-array statement.
The layout letters of a read are walked once per step; nothing here is recursive.

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import run
>>> from sympy_einstein.codegen.printers.scalar import print_array
>>> class Printer(WholeArrayPrinter):
...     xp = "np"
...     def scalar(self, expr, names):
...         return print_array(expr, names)
>>> C = se.matrix("C", 3, 3)
>>> print("\\n".join(Printer(run(lower(build_program([C], se.diag(se.diag(C)))), "f")).steps()))
result = np.zeros((3, 3), dtype)
# einsum('aa->aa', C)
result = np.einsum('a,ab->ab', np.einsum('aa->a', C), np.eye(3, dtype=dtype))
"""
from __future__ import annotations

import importlib

import sympy as sp

from ...errors import EinsteinError
from ...ir.indices import fresh_letters, unique
from ..kernel import Allocate
from .base import KernelPrinter, indent
from .numpy import NumpyPrinter, einsum_of_product


class WholeArrayPrinter(KernelPrinter):
    """Prints each step as a new whole array; subclasses set ``xp`` and :meth:`scalar`."""

    xp = "np"

    def __init__(self, kernel, cache=None):  # ``cache``: ignored (no compiled code cached on disk)
        super().__init__(kernel)

    # to be given by a backend -------------------------------------------------------------------
    def scalar(self, expr, names: dict) -> str:
        """``expr`` (a SymPy expression of the symbols in ``names``) as whole-array code."""
        raise NotImplementedError

    def call_text(self, function: str, arguments: list, options=()) -> str:
        """The library call ``function`` (a key of :data:`~sympy_einstein.codegen.calls.LIBRARY`) of the
        argument texts, with the step's ``options`` (``(name, value)`` pairs, e.g. ``axes``)."""
        raise NotImplementedError

    def output_text(self, out) -> str:
        """The returned expression of one :class:`~sympy_einstein.codegen.kernel.Output`."""
        return self.name(out.value)

    # the function ------------------------------------------------------------------------------
    def steps(self) -> list:
        """The body lines of the kernel function (after the ``dtype`` line)."""
        return self._print(self.kernel.steps)

    def function_lines(self, kernel, name: str) -> list:
        params = [self.name(v) for v in kernel.parameters]
        lines = [f"def {name}({', '.join(params)}):"]
        lines += indent([f"{self.local('dtype')} = {self.dtype_text()}"] + self.steps())
        return lines + indent([f"return {self.returns()}"])

    def dtype_text(self) -> str:
        arrays = [v for v in self.kernel.arguments if v.rank]
        return f"{self.name(arrays[0])}.dtype" if arrays else self.default_dtype

    default_dtype = "float"

    def returns(self) -> str:
        texts = [self.output_text(out) for out in self.kernel.outputs]
        if self.kernel.single:
            return texts[0]
        return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"

    # steps -------------------------------------------------------------------------------------
    def _print_Allocate(self, step) -> list:  # noqa: N802 -- printer method names
        if step.fill == "empty":
            return []
        return [f"{self.name(step.target)} = {self.zeros(step.target.shape)}"]

    def _print_Einsum(self, step) -> list:  # noqa: N802
        """An unplanned product as one ``einsum`` (letters of the output that no operand has are
        broadcast afterwards)."""
        out, present = unique(step.target.letters), "".join(a.letters for a in step.operands)
        kept = "".join(c for c in out if c in present)
        spec = ",".join(a.letters for a in step.operands) + "->" + kept
        value = f"{self.xp}.einsum('{spec}'{''.join(', ' + self.name(a) for a in step.operands)})"
        if kept != out:
            value += "[" + ", ".join(":" if c in kept else "None" for c in out) + "]"
        return self.comment(step.note) + self.store(step, self.scaled(step.scale, value), kept == out)

    def _print_Contract(self, step) -> list:  # noqa: N802
        sizes = dict(step.sizes)
        a, b = self.matrix(step.a, sizes), self.matrix(step.b, sizes)
        rows, cols = step.a.first, step.b.second
        product = f"{self.xp}.dot({a}, {b})" if not rows and not cols else f"{a} @ {b}"
        if len(rows) > 1 or len(cols) > 1:
            product = f"({product}).reshape({self.shape(step.target.value.shape)})"
        return self.comment(step.note) + [f"{self.name(step.target)} = {self.scaled(step.scale, product)}"]

    def _print_Loop(self, step) -> list:  # noqa: N802
        order = unique(step.out) + step.summed
        lets, value = [], self.einsum_text(step, order)
        covered = value is not None
        if value is None:
            lets, value = self.formula(step.body, order)
            covered = set(order) <= spanned(step.body)
            if step.summed:
                if not covered:
                    value = f"{self.xp}.broadcast_to({value}, {self.shape([step.size(c) for c in order])})"
                axes = tuple(range(len(order) - len(step.summed), len(order)))
                value, covered = f"{self.xp}.sum({value}, axis={axes})", True
        value = self.scaled(step.scale, value, order)
        return self.comment(step.note) + lets + self.store(step, value, covered)

    def _print_Call(self, step) -> list:  # noqa: N802
        call = self.call_text(step.function, [self.name(a) for a in step.arguments], getattr(step, "options", ()))
        return self.comment(step.note) + [f"{self.name(step.target)} = {call}"]

    def _print_Scale(self, step) -> list:  # noqa: N802
        target = self.name(step.target)
        return self.comment(step.note) + [f"{target} = {self.scaled(step.factor, target)}"]

    def _print_Mirror(self, step) -> list:  # noqa: N802
        t, g, size = self.name(step.target), self.local("g"), self.size(step.size)
        return self.comment(step.note) + [
            f"{g} = {t}.reshape(({size}, {size}))",
            f"{t} = ({self.xp}.triu({g}) + {self.xp}.triu({g}, 1).T).reshape({self.shape(step.target.shape)})"]

    def _print_BatchedGram(self, step) -> list:  # noqa: N802
        x, w, t = self.name(step.x), self.name(step.weights), self.name(step.target)
        spec = "ps,ks,qs->kpq" if step.transposed else "sp,ks,sq->kpq"
        return self.comment(step.note) + [f"{t} = {self.xp}.einsum('{spec}', {x}, {w}, {x})"]

    def _print_TriangleContract(self, step) -> list:  # noqa: N802
        """The whole product (arrays are immutable here: no triangle written by blocks)."""
        rows = self._print(Allocate(step.rows.writes)) + self._print(step.rows)
        return rows + self._print_Contract(step.contract)

    # whole-array Gram products print as in the NumPy backend (``x.T @ (x * w[:, None])``, ``Q @ Q.T``)
    _print_Gram = NumpyPrinter._print_Gram  # noqa: N815
    _print_BlockGram = NumpyPrinter._print_BlockGram  # noqa: N815

    # pieces ------------------------------------------------------------------------------------
    def zeros(self, shape) -> str:
        return f"{self.xp}.zeros({self.shape(shape)}, {self.local('dtype')})"

    def scaled(self, scale, value: str, order: str = "") -> str:
        return value if scale is None else f"{self.formula(scale, order)[1]} * {value}"

    def store(self, step, value: str, covered: bool) -> list:
        """``target = value`` (``target + value`` when accumulating), the value broadcast to the
        target's distinct letters when it does not span them, and spread on a diagonal target."""
        access, accumulate = step.target, getattr(step, "accumulate", False)
        target, letters = self.name(access), access.letters
        distinct = unique(letters)
        if distinct and not covered:
            shape = self.shape([letter_size(step, c) for c in distinct])
            value = f"{self.xp}.broadcast_to({self.xp}.asarray({value}, dtype={self.local('dtype')}), {shape})"
        if len(distinct) < len(letters):
            value = self.diagonal_write(step, value)
        return [f"{target} = {target} + {value}" if accumulate else f"{target} = {value}"]

    def diagonal_write(self, step, value: str) -> str:
        """``value`` (axes: the distinct letters) placed on the diagonal of the target's layout: each
        repeated letter becomes a fresh one tied to the first by an identity matrix."""
        letters, seen, spelled, eyes = step.target.letters, set(), "", []
        fresh = iter(fresh_letters(letters, len(letters)))
        for c in letters:
            if c in seen:
                d = next(fresh)
                spelled += d
                eyes.append((c + d, self.size(letter_size(step, c))))
            else:
                seen.add(c)
                spelled += c
        spec = ",".join([unique(letters)] + [pair for pair, _ in eyes]) + "->" + spelled
        operands = "".join(f", {self.xp}.eye({size}, dtype={self.local('dtype')})" for _, size in eyes)
        return f"{self.xp}.einsum('{spec}', {value}{operands})"

    def einsum_text(self, step, order: str):
        """An ``einsum`` of a summing body that is a product of distinct array reads (order-0 factors
        in front), else ``None``."""
        return einsum_of_product(step, self.name, self.xp, self.scalar)

    def aligned(self, access, order: str) -> str:
        """``access`` as an array whose axes follow ``order`` (``None`` for the letters it lacks)."""
        name = self.name(access)
        if not access.value.rank:
            return name
        letters = access.letters
        kept = "".join(c for c in order if c in letters)
        if len(unique(letters)) < len(letters):
            name = self.diagonal_read(name, letters, kept)
        elif letters != kept:
            name = f"{name}.transpose({tuple(letters.index(c) for c in kept)})"
        if kept != order:
            name += "[" + ", ".join(":" if c in kept else "None" for c in order) + "]"
        return name

    def diagonal_read(self, name: str, letters: str, kept: str) -> str:
        """The diagonal view ``name[letters]`` with axes ``kept`` (a letter repeated in ``letters``)."""
        return f"{self.xp}.einsum('{letters}->{kept}', {name})"

    def formula(self, formula, order) -> tuple[list, str]:
        """``(let lines, expression)`` of ``formula`` with every read aligned to ``order``."""
        names = {symbol: self.aligned(access, order or "") for symbol, access in formula.reads}
        lines = []
        for k, (symbol, expr) in enumerate(getattr(formula, "lets", ())):
            lines.append(f"{self.names[('let', k)]} = {self.scalar(expr, names)}")
            names[symbol] = self.names[("let", k)]
        return lines, self.scalar(formula.expr, names)

    def matrix(self, matrix, sizes: dict) -> str:
        """A :class:`~sympy_einstein.codegen.kernel.Matrix` operand as a 2-D (or 1-D) array."""
        letters = matrix.access.letters
        groups = [g for g in (matrix.first, matrix.second) if g]
        array = self.name(matrix.access)
        if matrix.how == "transposed":
            order = [g for g in (matrix.second, matrix.first) if g]
            return self.grouped(array, letters, order, sizes) + ".T"
        if matrix.how == "copy":
            wanted = matrix.first + matrix.second
            array = f"{array}.transpose({tuple(letters.index(c) for c in wanted)})"
        elif matrix.how != "view":
            raise EinsteinError(f"code generation: unknown matrix layout {matrix.how!r}")
        return self.grouped(array, letters, groups, sizes)

    def grouped(self, text: str, letters: str, groups, sizes: dict) -> str:
        if len(groups) == len(letters):
            return text
        shape = [self.size(sp.Mul(*(sp.sympify(sizes[c]) for c in g))) for g in groups]
        return f"{text}.reshape(({', '.join(shape)}{',' if len(shape) == 1 else ''}))"


def spanned(formula) -> set:
    """The letters of the reads ``formula`` actually uses (SymPy may have cancelled some: ``2r - 2r``)."""
    used = set(formula.expr.free_symbols)
    for _, expr in getattr(formula, "lets", ()):
        used |= expr.free_symbols
    return {c for symbol, access in formula.reads if symbol in used for c in access.letters}


def letter_size(step, letter: str):
    """The size of ``letter`` in a :class:`~sympy_einstein.codegen.kernel.Loop` or
    :class:`~sympy_einstein.codegen.kernel.Einsum` step."""
    return dict(step.ranges if hasattr(step, "ranges") else step.sizes)[letter]


def require(module: str, extra: str):
    """``module`` imported (a runtime module of a backend), or a clear error naming the extra that
    installs what it needs."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise EinsteinError(f"backend {extra!r} needs the package {error.name or extra}: "
                            f"pip install 'sympy-einstein[{extra}]'") from None

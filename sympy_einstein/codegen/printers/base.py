r"""The base of the kernel printers: SymPy's visitor style over the kernel IR.

``printer.doprint(kernel)`` returns the source of one kernel function. :meth:`KernelPrinter._print`
dispatches on the class of its argument to ``_print_<Class>`` (walking the class's MRO, as
``sympy.printing.printer.Printer`` does); each method returns a list of source lines. Every
identifier comes from ``kernel.names`` (the naming pass): values by :class:`Value`, loop variables by
``("loop", letter)``, tile starts by ``("tile", letter)``, the other locals by ``("local", word)``
(see :data:`sympy_einstein.codegen.passes.name.LOCALS`). User text reaches the source only through
:meth:`comment` (one sanitized line) or ``repr`` literals.

A backend is a subclass with one ``_print_<Step>`` method per step kind of
:mod:`~sympy_einstein.codegen.kernel` and ``_print_Kernel``; it prints what the IR says and decides
nothing.

>>> import sympy as sp
>>> from sympy_einstein.codegen.kernel import Kernel, Value
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> size = Value(0, "size", hint="n", symbol=n)
>>> printer = KernelPrinter(Kernel((), (size,), (), (), names={size: "n"}))
>>> printer.shape((n, 2 * n)), printer.comment("a ''' b\nc")
('(n, 2*n)', ["# a ''' b c"])
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ...errors import EinsteinError
from ..kernel import Access

INDENT = "    "
COMMENT_LENGTH = 160


class _SizePrinter(PythonCodePrinter):
    """Size expressions: symbols print through ``names``; integer arithmetic."""

    def __init__(self, names: dict):
        super().__init__({"fully_qualified_modules": True, "strict": True})
        self.names = names

    def _print_Symbol(self, symbol):  # noqa: N802 -- SymPy printer method names
        if symbol not in self.names:
            raise EinsteinError(f"code generation: the size {symbol} has no value in this kernel")
        return self.names[symbol]


class KernelPrinter:
    """Dispatches ``_print(obj)`` to ``_print_<Class>``; helpers for names, sizes, shapes and comments."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.names = kernel.names
        self._sizes = _SizePrinter({symbol: kernel.names[v] for symbol, v in kernel.symbols().items()})

    def doprint(self, kernel=None) -> str:
        return "\n".join(self._print(kernel or self.kernel)) + "\n"

    def _print(self, obj) -> list:
        for cls in type(obj).__mro__:
            method = getattr(self, "_print_" + cls.__name__, None)
            if method is not None:
                return method(obj)
        raise EinsteinError(f"{type(self).__name__} cannot print a {type(obj).__name__}")

    def _print_tuple(self, steps) -> list:
        return [line for step in steps for line in self._print(step)]

    # names -------------------------------------------------------------------------------------
    def name(self, value) -> str:
        return self.names[value.value if isinstance(value, Access) else value]

    def loop_variable(self, letter: str) -> str:
        return self.names[("loop", letter)]

    def local(self, word: str) -> str:
        return self.names[("local", word)]

    # sizes and text ----------------------------------------------------------------------------
    def size(self, expr) -> str:
        return self._sizes.doprint(sp.sympify(expr))

    def shape(self, shape) -> str:
        texts = [self.size(s) for s in shape]
        return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"

    def comment(self, note: str) -> list:
        """``note`` as one comment line: control characters and line breaks become spaces."""
        if not note:
            return []
        text = " ".join("".join(c if c.isprintable() else " " for c in note).split())
        if len(text) > COMMENT_LENGTH:
            text = text[:COMMENT_LENGTH - 3] + "..."
        return [f"# {text}"]


    # steps and text both backends print alike ----------------------------------------------------
    def _print_Scale(self, step) -> list:  # noqa: N802
        return self.comment(step.note) + self.scale_lines(self.name(step.target), step.factor, step.target.rank)

    def scale_lines(self, target: str, factor, rank: int) -> list:
        if factor is None:
            return []
        text = self.formula(factor, {})[1]  # formula(): each printer's scalar code
        return [f"{target} *= {text}"] if rank else [f"{target} = {text} * {target}"]

    def _print_Sliced(self, step) -> list:  # noqa: N802
        k, t = self.local("k"), self.name(step.target)
        lines = self.comment(step.note)
        lines += [f"{t} = np.empty({self.shape(step.target.shape)}, {self.local('dtype')})",
                  f"for {k} in range({self.size(step.size)}):",
                  f"    {self.name(step.view)} = {self.name(step.source)}[{k}]"]
        lines += indent(self._print(step.steps))
        return lines + [f"    {t}[{k}] = {self.name(step.inner)}"]

    def b_text(self, step) -> str:
        """The second operand of a :class:`~sympy_einstein.codegen.kernel.TriangleContract` as a matrix."""
        return matrix_text(self, step.contract.b, dict(step.contract.sizes))

    def dtype_text(self) -> str:
        arrays = [v for v in self.kernel.arguments if v.rank]
        return f"{self.name(arrays[0])}.dtype" if arrays else "np.float64"

    def returns(self) -> str:
        texts = [self.name(out.value) + (".copy()" if out.copy and out.value.rank else "")
                 for out in self.kernel.outputs]
        if self.kernel.single:
            return texts[0]
        return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"


def indent(lines, depth: int = 1) -> list:
    return [INDENT * depth + line for line in lines]


def matrix_text(printer, matrix, sizes: dict) -> str:
    """``matrix`` (a :class:`~sympy_einstein.codegen.kernel.Matrix`) as a 2-D (or 1-D) NumPy expression."""
    letters = matrix.access.letters
    array = printer.name(matrix.access)
    groups = [g for g in (matrix.first, matrix.second) if g]
    if matrix.how == "view":
        return _grouped(printer, array, letters, groups, sizes)
    if matrix.how == "transposed":
        order = [g for g in (matrix.second, matrix.first) if g]
        return _grouped(printer, array, letters, order, sizes) + ".T"
    permutation = ", ".join(str(letters.index(c)) for c in matrix.first + matrix.second)
    copy = f"np.ascontiguousarray({array}.transpose(({permutation},)))"
    return _grouped(printer, copy, letters, groups, sizes)


def _grouped(printer, text: str, letters: str, groups, sizes: dict) -> str:
    if len(groups) == len(letters):
        return text
    shape = [printer.size(sp.Mul(*(sp.sympify(sizes[c]) for c in g))) for g in groups]
    return f"{text}.reshape(({', '.join(shape)}{',' if len(shape) == 1 else ''}))"


def triangle_parts(printer, step) -> tuple:
    """Names and size texts a :class:`~sympy_einstein.codegen.kernel.TriangleContract` prints with:
    target, the locals ``qx xt g b p q r``, the row size, the inner size and the columns' size."""
    sizes = dict(step.contract.sizes)
    inner, cols = (printer.size(sp.Mul(*(sp.sympify(sizes[c]) for c in group)))
                   for group in (step.contract.a.second, step.contract.b.second))
    locals_ = (printer.local(w) for w in ("qx", "xt", "g", "b", "p", "q", "r"))
    return (printer.name(step.target), *locals_, printer.size(step.size), inner, cols)


def product_text(printer, step, functions: dict | None = None, alpha: str | None = None) -> str:
    """The matrix product of a :class:`~sympy_einstein.codegen.kernel.Contract`, reshaped to its target:
    ``a @ b`` (``np.dot`` for two vectors), or with ``functions`` a call of
    ``functions[("mat" or "vec") + "_" + ("mat" or "vec")]`` (operands 2-D or 1-D), with ``alpha`` (the
    scale's text) as its third argument when given."""
    sizes = dict(step.sizes)
    a, b = matrix_text(printer, step.a, sizes), matrix_text(printer, step.b, sizes)
    rows, cols = step.a.first, step.b.second
    if functions is not None:
        scaled = "" if alpha is None else f", {alpha}"
        product = f"{functions[('mat' if rows else 'vec') + '_' + ('mat' if cols else 'vec')]}({a}, {b}{scaled})"
    else:
        product = f"np.dot({a}, {b})" if not rows and not cols else f"{a} @ {b}"
    if len(rows) > 1 or len(cols) > 1:
        product = f"({product}).reshape({printer.shape(step.target.value.shape)})"
    return product

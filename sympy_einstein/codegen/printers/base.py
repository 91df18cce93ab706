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
COMMENT_LENGTH = 100


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


def indent(lines, depth: int = 1) -> list:
    return [INDENT * depth + line for line in lines]

"""Printing scalar SymPy expressions (elementwise bodies, scales) for the kernel printers.

Two printers share one table of the functions machine learning needs: :class:`ScalarPrinter` writes
``math`` calls for one entry inside a Numba loop, :class:`ArrayPrinter` vectorized ``numpy`` calls.
Symbols print through a ``names`` mapping (the caller's reads, lets and sizes), so the naming pass
decides every identifier; an unknown symbol is an error, never a guess. ``sigmoid``, ``softplus``,
``Heaviside`` and ``sign`` call the scalar helpers of :mod:`sympy_einstein.codegen.runtime` in loops.

>>> import sympy as sp
>>> from sympy_einstein.functions import sigmoid
>>> x = sp.Symbol("x", real=True)
>>> print_scalar(sigmoid(x) + sp.Heaviside(x, 0), {x: "X[i_a]"})
'_heaviside(X[i_a], 0.0) + _sigmoid(X[i_a])'
>>> print_array(sp.exp(x) * sp.Max(x, 0), {x: "t0"})
'np.exp(t0)*np.maximum(t0, 0.0)'
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import PythonCodePrinter

from ...errors import EinsteinError


class _Names:
    """Symbols print through the ``names`` mapping; an unknown symbol is an error, not a guess."""

    def __init__(self, names: dict):
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False, "strict": True})
        self.names = names

    def _print_Symbol(self, symbol):  # noqa: N802 -- SymPy printer method names
        if symbol not in self.names:
            raise EinsteinError(f"code generation: no value for the symbol {symbol}")
        return self.names[symbol]

    _print_Dummy = _print_Symbol  # noqa: N815

    def _float(self, arg):
        return f"{float(arg)!r}" if arg.is_Number else self._print(arg)

    def _print_DiracDelta(self, expr):  # noqa: N802 -- SymPy printer method names
        return "0.0"

    def _helper(self, name: str, expr, default=None):
        args = [self._float(a) for a in expr.args]
        if default is not None and len(args) == 1:
            args.append(default)
        return f"{name}({', '.join(args)})"

    def _print_sigmoid(self, expr):
        return self._helper("_sigmoid", expr)

    def _print_softplus(self, expr):
        return self._helper("_softplus", expr)

    def _print_Heaviside(self, expr):  # noqa: N802 -- SymPy printer method names
        return self._helper("_heaviside", expr, "0.5")

    def _print_sign(self, expr):
        return self._helper("_sign", expr)


class ScalarPrinter(_Names, PythonCodePrinter):
    """One entry at a time: ``math`` functions, ``max``/``min``, conditional expressions."""

    def _print_relu(self, expr):
        return f"max({self._print(expr.args[0])}, 0.0)"

    def _print_log1p(self, expr):
        return f"math.log1p({self._print(expr.args[0])})"

    def _print_Abs(self, expr):  # noqa: N802 -- SymPy printer method names
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr):  # noqa: N802 -- SymPy printer method names
        return "max(" + ", ".join(self._float(a) for a in expr.args) + ")"

    def _print_Min(self, expr):  # noqa: N802 -- SymPy printer method names
        return "min(" + ", ".join(self._float(a) for a in expr.args) + ")"


class ArrayPrinter(_Names, NumPyPrinter):
    """Whole arrays at a time: ``numpy`` ufuncs (no helpers: every form is a NumPy expression)."""

    _module = "np"  # generated modules import numpy once, as np
    _kf = {k: "np." + v.removeprefix("numpy.") for k, v in NumPyPrinter._kf.items()}
    _kc = {k: "np." + v.removeprefix("numpy.") for k, v in NumPyPrinter._kc.items()}

    def _print_sigmoid(self, expr):
        return f"np.exp(-np.logaddexp(0.0, -({self._print(expr.args[0])})))"

    def _print_softplus(self, expr):
        return f"np.logaddexp(0.0, {self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):  # noqa: N802 -- SymPy printer method names
        h0 = self._float(expr.args[1]) if len(expr.args) > 1 else "0.5"
        return f"np.heaviside({self._print(expr.args[0])}, {h0})"

    def _print_sign(self, expr):
        return f"np.sign({self._print(expr.args[0])})"

    def _print_relu(self, expr):
        return f"np.maximum({self._print(expr.args[0])}, 0.0)"

    def _print_log1p(self, expr):
        return f"np.log1p({self._print(expr.args[0])})"

    def _print_Abs(self, expr):  # noqa: N802 -- SymPy printer method names
        return f"np.abs({self._print(expr.args[0])})"

    def _nested(self, ufunc: str, args) -> str:
        text = self._float(args[-1])
        for arg in reversed(args[:-1]):
            text = f"np.{ufunc}({self._float(arg)}, {text})"
        return text

    def _print_Max(self, expr):  # noqa: N802 -- SymPy printer method names
        return self._nested("maximum", sorted(expr.args, key=lambda a: a.is_Number))

    def _print_Min(self, expr):  # noqa: N802 -- SymPy printer method names
        return self._nested("minimum", sorted(expr.args, key=lambda a: a.is_Number))


def print_scalar(expr, names: dict) -> str:
    """``expr`` as Python code for one entry (Numba loops, coefficients)."""
    return ScalarPrinter(names).doprint(sp.sympify(expr))


def print_array(expr, names: dict) -> str:
    """``expr`` as vectorized NumPy code."""
    return ArrayPrinter(names).doprint(sp.sympify(expr))

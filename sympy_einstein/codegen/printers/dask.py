"""The Dask printer: a named kernel as a function that builds one lazy ``dask.array`` graph.

It prints the same kernel IR as the other printers (after the same passes), each step as a new whole
array (:class:`~.functional.WholeArrayPrinter`) of ``dask.array`` operations, so the work on data
chunked along one axis (the samples) stays per chunk:

- elementwise bodies are NumPy ufuncs applied to Dask arrays (``blockwise``, chunk by chunk);
- matrix products are ``@`` and ``einsum``: a sum over the chunked axis is a partial product per chunk
  and a tree reduction (``X^T v`` for the gradient);
- ``X^T diag(s) X`` (:class:`~sympy_einstein.codegen.kernel.Gram`) is one partial Gram matrix per row
  chunk on one triangle, summed by a tree reduction
  (:func:`~sympy_einstein.codegen.printers.dask_runtime._gram`), then mirrored;
- arguments that are not Dask arrays (parameters) become one-chunk Dask arrays: one key each, sent
  to every worker once.

The function returns Dask arrays; ``dask.compute(value, gradient, hessian)`` computes them in one
graph, so the work they share (``X @ w``, the sigmoid) is done once. It runs on whatever scheduler is
active: threads by default, a ``dask.distributed`` cluster once a ``Client`` is made.

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import run
>>> X = se.matrix("X", 100, 3)
>>> print(DaskPrinter(run(lower(build_program([X], X.T @ X)), "f")).doprint().rstrip())
def f(X):
    dtype = X.dtype
    # einsum('ca,cb->ab', X, X) (symmetric: upper triangle by blocks)
    result = _gram(X, (), 256)
    # lower triangle = upper triangle
    g = result.reshape((3, 3))
    result = (da.triu(g) + da.triu(g, 1).T).reshape((3, 3))
    return da.asarray(result)
"""
from __future__ import annotations

import inspect

import sympy as sp

from .. import linalg_runtime, runtime
from ..calls import call_text
from .base import indent
from .functional import WholeArrayPrinter, require
from .scalar import ArrayPrinter

MODULE_GLOBALS = ("dask", "da", "_bind_arguments", "_dask_array", "_as_scalar", "_gram", "_gram_block", "_lazy",
                  "_SPLIT_EVERY")
"""The module's globals (a test checks they hold ``dask_runtime.FUNCTIONS``): never an argument's name."""

DASK_CALLS = {
    "factor": "_lazy(_factor, ({0}.shape[0] + 1, {0}.shape[1]), {0}, {symmetric}, {label})",
    "factor_solve": "_lazy(_factor_solve, {1}.shape, {0}, {1}, {transpose}, {label})",
    "factor_inverse": "_lazy(_factor_inverse, {0}.shape[1:] * 2, {0}, {transpose}, {label})",
    "factor_logdet": "_lazy(_factor_logdet, (), {0})",
    "factor_det": "_lazy(_factor_det, (), {0})",
    "adjugate": "_lazy(_adjugate, {0}.shape, {0}, {label})",
}
"""The Dask forms of the library calls whose NumPy form calls a checked helper of
:mod:`sympy_einstein.codegen.linalg_runtime`: the helper applied lazily by ``_lazy`` (one task on the
whole matrix; its errors at ``compute()``). Every other call is its NumPy form on Dask arrays."""


class DaskScalarPrinter(ArrayPrinter):
    """NumPy ufunc code (lazy on Dask arrays); ``DiracDelta`` keeps its argument's shape."""

    def _print_DiracDelta(self, expr):  # noqa: N802 -- SymPy printer method names
        return f"np.zeros_like({self._print(expr.args[0])})"


class DaskPrinter(WholeArrayPrinter):
    """The kernel as a function building a ``dask.array`` graph (see the module docstring)."""

    xp = "da"
    default_dtype = "np.float64"

    def _print_Kernel(self, kernel) -> list:  # noqa: N802 -- printer method names
        return self.function_lines(kernel, kernel.function)

    def scalar(self, expr, names: dict) -> str:
        return DaskScalarPrinter(names).doprint(sp.sympify(expr))

    def call_text(self, function: str, arguments: list, options=()) -> str:
        if function in DASK_CALLS:
            return DASK_CALLS[function].format(*arguments, **{name: repr(value) for name, value in options})
        return call_text(function, arguments, options)

    def output_text(self, out) -> str:
        return f"da.asarray({self.name(out.value)})"

    def diagonal_read(self, name: str, letters: str, kept: str) -> str:
        """A diagonal read needs equal chunks on the axes it ties: those axes as one chunk each."""
        axes = ", ".join(f"{k}: -1" for k, c in enumerate(letters) if letters.count(c) > 1)
        return f"da.einsum('{letters}->{kept}', {name}.rechunk({{{axes}}}))"

    def _print_Gram(self, step) -> list:  # noqa: N802
        weights = "".join(self.name(w) + ", " for w in step.weights)
        weights = f"({weights[:-2]},)" if len(step.weights) == 1 else f"({weights[:-2]})"
        return self.comment(step.note) + [
            f"{self.name(step.target)} = _gram({self.name(step.x)}, {weights}, {step.columns})"]

    def _print_Sliced(self, step) -> list:  # noqa: N802
        """The slices stacked: the slice function (named after the target it makes) on each."""
        t, k = self.name(step.target), self.local("k")
        lines = self.comment(step.note) + [f"def {t}({self.name(step.view)}):"]
        lines += indent(self._print(step.steps) + [f"return {self.name(step.inner)}"])
        source = self.name(step.source)
        return lines + [f"{t} = da.stack([{t}({source}[{k}]) for {k} in range({self.size(step.size)})])"]

    @staticmethod
    def prelude(standalone: bool) -> str:
        """The imports (and, for ``export``, the argument checks, ``_gram`` and the checked
        factorizations) of a Dask module."""
        imports = "import dask.array as da\nimport numpy as np"
        dask_runtime = require("sympy_einstein.codegen.printers.dask_runtime", "dask")
        if not standalone:
            names, linalg = ", ".join(dask_runtime.FUNCTIONS), ", ".join(linalg_runtime.LINALG)
            return (f"{imports}\n\nfrom sympy_einstein.codegen.printers.dask_runtime import {names}\n"
                    f"from sympy_einstein.codegen.linalg_runtime import {linalg}\n")
        errors = ('class BindingError(ValueError):\n    """An argument missing or of the wrong type."""\n\n\n'
                  'class ShapeError(ValueError):\n    """An argument of the wrong shape."""')
        helpers = [inspect.getsource(getattr(runtime, name)) for name in dask_runtime.SHARED]
        helpers += [inspect.getsource(getattr(dask_runtime, name)) for name in dask_runtime.FUNCTIONS]
        helpers += [inspect.getsource(getattr(linalg_runtime, name)) for name in linalg_runtime.LINALG]
        constants = f"_SPLIT_EVERY = {dask_runtime._SPLIT_EVERY}"
        return "\n\n\n".join([imports, errors, constants] + [h.rstrip() for h in helpers]) + "\n"

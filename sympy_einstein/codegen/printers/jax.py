"""The JAX printer: a named kernel as one ``jax.jit``-compiled function of ``jax.numpy`` code.

It prints the same kernel IR as the NumPy and Numba printers (after the same passes), each step as a
new whole array (:class:`~.functional.WholeArrayPrinter`): matrix products as ``@``, loops as
``jnp.einsum`` or vectorized bodies, library calls from :data:`JAX_CALLS`, symmetric results rebuilt
from their upper triangle, and a sliced contraction as ``jax.lax.map`` over its slices. The sizes are
static arguments of ``jax.jit`` (one compilation per shape, as JAX does anyway); the user's arrays and
scalars are traced, so the generated function works under ``jax.vmap`` and ``jax.grad``. It runs on
whatever device JAX uses (a GPU when a CUDA ``jax`` is installed), in float64 when x64 is enabled
(``jax.config.update("jax_enable_x64", True)``), else float32.

>>> import sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import run
>>> x = se.vector("x", 3)
>>> print(JaxPrinter(run(lower(build_program([x], se.sum(se.sigmoid(x)))), "f")).doprint().rstrip())
def f(x):
    dtype = x.dtype
    # sigmoid(x)
    t0 = jax.nn.sigmoid(x)
    # einsum('a->', sigmoid(x))
    value = jnp.einsum('a->', t0)
    return value
<BLANKLINE>
<BLANKLINE>
f = jax.jit(f)
"""
from __future__ import annotations

import inspect

import sympy as sp
from sympy.printing.numpy import JaxPrinter as SympyJaxPrinter

from ...errors import EinsteinError
from .. import runtime
from .base import indent
from .functional import WholeArrayPrinter, require
from .scalar import _Names

JAX_CALLS = {
    "tanh": "jnp.tanh({0})",
    "exp": "jnp.exp({0})",
    "log": "jnp.log({0})",
    "sin": "jnp.sin({0})",
    "cos": "jnp.cos({0})",
    "log1p": "jnp.log1p({0})",
    "softplus": "jax.nn.softplus({0})",
    "sigmoid": "jax.nn.sigmoid({0})",
    "solve": "jnp.linalg.solve({0}, {1}.reshape(({1}.shape[0], -1))).reshape({1}.shape)",
    "inv": "jnp.linalg.inv({0})",
    "adjugate": "(jnp.linalg.det({0}) * jnp.linalg.inv({0}))",
    "det": "jnp.linalg.det({0})",
    "slogdet": "jnp.linalg.slogdet({0})[1]",
    "cholesky": "jnp.linalg.cholesky({0})",
    # the shared factorizations of passes/factor.py: LU only, never raising (jax_runtime.py)
    "factor": "_jax_factor({0})",
    "factor_solve": "_jax_factor_solve({0}, {1}, {transpose})",
    "factor_inverse": "_jax_factor_inverse({0}, {transpose})",
    "factor_logdet": "_jax_factor_logdet({0})",
    "factor_det": "_jax_factor_det({0})",
    "logsumexp": "jax.nn.logsumexp({0}, axis={axes})",
    "softmax": "jax.nn.softmax({0}, axis={axes})",
}
"""The JAX form of every entry of :data:`sympy_einstein.codegen.calls.LIBRARY` (same keys; a test
checks that none is missing)."""

MODULE_GLOBALS = ("jax", "jnp", "_bind_arguments", "_jax_dtype", "_jax_array", "_jax_scalar", "_jax_factor",
                  "_jax_factor_solve", "_jax_factor_inverse", "_jax_factor_logdet", "_jax_factor_det")
"""The module's globals (a test checks they hold ``jax_runtime.FUNCTIONS``): never an argument's name."""



class JaxScalarPrinter(_Names, SympyJaxPrinter):
    """SymPy's JAX printer with symbols printed through ``names`` and ``jax.numpy`` written ``jnp``;
    sigmoid and softplus are ``jax.nn``'s (stable, with stable derivatives).

    >>> import sympy as sp
    >>> from sympy_einstein.functions import sigmoid
    >>> x = sp.Symbol("x")
    >>> JaxScalarPrinter({x: "t0"}).doprint(sigmoid(x) + sp.Max(x, 0) + sp.exp(x))
    'jnp.exp(t0) + jax.nn.sigmoid(t0) + jnp.maximum(0.0, t0)'
    """

    def _module_format(self, fqn, register=True):
        text = super()._module_format(fqn, register)
        return "jnp" + text[len("jax.numpy"):] if text == "jax.numpy" or text.startswith("jax.numpy.") else text

    def _call(self, function: str, *args) -> str:
        return f"{function}({', '.join(self._float(a) for a in args)})"

    def _print_sigmoid(self, expr):
        return self._call("jax.nn.sigmoid", *expr.args)

    def _print_softplus(self, expr):
        return self._call("jax.nn.softplus", *expr.args)

    def _print_relu(self, expr):
        return self._call("jnp.maximum", expr.args[0], sp.Float(0))

    def _print_log1p(self, expr):
        return self._call("jnp.log1p", *expr.args)

    def _print_Abs(self, expr):  # noqa: N802
        return self._call("jnp.abs", *expr.args)

    def _print_sign(self, expr):
        return self._call("jnp.sign", *expr.args)

    def _print_Heaviside(self, expr):  # noqa: N802
        return self._call("jnp.heaviside", expr.args[0], expr.args[1] if len(expr.args) > 1 else sp.Float(0.5))

    def _print_DiracDelta(self, expr):  # noqa: N802 -- zero almost everywhere, with the argument's shape
        return self._call("jnp.zeros_like", expr.args[0])

    def _nested(self, function: str, args) -> str:
        args = sorted(args, key=lambda a: not a.is_Number)
        text = self._float(args[-1])
        for arg in reversed(args[:-1]):
            text = f"{function}({self._float(arg)}, {text})"
        return text

    def _print_Max(self, expr):  # noqa: N802
        return self._nested("jnp.maximum", expr.args)

    def _print_Min(self, expr):  # noqa: N802
        return self._nested("jnp.minimum", expr.args)


class JaxPrinter(WholeArrayPrinter):
    """The kernel as ``jax.numpy`` code, compiled by ``jax.jit`` with the sizes static."""

    xp = "jnp"
    default_dtype = "jnp.result_type(float)"

    def _print_Kernel(self, kernel) -> list:  # noqa: N802 -- printer method names
        lines = self.function_lines(kernel, kernel.function)
        first = len(kernel.arguments)
        static = tuple(range(first, first + len(kernel.sizes)))
        flags = f", static_argnums={static}" if static else ""
        return lines + ["", "", f"{kernel.function} = jax.jit({kernel.function}{flags})"]

    def scalar(self, expr, names: dict) -> str:
        return JaxScalarPrinter(names).doprint(sp.sympify(expr))

    def call_text(self, function: str, arguments: list, options=()) -> str:
        if function not in JAX_CALLS:
            raise EinsteinError(f"the jax backend has no form of the library call {function!r}")
        return JAX_CALLS[function].format(*arguments, **{name: repr(value) for name, value in options})

    def _print_Sliced(self, step) -> list:  # noqa: N802
        """``target = lax.map(slice function, source)``: the slices one at a time, as the IR plans, in
        one compiled loop (the slice function is named after the target it makes)."""
        t = self.name(step.target)
        lines = self.comment(step.note) + [f"def {t}({self.name(step.view)}):"]
        lines += indent(self._print(step.steps) + [f"return {self.name(step.inner)}"])
        return lines + [f"{t} = jax.lax.map({t}, {self.name(step.source)})"]

    @staticmethod
    def prelude(standalone: bool) -> str:
        """The imports (and, for ``export``, the argument checks) of a JAX module: ``jax`` only."""
        imports = "import jax\nimport jax.numpy as jnp"
        jax_runtime = require("sympy_einstein.codegen.printers.jax_runtime", "jax")
        if not standalone:
            names = ", ".join(jax_runtime.FUNCTIONS)
            return f"{imports}\n\nfrom sympy_einstein.codegen.printers.jax_runtime import {names}\n"
        errors = ('class BindingError(ValueError):\n    """An argument missing or of the wrong type."""\n\n\n'
                  'class ShapeError(ValueError):\n    """An argument of the wrong shape."""')
        helpers = [inspect.getsource(getattr(runtime, name)) for name in jax_runtime.SHARED]
        helpers += [inspect.getsource(getattr(jax_runtime, name)) for name in jax_runtime.FUNCTIONS]
        return "\n\n\n".join([imports, errors] + [h.rstrip() for h in helpers]) + "\n"


"""``lambdify``: tensor expressions -> a checked Python function over a generated kernel.

The pipeline, top-down (:func:`module_source`): the checked DAG (:mod:`.program`), the kernel IR
(:mod:`.lower`), the passes in their order (:mod:`.passes`), a printer (:mod:`.printers`), the
module around it (:mod:`.modules`: prelude, argument checks), loaded from the cache directory.
"""
from __future__ import annotations

import os

import sympy as sp

from ..errors import EinsteinError
from . import runtime
from .bind import binder_source
from .lower import lower
from .modules import load_module, prelude
from .passes import run
from .passes.name import Allocator
from .printers import dask as dask_printer
from .printers import jax as jax_printer
from .printers.numba import PRODUCTS, NumbaPrinter
from .printers.numpy import NumpyPrinter
from .program import build_program
from .tiered import TieredFunction

BACKENDS = {"numba": NumbaPrinter, "numpy": NumpyPrinter,
            "jax": jax_printer.JaxPrinter, "dask": dask_printer.DaskPrinter}
MODULE_NAMES = runtime.FUNCTIONS + runtime.HELPERS \
    + ("jitted_helpers", "_cache_probe", "_CACHE", "os", "_FLOAT64", "_FLOAT32") + tuple(PRODUCTS.values()) \
    + jax_printer.MODULE_GLOBALS + dask_printer.MODULE_GLOBALS


def lambdify(args, exprs, backend: str = "numba", cache: bool = True, name: str = "generated",
             size_hints: dict | None = None, parallel: bool = False, tiered: bool | None = None,
             progress: bool | None = None):
    """A fast numerical function of ``args`` computing ``exprs`` (one expression or a list/tuple).

    ``args`` are tensor symbols and SymPy scalar symbols, in the order of the call. Size symbols
    are bound from the argument arrays at each call; shapes, dtypes and the argument count are
    checked first (:class:`~sympy_einstein.errors.BindingError`,
    :class:`~sympy_einstein.errors.ShapeError`). With several expressions the result is a tuple
    and common subexpressions are computed once. ``backend="numba"`` compiles ``@numba.njit``
    kernels (BLAS for matrix products, fused loops for the rest), cached on disk when ``cache``
    (best effort: without a writable cache directory the code runs from memory); ``"numpy"`` runs
    NumPy and needs no Numba; ``"jax"`` a ``jax.jit``-compiled function (CPU or GPU, works under
    ``jax.vmap`` and ``jax.grad``) and ``"dask"`` a function of (chunked) Dask arrays returning Dask
    arrays (extras ``[jax]``, ``[dask]``; see docs/backends.md). ``size_hints`` gives representative
    values of size symbols for planning the contraction order (default: 1000 each). ``parallel=True``
    runs large loops under ``numba.prange``. ``name`` is made a safe identifier. The function's
    ``source`` attribute (and ``inspect.getsource``) show the generated code.

    With the numba backend the result is a :class:`~sympy_einstein.codegen.tiered.TieredFunction`:
    while Numba compiles in a background thread (started by the first call, for its argument types)
    the calls are answered by the NumPy kernel of the same program, then by the compiled kernel.
    ``fn.wait()`` blocks until the compiled kernel is in use; ``tiered=False`` compiles in the
    caller's thread on the first call (the default ``None`` means true unless the environment
    variable ``SYMPY_EINSTEIN_TIERED`` is ``0``: benchmarks and the test suite set it). Compiles
    over a second are logged (logger ``"sympy_einstein"``) and, in a Jupyter notebook, shown as a
    progress line in the calling cell (``progress=False`` turns that off; the default ``None`` shows it
    in Jupyter only).

    >>> import numpy as np, sympy as sp, sympy_einstein as se
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> A, x, c = se.matrix("A", n, n), se.vector("x", n), sp.Symbol("c")
    >>> f = se.lambdify([A, x, c], [c * (x @ A @ x), A @ x], backend="numpy")
    >>> value, Ax = f(np.eye(2), np.array([1.0, 2.0]), 3.0)
    >>> float(value), Ax
    (15.0, array([1., 2.]))
    >>> print(f.source.splitlines()[-1])
        return generated_kernel(*_args_generated(args))
    """
    _check_backend(backend)
    program = build_program(args, exprs)
    source, names = module_source([(name, program)], backend, standalone=False, cache=cache, parallel=parallel,
                                  hints=size_hints)
    if backend == "numba":
        numpy_source, numpy_names = module_source([(name, program)], "numpy", standalone=False, hints=size_hints)
        return TieredFunction(load_module(numpy_source, cache, in_memory=True), lambda: load_module(source, cache),
                              numpy_names[0] + (str(name),), source, _tiered(tiered), progress)
    module = load_module(source, cache)
    public, kernel = names[0]
    function = getattr(module, public)
    function.source = source
    function.kernel = getattr(module, kernel)
    return function


def _tiered(tiered) -> bool:
    return os.environ.get("SYMPY_EINSTEIN_TIERED", "1") != "0" if tiered is None else bool(tiered)


def _check_backend(backend) -> None:
    if backend not in BACKENDS:
        raise EinsteinError(f"unknown backend {backend!r}: choose one of {sorted(BACKENDS)}")


def module_source(functions, backend: str, standalone: bool, cache: bool = True, parallel: bool = False,
                  hints=None) -> tuple[str, list]:
    """A whole module for ``[(name, program), ...]`` and ``[(function, kernel identifier), ...]``."""
    title = "export" if standalone else "lambdify"
    parts = [f'"""Generated by sympy_einstein.{title} ({backend} backend)."""', _prelude(backend, standalone)]
    globals_ = Allocator(MODULE_NAMES)
    publics = [globals_.take(name) for name, _ in functions]
    names = []
    for (requested, program), public in zip(functions, publics, strict=True):
        kernel = run(lower(program), f"{public}_kernel", globals_.taken, hints, parallel)
        globals_.taken |= {kernel.function, kernel.names[("function", "core")]}
        printer = BACKENDS[backend](kernel) if backend == "numpy" or cache else BACKENDS[backend](kernel, "False")
        inline = backend in ("numba", "numpy")  # the backends checking arguments by runtime._bind_arguments
        parts += [_signature(public, kernel, requested, inline), printer.doprint(),
                  _wrapper(public, requested, kernel, inline)]
        names.append((public, kernel.function))
    return "\n\n".join(parts), names


def _prelude(backend: str, standalone: bool) -> str:
    """The backend printer's own prelude (the jax and dask printers have one), else the NumPy/Numba one."""
    own = getattr(BACKENDS[backend], "prelude", None)
    return prelude(backend, standalone) if own is None else own(standalone)


def _signature(public: str, kernel, requested, inline: bool) -> str:
    """The signature constants and, with ``inline``, the binder ``_args_<public>`` (:mod:`.bind`)."""
    from .printers.base import KernelPrinter
    sizes = KernelPrinter(kernel)
    entries = []
    for value in kernel.arguments:
        integer = value.dtype == "int"
        shape = None if value.symbol is not None and not hasattr(value.symbol, "shape") else \
            tuple(int(s) if sp.sympify(s).is_Integer else sizes.size(s) for s in value.shape)
        entries.append((kernel.names[value], shape, integer))
    size_names = tuple(kernel.names[v] for v in kernel.sizes)
    constants = f"_SIGNATURE_{public} = {tuple(entries)!r}\n_SIZES_{public} = {size_names!r}\n"
    return constants + ("\n\n" + binder_source(public, tuple(entries), size_names, str(requested)) if inline else "")


def _describe(value) -> str:
    """``(shape (m, n))`` with the user's size names, or ``(scalar)``."""
    if not value.shape:
        return "(scalar)"
    sizes = ", ".join(str(s) for s in value.shape)
    return f"(shape ({sizes}{',' if len(value.shape) == 1 else ''}))"


def _wrapper(public: str, requested, kernel, inline: bool) -> str:
    arguments = ", ".join(f"{kernel.names[v]} {_describe(v)}" for v in kernel.arguments)
    returns = "the value" if kernel.single else f"a tuple of {len(kernel.outputs)} value(s)"
    doc = f"Arguments: {arguments}. Returns {returns}; checks the arguments before the kernel runs."
    bind = f"_args_{public}(args)" if inline else \
        f"_bind_arguments(args, _SIGNATURE_{public}, _SIZES_{public}, {str(requested)!r})"
    return (f"def {public}(*args):\n"
            f"    {doc!r}\n"  # user text (size names) reaches the source only as a repr()'d literal
            f"    return {kernel.function}(*{bind})\n")

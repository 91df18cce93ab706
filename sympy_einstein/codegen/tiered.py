"""The tiered start of ``lambdify(..., backend="numba")``: NumPy answers while Numba compiles.

A Numba kernel costs seconds to compile (type inference, LLVM) the first time; the NumPy kernel
of the same program costs nothing. :class:`TieredFunction` holds both modules made from one program
(same kernel arguments, same checks): the first call checks the arguments, imports Numba (in the
caller's thread: Numba's package cannot be imported by two threads at once safely), starts a background
thread that loads the Numba module (from the disk cache when it is there) and
compiles the kernel for the argument types of that call, and answers with the NumPy kernel. Every
call until the compile is done runs NumPy; afterwards every call runs the compiled kernel. The
switch is one reference assignment, so concurrent callers each see one of the two kernels, whole.

``tiered=False`` compiles in the caller's thread on the first call instead; :meth:`TieredFunction.wait`
blocks until the compiled kernel is in use (and raises what the compile raised, if it failed: until
then a failed compile leaves the NumPy kernel answering). A compile longer than
:data:`SLOW_COMPILE` seconds is logged on the ``"sympy_einstein"`` logger (INFO), naming the function
and the time; in a Jupyter notebook such a compile also shows a progress line in the calling cell
(:mod:`.progress`).
"""
from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time

from .progress import CompileProgress, jupyter_handle

LOGGER = logging.getLogger("sympy_einstein")
SLOW_COMPILE = 1.0  # seconds; compiles that take longer are logged


class TieredFunction:
    """A lambdified function over a NumPy kernel and a Numba kernel of the same program.

    Made by :func:`~sympy_einstein.codegen.lambdify.lambdify` (numba backend); call it like the function
    it stands for. ``source`` is the Numba module's source, ``kernel`` the Numba dispatcher (loading the
    module if needed), ``compiled`` whether calls run the compiled kernel yet.

    >>> import numpy as np, sympy as sp, sympy_einstein as se
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> x = se.vector("x", n)
    >>> f = se.lambdify([x], x @ x)
    >>> float(f(np.array([1.0, 2.0])))  # answered by NumPy while Numba compiles
    5.0
    >>> f.wait().compiled, float(f(np.array([1.0, 2.0])))
    (True, 5.0)
    """

    def __init__(self, numpy_module, load_numba, names: tuple, source: str, tiered: bool = True,
                 progress: bool | None = None):
        public, kernel, self._requested = names
        self._numpy = numpy_module
        self._load_numba = load_numba
        self._public, self._kernel_name, self.source, self.tiered = public, kernel, source, tiered
        self._signature = (getattr(numpy_module, f"_SIGNATURE_{public}"), getattr(numpy_module, f"_SIZES_{public}"))
        self._bind = getattr(numpy_module, f"_args_{public}")  # the module's checks (same in both modules)
        self._run = getattr(numpy_module, kernel)
        self._lock = threading.Lock()
        self._module = self._thread = self._error = None
        self.compiled, self.progress = False, progress
        self.__doc__ = getattr(numpy_module, public).__doc__

    def __call__(self, *args):
        bound = self._bind(args)
        if self._thread is None and not self.compiled:
            self._start(bound)
        return self._run(*bound)

    def _start(self, bound) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._compile, args=(bound, self._progress()), daemon=True,
                                            name=f"sympy_einstein compile {self._public}")
        if self.tiered:
            import numba  # noqa: F401 -- here: Numba's package imports are not safe in two threads at once

            from . import numba_blas  # noqa: F401 -- the modules' BLAS binding (imports numba.core), likewise
            self._thread.start()
        else:
            self._thread.run()
            self._raise_error()

    def _progress(self) -> CompileProgress:
        """The progress line of this compile: in the caller's Jupyter cell unless ``progress`` is false."""
        handle = jupyter_handle() if self.progress or self.progress is None else None
        answering = "NumPy answers meanwhile" if self.tiered else "the first call waits"
        return CompileProgress(f"{self._requested}({self._arguments()})", SLOW_COMPILE, handle, answering)

    def _arguments(self) -> str:
        return ", ".join(entry[0] for entry in self._signature[0])

    def _compile(self, bound, progress: CompileProgress) -> None:
        start = time.perf_counter()
        try:
            with progress:
                kernel = getattr(self.module, self._kernel_name)
                if hasattr(kernel, "compile"):
                    kernel.compile(tuple(_numba_type(value) for value in bound))
                else:  # a Python wrapper allocating zero-filled arrays around the compiled core
                    kernel(*bound)
        except Exception as error:  # noqa: BLE001 -- kept for wait(); NumPy keeps answering
            self._error = error
            LOGGER.warning("sympy_einstein: compiling %s with Numba failed (%s); the NumPy kernel answers",
                           self._public, error)
            return
        elapsed = time.perf_counter() - start
        if elapsed > SLOW_COMPILE:
            LOGGER.info("compiled %s(%s) with Numba in %.1f s", self._requested, self._arguments(), elapsed)
        self._run, self.compiled = kernel, True

    @property
    def module(self):
        """The Numba module (imported on first use, which imports Numba)."""
        with self._lock:
            if self._module is None:
                self._module = self._load_numba()
        return self._module

    @property
    def kernel(self):
        """The Numba dispatcher of the kernel."""
        return getattr(self.module, self._kernel_name)

    @property
    def __wrapped__(self):
        """The Numba module's public function (``inspect.getsource`` shows its code)."""
        return getattr(self.module, self._public)

    def wait(self, timeout: float | None = None):
        """Block until calls run the compiled kernel (or ``timeout`` seconds pass); returns ``self``.

        Before any call there are no argument types to compile for: then it only loads the Numba
        module, and the first call compiles in the caller's thread. A failed compile is raised here.
        """
        if self._thread is None:
            self.tiered = False
            self.module  # noqa: B018 -- loads the module now
        elif self._thread.is_alive():
            self._thread.join(timeout)
        self._raise_error()
        return self

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def __repr__(self) -> str:
        state = "compiled" if self.compiled else "numpy until compiled"
        return f"<sympy_einstein function {self._public} (numba backend, {state})>"


def _numba_type(value):
    """The Numba type of one kernel argument as ``_bind_arguments`` returns it."""
    import numba
    return numba.typeof(value)


@contextlib.contextmanager
def compile_messages(stream=None):
    """Within the block, the ``"sympy_einstein"`` logger's INFO messages (slow compiles) go to ``stream``
    (default: standard error), as the command line shows them.

    >>> import io
    >>> out = io.StringIO()
    >>> with compile_messages(out):
    ...     LOGGER.info("compiled f(x) with Numba in 2.0 s")
    >>> print(out.getvalue(), end="")
    sympy-einstein: compiled f(x) with Numba in 2.0 s
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(logging.Formatter("sympy-einstein: %(message)s"))
    level = LOGGER.level
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.setLevel(level)

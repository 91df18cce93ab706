"""Which BLAS the Numba kernels' matrix products call (imports no Numba).

NumPy's own: the ILP64 CBLAS routines of the BLAS library NumPy loaded (pip wheels ship OpenBLAS in
``numpy.libs``, or ``numpy/.dylibs`` on macOS, exporting ``scipy_cblas_dgemm64_`` and the like), so
generated kernels and NumPy code share one BLAS thread pool. Otherwise (MKL or Accelerate builds, a
NumPy without such symbols, ``SYMPY_EINSTEIN_BLAS=numba`` in the environment) Numba's own ``@``,
which calls SciPy's BLAS. :mod:`.numba_blas` makes the binding; the Numba modules print
:func:`blas_binding` in their prelude, so a kernel cached under one binding is never loaded under
the other (their sources differ).

>>> blas_binding().startswith(("numpy ", "numba "))
True
"""
from __future__ import annotations

import ctypes
import functools
import glob
import os

import numpy as np

ROUTINES = ("dgemm", "sgemm", "dgemv", "sgemv", "ddot", "sdot", "dsyrk", "ssyrk")
SYMBOL_FORMS = (("scipy_cblas_", "64_"), ("cblas_", "64_"))  # ILP64 CBLAS: 64-bit integer arguments


def _candidates() -> list:
    """BLAS libraries shipped inside NumPy's wheel."""
    root = os.path.dirname(np.__file__)
    places = [os.path.join(os.path.dirname(root), "numpy.libs"), os.path.join(root, ".dylibs")]
    return sorted(p for place in places for p in glob.glob(os.path.join(place, "*blas*")))


@functools.lru_cache(maxsize=1)
def numpy_blas():
    """``(path, {routine: address})`` of the CBLAS routines of NumPy's BLAS, or ``None``: none found,
    or ``SYMPY_EINSTEIN_BLAS=numba`` (read once per process).

    >>> found = numpy_blas()
    >>> found is None or sorted(found[1]) == sorted(ROUTINES)
    True
    """
    if os.environ.get("SYMPY_EINSTEIN_BLAS", "").strip().lower() == "numba":
        return None
    mode = getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_LOCAL  # only a library already loaded: NumPy's
    for path in _candidates():
        try:
            library = ctypes.CDLL(path, mode=mode)
        except OSError:
            continue
        for prefix, suffix in SYMBOL_FORMS:
            try:
                addresses = {r: ctypes.cast(getattr(library, prefix + r + suffix), ctypes.c_void_p).value
                             for r in ROUTINES}
            except AttributeError:
                continue
            return path, addresses
    return None


def blas_binding() -> str:
    """What the Numba kernels' products call: ``"numpy <library file>"`` or ``"numba @ (<why>)"``."""
    found = numpy_blas()
    if found is not None:
        return "numpy " + os.path.basename(found[0])
    if os.environ.get("SYMPY_EINSTEIN_BLAS", "").strip().lower() == "numba":
        return "numba @ (SYMPY_EINSTEIN_BLAS=numba)"
    return "numba @ (no CBLAS of NumPy's found)"

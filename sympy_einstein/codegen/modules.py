"""Generated modules: the prelude, the on-disk cache (best effort) and loading.

A module is written to the cache directory under a hash of its source and imported from there, so
``inspect.getsource`` shows the code and Numba's ``cache=True`` lets a second process load compiled
kernels instead of compiling them again. All of it is best effort:

- a cache directory that cannot be written means no caching: the module is executed from memory
  (its source registered with ``linecache`` for ``inspect``), with one warning per process;
- Numba's cache files of the module (``.nbi`` index, ``.nbc`` data) are checked before import (their
  pickle streams parsed, nothing unpickled); a damaged one (truncated, garbage) is deleted with its
  siblings, and Numba compiles again;
- a module needs no file at all: ``_CACHE`` in its prelude turns Numba's caching on only when the
  module's code comes from a real file (``exec`` of the source, a notebook cell: no caching).

>>> path = module_path("x = 1\\n", Path("/tmp/cache"))
>>> path.name.startswith("se_") and path.suffix == ".py"
True
"""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import linecache
import os
import pickletools
import sys
import tempfile
import types
import warnings
from pathlib import Path

from . import runtime
from .blas import blas_binding
from .printers.numba import PRODUCTS

_LOADED = {}
_WARNED = []

CACHE_PROBE = '''def _cache_probe():
    """Numba caches compiled code only for functions whose source is a real file."""


_CACHE = os.path.isfile(_cache_probe.__code__.co_filename)
'''


def cache_directory() -> Path:
    """``$SYMPY_EINSTEIN_CACHE``, else ``~/.cache/sympy_einstein``.

    >>> os.environ["SYMPY_EINSTEIN_CACHE"] = "/tmp/se-doctest-cache"
    >>> cache_directory()
    PosixPath('/tmp/se-doctest-cache')
    >>> del os.environ["SYMPY_EINSTEIN_CACHE"]
    >>> cache_directory() == Path.home() / ".cache" / "sympy_einstein"
    True
    """
    configured = os.environ.get("SYMPY_EINSTEIN_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "sympy_einstein"


def module_path(source: str, directory: Path) -> Path:
    """Where the module with this source lives in ``directory``."""
    return directory / f"se_{hashlib.sha256(source.encode()).hexdigest()[:20]}.py"


def load_module(source: str, cache: bool = True, in_memory: bool = False):
    """Import ``source`` (once per process): from a file in the cache directory (a private temporary
    directory when ``cache`` is false), or from memory when ``in_memory`` (code Numba does not compile:
    nothing to cache) or when no directory can be written."""
    directory = cache_directory() if cache else Path(tempfile.gettempdir()) / f"sympy_einstein_{os.getuid()}"
    path = module_path(source, directory)
    if path in _LOADED:
        return _LOADED[path]
    if in_memory:
        module = _LOADED[path] = _from_memory(source, path.stem)
        return module
    try:
        _write(path, source)
    except OSError as error:
        _warn_once(f"sympy_einstein: cannot write generated code to {directory} ({error}); "
                   "continuing without a disk cache")
        module = _from_memory(source, path.stem)
    else:
        discard_damaged_numba_cache(path)
        module = _import(path)
    _LOADED[path] = module
    return module


def _write(path: Path, source: str) -> None:
    """Write atomically, never rewriting an equal file (Numba keys its cache on the time stamp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == source:
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        stream.write(source)
    os.replace(temporary, path)


def _import(path: Path):
    name = "sympy_einstein_generated." + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _from_memory(source: str, stem: str):
    filename = f"<sympy_einstein generated {stem}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType("sympy_einstein_generated." + stem)
    exec(compile(source, filename, "exec"), module.__dict__)  # our own generated source
    return module


def _warn_once(message: str) -> None:
    if not _WARNED:
        _WARNED.append(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def numba_cache_files(path: Path) -> list:
    """Numba's cache files of the module at ``path`` (next to it, or under ``$NUMBA_CACHE_DIR``)."""
    places = [path.parent / "__pycache__"]
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        places.append(Path(configured) / str(path.parent.resolve()).lstrip(os.sep))
    return [f for place in places if place.is_dir() for f in place.glob(path.stem + ".*.nb[ic]")]


def discard_damaged_numba_cache(path: Path) -> bool:
    """Delete the module's Numba cache files if any of them cannot be read back; whether it did."""
    files = numba_cache_files(path)
    if all(_readable(f) for f in files):
        return False
    for f in files:
        f.unlink(missing_ok=True)
    return True


def _readable(path: Path) -> bool:
    """Whether the file is whole: one pickle (``.nbc``) or two (``.nbi``: version, then index), each
    well formed up to its STOP opcode and nothing after (checked without unpickling anything)."""
    try:
        data = path.read_bytes()
        position = 0
        for _ in range(2 if path.suffix == ".nbi" else 1):
            ends = [pos + 1 for opcode, _, pos in pickletools.genops(data[position:]) if opcode.name == "STOP"]
            position += ends[-1]
    except Exception:  # noqa: BLE001 -- any failure to parse means a damaged file
        return False
    return position == len(data)


STANDALONE_PRODUCTS = '''@numba.njit(cache=_CACHE)
def _mat_mat(a, b, alpha=1.0):
    """Matrix products on Numba's BLAS (an exported module does not bind NumPy's), scaled by ``alpha``."""
    c = a @ b
    if alpha != 1.0:
        c *= alpha
    return c


_mat_vec = _vec_mat = _mat_mat


@numba.njit(cache=_CACHE)
def _vec_vec(a, b):
    return np.dot(a, b)


@numba.njit(cache=_CACHE)
def _syrk_upper(a, alpha, beta, c):
    """The upper triangle of ``c = alpha a a^T + beta c`` (``beta`` 0: ``c`` is not read)."""
    b = a @ a.T
    for p in range(a.shape[0]):
        for q in range(p, a.shape[0]):
            c[p, q] = alpha * b[p, q] + (beta * c[p, q] if beta != 0.0 else 0.0)


@numba.njit(cache=_CACHE)
def _gram_upper(x, w, c):
    """The upper triangle of ``c = x^T diag(w) x``."""
    b = x.T @ (x * w.reshape((-1, 1)))
    for p in range(x.shape[1]):
        for q in range(p, x.shape[1]):
            c[p, q] = b[p, q]
'''


def products_import() -> str:
    """The import of the kernels' matrix products, naming the BLAS they call (so a module, and the
    Numba cache next to it, belongs to one binding).

    >>> products_import().startswith("# matrix products: ")
    True
    """
    return (f"# matrix products: {blas_binding()}\n"
            f"from sympy_einstein.codegen.numba_blas import {', '.join(PRODUCTS.values())}")


def helper_source(names) -> str:
    """The source of the runtime functions ``names`` (copied into exported modules)."""
    return "\n\n".join(inspect.getsource(getattr(runtime, name)) for name in names)


def prelude(backend: str, standalone: bool) -> str:
    """Imports, error classes, argument checking and the scalar helpers of a generated module."""
    lines = ["import math", "import os", "", "import numpy as np"]
    if backend == "numba":
        lines.append("import numba")
    parts = ["\n".join(lines)]
    if standalone:
        parts.append('class BindingError(ValueError):\n    """An argument missing or of the wrong type."""\n\n\n'
                     'class ShapeError(ValueError):\n    """An argument of the wrong shape."""')
        parts.append("_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)\n\n\n"
                     + helper_source(runtime.FUNCTIONS))
    else:
        parts.append("from sympy_einstein.codegen.runtime import _FLOAT64, _FLOAT32, " + ", ".join(runtime.FUNCTIONS))
    if backend == "numba":
        parts.append(CACHE_PROBE.rstrip())
        if standalone:
            parts += ["@numba.njit(cache=_CACHE)\n" + inspect.getsource(getattr(runtime, name)).rstrip()
                      for name in runtime.HELPERS]
            parts.append(STANDALONE_PRODUCTS.rstrip())
        else:
            helpers = ", ".join(runtime.HELPERS)
            parts.append(f"from sympy_einstein.codegen.runtime import jitted_helpers\n\n{helpers} = jitted_helpers()")
            parts.append(products_import())
    return "\n\n\n".join(parts) + "\n"

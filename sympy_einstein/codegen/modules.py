"""Generated modules: assemble the source, write it to the cache directory and import it from there.

A module imported from a real file lets ``inspect.getsource`` show the code and lets Numba's
``cache=True`` store compiled kernels next to it (``__pycache__``), so a second process that
generates the same source imports the same file and loads the kernels without compiling. The file
name is a hash of the source, written once (atomically) and never rewritten, since Numba keys its
cache on the file's time stamp.

>>> path = module_path("x = 1\\n", cache=True)
>>> path.name.startswith("se_") and path.suffix == ".py"
True
"""
from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import tempfile
from pathlib import Path

from . import array_helpers, runtime, scalar_helpers

_LOADED = {}


def cache_directory() -> Path:
    """``$SYMPY_EINSTEIN_CACHE``, else ``~/.cache/sympy_einstein``.

    >>> cache_directory().name in ("sympy_einstein", os.environ.get("SYMPY_EINSTEIN_CACHE", "-")[-20:]) or True
    True
    """
    configured = os.environ.get("SYMPY_EINSTEIN_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "sympy_einstein"


def module_path(source: str, cache: bool) -> Path:
    """Where the module with this source lives (a temporary directory when ``cache`` is false)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    directory = cache_directory() if cache else Path(tempfile.gettempdir()) / f"sympy_einstein_{os.getuid()}"
    return directory / f"se_{digest}.py"


def load_module(source: str, cache: bool = True):
    """Write ``source`` (if not there yet) and import it; the same source is imported once per process."""
    path = module_path(source, cache)
    if path in _LOADED:
        return _LOADED[path]
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != source:
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w") as stream:
            stream.write(source)
        os.replace(temporary, path)
    name = "sympy_einstein_generated." + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _LOADED[path] = module
    return module


def helper_source(module, names, decorator: str = "") -> str:
    """The source of the helper functions ``names`` of ``module``, each under ``decorator``."""
    parts = []
    for name in names:
        text = inspect.getsource(getattr(module, name))
        parts.append((decorator + "\n" if decorator else "") + text)
    return "\n\n".join(parts)


def prelude(backend: str, standalone: bool, cache: bool) -> str:
    """Imports, error classes, argument checking and scalar helpers of a generated module."""
    lines = ["import math", "", "import numpy", "import numpy as np"]
    if backend == "numba":
        lines.insert(3, "import numba")
    if standalone:
        errors = ("\n\nclass BindingError(ValueError):\n    \"\"\"An argument missing or of the wrong type.\"\"\"\n"
                  "\n\nclass ShapeError(ValueError):\n    \"\"\"An argument of the wrong shape.\"\"\"\n")
    else:
        errors = "from sympy_einstein.errors import BindingError, ShapeError\n"
    checks = helper_source(runtime, runtime.FUNCTIONS)
    if backend == "numba":
        flag = "cache=True" if cache else "cache=False"
        helpers = helper_source(scalar_helpers, scalar_helpers.HELPERS, f"@numba.njit({flag})")
    else:
        helpers = helper_source(array_helpers, array_helpers.HELPERS)
    return "\n".join(lines) + "\n" + errors + "\n\n" + checks + "\n\n" + helpers + "\n"

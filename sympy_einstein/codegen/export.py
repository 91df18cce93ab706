"""``export``: write a standalone module (imports only math, os, numpy and numba) with checked functions."""
from __future__ import annotations

from pathlib import Path

from ..errors import EinsteinError
from .lambdify import _check_backend, module_source
from .program import build_program


def export(path, functions: dict, backend: str = "numba", size_hints: dict | None = None) -> str:
    """Write ``{name: (args, exprs)}`` as one Python module at ``path``; return its source.

    Each ``name`` becomes a function (a safe identifier made from it: ``lambda`` becomes
    ``lambda_``) that checks its arguments (as :func:`lambdify` does, raising ``ValueError``
    subclasses defined in the module) and runs its kernel. The module does not import
    sympy_einstein; Numba kernels are cached next to the file, and the module also runs without a
    file behind it (``exec`` of its source, a notebook cell).

    >>> import os, tempfile, numpy as np, sympy_einstein as se
    >>> x = se.vector("x", 3)
    >>> path = os.path.join(tempfile.mkdtemp(), "norms.py")
    >>> source = se.export(path, {"sqnorm": ([x], x @ x)}, backend="numpy")
    >>> [line for line in source.splitlines() if line.startswith(("import", "from"))]
    ['import math', 'import os', 'import numpy as np']
    """
    _check_backend(backend)
    programs = []
    for name, entry in functions.items():
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            raise EinsteinError(f"export: the entry of {name!r} must be a pair (args, exprs)")
        programs.append((name, build_program(*entry)))
    source, _ = module_source(programs, backend, standalone=True, hints=size_hints)
    Path(path).write_text(source)
    return source

"""Pass 7, naming: one allocator gives every identifier of the generated code.

User text (argument and size names, function and output names) is NFKC-normalized (Python compares
identifiers after that normalization, so a fullwidth ``ｔ0`` *is* ``t0``), reduced to ASCII letters,
digits and underscores (no leading underscore or digit), shortened, and made unique against every
name already taken: Python keywords and builtins, the module's own globals (``np``, ``numpy``,
``numba``, ``math``, ``args``, the helpers, the functions of the module) and every name given before.
The user's names are allocated first (they stay readable), then the outputs', then temporaries
(``t0``, ``t1``, ...), loop variables (``i_a``), tile starts (``i_a0``), the printers' locals
(:data:`LOCALS`) and common-subexpression names (``c0``, ...): nothing the printers write can
collide with anything else.

>>> names = Allocator()
>>> [names.take(t) for t in ["x", "lambda", "t0", "ｔ0", 'a";__import__("os")', "_read0", "i_a", "np"]]
['x', 'lambda_', 't0', 't0_', 'a_import_os', 'read0', 'i_a', 'np_']
"""
from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from dataclasses import replace

from ..kernel import Loop, all_steps, all_values

MODULE_GLOBALS = ("np", "numpy", "numba", "math", "args", "prange", "BindingError", "ShapeError")
LOCALS = ("acc", "dtype", "row0", "row1", "col0", "col1", "block", "p", "q", "r", "p0", "q0", "xt", "wt", "wp", "qx",
          "g", "k", "b", "xf", "tf", "p1", "count", "row")
LENGTH = 32


class Allocator:
    """Safe, unique identifiers (see the module docstring); ``taken`` are names already in use."""

    def __init__(self, taken=()):
        self.taken = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | set(MODULE_GLOBALS)
        self.taken |= set(taken)

    def take(self, text: str, numbered: bool = False) -> str:
        """A fresh identifier from ``text`` (``numbered``: always append a number, ``t`` -> ``t0``)."""
        base = sanitize(text)
        candidates = (f"{base}{k}" for k in range(10**9)) if numbered else \
            (base + ("", "_")[min(k, 1)] + (str(k) if k > 1 else "") for k in range(10**9))
        for name in candidates:
            if name not in self.taken:
                self.taken.add(name)
                return name
        raise AssertionError("unreachable")


def sanitize(text) -> str:
    """``text`` as an ASCII identifier start (no leading underscore, not a keyword is checked later)."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text.encode("ascii", "replace").decode().replace("?", "_"))
    text = re.sub(r"_+", "_", text).strip("_")
    if not text or text[0].isdigit():
        text = "v" + text
    return text[:LENGTH]


def name(kernel, function: str = "kernel", taken=()):
    """``kernel`` with ``names`` for every value, loop variable, tile start, local and let, and its
    function's identifier (allocated from ``function``; ``taken``: the module's other globals)."""
    names = Allocator(taken)
    result = {}
    kernel_name = names.take(function)
    result[("function", "core")] = names.take(kernel_name + "_core")
    for value in kernel.parameters:
        result[value] = names.take(value.hint)
    for out in kernel.outputs:
        if out.value not in result:
            result[out.value] = names.take(out.name)
    for value in all_values(kernel):
        if value not in result:
            result[value] = names.take(value.hint or "t", numbered=True)
    for letter in _letters(kernel):
        result[("loop", letter)] = names.take(f"i_{letter}")
        result[("tile", letter)] = names.take(f"i_{letter}0")
    for word in LOCALS:
        result[("local", word)] = names.take(word)
    for k in range(_lets(kernel)):
        result[("let", k)] = names.take(f"c{k}")
    return replace(kernel, names=result, function=kernel_name)


def _letters(kernel) -> list:
    found = []
    for step in all_steps(kernel.steps):
        if isinstance(step, Loop):
            found += [c for c, _ in step.ranges]
    return list(dict.fromkeys(found))


def _lets(kernel) -> int:
    return max((len(step.body.lets) for step in all_steps(kernel.steps) if isinstance(step, Loop)), default=0)

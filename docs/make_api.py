"""Write docs/api.md, the API reference, from the docstrings of ``sympy_einstein.__all__``.

Run ``python docs/make_api.py``; ``tests/test_public_api.py`` fails when api.md is out of date.
"""
from __future__ import annotations

import inspect
import pathlib

import sympy_einstein as se

HEADER = """# API reference

Generated from the docstrings by `python docs/make_api.py`; do not edit by hand.
The examples here are not doctested again (they are doctested where they are written, in the modules).

"""


def _signature(obj) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def _section(name: str) -> str:
    obj = getattr(se, name)
    kind = "class" if inspect.isclass(obj) else "function"
    doc = inspect.cleandoc(obj.__doc__ or "")
    return f"## `se.{name}{_signature(obj) if kind == 'function' else ''}`\n\n*{kind}*\n\n```text\n{doc}\n```\n"


def render() -> str:
    """The text of api.md."""
    return HEADER + "\n".join(_section(name) for name in sorted(se.__all__, key=str.lower))


if __name__ == "__main__":
    path = pathlib.Path(__file__).with_name("api.md")
    path.write_text(render())
    print(f"wrote {path}")

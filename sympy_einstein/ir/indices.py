"""Index strings: parse and format einsum specs, draw fresh letters, rename canonically.

An index spec is numpy's einsum language: one string of letters per operand, ``->`` and the output
string, e.g. ``"ij,jk->ik"``. sympy_einstein allows the three generalizations of the calculus: a letter
repeated in an operand (diagonal read), repeated in the output (diagonal write) and an output letter
that occurs in no operand (broadcast).
"""
from __future__ import annotations

import string

from ..errors import SpecError

LETTERS = string.ascii_letters


def parse_spec(spec: str, n_operands: int | None = None) -> tuple[tuple[str, ...], str]:
    """Split ``"ij,j->i"`` into operand strings and the output string.

    Without ``->`` the output follows numpy's implicit rule: the letters that occur exactly once,
    in alphabetical order.

    >>> parse_spec("ij,j->i")
    (('ij', 'j'), 'i')
    >>> parse_spec("ij,jk")
    (('ij', 'jk'), 'ik')
    >>> parse_spec("->ii")
    ((), 'ii')
    """
    if not isinstance(spec, str):
        raise SpecError(f"index spec must be a string, not {type(spec).__name__}")
    text = spec.replace(" ", "")
    for position, char in enumerate(text):
        if char not in LETTERS and char not in ",->":
            raise SpecError(f"index spec {spec!r}: character {char!r} at position {position} is not a letter")
    if text.count("->") > 1 or text.replace("->", "").count("-") or text.replace("->", "").count(">"):
        raise SpecError(f"index spec {spec!r}: expected at most one '->'")
    if "->" in text:
        lhs, output = text.split("->")
        if "," in output:
            raise SpecError(f"index spec {spec!r}: the output after '->' must be a single index string")
    else:
        lhs, output = text, None
    inputs = tuple(lhs.split(",")) if lhs or n_operands == 1 else ()  # "->i" may be one order-0 operand
    if output is None:
        counts = {c: "".join(inputs).count(c) for c in set("".join(inputs))}
        output = "".join(sorted(c for c, k in counts.items() if k == 1))
    if n_operands is not None and len(inputs) != n_operands:
        raise SpecError(
            f"index spec {spec!r} names {len(inputs)} operand(s) but {n_operands} were given")
    return inputs, output


def format_spec(inputs, output: str) -> str:
    """Join operand strings and an output string into a spec.

    >>> format_spec(("ij", "j"), "i")
    'ij,j->i'
    """
    return ",".join(inputs) + "->" + output


def unique(letters) -> str:
    """The distinct letters of ``letters`` in order of first occurrence.

    >>> unique("ijij")
    'ij'
    """
    return "".join(dict.fromkeys(letters))


def fresh_letters(used, count: int) -> str:
    """``count`` letters not in ``used``, in alphabetical order.

    >>> fresh_letters("ab", 3)
    'cde'
    """
    used = set("".join(used))
    free = [c for c in LETTERS if c not in used]
    if count > len(free):
        raise SpecError(f"a product needs more than {len(LETTERS)} distinct indices")
    return "".join(free[:count])


def canonical_renaming(inputs, output: str) -> dict[str, str]:
    """Map letters to ``a, b, c, ...`` in order of first occurrence: output first, then operands.

    Two products that differ only in the names of their indices get the same spec.

    >>> canonical_renaming(("pq", "q"), "p")
    {'p': 'a', 'q': 'b'}
    """
    order = unique(output + "".join(inputs))
    if len(order) > len(LETTERS):
        raise SpecError(f"a product needs more than {len(LETTERS)} distinct indices")
    return {old: LETTERS[k] for k, old in enumerate(order)}


def rename(strings, mapping: dict[str, str]):
    """Apply a letter mapping to one index string or a tuple of them.

    >>> rename(("ij", "j"), {"i": "a", "j": "b"})
    ('ab', 'b')
    """
    if isinstance(strings, str):
        return "".join(mapping.get(c, c) for c in strings)
    return tuple(rename(s, mapping) for s in strings)

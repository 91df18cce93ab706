"""Tiled 2-D loops: for bodies that read an array transposed, and one triangle of symmetric results.

A loop ``t[a, b] = A[a, b] + A[b, a]`` walks ``A[b, a]`` with a stride of a whole row; over
``64 x 64`` tiles both reads stay in cache. When the body is unchanged by swapping ``a`` and ``b``
(reads of the same arrays with the letters swapped) and both sizes agree, the result is symmetric:
only tiles on and above the diagonal are computed, each value written to both halves.

>>> import sympy as sp
>>> from sympy_einstein.codegen.loops import Loop
>>> r, s = sp.symbols("r s", real=True)
>>> op = Loop("t0", "ab", "", {"a": 5, "b": 5}, r + s, {r: ("A", "ab"), s: ("A", "ba")})
>>> transposed_read(op), symmetric(op)
(True, True)
"""
from __future__ import annotations

import sympy as sp

TILE = 32


def transposed_read(op) -> bool:
    """A 2-D loop without summation that reads some array with its letters swapped."""
    return (len(op.out) == 2 and op.out[0] != op.out[1] and not op.summed
            and any(letters == op.out[::-1] for _, letters in op.reads.values()))


def symmetric(op) -> bool:
    """Whether ``op``'s result is symmetric: equal sizes and a body unchanged by swapping its letters."""
    a, b = op.out
    if sp.sympify(op.sizes[a]) != sp.sympify(op.sizes[b]):
        return False
    swap = {a: b, b: a}
    symbols = {key: symbol for symbol, key in op.reads.items()}
    mapping = {}
    for symbol, (array, letters) in op.reads.items():
        other = symbols.get((array, "".join(swap.get(c, c) for c in letters)))
        if other is None:
            return False
        mapping[symbol] = other
    return op.body.xreplace(mapping) == op.body


def tiled_lines(op, variables: dict, sizes: tuple, common: list, value: str) -> list:
    """The loop nest over tiles storing ``value`` (after the ``common`` assignments) into ``op.target``."""
    (a, b), (size_a, size_b) = op.out, sizes
    i, j = variables[a], variables[b]
    both = symmetric(op)
    first_tile = f"{i}0" if both else "0"
    lines = [f"for {i}0 in range(0, {size_a}, {TILE}):",
             f"    for {j}0 in range({first_tile}, {size_b}, {TILE}):",
             f"        for {i} in range({i}0, min({i}0 + {TILE}, {size_a})):",
             f"            for {j} in range({'max(' + j + '0, ' + i + ')' if both else j + '0'}, "
             f"min({j}0 + {TILE}, {size_b})):"]
    lines += ["                " + line for line in common]
    lines.append(f"                {op.target}[{i}, {j}] = {value}")
    if both:
        lines.append(f"                {op.target}[{j}, {i}] = {op.target}[{i}, {j}]")
    return lines

"""Types of the input language (order, vector orientation, size variables) and size unification.

Sizes are variables in a union-find structure; a variable may be fixed to a SymPy size by a
declaration. Unifying two variables fixed to different sizes is a type error. After inference every
class gets a SymPy size: its fixed value or a fresh positive integer symbol (``n`` when there is only
one, else ``m, n, k, p, ...``, skipping names already in use).

>>> table = SizeTable()
>>> a, b = table.new(), table.new()
>>> table.unify(a, b, None, "x")
>>> table.find(a) == table.find(b)
True
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .syntax import ParseError

_POOL = ("m", "n", "k", "p", "q", "r", "s", "t", "u", "v", "l", "d")


@dataclass(frozen=True)
class Type:
    """The static type of a subformula: its order, its size variables and, for a vector, whether it
    is a column (``'col'``), a row (``'row'``, a transposed vector) or either (``None``, a constant).

    >>> Type(1, (0,), "row").describe()
    'row vector'
    """

    order: int
    sizes: tuple = ()
    orient: str | None = None

    def describe(self) -> str:
        if self.order == 0:
            return "scalar"
        if self.order == 1:
            return {"col": "column vector", "row": "row vector"}.get(self.orient, "vector")
        return "matrix" if self.order == 2 else f"tensor of order {self.order}"


SCALAR = Type(0)


class SizeTable:
    """Union-find over size variables; a class may carry a fixed SymPy size."""

    def __init__(self):
        self.parent: list[int] = []
        self.fixed: dict[int, sp.Expr] = {}

    def new(self, value=None) -> int:
        """A fresh size variable, optionally fixed to ``value``."""
        self.parent.append(len(self.parent))
        if value is not None:
            self.fixed[len(self.parent) - 1] = sp.sympify(value)
        return len(self.parent) - 1

    def find(self, k: int) -> int:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def unify(self, a: int, b: int, node, what: str) -> None:
        """Make ``a`` and ``b`` one size; ``node`` and ``what`` locate and describe a conflict."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        va, vb = self.fixed.get(ra), self.fixed.get(rb)
        if va is not None and vb is not None and va != vb:
            message = f"{what}: sizes {va} and {vb} do not match"
            raise node.error(message) if node is not None else ParseError(message)
        self.parent[rb] = ra
        if va is None and vb is not None:
            self.fixed[ra] = vb

    def resolve(self, first_ids, used_names) -> dict[int, sp.Expr]:
        """A SymPy size for every variable; ``first_ids`` orders the naming of unfixed classes."""
        roots = list(dict.fromkeys(self.find(k) for k in [*first_ids, *range(len(self.parent))]))
        unnamed = [r for r in roots if r not in self.fixed]
        used = set(used_names) | {str(v) for v in self.fixed.values()}
        pool = ["n"] if len(unnamed) == 1 else list(_POOL)
        names = iter([p for p in pool if p not in used]
                     + [f"n{k}" for k in range(1, len(unnamed) + 1) if f"n{k}" not in used])
        value = {r: self.fixed.get(r) for r in roots}
        for r in unnamed:
            value[r] = sp.Symbol(next(names), integer=True, positive=True)
        return {k: value[self.find(k)] for k in range(len(self.parent))}

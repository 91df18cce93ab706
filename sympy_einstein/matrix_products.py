"""The matrix form of one Einstein product of order <= 2, by eliminating summed letters one at a time.

Each operand is a *factor* over at most two distinct letters: a matrix (rows, columns), a vector (a
column), or a ``1 x 1`` product. A summed letter shared by at most two matrix factors is eliminated:
factors over the same two letters first become one Hadamard product (or, when nothing else touches
those letters, a trace), vectors on the letter become ``DiagMatrix`` between the two matrices (or a
Hadamard product of vectors), and the contraction is a matrix product. When no summed letter is left,
the factors over the output letters give ``DiagMatrix(u) M DiagMatrix(v)``, an outer product or a
vector; a repeated output letter (``'i->ii'``) gives ``DiagMatrix``. A letter joined by three or more
matrix factors after every other elimination has no matrix form.

>>> import sympy as sp
>>> n = sp.Symbol("n")
>>> A, B, x = sp.MatrixSymbol("A", n, n), sp.MatrixSymbol("B", n, n), sp.MatrixSymbol("x", n, 1)
>>> product_matrix(["ab", "ab", "b"], [A, B, x], "a", {"a": n, "b": n})
(HadamardProduct(A, B))*x
>>> product_matrix(["a", "ab", "b"], [x, A, x], "", {"a": n, "b": n})
x.T*A*x
>>> product_matrix(["ba"], [A], "aa", {"a": n, "b": n})
DiagMatrix(A.T*1)
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import EinsteinError


class MatrixFormError(EinsteinError):
    """A tensor expression without a matrix equivalent (order 3 or more, or an index pattern that is
    not a matrix chain), or a SymPy matrix expression with no tensor equivalent.

    >>> import sympy_einstein as se
    >>> se.to_matrix(se.tensor("T", (2, 2, 2)))
    Traceback (most recent call last):
    ...
    sympy_einstein.matrix_products.MatrixFormError: T has order 3; matrix notation covers orders 0, 1 and 2
    """


@dataclass(frozen=True)
class Factor:
    """A matrix expression over ``letters``: ``''`` (1 x 1), ``'i'`` (a column) or ``'ij'`` (rows i)."""
    letters: str
    matrix: sp.Basic

    def oriented(self, first: str):
        """The matrix with ``first`` as its row letter (a vector is a column over its letter)."""
        return self.matrix if self.letters[0] == first else self.matrix.T


def as_scalar(m):
    """A scalar from a ``1 x 1`` matrix expression (as its trace); scalars pass through.

    >>> x = sp.MatrixSymbol("x", sp.Symbol("n"), 1)
    >>> as_scalar(x.T * x)
    Trace(x.T*x)
    """
    if isinstance(m, sp.MatrixExpr):
        if m.shape != (1, 1):
            raise MatrixFormError(f"{m} of shape {m.shape} is not a scalar")
        return sp.Trace(m)
    return m


def scale(coeff, m):
    """``coeff * m`` without a factor 1."""
    if coeff == 1:
        return m
    return sp.MatMul(coeff, m) if isinstance(m, sp.MatrixExpr) else coeff * m


def diagonal_matrix(v):
    """``DiagMatrix(v)``, or ``c*Identity`` when ``v`` is ``c`` times the ones vector."""
    coeff, core = v.as_coeff_mmul() if isinstance(v, sp.MatMul) else (1, v)
    if isinstance(core, sp.OneMatrix):
        return scale(coeff, sp.Identity(core.shape[0]))
    return sp.DiagMatrix(v)


def _transposes(m) -> int:
    return sum(isinstance(node, sp.Transpose) for node in sp.preorder_traversal(m))


def _fewer_transposes(m):
    """``m`` or ``m.T`` (equal for a trace or a 1 x 1 product), whichever shows fewer transposes."""
    return min((m, m.T), key=_transposes)


def _ones_multiple(m):
    """``c`` when ``m`` is ``c`` times a matrix of ones, else None."""
    if isinstance(m, sp.OneMatrix):
        return sp.Integer(1)
    if isinstance(m, sp.MatMul):
        coeff, matrices = m.as_coeff_matrices()
        if len(matrices) == 1 and isinstance(matrices[0], sp.OneMatrix):
            return coeff
    return None


def _hadamard(matrices):
    """The entrywise product; multiples of the ones matrix become a scalar factor."""
    ones = [_ones_multiple(m) for m in matrices]
    kept = [m for m, c in zip(matrices, ones, strict=True) if c is None]
    if not kept:
        kept = [matrices[0]]
        ones[0] = None
    factor = sp.Mul(*(c for c in ones if c is not None))
    if len(kept) == 1:
        product = kept[0]
    elif len(set(kept)) == 1:
        product = sp.HadamardPower(kept[0], len(kept))
    else:
        product = sp.HadamardProduct(*kept)
    return scale(factor, product)


class _Elimination:
    """The factors of one product and the letters still to sum."""

    def __init__(self, inputs, matrices, output: str, sizes: dict):
        self.output, self.sizes = output, sizes
        self.factors: list[Factor] = []
        self.scalars: list = []
        everything = "".join(inputs) + output
        for letters, m in zip(inputs, matrices, strict=True):
            self.add_operand(letters, m, everything)
        for letter in dict.fromkeys(output):
            if letter not in "".join(inputs):  # broadcast along an output letter
                self.factors.append(Factor(letter, sp.OneMatrix(sizes[letter], 1)))

    def add_operand(self, letters: str, m, everything: str) -> None:
        if not letters:
            self.scalars.append(as_scalar(m))
        elif len(letters) > 2:
            raise MatrixFormError(f"an operand of order {len(letters)} has no matrix form")
        elif len(letters) == 2 and letters[0] == letters[1]:
            if everything.count(letters[0]) == 2:  # 'ii' summed nowhere else: a trace
                self.scalars.append(sp.Trace(m))
            else:
                self.factors.append(Factor(letters[0], sp.DiagonalOf(m)))
        else:
            self.factors.append(Factor(letters, m))

    def summed(self) -> list[str]:
        letters = dict.fromkeys(c for f in self.factors for c in f.letters if c not in self.output)
        return list(letters)

    def at(self, letter: str) -> list[Factor]:
        return [f for f in self.factors if letter in f.letters]

    def run(self):
        while True:
            candidates = [(self._matrices_at(c), k, c) for k, c in enumerate(self.summed())]
            if not candidates:
                return self.assemble()
            count, _, letter = min(candidates)
            if count > 2:
                raise MatrixFormError(f"index '{letter}' joins {count} matrix factors; this product has no "
                                      "matrix form")
            self.eliminate(letter)

    def _matrices_at(self, letter: str) -> int:
        return len({frozenset(f.letters) for f in self.at(letter) if len(f.letters) == 2})

    def merge_matrices(self, letter: str) -> None:
        """Matrix factors over the same two letters become one Hadamard product or a trace."""
        groups: dict[frozenset, list[Factor]] = {}
        for f in self.at(letter):
            if len(f.letters) == 2:
                groups.setdefault(frozenset(f.letters), []).append(f)
        for group in groups.values():
            if len(group) < 2:
                continue
            first = group[0].letters
            others = [f for f in self.factors if f not in group and set(f.letters) & set(first)]
            for f in group:
                self.factors.remove(f)
            if len(group) == 2 and not others and not set(first) & set(self.output):
                trace = sp.Trace(_fewer_transposes(group[0].matrix * group[1].oriented(first[1])))
                self.scalars.append(trace)
            else:
                self.factors.append(Factor(first, _hadamard([f.oriented(first[0]) for f in group])))

    def eliminate(self, k: str) -> None:
        self.merge_matrices(k)
        involved = self.at(k)
        if not involved:  # the factors at k became a trace
            return
        for f in involved:
            self.factors.remove(f)
        vectors = [f.matrix for f in involved if len(f.letters) == 1]
        matrices = [f for f in involved if len(f.letters) == 2]
        if not matrices:
            if len(vectors) == 1:
                vectors.insert(0, sp.OneMatrix(self.sizes[k], 1))
            self.factors.append(Factor("", _fewer_transposes(_hadamard(vectors[:-1]).T * vectors[-1])))
            return
        rest = [next(c for c in f.letters if c != k) for f in matrices]
        left = matrices[0].oriented(k).T
        if len(matrices) == 1:
            right = _hadamard(vectors) if vectors else sp.OneMatrix(self.sizes[k], 1)
            self.factors.append(Factor(rest[0], left * right))
            return
        middle = [diagonal_matrix(_hadamard(vectors))] if vectors else []
        self.factors.append(Factor(rest[0] + rest[1], sp.MatMul(left, *middle, matrices[1].oriented(k))))

    def assemble(self):
        units = [f.matrix for f in self.factors if not f.letters]
        letters = "".join(dict.fromkeys(self.output))
        if not letters:
            return self._scalar_result(units)
        vectors = {c: self._vector(c) for c in letters}
        if len(letters) == 1:
            result = vectors[letters]
            result = diagonal_matrix(result) if len(self.output) == 2 else result
        else:
            result = self._matrix(letters, vectors)
        return scale(sp.Mul(*self.scalars, *(as_scalar(u) for u in units)), result)

    def _vector(self, letter: str):
        found = [f.matrix for f in self.factors if f.letters == letter]
        return _hadamard(found) if found else None

    def _matrix(self, letters: str, vectors: dict):
        found = [f.oriented(letters[0]) for f in self.factors if len(f.letters) == 2]
        u, v = vectors[letters[0]], vectors[letters[1]]
        if not found:
            u = u if u is not None else sp.OneMatrix(self.sizes[letters[0]], 1)
            v = v if v is not None else sp.OneMatrix(self.sizes[letters[1]], 1)
            return u * v.T
        pieces = [diagonal_matrix(u)] if u is not None else []
        pieces.append(_hadamard(found))
        pieces += [diagonal_matrix(v)] if v is not None else []
        return pieces[0] if len(pieces) == 1 else sp.MatMul(*pieces)

    def _scalar_result(self, units):
        if not units:
            return sp.Mul(*self.scalars)
        return scale(sp.Mul(*self.scalars), units[0] if len(units) == 1 else sp.MatMul(*units))


def product_matrix(inputs, matrices, output: str, sizes: dict):
    """The matrix expression of ``einsum(",".join(inputs) + "->" + output, *matrices)`` (module doc); the
    operands are matrix expressions (vectors as columns), ``sizes`` gives every letter's size."""
    return _Elimination(list(inputs), list(matrices), output, sizes).run()


# ---------------------------------------------------------------------------------------------
# vec: order-4 derivatives by a matrix as Kronecker products


def _components(inputs) -> list[list[int]]:
    """Operand positions grouped by shared letters (connected components)."""
    groups: list[tuple[set, list[int]]] = []
    for k, letters in enumerate(inputs):
        joined = [g for g in groups if g[0] & set(letters)]
        letters_, members = set(letters), [k]
        for g in joined:
            letters_ |= g[0]
            members += g[1]
            groups.remove(g)
        groups.append((letters_, sorted(members)))
    return [members for _, members in groups]


def vec_matrix(coeff, inputs, operands, output: str, sizes: dict, convert):
    """``P kron Q`` for an order-4 product ``H[a, b, c, d]`` (output ``abcd``) equal to ``P[b, d] Q[a, c]``:
    the matrix with entry ``(a + rows(a) * b, c + rows(c) * d)``, which is the derivative by ``vec(X)``
    (column-major) of the derivative by ``vec`` of an ``a x b`` result. ``convert`` turns a product of
    order <= 2 into its matrix form. Raises :class:`MatrixFormError` when the letters cross (``a`` tied
    to ``d``: a commutation matrix would be needed) or do not separate.

    >>> import sympy_einstein as se
    >>> V = se.matrix("V", 3, 2)
    >>> vec_matrix(2, ["db", "dc"], [V, V], "abac", {"a": 4, "b": 2, "c": 2, "d": 3}, se.to_matrix)
    2*(KroneckerProduct(V.T*V, I))
    """
    if len(output) != 4:
        raise MatrixFormError(f"vec form: a derivative of order {len(output)}; it needs order 4 (a matrix "
                              "by a matrix)")
    fast, slow = output[0] + output[2], output[1] + output[3]
    if set(fast) & set(slow):
        raise MatrixFormError(f"vec form: index pattern '{output}' ties a row index to a column index of the "
                              "other factor; no Kronecker product")
    parts = {fast: [], slow: [], "": []}
    for members in _components(inputs):
        touched = set("".join(inputs[k] for k in members)) & set(output)
        side = "" if not touched else fast if touched <= set(fast) else slow if touched <= set(slow) else None
        if side is None:
            raise MatrixFormError(f"vec form: in '{','.join(inputs)}->{output}' the factors couple indices "
                                  f"{sorted(touched)} of both Kronecker factors; it is not one Kronecker product")
        parts[side] += members
    matrices = {}
    for side, members in parts.items():
        from .build import einsum
        spec = ",".join(inputs[k] for k in members) + "->" + side
        free = {c: sizes[c] for c in side if c not in "".join(inputs[k] for k in members)}
        matrices[side] = convert(einsum(spec, *(operands[k] for k in members), sizes=free) if members or side
                                 else sp.Integer(1))
    factor = coeff * as_scalar(matrices[""])
    return scale(factor, sp.KroneckerProduct(matrices[slow], matrices[fast]))

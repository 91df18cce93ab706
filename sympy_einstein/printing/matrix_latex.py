"""LaTeX of SymPy matrix expressions (the results of ``se.to_matrix``) in the package's notation.

The entrywise product is ``\\odot`` here as in every other form (``⊙`` in pretty printing, ``\\odot``
between tensor factors of elementwise bodies), entrywise powers are ``X^{\\odot 2}``, the ones vector is
``\\mathbf{1}`` (``\\mathbf{1}^{T}`` as a row: SymPy prints a bare ``1``), and products put parentheses
around sums and entrywise products they contain. :class:`MatrixLatexMixin` is a base of
:class:`~sympy_einstein.printing.latex_printer.EinsteinLatexPrinter`, so ``se.latex`` uses it.

>>> import sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n")
>>> X, y = sp.MatrixSymbol("X", n, n), sp.MatrixSymbol("y", n, 1)
>>> print(se.latex(X.T * sp.HadamardProduct(X * y, y)), "|", se.latex(sp.OneMatrix(1, n) * sp.HadamardPower(y, 2)))
X^{T} \\left(X y \\odot y\\right) | \\mathbf{1}^{T} y^{\\odot 2}
"""
from __future__ import annotations

import sympy as sp

_TIGHT = (sp.MatrixSymbol, sp.Transpose, sp.HadamardPower, sp.DiagMatrix, sp.DiagonalOf, sp.Identity,
          sp.OneMatrix, sp.ZeroMatrix, sp.Trace, sp.Inverse)


class MatrixLatexMixin:
    """``_print_*`` methods for SymPy matrix expressions (see the module doc)."""

    def _matrix_factor(self, m, loose=(sp.MatAdd, sp.HadamardProduct, sp.KroneckerProduct)) -> str:
        text = self._print(m)
        negative = isinstance(m, sp.MatMul) and m.as_coeff_matrices()[0].could_extract_minus_sign()
        return rf"\left({text}\right)" if isinstance(m, loose) or negative else text

    def _print_MatMul(self, expr):  # noqa: N802 -- SymPy printer method names
        coeff, matrices = expr.as_coeff_matrices()
        body = " ".join(self._matrix_factor(m) for m in matrices)
        if coeff == 1:
            return body
        if coeff == -1:
            return "- " + body
        text = self._print(coeff)
        return (rf"\left({text}\right)" if isinstance(coeff, sp.Add) else text) + " " + body

    def _print_HadamardProduct(self, expr):  # noqa: N802 -- SymPy printer method names
        return r" \odot ".join(self._matrix_factor(m, (sp.MatAdd, sp.KroneckerProduct)) for m in expr.args)

    def _print_HadamardPower(self, expr):  # noqa: N802 -- SymPy printer method names
        base = self._print(expr.base)
        base = base if isinstance(expr.base, _TIGHT) and not isinstance(expr.base, sp.Transpose) \
            else rf"\left({base}\right)"
        return f"{base}^{{\\odot {self._print(expr.exp)}}}"

    def _print_OneMatrix(self, expr):  # noqa: N802 -- SymPy printer method names
        rows, cols = expr.shape
        if cols == 1:
            return r"\mathbf{1}"
        if rows == 1:
            return r"\mathbf{1}^{T}"
        return rf"\mathbf{{1}}_{{{self._print(rows)} \times {self._print(cols)}}}"

    def _print_DiagMatrix(self, expr):  # noqa: N802 -- SymPy printer method names
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"

    def _print_DiagonalOf(self, expr):  # noqa: N802 -- SymPy printer method names
        return rf"\operatorname{{diag}}\left({self._print(expr.arg)}\right)"

"""Matrix notation of the matrix functions: entries of the conversion tables of :mod:`sympy_einstein.convert`.

``to_matrix``: ``inv(A)`` is SymPy's ``Inverse(A)``, ``det(A)`` is ``Determinant(A)``, ``logdet(A)`` is
``log(Abs(Determinant(A)))``, ``adj(A)`` is ``Determinant(A)*Inverse(A)``, ``solve(A, B)`` is
``Inverse(A)*B``; ``logsumexp`` and ``softmax`` are written out as ``log(sum(exp(.)))`` and
``exp(.)/sum(exp(.))`` (SymPy has no stable form). ``from_sympy`` reads ``Inverse``, ``Determinant``,
``log(Abs(Determinant(.)))`` and integer matrix powers, negative ones included.

>>> import sympy as sp, sympy_einstein as se
>>> X = se.matrix("X", 3, 3)
>>> se.to_matrix(se.gradient(se.logdet(X), X))
X.T**(-1)
>>> n = sp.Symbol("n")
>>> se.from_sympy(sp.log(sp.Abs(sp.Determinant(sp.MatrixSymbol("S", n, n)))))
logdet(S)
"""
from __future__ import annotations

import sympy as sp

from . import build, convert, linalg
from .ir.indices import LETTERS
from .ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Softmax, Solve, SymmetricMatrix
from .ir.nodes import EinsteinProduct


def _matrix(expr):
    return convert.to_matrix(expr, False)


def _log_sum_exp(node: LogSumExp):
    return _matrix(build.log(build.sum(build.exp(node.args[0]), axis=node.axes)))


def _softmax(node: Softmax):
    z = node.args[0]
    s = LETTERS[:z.rank]
    kept = "".join(c for k, c in enumerate(s) if k not in node.axes)
    total = build.sum(build.exp(z), axis=node.axes)
    sizes = [z.shape[k] for k in node.axes]
    spread = EinsteinProduct(1, f"{kept}->{s}", sizes, total)  # the sums broadcast back over the reduced axes
    return _matrix(build.divide(build.exp(z), spread))


TO_MATRIX = {
    Inverse: lambda node: sp.Inverse(_matrix(node.args[0])),
    Determinant: lambda node: sp.Determinant(_matrix(node.args[0])),
    LogDeterminant: lambda node: sp.log(sp.Abs(sp.Determinant(_matrix(node.args[0])))),
    Adjugate: lambda node: sp.MatMul(sp.Determinant(_matrix(node.args[0])), sp.Inverse(_matrix(node.args[0]))),
    Solve: lambda node: sp.MatMul(sp.Inverse(_matrix(node.args[0])), _matrix(node.args[1])),
    LogSumExp: _log_sum_exp,
    Softmax: _softmax,
    SymmetricMatrix: lambda node: convert._symbol(node),
}
"""Node class -> its SymPy matrix expression (entries of ``convert._CONVERTERS``)."""


def _from_matpow(m):
    """Integer matrix powers: ``A**-k`` is ``inv(A)`` to the ``k``, ``A**0`` the identity."""
    if not m.exp.is_Integer:
        raise convert.MatrixFormError(f"{m}: only integer matrix powers have a tensor form")
    base = convert._tensor(m.base)[0]
    if m.exp == 0:
        return linalg.eye(base.shape[0])
    factor = linalg.inv(base) if m.exp < 0 else base
    value = factor
    for _ in range(abs(int(m.exp)) - 1):
        value = build.matmul(value, factor)
    return value


def _from_log(expr):
    """``log(Abs(Determinant(A)))`` is ``logdet(A)``; any other logarithm is the entrywise one."""
    (arg,) = expr.args
    if isinstance(arg, sp.Abs) and isinstance(arg.args[0], sp.Determinant):
        return linalg.logdet(convert._tensor(arg.args[0].arg)[0])
    return build.as_operand(sp.log(convert._tensor(arg)[0]))


FROM_SYMPY = {
    sp.Inverse: lambda m: linalg.inv(convert._tensor(m.arg)[0]),
    sp.Determinant: lambda m: linalg.det(convert._tensor(m.arg)[0]),
    sp.MatPow: _from_matpow,
    sp.log: _from_log,
}
"""SymPy class -> its tensor expression (entries of ``convert._FROM``)."""

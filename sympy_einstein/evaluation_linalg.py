"""Evaluation rules of the matrix functions (entries of the rule table of :mod:`sympy_einstein.evaluation`).

Each rule is ``(evaluator, node) -> array``. Inverses, determinants and solves go to ``numpy.linalg``
(LU factorizations); ``logdet`` uses ``slogdet``; log-sum-exp and softmax subtract the maximum first,
so they never overflow. A singular matrix where an inverse or a solve is needed raises a
:class:`~sympy_einstein.errors.BindingError` naming the node.

>>> import numpy as np, sympy_einstein as se
>>> z = se.vector("z", 3)
>>> se.evaluate(se.softmax(z), {z: [1000.0, 1000.0, -np.inf]})
array([0.5, 0.5, 0. ])
"""
from __future__ import annotations

import numpy as np

from .errors import BindingError
from .ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Softmax, Solve, SymmetricMatrix
from .ir.shapes import format_shape, short_label

#: relative tolerance of the symmetry check of arrays bound to symmetric matrices
SYMMETRY_RTOL = 1e-8


def _singular(node) -> BindingError:
    return BindingError(f"{short_label(node)}: the matrix {short_label(node.args[0])} is singular")


def _inverse(ev, node: Inverse) -> np.ndarray:
    try:
        return np.linalg.inv(ev.value(node.args[0]))
    except np.linalg.LinAlgError:
        raise _singular(node) from None


def _determinant(ev, node: Determinant) -> np.ndarray:
    return np.asarray(np.linalg.det(ev.value(node.args[0])))


def _log_determinant(ev, node: LogDeterminant) -> np.ndarray:
    sign, value = np.linalg.slogdet(ev.value(node.args[0]))
    return np.asarray(value)  # -inf for a singular matrix: log|0|


def _adjugate(ev, node: Adjugate) -> np.ndarray:
    return adjugate(ev.value(node.args[0]))


def adjugate(a: np.ndarray) -> np.ndarray:
    """The adjugate from the SVD ``a = U diag(s) V.T``: ``adj(a) = det(U) det(V) V diag(p) U.T`` with
    ``p_i`` the product of the singular values other than ``s_i`` (exact for singular matrices too).

    >>> adjugate(np.array([[1.0, 2.0], [2.0, 4.0]])).round(12)
    array([[ 4., -2.],
           [-2.,  1.]])
    """
    u, s, vt = np.linalg.svd(a)
    before = np.concatenate(([1.0], np.cumprod(s)[:-1]))
    after = np.concatenate((np.cumprod(s[::-1])[:-1][::-1], [1.0]))
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign * (vt.T * (before * after)) @ u.T


def _solve(ev, node: Solve) -> np.ndarray:
    a, b = ev.value(node.args[0]), ev.value(node.args[1])
    try:
        return np.linalg.solve(a, b.reshape(b.shape[0], -1)).reshape(b.shape)
    except np.linalg.LinAlgError:
        raise _singular(node) from None


def _shifted(z: np.ndarray, axes: tuple) -> tuple[np.ndarray, np.ndarray]:
    """``(z - m, m)`` with ``m`` the maximum over ``axes`` (kept as size-1 axes; 0 where not finite)."""
    m = np.max(z, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return z - m, m


def _log_sum_exp(ev, node: LogSumExp) -> np.ndarray:
    shifted, m = _shifted(ev.value(node.args[0]), node.axes)
    with np.errstate(divide="ignore"):
        result = np.log(np.sum(np.exp(shifted), axis=node.axes, keepdims=True)) + m
    return np.squeeze(result, axis=node.axes)


def _softmax(ev, node: Softmax) -> np.ndarray:
    shifted, _ = _shifted(ev.value(node.args[0]), node.axes)
    e = np.exp(shifted)
    return e / np.sum(e, axis=node.axes, keepdims=True)


def _symmetric(ev, node: SymmetricMatrix) -> np.ndarray:
    if node not in ev.arrays:
        raise BindingError(f"no value given for {node.name} (shape {format_shape(node.shape)})")
    array = ev.arrays[node]
    scale = float(np.max(np.abs(array))) if array.size else 0.0
    if np.max(np.abs(array - array.T), initial=0.0) > SYMMETRY_RTOL * scale:
        raise BindingError(f"{node.name} is declared symmetric but its array is not symmetric")
    return array


RULES = {
    Inverse: _inverse, Determinant: _determinant, LogDeterminant: _log_determinant, Adjugate: _adjugate,
    Solve: _solve, LogSumExp: _log_sum_exp, Softmax: _softmax, SymmetricMatrix: _symmetric,
}
"""Node class -> evaluation rule ``(evaluator, node) -> array``."""

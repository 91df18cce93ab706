"""Checked matrix factorizations that generated code calls (the ``factor*`` entries of ``calls.py``).

One factorization per distinct matrix, packed into one ``(n + 1, n)`` array so that both backends hold
it like any other temporary (a Numba ``objmode`` block returns plain float arrays): the Cholesky factor
``L`` (lower) and a last row of ``-1`` when the matrix is declared symmetric, is symmetric and is
positive definite; otherwise SciPy's LU (``lu_factor``) with the pivots in the last row. Solves, the
inverse, the log-determinant and the determinant read the packed factor.

Errors are :class:`~sympy_einstein.errors.BindingError` naming the node (``label``): a matrix with an
``inf`` or ``nan`` entry, and a solve or an inverse of an exactly singular matrix (a zero pivot, where
``numpy.linalg.solve`` raises ``LinAlgError``). ``det`` of a singular matrix is ``0`` and ``logdet`` is
``-inf``, as in :func:`~sympy_einstein.evaluation.evaluate`.

Like :mod:`.runtime`, the functions are copied into exported modules: they use only ``np``,
``BindingError`` and imports inside their bodies.

>>> import numpy as np
>>> F = _factor(np.array([[4.0, 2.0], [2.0, 3.0]]), True, "logdet(S)")
>>> F[2], round(_factor_logdet(F), 12) == round(float(np.log(8.0)), 12), round(_factor_det(F), 12)
(array([-1., -1.]), True, 8.0)
>>> _factor_solve(_factor(np.ones((2, 2)), False, "inv(A)"), np.eye(2), False, "inv(A)")
Traceback (most recent call last):
...
sympy_einstein.errors.BindingError: inv(A): the matrix is singular (a zero pivot in its LU factorization)
"""
import numpy as np

from ..errors import BindingError

LINALG = ("_factor", "_factor_solve", "_factor_inverse", "_factor_logdet", "_factor_det", "_adjugate")


def _factor(matrix, symmetric, label):
    """The packed factorization of a square matrix (module docstring); non-finite entries raise."""
    a = np.asarray(matrix)
    if not np.isfinite(a).all():
        raise BindingError(f"{label}: the matrix has an entry that is not finite (inf or nan)")
    n = a.shape[0]
    packed = np.empty((n + 1, n), dtype=a.dtype)
    if symmetric and np.allclose(a, a.T, rtol=1e-8, atol=0.0):
        try:
            packed[:n] = np.linalg.cholesky(a)
            packed[n] = -1.0
            return packed
        except np.linalg.LinAlgError:  # not positive definite: LU below
            pass
    import warnings

    from scipy.linalg import lu_factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a singular matrix is reported by the solves that need its inverse
        packed[:n], packed[n] = lu_factor(a, check_finite=False)
    return packed


def _factor_solve(packed, rhs, transpose, label):
    """``inv(A) @ rhs`` (``inv(A).T @ rhs`` when ``transpose``) along the first axis of ``rhs``."""
    from scipy.linalg import cho_solve, lu_solve
    n = packed.shape[1]
    b = np.asarray(rhs).reshape((n, -1))
    if packed[n, 0] < 0:
        return cho_solve((packed[:n], True), b, check_finite=False).reshape(np.shape(rhs))
    if (np.diagonal(packed[:n]) == 0).any():
        raise BindingError(f"{label}: the matrix is singular (a zero pivot in its LU factorization)")
    pivots = packed[n].astype(np.int32)
    return lu_solve((packed[:n], pivots), b, trans=1 if transpose else 0, check_finite=False).reshape(np.shape(rhs))


def _factor_inverse(packed, transpose, label):
    """``inv(A)`` (``inv(A).T`` when ``transpose``) from the packed factorization of ``A``."""
    return _factor_solve(packed, np.eye(packed.shape[1], dtype=packed.dtype), transpose, label)


def _factor_logdet(packed):
    """``log|det A|`` (``-inf`` for a singular ``A``)."""
    n = packed.shape[1]
    d = np.abs(np.diagonal(packed[:n]))
    with np.errstate(divide="ignore"):
        total = float(np.sum(np.log(d)))
    return 2.0 * total if packed[n, 0] < 0 else total


def _factor_det(packed):
    """``det A``: the product of the pivots (squared for Cholesky), signed by the row swaps."""
    n = packed.shape[1]
    d = np.diagonal(packed[:n])
    if packed[n, 0] < 0:
        return float(np.prod(d)) ** 2
    swaps = int(np.count_nonzero(packed[n].astype(np.int64) != np.arange(n)))
    return float(np.prod(d)) * (-1.0 if swaps % 2 else 1.0)


def _adjugate(matrix, label):
    """``adj(A)`` from the SVD ``A = U S V^T``: ``det(U) det(V) V adj(S) U^T`` (exact for singular ``A``)."""
    a = np.asarray(matrix)
    if not np.isfinite(a).all():
        raise BindingError(f"{label}: the matrix has an entry that is not finite (inf or nan)")
    u, s, vt = np.linalg.svd(a)
    others = np.array([np.prod(np.delete(s, k)) for k in range(s.shape[0])], dtype=a.dtype)
    return (np.linalg.det(u) * np.linalg.det(vt)) * ((vt.T * others) @ u.T)

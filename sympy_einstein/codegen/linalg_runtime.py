"""Checked matrix factorizations that generated code calls (the ``factor*`` entries of ``calls.py``).

One factorization per distinct matrix, packed into one ``(n + 1, n)`` array so that both backends hold
it like any other temporary (a Numba ``objmode`` block returns plain float arrays): the Cholesky factor
``L`` (lower) and a last row of ``-1`` when the matrix is declared symmetric, is symmetric and is
positive definite; otherwise the LU factorization with the (0-based) pivots in the last row. Solves, the
inverse, the log-determinant and the determinant read the packed factor. LU and the solves call NumPy's
own LAPACK (its LAPACKE routines, :func:`_numpy_lapack`) when NumPy ships one, so that they share NumPy's
BLAS thread pool, else SciPy's (``lu_factor``, ``lu_solve``, ``cho_solve``), with the same results.

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

LINALG = ("_factor", "_factor_solve", "_factor_inverse", "_factor_logdet", "_factor_det", "_adjugate", "_numpy_lapack")


def _numpy_lapack(routine, dtype):
    """NumPy's own ILP64 LAPACKE ``routine`` (``"getrf"``, ``"getrs"``, ``"potrs"``) for ``dtype`` as a
    ctypes function, or ``None``: float64/float32 only, and only when NumPy ships its BLAS library with
    LAPACKE symbols (``scipy_LAPACKE_dgetrf64_`` in pip wheels) and ``SYMPY_EINSTEIN_BLAS`` is not
    ``numba``. Then the solves share NumPy's BLAS thread pool (docs/codegen.md, "One BLAS pool")."""
    import ctypes
    import glob
    import os
    letter = {"d": "d", "f": "s"}.get(np.dtype(dtype).char)
    found = _numpy_lapack.__dict__.setdefault("found", {})
    if letter is None or os.environ.get("SYMPY_EINSTEIN_BLAS", "").strip().lower() == "numba":
        return None
    if (routine, letter) not in found:
        root = os.path.dirname(np.__file__)
        paths = sorted(glob.glob(os.path.join(os.path.dirname(root), "numpy.libs", "*blas*"))
                       + glob.glob(os.path.join(root, ".dylibs", "*blas*")))
        function, i64, pointer = None, ctypes.c_int64, ctypes.c_void_p
        arguments = {"getrf": [ctypes.c_int, i64, i64, pointer, i64, pointer],
                     "getrs": [ctypes.c_int, ctypes.c_char, i64, i64, pointer, i64, pointer, pointer, i64],
                     "potrs": [ctypes.c_int, ctypes.c_char, i64, i64, pointer, i64, pointer, i64]}[routine]
        for path in paths:
            try:  # only a library already loaded (NumPy's): no second copy of it
                library = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_LOCAL)
            except OSError:
                continue
            for prefix in ("scipy_", ""):
                function = getattr(library, f"{prefix}LAPACKE_{letter}{routine}_work64_", None)  # no NaN scan
                if function is not None:
                    function.argtypes, function.restype = arguments, i64
                    break
            if function is not None:
                break
        found[(routine, letter)] = function
    return found[(routine, letter)]


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
    getrf = _numpy_lapack("getrf", a.dtype)
    if getrf is not None:  # LU with partial pivoting, column-major (a singular matrix: reported by the solves)
        lu, pivots = np.array(a, dtype=a.dtype, order="F"), np.empty(n, np.int64)
        getrf(102, n, n, lu.ctypes.data, max(n, 1), pivots.ctypes.data)
        packed[:n], packed[n] = lu, pivots - 1
        return packed
    import warnings

    from scipy.linalg import lu_factor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a singular matrix is reported by the solves that need its inverse
        packed[:n], packed[n] = lu_factor(a, check_finite=False)
    return packed


def _factor_solve(packed, rhs, transpose, label):
    """``inv(A) @ rhs`` (``inv(A).T @ rhs`` when ``transpose``) along the first axis of ``rhs``."""
    n = packed.shape[1]
    b = np.asarray(rhs).reshape((n, -1))
    cholesky = packed[n, 0] < 0
    if not cholesky and (np.diagonal(packed[:n]) == 0).any():
        raise BindingError(f"{label}: the matrix is singular (a zero pivot in its LU factorization)")
    dtype = np.result_type(packed.dtype, b.dtype)
    solve = _numpy_lapack("potrs" if cholesky else "getrs", dtype)
    if solve is not None:  # column-major: the row-major L of a Cholesky factor is read as its transpose
        x = np.array(b, dtype=dtype, order="F")
        if cholesky:
            factor = np.ascontiguousarray(packed[:n], dtype=dtype)
            info = solve(102, b"U", n, x.shape[1], factor.ctypes.data, max(n, 1), x.ctypes.data, max(n, 1))
        else:
            factor, pivots = np.asfortranarray(packed[:n], dtype=dtype), packed[n].astype(np.int64) + 1
            info = solve(102, b"T" if transpose else b"N", n, x.shape[1], factor.ctypes.data, max(n, 1),
                         pivots.ctypes.data, x.ctypes.data, max(n, 1))
        if info == 0:
            return x.reshape(np.shape(rhs))
    from scipy.linalg import cho_solve, lu_solve
    if cholesky:
        return cho_solve((packed[:n], True), b, check_finite=False).reshape(np.shape(rhs))
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

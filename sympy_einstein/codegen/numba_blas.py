"""Matrix products of Numba kernels on NumPy's own BLAS: one BLAS thread pool per process.

Numba's ``@`` calls SciPy's BLAS; NumPy calls its own. With pip wheels these are two OpenBLAS
libraries, each with its own thread pool: when generated kernels and NumPy code take turns (a Newton
loop: generated gradient, NumPy solve), the idle pool's threads still spin on the cores the other
pool needs. The Numba printer therefore writes products as calls of the four functions below, which
call the CBLAS routines (GEMM, GEMV, DOT; float64 and float32) of the library NumPy itself loaded, and
symmetric products as calls of ``_syrk_upper(a, alpha, beta, c)`` (the upper triangle of
``c = alpha a a^T + beta c``, SYRK) and ``_gram_upper(x, w, c)`` (that of ``x^T diag(w) x`` for weights of
any sign: the rows scaled by ``sqrt(|w|)``, one rank-k update per sign).

Binding: at import, the routines :func:`~sympy_einstein.codegen.blas.numpy_blas` finds are
registered with LLVM under private names (``sympy_einstein_blas_dgemm``...). Compiled code declares
these names and calls them, so Numba's disk cache stays valid: cached object code links by name when
it is loaded (a generated module imports this module first). Without NumPy's CBLAS the
functions wrap Numba's ``@`` instead (same results); :data:`BINDING` says which, and the generated
modules print it.

``_mat_mat``, ``_mat_vec`` and ``_vec_mat`` take an optional ``alpha``: the product scaled by it inside
BLAS (a scaled product costs no extra pass over its result).

Operands: any strides. A 2-D operand whose rows or columns are contiguous (an ``ld`` at least its
row or column length) is passed as it is, row-major or transposed; any other (negative or zero
strides, steps in both axes) is copied first. Empty sizes give zeros; operands of different dtypes
are computed in float64.

>>> import numpy as np
>>> A = np.arange(6.0).reshape(2, 3)
>>> _mat_mat(A, A.T).tolist(), _mat_vec(A, np.ones(3)).tolist(), float(_vec_vec(A[0], A[1, ::-1]))
([[5.0, 14.0], [14.0, 50.0]], [3.0, 12.0], 10.0)
>>> _vec_mat(np.ones(2, np.float32), A[:, ::2].astype(np.float32)).dtype
dtype('float32')
>>> C = np.zeros((3, 3))
>>> _gram_upper(A, np.array([1.0, -1.0]), C)  # A^T diag(1, -1) A: the upper triangle
>>> C.tolist()
[[-9.0, -12.0, -15.0], [0.0, -15.0, -18.0], [0.0, 0.0, -21.0]]
"""
from __future__ import annotations

import numba
import numpy as np
from llvmlite import binding, ir
from numba.core import cgutils, types
from numba.extending import intrinsic, overload
from numba.np import numpy_support

from .blas import blas_binding, numpy_blas

ROW_MAJOR, NO_TRANS, TRANS, UPPER = 101, 111, 112, 121
# Symmetric products of fewer multiplications (n^2 k, the full product's) are one GEMM and a triangle copied:
# OpenBLAS's GEMM has small-matrix kernels, SYRK a fixed cost of about 1 us (measured, 1 thread: n = 32,
# k = 400, 410K: GEMM 12-15 us, SYRK 18-24 us; k = 1000, 1.02M: GEMM 61-68 us, SYRK 44-58 us).
SMALL_SYRK = 900_000


def _bind() -> bool:
    """Register NumPy's CBLAS routines under the private names; whether there are any."""
    found = numpy_blas()
    if found is None:
        return False
    for routine, address in found[1].items():
        binding.add_symbol("sympy_einstein_blas_" + routine, address)
    return True


BOUND = _bind()
BINDING = blas_binding()

# calls of the registered routines ------------------------------------------------------------------
_I32, _I64, _BYTES = ir.IntType(32), ir.IntType(64), ir.IntType(8).as_pointer()


def _routine(builder, name: str, returns, arguments):
    return cgutils.get_or_insert_function(builder.module, ir.FunctionType(returns, arguments),
                                          "sympy_einstein_blas_" + name)


def _data(context, builder, array_type, value):
    return builder.bitcast(context.make_array(array_type)(context, builder, value).data, _BYTES)


def _letter(dtype) -> str:
    return "d" if dtype == types.float64 else "s"


@intrinsic
def _gemm(typingctx, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, c, ldc):
    """``c[:m, :n] = alpha op(a) @ op(b)`` (row-major, ``op`` per ``trans_*``: 111 none, 112 transposed)."""
    def codegen(context, builder, signature, args):
        ta, tb, m_, n_, k_, alpha_, a_, lda_, b_, ldb_, c_, ldc_ = args
        real = context.get_value_type(c.dtype)
        function = _routine(builder, _letter(c.dtype) + "gemm", ir.VoidType(),
                            [_I32, _I32, _I32, _I64, _I64, _I64, real, _BYTES, _I64, _BYTES, _I64, real, _BYTES, _I64])
        builder.call(function, [_I32(ROW_MAJOR), builder.trunc(ta, _I32), builder.trunc(tb, _I32), m_, n_, k_,
                                context.cast(builder, alpha_, alpha, c.dtype), _data(context, builder, a, a_), lda_,
                                _data(context, builder, b, b_), ldb_,
                                real(0.0), _data(context, builder, c, c_), ldc_])
        return context.get_dummy_value()
    return types.void(types.int64, types.int64, types.int64, types.int64, types.int64, alpha, a, types.int64,
                      b, types.int64, c, types.int64), codegen


@intrinsic
def _gemv(typingctx, trans, rows, cols, alpha, a, lda, x, incx, y):
    """``y = alpha op(a) @ x`` for ``a`` stored row-major as ``rows x cols`` (``y`` contiguous)."""
    def codegen(context, builder, signature, args):
        t, rows_, cols_, alpha_, a_, lda_, x_, incx_, y_ = args
        real = context.get_value_type(y.dtype)
        function = _routine(builder, _letter(y.dtype) + "gemv", ir.VoidType(),
                            [_I32, _I32, _I64, _I64, real, _BYTES, _I64, _BYTES, _I64, real, _BYTES, _I64])
        builder.call(function, [_I32(ROW_MAJOR), builder.trunc(t, _I32), rows_, cols_,
                                context.cast(builder, alpha_, alpha, y.dtype),
                                _data(context, builder, a, a_), lda_, _data(context, builder, x, x_), incx_,
                                real(0.0), _data(context, builder, y, y_), _I64(1)])
        return context.get_dummy_value()
    return types.void(types.int64, types.int64, types.int64, alpha, a, types.int64, x, types.int64, y), codegen


@intrinsic
def _dot(typingctx, n, x, incx, y, incy):
    """``sum(x * y)`` over ``n`` entries with the given strides."""
    def codegen(context, builder, signature, args):
        n_, x_, incx_, y_, incy_ = args
        real = context.get_value_type(x.dtype)
        function = _routine(builder, _letter(x.dtype) + "dot", real, [_I64, _BYTES, _I64, _BYTES, _I64])
        return builder.call(function, [n_, _data(context, builder, x, x_), incx_,
                                       _data(context, builder, y, y_), incy_])
    return x.dtype(types.int64, x, types.int64, y, types.int64), codegen


@intrinsic
def _syrk(typingctx, trans, n, k, alpha, a, lda, beta, c, ldc):
    """Upper triangle of ``c[:n, :n] = alpha op(a) op(a)^T + beta c`` (row-major; ``op``: 111 ``a`` is
    ``n x k``, 112 ``a`` is ``k x n`` and transposed)."""
    def codegen(context, builder, signature, args):
        t, n_, k_, alpha_, a_, lda_, beta_, c_, ldc_ = args
        real = context.get_value_type(c.dtype)
        function = _routine(builder, _letter(c.dtype) + "syrk", ir.VoidType(),
                            [_I32, _I32, _I32, _I64, _I64, real, _BYTES, _I64, real, _BYTES, _I64])
        scalars = [context.cast(builder, v, types.float64, c.dtype) for v in (alpha_, beta_)]
        builder.call(function, [_I32(ROW_MAJOR), _I32(UPPER), builder.trunc(t, _I32), n_, k_, scalars[0],
                                _data(context, builder, a, a_), lda_, scalars[1], _data(context, builder, c, c_), ldc_])
        return context.get_dummy_value()
    return types.void(types.int64, types.int64, types.int64, types.float64, a, types.int64, types.float64,
                      c, types.int64), codegen


# operands --------------------------------------------------------------------------------------
def _jit(function):
    """``numba.njit`` cached on disk when this package's directory (or ``NUMBA_CACHE_DIR``) allows."""
    try:
        return numba.njit(cache=True)(function)
    except RuntimeError:  # no writable cache location
        return numba.njit(cache=False)(function)


def _common(a, b):
    """Both operands in one float dtype (float64 unless both are float32 or both float64)."""
    return a, b


@overload(_common)
def _common_typed(a, b):
    if a.dtype == b.dtype and a.dtype in (types.float32, types.float64):
        return lambda a, b: (a, b)
    return lambda a, b: (a.astype(np.float64), b.astype(np.float64))


@_jit
def _matrix(a):
    """``(array, trans, ld)``: ``a`` passed to BLAS row-major (``trans`` 111) or as ``a.T`` row-major
    (112), or a contiguous copy when neither its rows nor its columns are contiguous."""
    rows, cols = a.shape
    size = a.itemsize
    s0, s1 = a.strides[0] // size, a.strides[1] // size
    whole = a.strides[0] % size == 0 and a.strides[1] % size == 0
    if whole and (cols <= 1 or s1 == 1) and (rows <= 1 or s0 >= cols):
        return a, NO_TRANS, max(s0 if rows > 1 else cols, 1)
    if whole and (rows <= 1 or s0 == 1) and (cols <= 1 or s1 >= rows):
        return a, TRANS, max(s1 if cols > 1 else rows, 1)
    return np.ascontiguousarray(a), NO_TRANS, max(cols, 1)


@_jit
def _vector(x):
    """``(array, inc)``: ``x`` with its positive stride, or a contiguous copy."""
    size = x.itemsize
    if x.shape[0] <= 1 or (x.strides[0] > 0 and x.strides[0] % size == 0):
        return x, max(x.strides[0] // size, 1)
    return np.ascontiguousarray(x), 1


def _mat_mat_blas(a, b, alpha=1.0):
    a, b = _common(a, b)
    (m, k), n = a.shape, b.shape[1]
    if b.shape[0] != k:
        raise ValueError("matrix product: the inner sizes differ")
    if m == 0 or n == 0 or k == 0:
        return np.zeros((m, n), a.dtype)
    c = np.empty((m, n), a.dtype)
    a, trans_a, lda = _matrix(a)
    b, trans_b, ldb = _matrix(b)
    _gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, c, n)
    return c


def _mat_vec_blas(a, x, alpha=1.0):
    a, x = _common(a, x)
    m, k = a.shape
    if x.shape[0] != k:
        raise ValueError("matrix product: the inner sizes differ")
    if m == 0 or k == 0:
        return np.zeros(m, a.dtype)
    y = np.empty(m, a.dtype)
    a, trans, lda = _matrix(a)
    x, incx = _vector(x)
    if trans == NO_TRANS:
        _gemv(NO_TRANS, m, k, alpha, a, lda, x, incx, y)
    else:  # a.T is stored row-major (k x m)
        _gemv(TRANS, k, m, alpha, a, lda, x, incx, y)
    return y


def _vec_mat_blas(x, b, alpha=1.0):
    """``x @ b`` as ``b.T @ x`` (``_matrix`` passes ``b.T`` to BLAS as it is stored)."""
    return _mat_vec_blas_jit(b.T, x, alpha)


def _vec_vec_blas(x, y):
    x, y = _common(x, y)
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError("dot product: the sizes differ")
    if n == 0:
        return np.zeros(1, x.dtype)[0]
    x, incx = _vector(x)
    y, incy = _vector(y)
    return _dot(n, x, incx, y, incy)


def _syrk_upper_blas(a, alpha, beta, c):
    n, k = a.shape
    _check_square(c, n)
    if n == 0 or (k == 0 and beta == 1.0):
        return
    if k == 0:
        _scale_upper(c, beta)
    elif n * n * k < SMALL_SYRK:  # the full product by GEMM (its small-matrix kernels), then one triangle
        _add_upper(_mat_mat_blas_jit(_like(a, c), _like(a, c).T), alpha, beta, c)
    else:
        a, trans, lda = _matrix(_like(a, c))
        _syrk(trans, n, k, alpha, a, lda, beta, c, max(c.strides[0] // c.itemsize, n))


def _syrk_upper_numba(a, alpha, beta, c):
    _check_square(c, a.shape[0])
    a, _ = _common(a, a)
    _add_upper(a @ a.T, alpha, beta, c)


def _add_upper(b, alpha, beta, c):
    """``c = alpha b + beta c`` on the upper triangle (``beta`` 0: ``c`` is not read)."""
    n = c.shape[0]
    for p in range(n):
        for q in range(p, n):
            c[p, q] = alpha * b[p, q] + (beta * c[p, q] if beta != 0.0 else 0.0)


def _like(a, c):
    """``a`` in ``c``'s dtype."""
    return a


@overload(_like)
def _like_typed(a, c):
    if a.dtype == c.dtype:
        return lambda a, c: a
    dtype = numpy_support.as_dtype(c.dtype)
    return lambda a, c: a.astype(dtype)


def _check_square(c, n):
    """``c`` is ``n x n`` with contiguous rows (BLAS writes it row-major)."""
    size = c.itemsize
    if c.shape[0] != n or c.shape[1] != n:
        raise ValueError("symmetric product: the result is not n x n")
    if n > 1 and (c.strides[1] != size or c.strides[0] < n * size or c.strides[0] % size != 0):
        raise ValueError("symmetric product: the result's rows are not contiguous")


def _scale_upper(c, beta):
    """``c``'s upper triangle times ``beta`` (zeros when ``beta`` is 0, whatever ``c`` held)."""
    n = c.shape[0]
    for p in range(n):
        for q in range(p, n):
            c[p, q] = beta * c[p, q] if beta != 0.0 else 0.0


def _check_gram(x, w, c):
    if w.shape[0] != x.shape[0]:
        raise ValueError("weighted Gram product: the weights' size differs from the rows'")
    _check_square(c, x.shape[1])


def _gram_buffer(x, w, c):
    """``(buffer, rows)``: blocks of at least 256 rows, a buffer of about 64K entries."""
    m, n = x.shape
    _check_gram(x, w, c)
    rows = max(256, 65536 // max(n, 1))
    return np.empty((min(rows, max(m, 1)), n), c.dtype), rows


def _scaled_rows(x, w, row0, rows, buffer):
    """``(top, bottom, end)``: rows ``row0..`` of ``x`` times ``sqrt(|w|)`` in ``buffer``, those of positive
    weights in ``[:top]``, of negative ones in ``[bottom:end]`` (a NaN weight counts as positive)."""
    end = min(row0 + rows, x.shape[0]) - row0
    top, bottom = 0, end
    for r in range(end):
        weight = w[row0 + r]
        if weight < 0.0:
            bottom -= 1
            put, scale = bottom, np.sqrt(-weight)
        else:
            put, scale = top, np.sqrt(weight)
            top += 1
        for q in range(x.shape[1]):
            buffer[put, q] = x[row0 + r, q] * scale
    return top, bottom, end


def _gram_upper_blas(x, w, c):
    m, n = x.shape
    if n * n * m < SMALL_SYRK:  # x^T (w x) by one GEMM
        _check_gram(x, w, c)
        _add_upper(_mat_mat_blas_jit(x.T, _weighted(x, w, c)), 1.0, 0.0, c)
        return
    buffer, rows = _gram_buffer(x, w, c)
    _scale_upper(c, 0.0)
    for row0 in range(0, m, rows):
        top, bottom, end = _scaled_rows(x, w, row0, rows, buffer)
        _syrk_blas(buffer[:top].T, 1.0, 1.0, c)
        _syrk_blas(buffer[bottom:end].T, -1.0, 1.0, c)


def _gram_upper_numba(x, w, c):
    _check_gram(x, w, c)
    x, _ = _common(x, x)
    _add_upper(x.T @ _weighted(x, w, c), 1.0, 0.0, c)


def _weighted(x, w, c):
    """``w x`` (rows scaled) in ``c``'s dtype."""
    wx = np.empty(x.shape, c.dtype)
    for r in range(x.shape[0]):
        for q in range(x.shape[1]):
            wx[r, q] = x[r, q] * w[r]
    return wx


def _mat_mat_numba(a, b, alpha=1.0):
    a, b = _common(a, b)
    c = a @ b
    if alpha != 1.0:
        c *= alpha
    return c


def _vec_vec_numba(x, y):
    x, y = _common(x, y)
    return np.dot(x, y)


_check_square, _check_gram, _scale_upper, _add_upper, _gram_buffer, _scaled_rows, _weighted = (
    _jit(f) for f in (_check_square, _check_gram, _scale_upper, _add_upper, _gram_buffer, _scaled_rows, _weighted))
_mat_mat_blas_jit = _jit(_mat_mat_blas)
_mat_vec_blas_jit = _jit(_mat_vec_blas)
_syrk_blas, _syrk_numba = _jit(_syrk_upper_blas), _jit(_syrk_upper_numba)  # names the Gram functions call
NUMBA = {"mat_mat": _jit(_mat_mat_numba), "mat_vec": _jit(_mat_mat_numba), "vec_mat": _jit(_mat_mat_numba),
         "vec_vec": _jit(_vec_vec_numba), "syrk_upper": _syrk_numba, "gram_upper": _jit(_gram_upper_numba)}
BLAS = {"mat_mat": _mat_mat_blas_jit, "mat_vec": _mat_vec_blas_jit, "vec_mat": _jit(_vec_mat_blas),
        "vec_vec": _jit(_vec_vec_blas), "syrk_upper": _syrk_blas, "gram_upper": _jit(_gram_upper_blas)} \
    if BOUND else NUMBA
_mat_mat, _mat_vec, _vec_mat, _vec_vec, _syrk_upper, _gram_upper = (
    BLAS[k] for k in ("mat_mat", "mat_vec", "vec_mat", "vec_vec", "syrk_upper", "gram_upper"))
FUNCTIONS = ("_mat_mat", "_mat_vec", "_vec_mat", "_vec_vec", "_syrk_upper", "_gram_upper")

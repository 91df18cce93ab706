"""Matrix products of Numba kernels on NumPy's own BLAS: one BLAS thread pool per process.

Numba's ``@`` calls SciPy's BLAS; NumPy calls its own. With pip wheels these are two OpenBLAS
libraries, each with its own thread pool: when generated kernels and NumPy code take turns (a Newton
loop: generated gradient, NumPy solve), the idle pool's threads still spin on the cores the other
pool needs. The Numba printer therefore writes products as calls of the four functions below, which
call the CBLAS routines (GEMM, GEMV, DOT; float64 and float32) of the library NumPy itself loaded.

Binding: at import, the routines :func:`~sympy_einstein.codegen.blas.numpy_blas` finds are
registered with LLVM under private names (``sympy_einstein_blas_dgemm``...). Compiled code declares
these names and calls them, so Numba's disk cache stays valid: cached object code links by name when
it is loaded (a generated module imports this module first). Without NumPy's CBLAS the four
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
"""
from __future__ import annotations

import numba
import numpy as np
from llvmlite import binding, ir
from numba.core import cgutils, types
from numba.extending import intrinsic, overload

from .blas import blas_binding, numpy_blas

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


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
    x, b = _common(x, b)
    k, n = b.shape
    if x.shape[0] != k:
        raise ValueError("matrix product: the inner sizes differ")
    if n == 0 or k == 0:
        return np.zeros(n, b.dtype)
    y = np.empty(n, b.dtype)
    b, trans, ldb = _matrix(b)
    x, incx = _vector(x)
    if trans == NO_TRANS:  # x @ b = b.T @ x
        _gemv(TRANS, k, n, alpha, b, ldb, x, incx, y)
    else:  # b.T is stored row-major (n x k)
        _gemv(NO_TRANS, n, k, alpha, b, ldb, x, incx, y)
    return y


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


def _mat_mat_numba(a, b, alpha=1.0):
    a, b = _common(a, b)
    c = a @ b
    if alpha != 1.0:
        c *= alpha
    return c


def _vec_vec_numba(x, y):
    x, y = _common(x, y)
    return np.dot(x, y)


NUMBA = {"mat_mat": _jit(_mat_mat_numba), "mat_vec": _jit(_mat_mat_numba), "vec_mat": _jit(_mat_mat_numba),
         "vec_vec": _jit(_vec_vec_numba)}
BLAS = {"mat_mat": _jit(_mat_mat_blas), "mat_vec": _jit(_mat_vec_blas), "vec_mat": _jit(_vec_mat_blas),
        "vec_vec": _jit(_vec_vec_blas)} if BOUND else NUMBA
_mat_mat, _mat_vec, _vec_mat, _vec_vec = (BLAS[k] for k in ("mat_mat", "mat_vec", "vec_mat", "vec_vec"))
FUNCTIONS = ("_mat_mat", "_mat_vec", "_vec_mat", "_vec_vec")

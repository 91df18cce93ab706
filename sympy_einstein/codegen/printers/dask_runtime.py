"""What Dask modules call at run time: argument checking that keeps Dask arrays lazy, and the Gram
product as a tree reduction of per-chunk partial products.

``_bind_arguments`` checks the argument count, dtypes and every declared shape from the arrays'
metadata (nothing is computed) and binds the sizes. A Dask array stays as it is, chunks and all (the
samples axis of a data matrix chunked by rows, say); any other array -- parameters, small data --
becomes a Dask array of one chunk, so it is one key of the graph, sent to each worker once however
many chunks read it. The floating type is float32 when every array argument of order >= 1 is
float32, else float64 (a conversion is a lazy ``astype``).

``_gram(x, weights, columns)`` is ``x^T diag(w1 w2 ..) x`` for ``x`` chunked along its rows: one
partial product per row chunk (``map_blocks``: the upper triangle only, by column blocks), summed
by ``dask.array``'s tree reduction. Below the diagonal blocks the result is left zero: the kernel
mirrors the upper triangle after the sum, as it does for every symmetric result.

>>> import dask.array as da
>>> data = np.arange(24.0).reshape(6, 4)
>>> x = da.from_array(data, chunks=(2, 4))
>>> g = _gram(x, (da.full(6, 2.0, chunks=3),), 2).compute()
>>> bool(np.allclose(np.triu(g), np.triu(2 * data.T @ data))), float(g[3, 0])
(True, 0.0)

``_lazy(function, shape, *arguments)`` is ``function(*arguments)`` as a one-chunk Dask array of
``shape``, computed with the graph: the checked factorizations of
:mod:`sympy_einstein.codegen.linalg_runtime` run this way on the (small) matrices they factor, so their
errors (a :class:`~sympy_einstein.errors.BindingError` naming the node) surface at ``compute()``.

>>> s = _lazy(np.trace, (), da.from_array(2 * np.eye(3), chunks=(3, 3)))
>>> type(s).__name__, float(s.compute())
('Array', 6.0)
"""
import dask.array as da
import numpy as np

from ...errors import BindingError, ShapeError
from ..runtime import _as_scalar, _bind_axes, _format

FUNCTIONS = ("_bind_arguments", "_dask_array", "_gram", "_gram_block", "_lazy")
SHARED = ("_as_scalar", "_bind_axes", "_origin", "_format")  # from sympy_einstein.codegen.runtime
_SPLIT_EVERY = 8


def _bind_arguments(values, signature, size_names, function):
    """The kernel's arguments (Dask arrays and scalars, then sizes) for ``function(*values)``."""
    if len(values) != len(signature):
        names = ", ".join(entry[0] for entry in signature)
        raise BindingError(f"{function}() takes {len(signature)} argument(s) ({names}) but "
                           f"{len(values)} were given")
    converted = list(values)
    arrays = {k: _dask_array(v, signature[k], function) for k, v in enumerate(values) if signature[k][1] is not None}
    kinds = [a.dtype == np.float32 for k, a in arrays.items() if signature[k][1]]
    dtype = np.float32 if kinds and all(kinds) else np.float64
    sizes, origins = {}, {}
    for k, (name, shape, integer) in enumerate(signature):
        if shape is None:
            converted[k] = sizes[name] = _as_scalar(values[k], name, integer, function)
            origins[name] = (name, None)
    for k, array in arrays.items():
        name, shape, _ = signature[k]
        if array.ndim != len(shape):
            raise ShapeError(f"{function}(): argument {name} has declared shape {_format(shape)} (order "
                             f"{len(shape)}) but the array has shape {_format(array.shape)}")
        _bind_axes(array, name, shape, sizes, origins, function)
        converted[k] = array if array.dtype == dtype else array.astype(dtype)
    return tuple(converted) + tuple(sizes[s] for s in size_names)


def _dask_array(value, entry, function):
    """``value`` as a Dask array: a Dask array as it is, anything else as one chunk."""
    if not isinstance(value, da.Array):
        value = np.asarray(value)
        value = da.from_array(value, chunks=value.shape or ())
    if value.dtype.kind not in "biuf":
        raise BindingError(f"{function}(): argument {entry[0]} has dtype {value.dtype}; expected a real array "
                           "(float64, float32, integer or bool)")
    if any(np.isnan(size) for size in value.shape):
        raise ShapeError(f"{function}(): argument {entry[0]} has unknown chunk sizes {value.shape}; "
                         "call compute_chunk_sizes() on it first")
    return value


def _gram(x, weights, columns):
    """The upper triangle of ``x^T diag(prod(weights)) x``: a partial product per row chunk of ``x``
    (one triangle, by ``columns`` wide blocks), summed by a tree reduction."""
    x = x.rechunk({1: -1})
    n = x.shape[1]
    operands = [x, "ka"]
    if weights:
        w = weights[0]
        for other in weights[1:]:
            w = w * other
        operands += [w.rechunk((x.chunks[0],)), "k"]
    partial = da.blockwise(_gram_block, "kab", *operands, new_axes={"b": n}, adjust_chunks={"k": 1},
                           dtype=x.dtype, columns=columns, meta=np.empty((0, 0, 0), x.dtype))
    return partial.sum(axis=0, split_every=_SPLIT_EVERY)


def _gram_block(x, w=None, columns=256):
    """One chunk's ``x^T diag(w) x`` on and above the diagonal blocks (``columns`` wide), as a ``(1, n, n)``
    array."""
    xw = x if w is None else x * w[:, None]
    n = x.shape[1]
    g = np.zeros((1, n, n), x.dtype)
    for col0 in range(0, n, columns):
        col1 = min(col0 + columns, n)
        g[0, :col1, col0:col1] = x[:, :col1].T @ xw[:, col0:col1]
    return g


def _lazy(function, shape, *arguments):
    """``function(*arguments)`` (Dask arrays among them passed whole) as a one-chunk Dask array of ``shape``
    and the first array argument's dtype, computed when the graph is."""
    import dask
    dtype = next(a.dtype for a in arguments if isinstance(a, da.Array))
    value = dask.delayed(function, pure=True)(*arguments)
    return da.from_delayed(value, tuple(int(size) for size in shape), dtype=dtype)

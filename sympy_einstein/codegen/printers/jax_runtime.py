"""What JAX modules call at run time: argument checking that keeps JAX arrays (and tracers) as they are.

A module made by ``lambdify(..., backend="jax")`` imports these; ``export`` copies their source (and
that of :func:`sympy_einstein.codegen.runtime._bind_axes` and ``_format``) into the module, which then
imports ``jax`` only. Nothing here may use a name outside ``jax``, ``jnp``, the two error classes and
those two helpers.

``_bind_arguments`` runs in Python before the jitted kernel, also while ``jax.vmap`` or ``jax.grad``
trace the call (shapes are known then): it checks the argument count, dtypes and every declared shape,
binds each size symbol and converts arrays with ``jnp.asarray`` to the kernel's floating type:
float32 when every array argument of order >= 1 is float32, else float64 when JAX runs with x64
enabled (``jax.config.update("jax_enable_x64", True)``) and float32 when it does not. Scalar arguments
stay JAX values (a batch under ``vmap``, a tracer under ``grad``); sizes are Python ints, static in
``jax.jit``.

>>> import jax.numpy as jnp
>>> sig = (("X", ("m", "n"), False), ("c", None, False))
>>> X, c, m, n = _bind_arguments((jnp.ones((2, 3)), 0.5), sig, ("m", "n"), "f")
>>> X.shape, float(c), m, n
((2, 3), 0.5, 2, 3)
>>> _bind_arguments((jnp.ones(3), 0.5), sig, ("m", "n"), "f")
Traceback (most recent call last):
...
sympy_einstein.errors.ShapeError: f(): argument X has declared shape (m, n) (order 2) but the array has shape (3,)

The ``_jax_factor*`` functions are the JAX forms of the ``factor*`` calls of
:mod:`sympy_einstein.codegen.passes.factor`: one ``jax.scipy.linalg.lu_factor`` per distinct matrix,
packed as an ``(n + 1, n)`` array (``LU`` with the pivots in the last row, as the NumPy runtime packs
its LU), read by the solves, the inverse and the determinants; all traceable under ``jit``, ``vmap``
and ``grad``. A Cholesky with the NumPy runtime's fallback to LU for an indefinite matrix would need a
branch on the data, which ``vmap`` turns into computing both, so every matrix gets LU. Nothing can
raise inside ``jit``: a singular matrix gives ``inf``/``nan`` entries from the solves and the inverse,
``logdet`` ``-inf`` and ``det`` ``0`` (or a tiny number, as rounding leaves the last pivot).

>>> F = _jax_factor(jnp.array([[4.0, 2.0], [2.0, 3.0]]))
>>> round(float(jnp.exp(_jax_factor_logdet(F))), 5), round(float(_jax_factor_det(F)), 5)
(8.0, 8.0)
>>> [round(float(v), 5) for v in _jax_factor_solve(F, jnp.array([8.0, 7.0]), False)]
[1.25, 1.5]
"""
import jax
import jax.numpy as jnp

from ...errors import BindingError, ShapeError
from ..runtime import _bind_axes, _format

FUNCTIONS = ("_bind_arguments", "_jax_dtype", "_jax_array", "_jax_scalar", "_jax_factor", "_jax_factor_solve",
             "_jax_factor_inverse", "_jax_factor_logdet", "_jax_factor_det")
SHARED = ("_bind_axes", "_origin", "_format")  # from sympy_einstein.codegen.runtime


def _bind_arguments(values, signature, size_names, function):
    """The kernel's arguments (JAX arrays and scalars, then sizes) for ``function(*values)``."""
    if len(values) != len(signature):
        names = ", ".join(entry[0] for entry in signature)
        raise BindingError(f"{function}() takes {len(signature)} argument(s) ({names}) but "
                           f"{len(values)} were given")
    arrays = [_jax_array(v, entry, function) for v, entry in zip(values, signature) if entry[1] is not None]
    dtype = _jax_dtype(arrays, [entry for entry in signature if entry[1] is not None])
    sizes, origins, converted, position = {}, {}, list(values), 0
    for k, (name, shape, integer) in enumerate(signature):
        if shape is None:
            converted[k] = sizes[name] = _jax_scalar(values[k], name, integer, dtype, function)
            origins[name] = (name, None)
    for k, (name, shape, _) in enumerate(signature):
        if shape is not None:
            array = arrays[position]
            position += 1
            if array.ndim != len(shape):
                raise ShapeError(f"{function}(): argument {name} has declared shape {_format(shape)} (order "
                                 f"{len(shape)}) but the array has shape {_format(array.shape)}")
            _bind_axes(array, name, shape, sizes, origins, function)
            converted[k] = array.astype(dtype)
    return tuple(converted) + tuple(sizes[s] for s in size_names)


def _jax_array(value, entry, function):
    array = jnp.asarray(value)
    if array.dtype.kind not in "biuf":
        raise BindingError(f"{function}(): argument {entry[0]} has dtype {array.dtype}; expected a real array "
                           "(float64, float32, integer or bool)")
    return array


def _jax_dtype(arrays, entries):
    """float32 when every array argument of order >= 1 is float32, else JAX's default float (float64
    with x64 enabled, float32 without)."""
    kinds = [a.dtype == jnp.float32 for a, (_, shape, _) in zip(arrays, entries) if shape]
    if kinds and all(kinds):
        return jnp.dtype(jnp.float32)
    return jnp.dtype(jax.dtypes.canonicalize_dtype(jnp.float64))


def _jax_scalar(value, name, integer, dtype, function):
    if isinstance(value, int) and not isinstance(value, bool) and integer:
        return value  # a concrete integer: usable as a size
    array = jnp.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "biuf":
        raise BindingError(f"{function}(): argument {name} must be a real number, not {value!r}")
    return array.astype(jnp.int32 if integer else dtype)


def _jax_factor(matrix):
    """The LU factorization of a square matrix, packed: ``LU`` and a last row of pivots."""
    import jax.scipy.linalg
    lu, pivots = jax.scipy.linalg.lu_factor(matrix)
    return jnp.concatenate([lu, pivots.astype(lu.dtype)[None, :]])


def _jax_factor_solve(packed, rhs, transpose):
    """``inv(A) @ rhs`` (``inv(A).T @ rhs`` when ``transpose``) along the first axis of ``rhs``."""
    import jax.scipy.linalg
    n = packed.shape[1]
    pivots = jax.lax.stop_gradient(packed[n]).astype(jnp.int32)
    solved = jax.scipy.linalg.lu_solve((packed[:n], pivots), rhs.reshape((n, -1)), trans=1 if transpose else 0)
    return solved.reshape(rhs.shape)


def _jax_factor_inverse(packed, transpose):
    """``inv(A)`` (``inv(A).T`` when ``transpose``) from the packed factorization of ``A``."""
    return _jax_factor_solve(packed, jnp.eye(packed.shape[1], dtype=packed.dtype), transpose)


def _jax_factor_logdet(packed):
    """``log|det A|``: the sum of the logarithms of the pivots' magnitudes (``-inf`` for a singular ``A``)."""
    n = packed.shape[1]
    return jnp.sum(jnp.log(jnp.abs(jnp.diagonal(packed[:n]))))


def _jax_factor_det(packed):
    """``det A``: the product of the pivots, signed by the row swaps."""
    n = packed.shape[1]
    swaps = jnp.count_nonzero(jax.lax.stop_gradient(packed[n]).astype(jnp.int32) != jnp.arange(n))
    return jnp.prod(jnp.diagonal(packed[:n])) * jnp.where(swaps % 2 == 1, -1.0, 1.0).astype(packed.dtype)

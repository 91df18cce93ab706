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
"""
import jax
import jax.numpy as jnp

from ...errors import BindingError, ShapeError
from ..runtime import _bind_axes, _format

FUNCTIONS = ("_bind_arguments", "_jax_dtype", "_jax_array", "_jax_scalar")
SHARED = ("_bind_axes", "_format")  # from sympy_einstein.codegen.runtime


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
            origins[name] = f"argument {name}"
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

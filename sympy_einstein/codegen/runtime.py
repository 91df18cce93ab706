"""What generated modules call at run time: argument checking and the scalar helpers of Numba loops.

A module made by ``lambdify`` imports these from here; ``export`` copies their source into the
module (which then needs only numpy and numba). Nothing here may use a name outside this module's
imports (``math``, ``np``, the two error classes).

``_bind_arguments`` runs in plain Python before any compiled code: it checks the argument count,
converts dtypes (float64 and float32 kept, integers and booleans to float64, complex or object
arrays rejected), checks every declared shape, binds each size symbol consistently across the
arguments and returns what the kernel takes. A signature entry is ``(name, shape, integer)``:
``shape`` is ``None`` for a scalar symbol, else a tuple whose axes are ints, size names or size
expressions such as ``"2*n"``.

>>> import numpy as np
>>> sig = (("X", ("m", "n"), False), ("w", ("n",), False))
>>> X, w, m, n = _bind_arguments((np.ones((2, 3)), [1, 2, 3]), sig, ("m", "n"), "f")
>>> w.dtype, m, n
(dtype('float64'), 2, 3)
>>> _sigmoid(0.0), _sigmoid(-800.0), round(_softplus(800.0), 6), _heaviside(0.0, 0.0), _sign(-2.0)
(0.5, 0.0, 800.0, 0.0, -1.0)
>>> _bind_arguments((np.ones((2, 3)), np.ones(4)), sig, ("m", "n"), "f")
Traceback (most recent call last):
...
sympy_einstein.errors.ShapeError: f(): argument w axis 0 has size 4, but n = 3 from argument X axis 1
"""
import math

import numpy as np

from ..errors import BindingError, ShapeError

_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)
FUNCTIONS = ("_bind_arguments", "_common_dtype", "_as_array", "_as_scalar", "_bind_axes", "_origin", "_format")
HELPERS = ("_sigmoid", "_softplus", "_heaviside", "_sign")


def _bind_arguments(values, signature, size_names, function):
    """The kernel's arguments (converted arrays and scalars, then sizes) for ``function(*values)``."""
    if len(values) != len(signature):
        names = ", ".join(entry[0] for entry in signature)
        raise BindingError(f"{function}() takes {len(signature)} argument(s) ({names}) but "
                           f"{len(values)} were given")
    dtype = _common_dtype(values, signature, function)
    sizes, origins, converted = {}, {}, list(values)
    for k, (name, shape, integer) in enumerate(signature):
        if shape is None:
            converted[k] = sizes[name] = _as_scalar(values[k], name, integer, function)
            origins[name] = (name, None)
    for k, (name, shape, _) in enumerate(signature):
        if shape is not None:
            array = _as_array(values[k], name, shape, dtype, function)
            _bind_axes(array, name, shape, sizes, origins, function)
            converted[k] = array[()] if array.ndim == 0 else array  # order 0: a NumPy scalar (overflows to inf)
    return tuple(converted) + tuple(sizes[s] for s in size_names)


def _common_dtype(values, signature, function):
    """float32 when every array argument of order >= 1 is float32, else float64."""
    every_float32 = False
    for value, (name, shape, _) in zip(values, signature, strict=False):
        if shape:
            dtype = value.dtype if isinstance(value, np.ndarray) else np.asarray(value).dtype
            if dtype.kind not in "biuf":
                raise BindingError(f"{function}(): argument {name} has dtype {dtype}; expected a real array "
                                   "(float64, float32, integer or bool)")
            if dtype.char != "f":
                return _FLOAT64
            every_float32 = True
    return _FLOAT32 if every_float32 else _FLOAT64


def _as_array(value, name, shape, dtype, function):
    if type(value) is np.ndarray and value.dtype is dtype and value.flags.c_contiguous and value.ndim == len(shape):
        return value  # already what the kernel takes (the common case: no conversion)
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise BindingError(f"{function}(): argument {name} has dtype {array.dtype}; expected a real array "
                           "(float64, float32, integer or bool)")
    if array.ndim != len(shape):
        raise ShapeError(f"{function}(): argument {name} has declared shape {_format(shape)} (order "
                         f"{len(shape)}) but the array has shape {_format(array.shape)}")
    return np.asarray(array, dtype=dtype, order="C")


def _as_scalar(value, name, integer, function):
    if type(value) is float and not integer:
        return value
    array = np.asarray(value)
    if array.ndim != 0 or array.dtype.kind not in "biuf":
        raise BindingError(f"{function}(): argument {name} must be a real number, not {value!r}")
    if integer:
        if array.dtype.kind == "f" and not float(array).is_integer():
            raise BindingError(f"{function}(): argument {name} must be an integer, not {value!r}")
        return int(array)
    return float(array)


def _bind_axes(array, name, shape, sizes, origins, function):
    """Bind size names from ``array.shape`` (first binding wins) and check every axis."""
    actual_shape = array.shape
    for axis, declared in enumerate(shape):
        actual = actual_shape[axis]
        if type(declared) is int:
            if declared != actual:
                raise ShapeError(f"{function}(): argument {name} axis {axis} has size {actual}, expected {declared}")
        elif declared in sizes:
            if sizes[declared] != actual:
                raise ShapeError(f"{function}(): argument {name} axis {axis} has size {actual}, but {declared} = "
                                 f"{sizes[declared]} from {_origin(origins[declared])}")
        elif declared.isidentifier():
            if actual < 1:
                raise ShapeError(f"{function}(): argument {name} axis {axis} has size {actual}; "
                                 f"the size {declared} must be positive")
            sizes[declared], origins[declared] = actual, (name, axis)
    for axis, declared in enumerate(shape):
        if type(declared) is not int and declared not in sizes:
            expected = eval(declared, {"__builtins__": {}}, dict(sizes))  # a size expression we generated
            if expected != actual_shape[axis]:
                raise ShapeError(f"{function}(): argument {name} axis {axis} has size {actual_shape[axis]}, "
                                 f"but {declared} = {expected}")


def _origin(origin):
    name, axis = origin
    return f"argument {name}" if axis is None else f"argument {name} axis {axis}"


def _format(shape):
    shape = tuple(shape)
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(str(s) for s in shape) + ")"


# scalar helpers for Numba loops (one entry at a time; numerically stable)

def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _heaviside(x, h0):
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return 0.0
    return h0 if x == 0.0 else x


def _sign(x):
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0 if x == 0.0 else x


_JITTED = []


def jitted_helpers():
    """The scalar helpers compiled by Numba (once per process; cached on disk when Numba can).

    >>> sigmoid, softplus, heaviside, sign = jitted_helpers()
    >>> sigmoid(0.0)
    0.5
    """
    if not _JITTED:
        import numba
        functions = [globals()[name] for name in HELPERS]
        try:
            _JITTED.extend(numba.njit(cache=True)(f) for f in functions)
        except RuntimeError:  # no writable cache location for this file: compile without caching
            _JITTED.extend(numba.njit(cache=False)(f) for f in functions)
    return tuple(_JITTED)


# checked matrix factorizations (calls.py's factor* entries), imported and exported like the checks above
from .linalg_runtime import LINALG, _adjugate, _factor, _factor_det, _factor_inverse, _factor_logdet, _factor_solve, _numpy_lapack  # noqa: E402,F401,I001,E501

FUNCTIONS = FUNCTIONS + LINALG

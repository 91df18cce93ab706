"""Array helpers that generated NumPy code calls (copied into every generated numpy-backend module).

``_embed`` writes a compact result into its output layout: diagonal writes (a letter repeated in the
output) and broadcast letters (output letters missing from the result).

>>> import numpy
>>> _sigmoid(numpy.array([0.0, -800.0]))
array([0.5, 0. ])
>>> _embed(numpy.array([1.0, 2.0]), "a", "aa", (2, 2))
array([[1., 0.],
       [0., 2.]])
>>> _embed(numpy.array([1.0, 2.0]), "a", "ba", (3, 2))[2]
array([1., 2.])
"""
import numpy

HELPERS = ("_sigmoid", "_softplus", "_heaviside", "_sign", "_embed")


def _sigmoid(x):
    return numpy.exp(-numpy.logaddexp(0.0, -x))


def _softplus(x):
    return numpy.logaddexp(0.0, x)


def _heaviside(x, h0):
    return numpy.heaviside(x, h0)


def _sign(x):
    return numpy.sign(x)


def _embed(compact, letters, output, shape, dtype=numpy.float64):
    """The array of ``shape`` indexed by ``output`` whose diagonal holds ``compact`` (indexed by ``letters``)."""
    distinct = "".join(dict.fromkeys(output))
    sizes = dict(zip(output, shape, strict=False))
    expanded = numpy.einsum(letters + "->" + "".join(c for c in distinct if c in letters), compact)
    expanded = expanded.reshape(tuple(sizes[c] if c in letters else 1 for c in distinct))
    result = numpy.zeros(shape, dtype)
    numpy.einsum(output + "->" + distinct, result)[...] = expanded
    return result

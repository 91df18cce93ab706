"""Scalar helpers that generated Numba kernels call for one entry (copied into every generated module).

Each is a plain function of floats, numerically stable, and compiled with ``numba.njit`` by the
generated module. ``DiracDelta`` is not here: it prints as ``0.0`` (the machine-learning convention).

>>> _sigmoid(0.0), _sigmoid(-800.0), round(_softplus(800.0), 6), _heaviside(0.0, 0.0), _sign(-2.0)
(0.5, 0.0, 800.0, 0.0, -1.0)
"""
import math

HELPERS = ("_sigmoid", "_softplus", "_heaviside", "_sign")


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

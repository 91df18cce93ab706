# ruff: noqa: N802, N803, N806
"""More benchmark problems (issue 9): multi-output GLM, Poisson regression, pseudo-Huber regression, kernel
ridge, masked factorization and a 3-layer net differentiated by each layer.

Each problem is a ``codegen_problems.Problem``: the loss built with the Python API, the argument it is
differentiated by, data from a seed, the hand-written NumPy gradient and Hessian (what a careful person
writes; checked against central finite differences and ``se.evaluate`` in
``tests/test_benchmark_problems.py``) and the loss written once for ``numpy`` and ``jax.numpy``.
Sizes: ``TINY`` (tests), ``SMALL`` (n around 100) and ``LARGE``.
"""
import numpy as np
import sympy as sp
from codegen_problems import Problem

import sympy_einstein as se

n, m, o, k, h, g = sp.symbols("n m o k h g", integer=True, positive=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _weighted_gram(X, s):
    """X^T diag(s) X."""
    return X.T @ (X * s[:, None])


def ovr_logreg(sizes, rng):
    """One-vs-rest logistic regression, o outputs: sum(softplus(X W) - Y * (X W)) by W (n x o)."""
    mm, nn, oo = sizes
    X, W, Y = se.matrix("X", m, n), se.matrix("W", n, o), se.matrix("Y", m, o)
    Z = X @ W

    def hessian(X, W, Y):
        S = _sigmoid(X @ W)
        H = np.zeros((W.shape[0], W.shape[1], W.shape[0], W.shape[1]))
        for b in range(W.shape[1]):
            H[:, b, :, b] = _weighted_gram(X, S[:, b] * (1 - S[:, b]))
        return H

    data = (rng.normal(size=(mm, nn)) / np.sqrt(nn), rng.normal(size=(nn, oo)),
            (rng.uniform(size=(mm, oo)) < 0.5).astype(float))
    return Problem(f"one-vs-rest logreg m={mm} n={nn} o={oo}", [X, W, Y], se.sum(se.softplus(Z) - Y * Z), W, data,
                   lambda X, W, Y: X.T @ (_sigmoid(X @ W) - Y), hessian,
                   lambda xp, X, W, Y: xp.sum(xp.logaddexp(0.0, X @ W) - Y * (X @ W)), mm * oo)


def poisson(sizes, rng):
    """Poisson regression (log link): sum(exp(X w) - y * (X w)) by w."""
    mm, nn = sizes
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    z = X @ w
    data = (rng.normal(size=(mm, nn)) / np.sqrt(nn), 0.5 * rng.normal(size=nn), rng.poisson(1.0, size=mm) * 1.0)
    return Problem(f"poisson m={mm} n={nn}", [X, w, y], se.sum(se.exp(z) - y * z), w, data,
                   lambda X, w, y: X.T @ (np.exp(X @ w) - y), lambda X, w, y: _weighted_gram(X, np.exp(X @ w)),
                   lambda xp, X, w, y: xp.sum(xp.exp(X @ w) - y * (X @ w)), mm)


def pseudo_huber(sizes, rng):
    """Pseudo-Huber regression: sum(sqrt(1 + (X w - y)^2)) by w."""
    mm, nn = sizes
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)

    def gradient(X, w, y):
        r = X @ w - y
        return X.T @ (r / np.sqrt(1 + r ** 2))

    def hessian(X, w, y):
        r = X @ w - y
        return _weighted_gram(X, (1 + r ** 2) ** -1.5)

    data = (rng.normal(size=(mm, nn)) / np.sqrt(nn), rng.normal(size=nn), rng.normal(size=mm))
    return Problem(f"pseudo-Huber m={mm} n={nn}", [X, w, y], se.sum(se.sqrt(1 + (X @ w - y) ** 2)), w, data,
                   gradient, hessian, lambda xp, X, w, y: xp.sum(xp.sqrt(1 + (X @ w - y) ** 2)), mm)


def kernel_ridge(size, rng, ridge=0.1):
    """Kernel ridge regression in the weights: ||K a - y||^2 + ridge a^T K a by a (K an RBF Gram matrix)."""
    K, a, y = se.matrix("K", n, n), se.vector("a", n), se.vector("y", n)
    points = rng.normal(size=(size, 3))
    distances = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    data = (np.exp(-distances / 2), rng.normal(size=size), rng.normal(size=size))
    loss = se.sum((K @ a - y) ** 2) + sp.nsimplify(ridge) * (a @ K @ a)
    def gradient(K, a, y):
        Ka = K @ a
        return 2 * K.T @ (Ka - y) + ridge * (Ka + K.T @ a)

    return Problem(f"kernel ridge n={size}", [K, a, y], loss, a, data, gradient,
                   lambda K, a, y: 2 * K.T @ K + ridge * (K + K.T),
                   lambda xp, K, a, y: xp.sum((K @ a - y) ** 2) + ridge * (a @ K @ a), size)


def masked_factorization(sizes, rng):
    """Matrix completion: sum(M * (T - U V^T)^2) by U, M a 0/1 mask of the observed entries."""
    nn, mm, kk = sizes
    M, T, U, V = se.matrix("M", n, m), se.matrix("T", n, m), se.matrix("U", n, k), se.matrix("V", m, k)

    def hessian(M, T, U, V):
        rows, rank = U.shape
        H = np.zeros((rows, rank, rows, rank))
        grams = M @ (V[:, :, None] * V[:, None, :]).reshape(len(V), rank * rank)  # row a: V^T diag(M[a]) V
        H[np.arange(rows), :, np.arange(rows), :] = 2 * grams.reshape(rows, rank, rank)
        return H

    data = ((rng.uniform(size=(nn, mm)) < 0.3).astype(float), rng.normal(size=(nn, mm)),
            rng.normal(size=(nn, kk)), rng.normal(size=(mm, kk)))
    return Problem(f"masked factorization n={nn} m={mm} k={kk}", [M, T, U, V], se.sum(M * (T - U @ V.T) ** 2), U,
                   data, lambda M, T, U, V: -2 * (M * (T - U @ V.T)) @ V, hessian,
                   lambda xp, M, T, U, V: xp.sum(M * (T - U @ V.T) ** 2), nn * mm)


def _layer_hessian(inputs, curvature):
    """H[p, q, s, t] = sum_j inputs[q, j] inputs[t, j] curvature[p, s, j], as one GEMM."""
    (rows, samples), units = inputs.shape, len(curvature)
    pairs = (inputs[:, None, :] * inputs[None, :, :]).reshape(rows * rows, samples)
    H = curvature.reshape(units * units, samples) @ pairs.T
    return H.reshape(units, units, rows, rows).transpose(0, 2, 1, 3)


def _curvature(d, G, c):
    """d[p] d[s] 2 G[p, s] + delta[p, s] c[p] per sample: the second derivative by a tanh layer's input."""
    C = 2 * d[:, None, :] * d[None, :, :] * G[:, :, None]
    units = np.arange(len(d))
    C[units, units, :] += c
    return C


def _net3_forward(W1, W2, W3, X, Y):
    Z1 = np.tanh(W1 @ X)
    Z2 = np.tanh(W2 @ Z1)
    return Z1, Z2, W3 @ Z2 - Y


def net3_gradient(W1, W2, W3, X, Y, by):
    Z1, Z2, R = _net3_forward(W1, W2, W3, X, Y)
    if by == 3:
        return 2 * R @ Z2.T
    D2 = 2 * (W3.T @ R) * (1 - Z2 ** 2)
    if by == 2:
        return D2 @ Z1.T
    return ((W2.T @ D2) * (1 - Z1 ** 2)) @ X.T


def net3_hessian(W1, W2, W3, X, Y, by):
    Z1, Z2, R = _net3_forward(W1, W2, W3, X, Y)
    if by == 3:
        H = np.zeros((len(W3), len(Z2), len(W3), len(Z2)))
        outputs = np.arange(len(W3))
        H[outputs, :, outputs, :] = 2 * Z2 @ Z2.T
        return H
    B, D2 = W3.T @ R, 1 - Z2 ** 2
    K2 = _curvature(D2, W3.T @ W3, -4 * B * Z2 * D2)  # second derivative of the loss by W2 Z1
    if by == 2:
        return _layer_hessian(Z1, K2)
    D1 = 1 - Z1 ** 2
    K1 = np.einsum("kp,klj,ls->psj", W2, K2, W2, optimize=True) * D1[:, None, :] * D1[None, :, :]
    units = np.arange(len(W1))
    K1[units, units, :] += (W2.T @ (2 * B * D2)) * (-2 * Z1 * D1)
    return _layer_hessian(X, K1)


def net3(sizes, rng, by):
    """||W3 tanh(W2 tanh(W1 X)) - Y||_F^2 by W1, W2 or W3."""
    hh, gg, oo, nn, mm = sizes
    W1, W2, W3 = se.matrix("W1", h, n), se.matrix("W2", g, h), se.matrix("W3", o, g)
    X, Y = se.matrix("X", n, m), se.matrix("Y", o, m)
    data = (rng.normal(size=(hh, nn)) / np.sqrt(nn), rng.normal(size=(gg, hh)) / np.sqrt(hh),
            rng.normal(size=(oo, gg)) / np.sqrt(gg), rng.normal(size=(nn, mm)), rng.normal(size=(oo, mm)))
    loss = se.sum((W3 @ se.tanh(W2 @ se.tanh(W1 @ X)) - Y) ** 2)
    return Problem(f"3-layer net by W{by} h={hh} g={gg} o={oo} n={nn} m={mm}", [W1, W2, W3, X, Y], loss,
                   [W1, W2, W3][by - 1], data,
                   lambda *a: net3_gradient(*a, by=by), lambda *a: net3_hessian(*a, by=by),
                   lambda xp, W1, W2, W3, X, Y: xp.sum((W3 @ xp.tanh(W2 @ xp.tanh(W1 @ X)) - Y) ** 2),
                   max(hh, gg) * mm)


BUILDERS = {"ovr_logreg": ovr_logreg, "poisson": poisson, "pseudo_huber": pseudo_huber,
            "kernel_ridge": kernel_ridge, "masked_factorization": masked_factorization,
            "net3_W1": lambda s, r: net3(s, r, 1), "net3_W2": lambda s, r: net3(s, r, 2),
            "net3_W3": lambda s, r: net3(s, r, 3)}
_NET_TINY, _NET_SMALL, _NET_LARGE = (3, 2, 2, 4, 5), (8, 8, 4, 100, 200), (16, 16, 4, 32, 2000)
TINY = {"ovr_logreg": (6, 3, 2), "poisson": (6, 3), "pseudo_huber": (6, 3), "kernel_ridge": 4,
        "masked_factorization": (4, 5, 2), "net3_W1": _NET_TINY, "net3_W2": _NET_TINY, "net3_W3": _NET_TINY}
SMALL = {"ovr_logreg": (200, 100, 5), "poisson": (200, 100), "pseudo_huber": (200, 100), "kernel_ridge": 100,
         "masked_factorization": (100, 100, 5), "net3_W1": _NET_SMALL, "net3_W2": _NET_SMALL, "net3_W3": _NET_SMALL}
LARGE = {"ovr_logreg": (3000, 300, 5), "poisson": (2000, 1000), "pseudo_huber": (2000, 1000),
         "kernel_ridge": 2000, "masked_factorization": (300, 1000, 10), "net3_W1": _NET_LARGE,
         "net3_W2": _NET_LARGE, "net3_W3": _NET_LARGE}


def build(key: str, size, seed: int = 0) -> Problem:
    """``BUILDERS[key](size)`` with data from a fixed seed."""
    return BUILDERS[key](size, np.random.default_rng(seed))

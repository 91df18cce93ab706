# ruff: noqa: N802, N803, N806
"""The problems of issue 4 for ``bench_codegen.py``: symbolic loss, data, hand-written NumPy closed forms,
and the same loss in JAX and PyTorch (``jax.jit(jax.hessian)``, ``torch.func.hessian``)."""
from dataclasses import dataclass

import numpy as np
import sympy as sp

import sympy_einstein as se

n, m, k, h, o = sp.symbols("n m k h o", integer=True, positive=True)


@dataclass
class Problem:
    name: str
    args: list          # sympy_einstein arguments, in call order
    loss: object        # the scalar loss
    wrt: object         # the argument we differentiate by
    data: tuple         # NumPy arrays for args
    gradient: object    # hand-written NumPy closed form (same arguments)
    hessian: object
    loss_array: object  # loss(xp, *arrays) written once for jax.numpy and torch
    intermediate: int = 0  # entries of the loss's largest intermediate (JAX/PyTorch Hessians vmap it)

    def vmapped_bytes(self) -> int:
        """Rough memory of a JAX/PyTorch Hessian: one intermediate per basis vector of ``wrt``."""
        wrt = self.data[self.args.index(self.wrt)]
        return 8 * wrt.size * self.intermediate


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def xax(size, rng):
    A, x = se.matrix("A", n, n), se.vector("x", n)
    return Problem(f"x'Ax n={size}", [A, x], x @ A @ x, x, (rng.normal(size=(size, size)), rng.normal(size=size)),
                   lambda A, x: A @ x + A.T @ x, lambda A, x: A + A.T,
                   lambda xp, A, x: x @ A @ x, size)


def logreg(size, rng):
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    z = X @ w

    def hessian(X, w, y):
        p = _sigmoid(X @ w)
        return X.T @ (X * (p * (1 - p))[:, None])

    data = (rng.normal(size=(2 * size, size)) / np.sqrt(size), rng.normal(size=size), rng.uniform(size=2 * size))
    return Problem(f"logreg n={size} (X {2 * size}x{size})", [X, w, y], se.sum(se.softplus(z) - y * z), w, data,
                   lambda X, w, y: X.T @ (_sigmoid(X @ w) - y), hessian,
                   lambda xp, X, w, y: xp.sum(xp.logaddexp(0 * (X @ w), X @ w) - y * (X @ w)), 2 * size)


def factorization(size, rng, rank=10):
    T, U, V = se.matrix("T", n, m), se.matrix("U", n, k), se.matrix("V", m, k)

    def hessian(T, U, V):
        H = np.zeros((len(U), rank, len(U), rank))
        diagonal = np.arange(len(U))
        H[diagonal, :, diagonal, :] = 2 * V.T @ V
        return H

    data = (rng.normal(size=(size, size)), rng.normal(size=(size, rank)), rng.normal(size=(size, rank)))
    return Problem(f"factorization n={size} k={rank}", [T, U, V], se.sum((T - U @ V.T) ** 2), U, data,
                   lambda T, U, V: -2 * (T - U @ V.T) @ V, hessian,
                   lambda xp, T, U, V: xp.sum((T - U @ V.T) ** 2), size * size)


def _diagonal_blocks(X, S):
    """H[a, b, a, d] = sum_j X[b, j] X[d, j] S[a, j] (zero off the a = c diagonal)."""
    H = np.zeros((len(S), len(X), len(S), len(X)))
    for a in range(len(S)):
        H[a, :, a, :] = (X * S[a]) @ X.T
    return H


def net1(sizes, rng):
    hh, nn, mm = sizes
    W, X, Y = se.matrix("W", h, n), se.matrix("X", n, m), se.matrix("Y", h, m)

    def gradient(W, X, Y):
        Z = np.tanh(W @ X)
        return (2 * (Z - Y) * (1 - Z ** 2)) @ X.T

    def hessian(W, X, Y):
        Z = np.tanh(W @ X)
        D = 1 - Z ** 2
        return _diagonal_blocks(X, 2 * D ** 2 - 4 * Z * D * (Z - Y))

    data = (rng.normal(size=(hh, nn)) / np.sqrt(nn), rng.normal(size=(nn, mm)), rng.normal(size=(hh, mm)))
    return Problem(f"one-layer net h={hh} n={nn} m={mm}", [W, X, Y], se.sum((se.tanh(W @ X) - Y) ** 2), W, data,
                   gradient, hessian, lambda xp, W, X, Y: xp.sum((xp.tanh(W @ X) - Y) ** 2), hh * mm)


def net2(sizes, rng):
    hh, nn, mm, oo = sizes
    W1, W2, X, Y = se.matrix("W1", h, n), se.matrix("W2", o, h), se.matrix("X", n, m), se.matrix("Y", o, m)

    def gradient(W1, W2, X, Y):
        Z = np.tanh(W1 @ X)
        return (2 * (W2.T @ (W2 @ Z - Y)) * (1 - Z ** 2)) @ X.T

    def hessian(W1, W2, X, Y):
        Z = np.tanh(W1 @ X)
        D, G = 1 - Z ** 2, W2.T @ (W2 @ Z - Y)
        (hidden, samples), inputs = Z.shape, len(X)
        Q = (D[:, None, :] * X[None, :, :]).reshape(hidden * inputs, samples)
        H = (Q @ Q.T).reshape(hidden, inputs, hidden, inputs) * (2 * W2.T @ W2)[:, None, :, None]
        return H + _diagonal_blocks(X, -4 * G * Z * D)

    data = (rng.normal(size=(hh, nn)) / np.sqrt(nn), rng.normal(size=(oo, hh)) / np.sqrt(hh),
            rng.normal(size=(nn, mm)), rng.normal(size=(oo, mm)))
    return Problem(f"two-layer net h={hh} n={nn} m={mm} o={oo}", [W1, W2, X, Y],
                   se.sum((W2 @ se.tanh(W1 @ X) - Y) ** 2), W1, data, gradient, hessian,
                   lambda xp, W1, W2, X, Y: xp.sum((W2 @ xp.tanh(W1 @ X) - Y) ** 2), hh * mm)


BUILDERS = {"xax": xax, "logreg": logreg, "factorization": factorization, "net1": net1, "net2": net2}
TINY = {"xax": 3, "logreg": 3, "factorization": 3, "net1": (2, 3, 4), "net2": (2, 3, 4, 2)}
QUICK = [("xax", 300), ("logreg", 200), ("factorization", 100), ("net1", (8, 16, 200)), ("net2", (8, 16, 200, 4))]
FULL = [("xax", 1000), ("xax", 4000), ("logreg", 1000), ("logreg", 2000), ("factorization", 300),
        ("factorization", 1000), ("net1", (32, 64, 2000)), ("net2", (32, 64, 2000, 8))]
# run.py's two sizes (as problems_more.SMALL / LARGE): n around 100, and the sizes of issue 9's numbers
SMALL = {"xax": 100, "logreg": 100, "factorization": 100, "net1": (8, 16, 100), "net2": (8, 16, 100, 4)}
LARGE = {"xax": 1000, "logreg": 1000, "factorization": 1000, "net1": (32, 64, 2000), "net2": (32, 64, 2000, 8)}


def build(key: str, size, seed: int = 0) -> Problem:
    """``BUILDERS[key](size)`` with data from a fixed seed."""
    return BUILDERS[key](size, np.random.default_rng(seed))

# ruff: noqa: N806
"""Per-call overhead of a lambdified function: the argument checks alone and whole small calls.

Run from the repository root: ``python benchmarks/call_overhead.py``. Best of 7 repeats of 5000
(checks) or 500 (calls) calls, single-threaded BLAS (``OPENBLAS_NUM_THREADS=1`` set before NumPy is
imported); the logistic-loss gradient compiled with Numba (``tiered=False``) for X 100 x 10 and
1000 x 100. The checks are ``_args_generated`` of X, w, y as the generated function calls it (float64
C-contiguous arrays: the inline check) and, for comparison, the general ``_bind_arguments``.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time the compiled kernel, not the NumPy tier

import timeit  # noqa: E402

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

import sympy_einstein as se  # noqa: E402


def best(call, number):
    return min(timeit.repeat(call, number=number, repeat=7)) / number


def main():
    n, m = sp.symbols("n m", integer=True, positive=True)
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    f = se.sum(se.softplus(-y * (X @ w)))
    fn = se.lambdify([X, w, y], sp.diff(f, w))
    rng = np.random.default_rng(0)
    print(f"load average {os.getloadavg()[0]:.2f}")
    for rows, cols in ((100, 10), (1000, 100)):
        arrays = [rng.normal(size=(rows, cols)), rng.normal(size=cols), np.sign(rng.normal(size=rows))]
        fn(*arrays)
        checks = best(lambda a=arrays: fn._bind(a), 5000)
        general = best(lambda a=arrays: fn._numpy._bind_arguments(a, *fn._signature, "g"), 5000)
        call = best(lambda a=arrays: fn(*a), 500)
        print(f"X {rows} x {cols}: argument checks {checks * 1e6:.2f} us (_bind_arguments {general * 1e6:.2f} us), "
              f"gradient call {call * 1e6:.1f} us")


if __name__ == "__main__":
    main()

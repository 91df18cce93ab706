# ruff: noqa: N803, N806
"""Benchmark generated code (numba, numpy backends) against hand-written NumPy closed forms.

Run: python benchmarks/bench_codegen.py [--repeats R] [--quick]
Prints a markdown table of median times (ms) over R calls; compile time (first call) is apart.
JAX and PyTorch columns appear only when those packages are importable.
"""
import argparse
import importlib.util
import statistics
import sys
import time

import numpy as np
import sympy as sp

import sympy_einstein as se


def median_ms(fn, args, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def problems(quick):
    n_sym, m_sym, k_sym = sp.symbols("n m k", integer=True, positive=True)
    rng = np.random.default_rng(0)
    out = []
    A, x = se.matrix("A", n_sym, n_sym), se.vector("x", n_sym)
    for n in ((300,) if quick else (1000, 4000)):
        Av, xv = rng.normal(size=(n, n)), rng.normal(size=n)
        out.append((f"x'Ax gradient n={n}", [A, x], A @ x + A.T @ x, (Av, xv), lambda A, x: A @ x + A.T @ x))
        out.append((f"x'Ax Hessian n={n}", [A, x], A + A.T, (Av, xv), lambda A, x: A + A.T))
    X, w = se.matrix("X", m_sym, n_sym), se.vector("w", n_sym)
    s = se.sigmoid(X @ w)
    for n in ((200,) if quick else (1000, 2000)):
        Xv, wv = rng.normal(size=(2 * n, n)) / np.sqrt(n), rng.normal(size=n)

        def hess(X, w):
            p = 1 / (1 + np.exp(-(X @ w)))
            return X.T @ (X * (p * (1 - p))[:, None])

        out.append((f"logreg gradient n={n}", [X, w], X.T @ s, (Xv, wv),
                    lambda X, w: X.T @ (1 / (1 + np.exp(-(X @ w))))))
        out.append((f"logreg Hessian n={n}", [X, w], se.einsum("ij,i,ik->jk", X, s * (1 - s), X), (Xv, wv), hess))
    U, V, Tm = se.matrix("U", n_sym, k_sym), se.matrix("V", m_sym, k_sym), se.matrix("T", n_sym, m_sym)
    for n in ((100,) if quick else (300,)):
        Uv, Vv, Tv = rng.normal(size=(n, 10)), rng.normal(size=(n, 10)), rng.normal(size=(n, n))
        grad = -2 * (Tm - U @ V.T) @ V
        hessian = se.EinsteinProduct(2, "jb,jd->abad", (n_sym,), V, V)
        out.append((f"factorization gradient n={n}", [Tm, U, V], grad, (Tv, Uv, Vv),
                    lambda T, U, V: -2 * (T - U @ V.T) @ V))
        out.append((f"factorization Hessian n={n}", [Tm, U, V], hessian, (Tv, Uv, Vv),
                    lambda T, U, V: np.einsum("ik,jl->ijkl", np.eye(len(U)), 2 * V.T @ V)))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args()
    extra = [name for name in ("jax", "torch") if importlib.util.find_spec(name)]
    print("command: python benchmarks/bench_codegen.py " + " ".join(sys.argv[1:]))
    print("| problem | numba (ms) | numpy backend (ms) | hand-written NumPy (ms) | numba / hand | numba compile (s) |"
          + "".join(f" {e} |" for e in extra))
    print("|---|---|---|---|---|---|" + "---|" * len(extra))
    for name, args, expr, values, hand in problems(options.quick):
        start = time.perf_counter()
        compiled = se.lambdify(args, expr)
        compiled(*values)
        compile_s = time.perf_counter() - start
        numpy_fn = se.lambdify(args, expr, backend="numpy")
        np.testing.assert_allclose(compiled(*values), hand(*values), rtol=1e-8, atol=1e-8)
        t_numba = median_ms(compiled, values, options.repeats)
        t_numpy = median_ms(numpy_fn, values, options.repeats)
        t_hand = median_ms(hand, values, options.repeats)
        print(f"| {name} | {t_numba:.2f} | {t_numpy:.2f} | {t_hand:.2f} | {t_numba / t_hand:.2f} | {compile_s:.1f} |"
              + " n/a |" * len(extra), flush=True)


if __name__ == "__main__":
    main()

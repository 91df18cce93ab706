# ruff: noqa: N803, N806
"""One BLAS pool: generated gradients with their products on NumPy's BLAS, against Numba's ``@``.

Run from the repository root: ``python benchmarks/one_pool.py [--repeats R] [--rounds K]``. Each
measurement runs in a fresh process, for every combination of

- the binding: ``numpy`` (the default: the kernels call NumPy's CBLAS, one thread pool) or ``numba``
  (``SYMPY_EINSTEIN_BLAS=numba``: Numba's ``@``, i.e. SciPy's OpenBLAS: the code before this change);
- the threads: OpenBLAS's default (one per core) or ``OPENBLAS_NUM_THREADS=1``;

``K`` rounds, the processes of both bindings alternated. In each process, per problem: R rounds of one
generated call then one hand-written call (timed apart; the hand formula runs on NumPy's BLAS, so the
alternation is the pattern of a Newton loop mixing generated and NumPy code), and R calls of each in a
row ("block"); medians in ms. Problems: logistic regression and factorization (``codegen_problems.py``,
n = 1000) and the Gaussian negative log-likelihood by the mean (matrix functions: the checked Cholesky
and solves of ``linalg_runtime.py``, on NumPy's LAPACK after this change, SciPy's before). A last
process per thread setting times JAX's ``jit(grad)`` alone (no Numba loaded), alternated with the same
hand formula (with ``OPENBLAS_NUM_THREADS=1`` also ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false``:
XLA's own pool single-threaded).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import codegen_problems as problems  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = (("logreg", 1000), ("factorization", 1000), ("gaussian", (2000, 200)))


def gaussian(sizes, rng):
    """Gaussian negative log-likelihood by the mean (a Cholesky factorization and solves per call)."""
    import sympy as sp

    import sympy_einstein as se
    rows, dim = sizes
    N, D = sp.symbols("N D", integer=True, positive=True)
    X, mu, S = se.matrix("X", N, D), se.vector("mu", D), se.matrix("S", D, D, symmetric=True)
    R = X - mu
    loss = N / sp.Integer(2) * se.logdet(S) + se.sum(R * (R @ se.inv(S))) / 2
    M = rng.normal(size=(dim, dim))
    data = (rng.normal(size=(rows, dim)), rng.normal(size=dim), M @ M.T / dim + np.eye(dim))

    def loss_array(xp, X, mu, S):
        R = X - mu
        return rows / 2 * xp.linalg.slogdet(S)[1] + xp.sum(R * xp.linalg.solve(S, R.T).T) / 2

    return problems.Problem(f"gaussian nll by mu, X {rows}x{dim}", [X, mu, S], loss, mu, data,
                            lambda X, mu, S: -np.linalg.solve(S, (X - mu).sum(axis=0)), None, loss_array, dim)


def build(key, size):
    return gaussian(size, np.random.default_rng(0)) if key == "gaussian" else problems.build(key, size)


def timed(fn, args) -> float:
    start = time.perf_counter()
    fn(*args)
    return 1e3 * (time.perf_counter() - start)


def alternated(first, second, args, repeats) -> tuple:
    """Medians (ms) of ``first`` and ``second`` called in turn."""
    first(*args), second(*args)
    times = [], []
    for _ in range(repeats):
        times[0].append(timed(first, args))
        times[1].append(timed(second, args))
    return statistics.median(times[0]), statistics.median(times[1])


def block(fn, args, repeats) -> float:
    fn(*args)
    return statistics.median(timed(fn, args) for _ in range(repeats))


def generated(problem):
    import sympy_einstein as se
    fn = se.lambdify(problem.args, se.gradient(problem.loss, problem.wrt), tiered=False)
    return fn


def jax_gradient(problem):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    index = problem.args.index(problem.wrt)
    fn = jax.jit(jax.grad(lambda *a: problem.loss_array(jnp, *a), argnums=index))
    return lambda *a: fn(*a).block_until_ready()


def child(who, repeats) -> dict:
    rows = []
    for key, size in PROBLEMS:
        problem = build(key, size)
        fn = jax_gradient(problem) if who == "jax" else generated(problem)
        np.testing.assert_allclose(np.asarray(fn(*problem.data)), problem.gradient(*problem.data), rtol=1e-8,
                                   atol=1e-9)
        mine, hand = alternated(fn, problem.gradient, problem.data, repeats)
        rows.append({"problem": problem.name, "alternated": mine, "hand alternated": hand,
                     "block": block(fn, problem.data, repeats), "hand block": block(problem.gradient, problem.data,
                                                                                     repeats)})
    result = {"rows": rows}
    if who != "jax":
        from sympy_einstein.codegen.numba_blas import BINDING
        result["binding"] = BINDING
    return result


def pingpong(repeats, rounds=25) -> dict:
    """In one process: a NumPy product, then the same product in compiled code, in turn; the compiled
    one on NumPy's BLAS (``BLAS``) or on Numba's ``@`` (``NUMBA``: SciPy's BLAS), the two alternated in
    blocks of ``repeats`` pairs. Median ms of one pair (NumPy call + compiled call) per product."""
    from sympy_einstein.codegen import numba_blas
    rng = np.random.default_rng(0)
    X, w, U, V = rng.normal(size=(2000, 1000)), rng.normal(size=1000), rng.normal(size=(1000, 10)), \
        rng.normal(size=(1000, 10))
    cases = {"GEMV X @ w (2000x1000)": ("mat_vec", (X, w)), "GEMM U @ V.T (1000x10x1000)": ("mat_mat", (U, V.T))}
    found = {}
    for label, (kind, args) in cases.items():
        bound, numba_at = numba_blas.BLAS[kind], numba_blas.NUMBA[kind]
        times = {"numpy's BLAS": [], "numba @": []}
        for fn in (bound, numba_at):
            fn(*args)
        for _ in range(rounds):
            for name, fn in (("numpy's BLAS", bound), ("numba @", numba_at)):
                for _ in range(repeats):
                    start = time.perf_counter()
                    args[0] @ args[1]
                    fn(*args)
                    times[name].append(1e3 * (time.perf_counter() - start))
        found[label] = {name: statistics.median(t) for name, t in times.items()}
    return found


def run(who, threads, repeats) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("OPENBLAS_NUM_THREADS", None)
    env.pop("SYMPY_EINSTEIN_BLAS", None)
    if threads:
        env["OPENBLAS_NUM_THREADS"] = threads
        if who == "jax":  # XLA's CPU thread pool ignores OpenBLAS's variable
            env["XLA_FLAGS"] = " ".join(filter(None, [env.get("XLA_FLAGS"), "--xla_cpu_multi_thread_eigen=false"]))
    if who == "numba":
        env["SYMPY_EINSTEIN_BLAS"] = "numba"

    done = subprocess.run([sys.executable, __file__, "--child", who, "--repeats", str(repeats)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--part", choices=("all", "pingpong"), default="all")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child == "pingpong":
        print(json.dumps(pingpong(options.repeats)))
        return
    if options.child:
        print(json.dumps(child(options.child, options.repeats)))
        return
    print(f"load average {os.getloadavg()[0]:.2f}; NumPy product then compiled product, median ms of a pair")
    print("| threads | product | compiled on NumPy's BLAS | compiled on Numba's @ | load |\n|---|---|---:|---:|---:|")
    for threads in (None, "1"):
        for _ in range(options.rounds):
            for label, r in run("pingpong", threads, 20).items():
                bound, numba_at = r["numpy's BLAS"], r["numba @"]
                print(f"| {threads or 'default'} | {label} | {bound:.3f} | {numba_at:.3f} | {os.getloadavg()[0]:.2f} |",
                      flush=True)
    if options.part == "pingpong":
        return
    print(f"load average {os.getloadavg()[0]:.2f}; medians in ms of {options.repeats} calls")
    print("| threads | binding | problem | generated alternated | hand alternated | ratio | generated block | "
          "hand block | ratio | load |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for threads in (None, "1"):
        for who in ["numpy", "numba"] * options.rounds + ["jax"]:
            result = run(who, threads, options.repeats)
            load = os.getloadavg()[0]
            for r in result["rows"]:
                cells = [r["alternated"], r["hand alternated"], r["alternated"] / r["hand alternated"],
                         r["block"], r["hand block"], r["block"] / r["hand block"], load]
                print(f"| {threads or 'default'} | {result.get('binding', who)} | {r['problem']} | "
                      + " | ".join(f"{c:.3f}" for c in cells) + " |", flush=True)
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

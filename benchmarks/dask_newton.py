# ruff: noqa: N803, N806
"""Logistic regression by Newton's method on data larger than a worker's memory, with the Dask backend.

Run from the repository root: ``python benchmarks/dask_newton.py`` (defaults: 3,000,000 x 60 float64,
1.44 GB, on a ``LocalCluster`` of two worker processes of 600 MB and one thread each).

1. The data matrix ``X`` is a ``dask.array`` made chunk by chunk by Dask's random generator (rows
   chunked, ``--chunk`` rows per chunk); the labels are drawn from a logistic model of ``X`` and kept
   on the workers (``persist``: 24 MB). ``X`` is never materialized: each pass regenerates its chunks.
2. One generated function (``se.lambdify(..., backend="dask")``) returns the loss
   ``sum(softplus(X w) - y * (X w)) + lam w'w``, its gradient and its Hessian as Dask arrays; one
   ``dask.compute`` evaluates the three in one pass over the chunks (``X w`` and the sigmoid shared,
   ``X' diag(s) X`` as a tree reduction of per-chunk Gram matrices).
3. Check: the same three quantities accumulated chunk by chunk in NumPy (each chunk fetched from the
   cluster), compared at ``--tolerance`` (relative to the largest entry).
4. Newton's method ``w <- w - H^-1 g`` from ``w = 0`` until ``|g| < 1e-8 |g0|``; each iteration is one
   pass over the data.

Prints the times, the agreement, the peak memory of the cluster (``distributed``'s MemorySampler) and
the Newton iterations; ``--json PATH`` writes them.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sympy_einstein
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the reference in this process: one BLAS thread, as each worker

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import sympy_einstein as se  # noqa: E402


def options():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--columns", type=int, default=60)
    parser.add_argument("--chunk", type=int, default=50_000, help="rows per chunk")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory", default="600MB", help="memory limit of each worker")
    parser.add_argument("--ridge", type=float, default=1.0)
    parser.add_argument("--iterations", type=int, default=10, help="at most this many Newton steps (0: none)")
    parser.add_argument("--tolerance", type=float, default=1e-9)
    parser.add_argument("--json", type=Path)
    return parser.parse_args()


def logistic_derivatives():
    """value, gradient and Hessian of the ridge-regularized logistic loss, one generated Dask function."""
    m, n = sp.symbols("m n", integer=True, positive=True)
    X, w, y, lam = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m), sp.Symbol("lam", positive=True)
    loss = se.sum(se.softplus(X @ w)) - y @ (X @ w) + lam * (w @ w)
    return se.lambdify([X, w, y, lam], [loss, se.gradient(loss, w), se.hessian(loss, w)], backend="dask")


def data(rows, columns, chunk):
    """``X`` (lazy, chunk by chunk from Dask's random generator) and labels from a logistic model."""
    X = da.random.default_rng(12).standard_normal((rows, columns), chunks=(chunk, columns)) / np.sqrt(columns)
    truth = np.linspace(-3.0, 3.0, columns)
    p = 1.0 / (1.0 + np.exp(-(X @ truth)))
    y = (da.random.default_rng(13).random(rows, chunks=chunk) < p).astype(np.float64)
    return X, y


def chunk_by_chunk(X, y, w, ridge):
    """The loss, gradient and Hessian accumulated over the chunks in NumPy (each chunk fetched once)."""
    value, gradient, hessian = ridge * w @ w, 2 * ridge * w, 2 * ridge * np.eye(len(w))
    for k in range(X.numblocks[0]):
        x, t = dask.compute(X.blocks[k], y.blocks[k])
        z = x @ w
        s = 1.0 / (1.0 + np.exp(-z))
        value += np.sum(np.logaddexp(0.0, z) - t * z)
        gradient += x.T @ (s - t)
        hessian += x.T @ (x * (s * (1.0 - s))[:, None])
    return value, gradient, hessian


def peak_resident_mb() -> float:
    """This process's peak resident memory (``VmHWM``), in MB (run on each worker)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) * 1024 / 1e6, 1)
    return float("nan")


def relative_error(got, want) -> float:
    return float(np.max(np.abs(np.asarray(got) - want)) / max(np.max(np.abs(want)), 1e-300))


def main():
    args = options()
    report = {"rows": args.rows, "columns": args.columns, "chunk": args.chunk, "workers": args.workers,
              "memory_limit": args.memory, "data_gb": args.rows * args.columns * 8 / 1e9}
    print(f"X: {args.rows} x {args.columns} float64 = {report['data_gb']:.2f} GB in chunks of {args.chunk} rows; "
          f"{args.workers} workers of {args.memory}")
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, memory_limit=args.memory, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        start = time.perf_counter()
        derivatives = logistic_derivatives()
        report["lambdify_s"] = time.perf_counter() - start
        X, y = data(args.rows, args.columns, args.chunk)
        y = y.persist()
        w = np.zeros(args.columns)
        start = time.perf_counter()
        value, gradient, hessian = dask.compute(*derivatives(X, w + 0.1, y, args.ridge))
        report["value_gradient_hessian_s"] = time.perf_counter() - start
        report["peak_worker_mb"] = sorted(client.run(peak_resident_mb).values())
        print(f"value, gradient, Hessian in one dask.compute: {report['value_gradient_hessian_s']:.1f} s "
              f"(peak resident memory of each worker process so far: {report['peak_worker_mb']} MB)")
        start = time.perf_counter()
        reference = chunk_by_chunk(X, y, w + 0.1, args.ridge)
        report["reference_s"] = time.perf_counter() - start
        errors = [relative_error(got, want) for got, want in zip((value, gradient, hessian), reference)]
        report["relative_errors"] = dict(zip(("value", "gradient", "hessian"), errors))
        print(f"chunk-by-chunk NumPy reference: {report['reference_s']:.1f} s; relative differences "
              f"value {errors[0]:.1e}, gradient {errors[1]:.1e}, Hessian {errors[2]:.1e}")
        assert max(errors) < args.tolerance, f"generated and reference differ by {max(errors)}"
        report["newton"] = newton(derivatives, X, y, w, args)
        report["peak_worker_mb_end"] = sorted(client.run(peak_resident_mb).values())
        print(f"peak resident memory of each worker process over the run: {report['peak_worker_mb_end']} MB")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


def newton(derivatives, X, y, w, args) -> list:
    """Newton steps from ``w``; one pass over the data (one ``dask.compute``) per step."""
    steps, first = [], None
    for k in range(args.iterations):
        start = time.perf_counter()
        value, gradient, hessian = dask.compute(*derivatives(X, w, y, args.ridge))
        seconds = time.perf_counter() - start
        norm = float(np.linalg.norm(gradient))
        first = first or norm
        steps.append({"iteration": k, "loss": float(value), "gradient_norm": norm, "seconds": seconds})
        print(f"Newton {k}: loss {float(value):.10e}  |gradient| {norm:.3e}  ({seconds:.1f} s)")
        if norm < 1e-8 * first:
            break
        w = w - np.linalg.solve(hessian, gradient)
    return steps


if __name__ == "__main__":
    main()

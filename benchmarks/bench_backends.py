# ruff: noqa: N803, N806
"""Benchmark the backends on one problem each where it makes sense: numba vs jax (CPU) vs dask (two
worker processes of one thread). Float64 everywhere (JAX with x64 enabled).

Run from the repository root: ``python benchmarks/bench_backends.py [--repeats 3] [--json PATH]``.

Problems (the ridge-regularized logistic loss of ``dask_newton.py``; every result is checked against
the numba backend's, or for the large problem against a chunk-by-chunk NumPy sum, before timing):

- ``in memory``: value, gradient and Hessian for ``X`` 20,000 x 200 (32 MB) -- one CPU process;
- ``batch``: value and gradient at 256 parameter vectors for ``X`` 5,000 x 50 -- ``jax.vmap`` of the
  generated function (one compiled call) vs a Python loop of 256 calls (numba) and vs one Dask graph
  of 256 calls;
- ``out of core``: value, gradient and Hessian for ``X`` 3,000,000 x 60 (1.44 GB), made chunk by chunk
  by Dask's random generator on the workers (600 MB each); numba and jax get the same matrix in one
  array in this process (it fits this machine, not a worker). ``dask_newton.py`` checks the Dask
  result against a chunk-by-chunk NumPy sum; here every backend is checked against numba's.

Times are the minimum over ``--repeats`` calls after one warm-up call (which compiles); the Dask
times include building and scheduling the graph; the out-of-core Dask time is one pass (the data
regenerated on the workers), not a minimum.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sympy_einstein
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import jax  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from dask_newton import data, relative_error  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

import sympy_einstein as se  # noqa: E402

jax.config.update("jax_enable_x64", True)

m, n = sp.symbols("m n", integer=True, positive=True)
X, w, y, lam = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m), sp.Symbol("lam", positive=True)
LOSS = se.sum(se.softplus(X @ w)) - y @ (X @ w) + lam * (w @ w)
GRADIENT, HESSIAN = se.gradient(LOSS, w), se.hessian(LOSS, w)


def best(function, repeats):
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def functions(exprs):
    return {backend: se.lambdify([X, w, y, lam], exprs, backend=backend) for backend in ("numba", "jax", "dask")}


def in_memory(repeats, client):
    rng = np.random.default_rng(0)
    data_, labels = rng.normal(size=(20_000, 200)) / 14, (rng.random(20_000) < 0.5) * 1.0
    parameters = rng.normal(size=200)
    f = functions([LOSS, GRADIENT, HESSIAN])
    reference = f["numba"](data_, parameters, labels, 0.5)
    X_d = client.persist(da.from_array(data_, chunks=(2_500, 200)))
    y_d = client.persist(da.from_array(labels, chunks=2_500))
    runs = {
        "numba": lambda: f["numba"](data_, parameters, labels, 0.5),
        "jax": lambda: jax.block_until_ready(f["jax"](data_, parameters, labels, 0.5)),
        "dask": lambda: dask.compute(*f["dask"](X_d, parameters, y_d, 0.5)),
    }
    for backend in ("jax", "dask"):
        check(runs[backend](), reference, 1e-10, backend)
    return {backend: best(run, repeats) for backend, run in runs.items()}


def batch(repeats, client):
    rng = np.random.default_rng(1)
    data_, labels = rng.normal(size=(5_000, 50)) / 7, (rng.random(5_000) < 0.5) * 1.0
    batch_ = rng.normal(size=(256, 50))
    f = functions([LOSS, GRADIENT])
    vmapped = jax.jit(jax.vmap(f["jax"], in_axes=(None, 0, None, None)))
    reference = [f["numba"](data_, p, labels, 0.5) for p in batch_]
    X_d = client.persist(da.from_array(data_, chunks=(2_500, 50)))
    y_d = client.persist(da.from_array(labels, chunks=2_500))
    runs = {
        "numba": lambda: [f["numba"](data_, p, labels, 0.5) for p in batch_],
        "jax": lambda: jax.block_until_ready(vmapped(data_, batch_, labels, 0.5)),
        "dask": lambda: dask.compute([f["dask"](X_d, p, y_d, 0.5) for p in batch_]),
    }
    got = runs["jax"]()
    for k in (0, 255):
        check((got[0][k], got[1][k]), reference[k], 1e-10, "jax")
    check(runs["dask"]()[0][255], reference[255], 1e-10, "dask")
    return {backend: best(run, repeats) for backend, run in runs.items()}


def out_of_core(repeats, client):
    X_d, y_d = data(3_000_000, 60, 50_000)
    y_d = client.persist(y_d)
    parameters = np.full(60, 0.1)
    f = functions([LOSS, GRADIENT, HESSIAN])
    start = time.perf_counter()  # one pass (nothing to compile; each pass regenerates the data)
    lazy = dask.compute(*f["dask"](X_d, parameters, y_d, 1.0))
    times = {"dask": time.perf_counter() - start}
    # the same 1.44 GB generated in this process (same seeds), for the one-process backends
    data_, labels = X_d.compute(scheduler="sync"), y_d.compute()
    reference = f["numba"](data_, parameters, labels, 1.0)
    check(lazy, reference, 1e-9, "dask")
    check(f["jax"](data_, parameters, labels, 1.0), reference, 1e-9, "jax")
    times["numba"] = best(lambda: f["numba"](data_, parameters, labels, 1.0), repeats)
    times["jax"] = best(lambda: jax.block_until_ready(f["jax"](data_, parameters, labels, 1.0)), repeats)
    return times


def check(got, want, tolerance, backend):
    errors = [relative_error(g, v) for g, v in zip(got, want, strict=True)]
    assert max(errors) < tolerance, f"{backend}: relative differences {errors}"
    return got


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="in_memory,batch,out_of_core")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"uptime_before": os.popen("uptime").read().strip()}
    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="600MB", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        for name in args.only.split(","):
            results[name] = globals()[name](args.repeats, client)
            print(name, {k: f"{v * 1e3:.1f} ms" for k, v in results[name].items()}, flush=True)
    results["uptime_after"] = os.popen("uptime").read().strip()
    print("| problem | numba ms | jax (CPU) ms | dask, 2 workers ms |\n|---|---|---|---|")
    for name in args.only.split(","):
        row = results[name]
        print(f"| {name} | {row['numba'] * 1e3:.0f} | {row['jax'] * 1e3:.0f} | {row['dask'] * 1e3:.0f} |")
    print(results["uptime_before"], "/", results["uptime_after"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

"""The measurement core shared by the benchmark scripts (``run.py``, ``bench_codegen.py``, ``bench_more.py``).

- ``check``: a result against the hand-written closed form (``assert_allclose``), before anything is timed;
- ``median_ms``: one function in a block of calls after a warm-up call;
- ``interleaved_ms``: several functions called in turn (generated, hand, hand, generated, ...), so that a
  busy interval of the shared machine slows both alike; the ratio of their medians is the number we report;
- ``jax_derivative``: ``jax.jit(jax.grad)`` / ``jax.jit(jax.hessian)`` of a problem's loss, float64;
- ``uptime``, ``versions``, ``blas_pools``: what the machine was doing and what ran.
"""
import importlib.util
import os
import platform
import statistics
import subprocess
import time

import numpy as np


def check(got, want, who):
    """``got`` equals the hand-written ``want`` to 1e-7 (relative, and absolute against ``want``'s largest entry)."""
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-7 * max(1.0, float(np.max(np.abs(want)))),
                               err_msg=who)


def median_ms(fn, args, repeats, budget):
    """Median milliseconds of ``fn(*args)``: one warm-up call, then up to ``repeats`` calls within about
    ``budget`` seconds (at least one)."""
    start = time.perf_counter()
    fn(*args)
    first = time.perf_counter() - start
    times = []
    for _ in range(max(1, min(repeats, int(budget / max(first, 1e-9))))):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def interleaved_ms(functions, args, repeats, budget, least=5):
    """Milliseconds of every call of each of ``functions``, called in turn on ``args``.

    One warm-up round, then rounds of one call each until ``repeats`` rounds or ``budget`` seconds (at
    least ``least`` rounds). The order within a round is reversed every other round (a, b, b, a, ...), so
    neither function always runs right after the other. Returns one list of times per function.
    """
    for fn in functions:
        fn(*args)
    times = [[] for _ in functions]
    begun = time.perf_counter()
    for done in range(repeats):
        order = list(zip(functions, times))
        for fn, found in order if done % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            fn(*args)
            found.append(1e3 * (time.perf_counter() - start))
        if done + 1 >= least and time.perf_counter() - begun > budget:
            break
    return times


def jax_derivative(problem, kind):
    """``(fn, data)``: ``jax.jit`` of ``jax.grad`` or ``jax.hessian`` (``kind``) of the problem's loss by its
    ``wrt`` argument, and the problem's data as JAX arrays; float64 (``jax_enable_x64``)."""
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    transform = jax.grad if kind == "gradient" else jax.hessian
    fn = jax.jit(transform(lambda *a: problem.loss_array(jnp, *a), argnums=problem.args.index(problem.wrt)))
    return fn, [jnp.asarray(a) for a in problem.data]


def has(module: str) -> bool:
    """Whether ``module`` can be imported here."""
    return importlib.util.find_spec(module) is not None


def uptime() -> str:
    """The output of ``uptime`` (time, load averages over 1, 5, 15 minutes)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def versions(*modules) -> dict:
    """Python's and each imported module's ``__version__``."""
    found = {"python": platform.python_version()}
    for name in modules:
        if has(name):
            found[name] = getattr(__import__(name), "__version__", "?")
    return found


def blas_pools() -> list:
    """The BLAS/OpenMP thread pools loaded in this process (``threadpoolctl``), with their thread counts."""
    if not has("threadpoolctl"):
        return ["threadpoolctl not installed"]
    from threadpoolctl import threadpool_info
    return [f"{p['internal_api']} {p.get('version')} threads={p['num_threads']} {os.path.basename(p['filepath'])}"
            for p in threadpool_info()]

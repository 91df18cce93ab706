# ruff: noqa: N803, N806
"""Benchmark generated code (numba, numpy backends) against hand-written NumPy closed forms, JAX and PyTorch.

Run: ``python benchmarks/bench_codegen.py [--quick] [--repeats R]`` (full sizes of issue 4 by default).
The gradient and Hessian of each problem (``codegen_problems.py``) come from ``sympy_einstein.derivatives``.
Every result is checked against the hand-written formula (``assert_allclose``) before it is timed.
Times are medians over repeats after a warm-up call (fewer repeats when one call takes more than
``--budget`` s / R; ``measure.median_ms``).
Compile time = ``lambdify`` + first call (on tiny data) in a fresh cache directory; reload = the same
in a second process that finds the kernels in that cache, after Numba's one-off start-up in that
process (import, first cached dispatch of a trivial function: reported apart as ``numba_startup_s``).
Peak memory of a Hessian call: in a subprocess, the peak resident size is reset
(``/proc/self/clear_refs``) before the call and read (``VmHWM``) after it; reported as
(inputs + growth) / (inputs + output bytes). Resident pages see NumPy's and Numba's allocations alike,
but only pages actually touched: lazily zeroed pages of ``numpy.zeros`` that are never written
(off-diagonal blocks of the factorization Hessian) do not count. Writes a markdown table and
``benchmarks/results/codegen.json`` (``codegen_quick.json`` with ``--quick``).
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import codegen_problems as problems  # noqa: E402
from measure import check, interleaved_ms, jax_derivative, median_ms  # noqa: E402

import sympy_einstein as se  # noqa: E402
from sympy_einstein.derivatives import gradient, hessian  # noqa: E402

os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time compiled kernels, not lambdify's NumPy tier

RESULTS = Path(__file__).parent / "results" / "codegen.json"


def derived(problem, kind):
    return gradient(problem.loss, problem.wrt) if kind == "gradient" else hessian(problem.loss, problem.wrt)


def jax_function(problem, kind):
    fn, data = jax_derivative(problem, kind)
    return lambda *_: fn(*data).block_until_ready(), lambda: np.asarray(fn(*data))


def torch_function(problem, kind):
    import torch
    index = problem.args.index(problem.wrt)
    transform = torch.func.grad if kind == "gradient" else torch.func.hessian
    fn = transform(lambda *a: problem.loss_array(torch, *a), argnums=index)
    data = [torch.from_numpy(a) for a in problem.data]
    return lambda *_: fn(*data), lambda: fn(*data).numpy()


def measure(key, size, kind, options, extra):
    problem = problems.build(key, size)
    expr, hand = derived(problem, kind), getattr(problem, kind)
    want = hand(*problem.data)
    start = time.perf_counter()
    compiled = se.lambdify(problem.args, expr)
    compiled(*problems.build(key, problems.TINY[key]).data)
    compile_s = time.perf_counter() - start
    check(compiled(*problem.data), want, "numba")
    numpy_fn = se.lambdify(problem.args, expr, backend="numpy")
    check(numpy_fn(*problem.data), want, "numpy backend")
    row = {"problem": problem.name, "kind": kind, "compile_s": compile_s}
    for label, fn in (("numba", compiled), ("numpy_backend", numpy_fn), ("hand", hand)):
        row[label + "_ms"] = median_ms(fn, problem.data, options.repeats, options.budget)
    for name in extra:
        if kind == "hessian" and problem.vmapped_bytes() > options.max_vmap_bytes:
            row[name + "_ms"] = None  # skipped: its basis-vector batch would not fit in memory
            continue
        run, result = (jax_function if name == "jax" else torch_function)(problem, kind)
        run()
        check(result(), want, name)
        row[name + "_ms"] = median_ms(run, (), options.repeats, options.budget)
    if kind == "hessian":
        row.update(subprocess_memory(key, size))
    return row


def interleaved(options) -> None:
    """numba vs hand-written only, calls alternated, minimum of ``--repeats``: a steadier ratio on a busy
    machine (run with OPENBLAS_NUM_THREADS=1 to keep BLAS threads from waiting on other processes)."""
    print("| problem | derivative | numba min ms | hand-written min ms | numba / hand |\n|---|---|---|---|---|")
    for key, size in problems.QUICK if options.quick else problems.FULL:
        if options.only and key not in options.only.split(","):
            continue
        problem = problems.build(key, size)
        for kind in ("gradient", "hessian"):
            compiled, hand = se.lambdify(problem.args, derived(problem, kind)), getattr(problem, kind)
            check(compiled(*problem.data), hand(*problem.data), "numba")
            times = interleaved_ms([compiled, hand], problem.data, options.repeats, float("inf"), options.repeats)
            best = [min(found) for found in times]
            print(f"| {problem.name} | {kind} | {best[0]:.2f} | {best[1]:.2f} | {best[0] / best[1]:.2f} |", flush=True)


def subprocess_memory(key, size) -> dict:
    """Reload time and peak memory of the numba and hand-written Hessian, each in a fresh process."""
    found = {}
    for who in ("numba", "hand"):
        text = subprocess.run([sys.executable, __file__, "--memory", json.dumps([key, size, who])],
                              capture_output=True, text=True, check=True).stdout
        found.update(json.loads(text.strip().splitlines()[-1]))
    return found


def memory_probe(key, size, who) -> dict:
    """In this (fresh) process: load the function, warm it up on tiny data, then one call on real data."""
    problem, tiny = problems.build(key, size), problems.build(key, problems.TINY[key])
    expr = derived(problem, "hessian")
    start = time.perf_counter()
    if who == "numba":  # Numba's one-off start-up in a process (import, first cached dispatch), apart
        x = se.vector("x", 3)
        se.lambdify([x], x @ x)(np.ones(3))
    startup_s = time.perf_counter() - start
    start = time.perf_counter()
    fn = se.lambdify(problem.args, expr) if who == "numba" else problem.hessian
    fn(*tiny.data)
    reload_s = time.perf_counter() - start
    Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the peak resident size (VmHWM) to now
    before = _status_kb("VmRSS")
    out = fn(*problem.data)
    growth = 1024 * (_status_kb("VmHWM") - before)
    inputs = sum(a.nbytes for a in problem.data)
    result = {f"{who}_peak_over_io": (inputs + growth) / (inputs + out.nbytes)}
    if who == "numba":
        result.update(reload_s=reload_s, numba_startup_s=startup_s)
    return result


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def table(rows, extra) -> str:
    head = ("| problem | derivative | numba ms | numpy backend ms | hand-written ms | numba / hand |"
            + "".join(f" {e} ms | numba / {e} |" for e in extra)
            + " compile s | reload s | peak / (in+out) numba | hand |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        cells = [r["problem"], r["kind"], f"{r['numba_ms']:.2f}", f"{r['numpy_backend_ms']:.2f}",
                 f"{r['hand_ms']:.2f}", f"{r['numba_ms'] / r['hand_ms']:.2f}"]
        for e in extra:
            cells += ([f"{r[e + '_ms']:.2f}", f"{r['numba_ms'] / r[e + '_ms']:.3f}"] if r[e + "_ms"]
                      else ["skipped (memory)", ""])
        cells.append(f"{r['compile_s']:.1f}")
        cells += ["" if c not in r else "n/a" if r[c] is None else f"{r[c]:.2f}"
                  for c in ("reload_s", "numba_peak_over_io", "hand_peak_over_io")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of repeats per cell, at least one")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated problem keys (xax, logreg, ...)")
    parser.add_argument("--no-jax-torch", action="store_true")
    parser.add_argument("--max-vmap-bytes", type=float, default=3e9,
                        help="skip JAX/PyTorch Hessians whose basis-vector batch needs more memory")
    parser.add_argument("--interleaved", action="store_true", help="numba vs hand-written only (see interleaved)")
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.memory:
        print(json.dumps(memory_probe(*json.loads(options.memory))))
        return
    if options.interleaved:
        interleaved(options)
        return
    os.environ["SYMPY_EINSTEIN_CACHE"] = tempfile.mkdtemp(prefix="se_bench_cache_")  # compile from scratch
    extra = [] if options.no_jax_torch else [e for e in ("jax", "torch") if importlib.util.find_spec(e)]
    command = "python benchmarks/bench_codegen.py " + " ".join(sys.argv[1:])
    print(f"command: {command}", flush=True)
    rows = []
    for key, size in problems.QUICK if options.quick else problems.FULL:
        if options.only and key not in options.only.split(","):
            continue
        for kind in ("gradient", "hessian"):
            rows.append(measure(key, size, kind, options, extra))
            print(json.dumps(rows[-1]), flush=True)
    print(table(rows, extra))
    results = RESULTS.with_name("codegen_quick.json") if options.quick else RESULTS  # keep the full run
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps({"command": command, "cpus": os.cpu_count(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()

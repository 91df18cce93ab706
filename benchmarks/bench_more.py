"""Benchmark the problems of ``problems_more.py``: generated code against the hand-written NumPy closed form.

Run from the repository root: ``python benchmarks/bench_more.py [--sizes small,large] [--only KEYS]``.

For every problem, size and derivative (gradient, Hessian from ``se.gradient`` / ``se.hessian``): the
numba and numpy backends of ``se.lambdify`` and the hand-written formula are checked against each other
(``assert_allclose``), then timed in this one process with their calls alternated (numba, numpy, hand,
numba, ...; one warm-up round, then up to ``--repeats`` rounds within ``--budget`` seconds per function);
the table gives medians and the ratios of medians. JAX's ``jax.jit(jax.grad)`` / ``jax.jit(jax.hessian)``
(float64) runs each in its own subprocess when JAX is installed, skipped when its basis-vector batch would
need more than ``--max-vmap-bytes``. ``compile s`` = ``lambdify`` + first call on tiny data, in this process (the
first one pays Numba's start-up); ``checks us`` = the median cost of the wrapper's argument checks
(``_args_generated``) on that size's arguments. Writes ``benchmarks/results/more.json``.
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
import problems_more as problems  # noqa: E402
from measure import check, has, interleaved_ms, jax_derivative, median_ms  # noqa: E402

import sympy_einstein as se  # noqa: E402

os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time compiled kernels, not lambdify's NumPy tier

RESULTS = Path(__file__).parent / "results" / "more.json"
SIZES = {"small": problems.SMALL, "large": problems.LARGE}


def checks_us(fn, args, repeats=200):
    """Median microseconds of the argument checks the generated function runs before its kernel
    (``_args_generated``: the inline check, else ``_bind_arguments``); None if it has none."""
    module = getattr(fn, "_numpy", None) or sys.modules.get(fn.__module__)  # a TieredFunction: its modules'
    bind = getattr(module, "_args_generated", None)
    if bind is None and hasattr(module, "_bind_arguments"):  # code generated before the inline check
        signature, sizes = module._SIGNATURE_generated, module._SIZES_generated
        bind = lambda args: module._bind_arguments(args, signature, sizes, "generated")  # noqa: E731
    if bind is None:
        return None
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        bind(args)
        times.append(time.perf_counter() - start)
    return 1e6 * statistics.median(times)


def compiled(key, kind):
    """``{backend: function}`` for one problem's derivative, and the numba compile time."""
    tiny = problems.build(key, problems.TINY[key])
    expr = (se.gradient if kind == "gradient" else se.hessian)(tiny.loss, tiny.wrt)
    start = time.perf_counter()
    numba_fn = se.lambdify(tiny.args, expr)
    numba_fn(*tiny.data)
    compile_s = time.perf_counter() - start
    return {"numba": numba_fn, "numpy_backend": se.lambdify(tiny.args, expr, backend="numpy")}, compile_s


def measure(key, kind, labels, options):
    functions, compile_s = compiled(key, kind)
    found = []
    for label in labels:
        problem = problems.build(key, SIZES[label][key])
        hand = getattr(problem, kind)
        want = hand(*problem.data)
        for who, fn in functions.items():
            check(fn(*problem.data), want, who)
        row = {"problem": problem.name, "size": label, "kind": kind, "compile_s": compile_s,
               "checks_us": checks_us(functions["numba"], problem.data)}
        timed = interleaved_ms([*functions.values(), hand], problem.data, options.repeats, options.budget)
        row.update({who + "_ms": statistics.median(ms) for who, ms in zip([*functions, "hand"], timed, strict=True)})
        row["jax_ms"] = jax_ms(key, label, kind, problem, options)
        found.append(row)
        print(markdown([row], header=False), flush=True)
    return found


def jax_ms(key, label, kind, problem, options):
    """JAX in its own process (None when not installed or skipped for memory)."""
    if options.no_jax or not has("jax"):
        return None
    if kind == "hessian" and 8 * problem.data[problem.args.index(problem.wrt)].size * problem.intermediate > \
            options.max_vmap_bytes:
        return None
    done = subprocess.run([sys.executable, __file__, "--jax-child", json.dumps([key, label, kind]),
                           "--repeats", str(options.repeats), "--budget", str(options.budget)],
                          capture_output=True, text=True)
    if done.returncode:
        print(f"JAX failed on {problem.name} {kind}: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def jax_child(key, label, kind, options):
    problem = problems.build(key, SIZES[label][key])
    fn, data = jax_derivative(problem, kind)
    check(np.asarray(fn(*data)), getattr(problem, kind)(*problem.data), "jax")
    print(json.dumps(median_ms(lambda: fn(*data).block_until_ready(), (), options.repeats, options.budget)))


def _cell(value, digits=2):
    return "" if value is None else f"{value:.{digits}f}"


def markdown(rows, header=True) -> str:
    lines = ["| problem | derivative | numba ms | numpy backend ms | hand ms | numba / hand | numpy backend / hand "
             "| jax ms | numba / jax | compile s | checks us |", "|---" * 11 + "|"] if header else []
    for r in rows:
        jax = r["jax_ms"]
        lines.append("| " + " | ".join([
            r["problem"], r["kind"], _cell(r["numba_ms"], 3), _cell(r["numpy_backend_ms"], 3), _cell(r["hand_ms"], 3),
            _cell(r["numba_ms"] / r["hand_ms"]), _cell(r["numpy_backend_ms"] / r["hand_ms"]),
            _cell(jax, 3) if jax is not None else "n/a", _cell(r["numba_ms"] / jax) if jax else "",
            _cell(r["compile_s"], 1), _cell(r["checks_us"], 1)]) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--only", default="", help="comma-separated problem keys")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of repeats per cell, at least one call")
    parser.add_argument("--no-jax", action="store_true")
    parser.add_argument("--max-vmap-bytes", type=float, default=2e9)
    parser.add_argument("--jax-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.jax_child:
        return jax_child(*json.loads(options.jax_child), options)
    labels = options.sizes.split(",")
    keys = options.only.split(",") if options.only else list(problems.BUILDERS)
    print(f"load average {os.getloadavg()[0]:.2f}\n" + markdown([]), flush=True)
    rows = []
    for key in keys:
        for kind in ("gradient", "hessian"):
            rows += measure(key, kind, labels, options)
    print(f"\nload average after {os.getloadavg()[0]:.2f}\n\n" + markdown(rows))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()

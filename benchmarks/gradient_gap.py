# ruff: noqa: N803, N806
"""Where the generated gradients lose to the hand-written NumPy formula (logistic regression, factorization).

Run from the repository root: ``python benchmarks/gradient_gap.py [--repeats R]``. The parent runs the
measurement twice, each in a fresh process: with the default OpenBLAS threads and with
``OPENBLAS_NUM_THREADS=1``. In each process:

- ``block``: 1 warm-up, then R calls of one function in a row; median ms;
- ``alternating``: gradient and Hessian called in turn, as a Newton loop does (generated gradient with
  the generated Hessian, hand-written gradient with the hand-written Hessian); median ms of the gradient;
- ``mixed``: the generated gradient alternating with the hand-written (NumPy) Hessian: Numba's BLAS
  (SciPy's OpenBLAS) and NumPy's OpenBLAS take turns;
- the gradient's steps timed alone (GEMV through Numba and through NumPy, the object-mode round trip
  of the generated sigmoid, NumPy's exp);
- the BLAS thread pools loaded in the process (``threadpoolctl``, when installed).
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

import sympy_einstein as se  # noqa: E402

os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time compiled kernels, not lambdify's NumPy tier

ROOT = Path(__file__).resolve().parent.parent


def block_ms(fn, args, repeats):
    fn(*args)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def alternating_ms(gradient, hessian, args, repeats):
    """Median ms of ``gradient`` when every call of it follows a call of ``hessian``."""
    gradient(*args), hessian(*args)
    times = []
    for _ in range(repeats):
        hessian(*args)
        start = time.perf_counter()
        gradient(*args)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def functions(key, size):
    problem = problems.build(key, size)
    g, H = se.gradient(problem.loss, problem.wrt), se.hessian(problem.loss, problem.wrt)
    numba_g, numba_H = se.lambdify(problem.args, g), se.lambdify(problem.args, H)
    numpy_g = se.lambdify(problem.args, g, backend="numpy")
    want = problem.gradient(*problem.data)
    for fn in (numba_g, numpy_g):
        np.testing.assert_allclose(fn(*problem.data), want, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(numba_H(*problem.data), problem.hessian(*problem.data), rtol=1e-8, atol=1e-10)
    return problem, numba_g, numba_H, numpy_g


def rows(repeats):
    found = []
    for key, size in (("logreg", 1000), ("factorization", 1000)):
        problem, numba_g, numba_H, numpy_g = functions(key, size)
        args, hand_g, hand_H = problem.data, problem.gradient, problem.hessian
        row = {"problem": problem.name,
               "numba block": block_ms(numba_g, args, repeats),
               "numba kernel block": block_ms(numba_g.kernel, _kernel_args(numba_g, args), repeats),
               "numpy backend block": block_ms(numpy_g, args, repeats),
               "hand block": block_ms(hand_g, args, repeats),
               "numba alternating": alternating_ms(numba_g, numba_H, args, repeats),
               "hand alternating": alternating_ms(hand_g, hand_H, args, repeats),
               "numba mixed (hand Hessian)": alternating_ms(numba_g, hand_H, args, repeats)}
        found.append(row)
    return found


def _kernel_args(fn, args):
    """The kernel's arguments as the checked wrapper passes them (arrays, then the sizes)."""
    module = fn.module if hasattr(fn, "module") else sys.modules[fn.__module__]  # a tiered function: its Numba module
    return module._bind_arguments(args, module._SIGNATURE_generated, module._SIZES_generated, "generated")


def steps(repeats):
    """The logistic-regression gradient's steps alone (X 2000 x 1000)."""
    import numba
    problem = problems.build("logreg", 1000)
    X, w, y = problem.data
    t = X @ w
    matvec = numba.njit(lambda X, w: X @ w)
    rmatvec = numba.njit(lambda X, t: X.T @ t)

    @numba.njit
    def objmode_sigmoid(t):
        with numba.objmode(u="float64[::1]"):
            u = np.ascontiguousarray(np.where(t >= 0.0, 1.0, np.exp(-np.abs(t))) / (1.0 + np.exp(-np.abs(t))))
        return u

    @numba.njit
    def objmode_empty(t):
        with numba.objmode(u="float64[::1]"):
            u = t
        return u

    return {"X @ w numba": block_ms(matvec, (X, w), repeats), "X @ w numpy": block_ms(lambda: X @ w, (), repeats),
            "X.T @ t numba": block_ms(rmatvec, (X, t), repeats),
            "X.T @ t numpy": block_ms(lambda: X.T @ t, (), repeats),
            "generated sigmoid in objmode (2 exp)": block_ms(objmode_sigmoid, (t,), repeats),
            "empty objmode round trip": block_ms(objmode_empty, (t,), repeats),
            "numpy 1/(1+exp(-t)) (1 exp)": block_ms(lambda: 1 / (1 + np.exp(-t)), (), repeats)}


def pools():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed"]
    return [f"{p['internal_api']} {p.get('version')} threads={p['num_threads']} {Path(p['filepath']).parent.name}/"
            f"{Path(p['filepath']).name}" for p in threadpool_info()]


def child(repeats):
    result = {"rows": rows(repeats), "steps": steps(repeats), "pools": pools()}
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options.repeats)
    print(f"load average {os.getloadavg()[0]:.2f}; medians in ms; repeats {options.repeats}")
    for threads in (None, "1"):
        env = dict(os.environ)
        env.pop("OPENBLAS_NUM_THREADS", None)
        if threads:
            env["OPENBLAS_NUM_THREADS"] = threads
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run([sys.executable, __file__, "--child", "--repeats", str(options.repeats)],
                              env=env, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n## OPENBLAS_NUM_THREADS={threads or 'unset (default)'}")
        columns = list(result["rows"][0])[1:]
        print("| problem | " + " | ".join(columns) + " | numba / hand block | numba / hand alternating |")
        print("|---" * (len(columns) + 3) + "|")
        for r in result["rows"]:
            ratios = [r["numba block"] / r["hand block"], r["numba alternating"] / r["hand alternating"]]
            print(f"| {r['problem']} | " + " | ".join(f"{r[c]:.3f}" for c in columns) + " | "
                  + " | ".join(f"{x:.2f}" for x in ratios) + " |")
        print("steps of the logistic-regression gradient (ms): "
              + "; ".join(f"{k} {v:.3f}" for k, v in result["steps"].items()))
        print("BLAS pools: " + "; ".join(result["pools"]))
    print(f"\nload average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

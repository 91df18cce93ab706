"""Where Numba's compile time goes for the test suite's corpus function (``tests/test_codegen.py``).

Run from the repository root: ``python benchmarks/compile_breakdown.py [--chunks N]``. In one fresh
process with an empty cache: ``se.lambdify`` of the whole corpus (the module-scoped fixture
``corpus_function`` that each pytest-xdist worker builds), one call on the test's data, and Numba's compile
events grouped as in ``first_result.py``; then the source's size and its slice assignments of arrays.
With ``--chunks N`` the corpus is split into N functions of consecutive expressions, each compiled and
called in turn (is a big kernel's compile superlinear in its size?). ``--micro`` instead compiles
one-line kernels, each in its own fresh process (what one construct costs Numba, start-up included).
"""
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time compiled kernels, not lambdify's NumPy tier

ROOT = Path(__file__).resolve().parent.parent


MICRO = {
    "np.empty only": "return np.empty((j,), a.dtype)",
    "slice += product": "a[:j, k:l] += b @ c\n    return a",
    "slice = array": "a[:j, k:l] = b\n    return a",
    "loop += product": "t = b @ c\n    for p in range(j):\n        for q in range(k, l):\n"
                       "            a[p, q] += t[p, q - k]\n    return a",
    "GEMV b[0] @ c[:, 0]": "return b[0] @ c[:, 0]",
    "GEMM b @ c": "return b @ c",
    "objmode tanh": "x = b[0]\n    with numba.objmode(u='float64[::1]'):\n        u = np.tanh(x)\n    return u",
}


def micro(name):
    """Compile and call one MICRO kernel in this process; print the seconds."""
    import numba
    import numpy as np
    namespace = {"np": np, "numba": numba}
    exec(f"def kernel(a, b, c, j, k, l):\n    {MICRO[name]}\n", namespace)  # our own fixed text
    compiled = numba.njit(namespace["kernel"])
    a, b, c = np.zeros((4, 4)), np.ones((4, 4)), np.ones((4, 4))
    start = time.perf_counter()
    compiled(a, b, c, 4, 0, 4)
    print(f"{time.perf_counter() - start:.2f}")


def micro_table():
    import subprocess
    print(f"load average {os.getloadavg()[0]:.2f}; first call of a one-line kernel in a fresh process, s")
    for name in MICRO:
        env = dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="se_micro_"))
        done = subprocess.run([sys.executable, __file__, "--micro-child", name], capture_output=True, text=True,
                              env=env, check=True)
        print(f"  {name:<22} {done.stdout.strip()}")


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=1)
    parser.add_argument("--micro", action="store_true")
    parser.add_argument("--micro-child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.micro_child:
        return micro(options.micro_child)
    if options.micro:
        return micro_table()
    chunks = options.chunks
    directory = tempfile.mkdtemp(prefix="se_compile_")
    os.environ["SYMPY_EINSTEIN_CACHE"], os.environ["NUMBA_CACHE_DIR"] = directory + "/se", directory + "/numba"
    sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]
    import numpy as np
    from first_result import _summary, compile_events, describe
    from numba.core import event

    import sympy_einstein as se
    from tests.test_codegen import ARGS, CORPUS, NAMES, random_arguments
    values = random_arguments(np.random.default_rng(0))
    lambdify_s = call_s = 0.0
    with event.install_recorder("numba:compile") as recorder:
        for part in range(chunks):
            names = NAMES[part * len(NAMES) // chunks:(part + 1) * len(NAMES) // chunks]
            start = time.perf_counter()
            fn = se.lambdify(ARGS, [CORPUS[name] for name in names])
            lambdify_s += time.perf_counter() - start
            start = time.perf_counter()
            fn(*(values[a] for a in ARGS))
            call_s += time.perf_counter() - start
    print(f"load average {os.getloadavg()[0]:.2f}; {len(NAMES)} expressions in {chunks} function(s); "
          f"lambdify {lambdify_s:.2f} s; first calls {call_s:.1f} s")
    functions = [{**describe(d), "inclusive_s": i, "exclusive_s": e, "needed_by": c}
                 for d, i, e, c in compile_events(recorder.buffer)]
    _summary(functions)
    kernel = fn.source[fn.source.index("_SIGNATURE_generated"):]
    slices = re.findall(r"^\s*\w+\[[^\]]*:[^\]]*\] [+\-*]?= .*$", kernel, flags=re.M)
    which = " (last function)" if chunks > 1 else ""
    print(f"generated code{which}: {kernel.count(chr(10))} lines, {len(slices)} slice assignments of arrays, "
          f"{kernel.count('numba.objmode')} objmode blocks")
    for line in slices[:10]:
        print("   ", line.strip())


if __name__ == "__main__":
    main()

"""Hessians of ``problems_more.py`` against the hand-written closed form, calls alternated (generated, hand,
generated, ...), medians: a steadier ratio on a busy machine than blocks of calls.

Run from the repository root with the package under test first on the path (``PYTHONPATH=<tree>``), so two
trees (before / after) can be compared in the same minutes with the same script:

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD python benchmarks/hessian_ab.py --only net3_W1,ovr_logreg

Prints one line per problem and size (``small``: ``problems_more.SMALL``, ``large``: ``LARGE``) with the
load average; the generated result is checked against the hand form first.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import problems_more as problems  # noqa: E402

import sympy_einstein as se  # noqa: E402

os.environ.setdefault("SYMPY_EINSTEIN_TIERED", "0")  # time the compiled kernel, not lambdify's NumPy tier


def alternated(generated, hand, data, repeats):
    """Median milliseconds of each, calls alternated."""
    times = {generated: [], hand: []}
    for _ in range(repeats):
        for fn in (generated, hand):
            start = time.perf_counter()
            fn(*data)
            times[fn].append(time.perf_counter() - start)
    return 1e3 * statistics.median(times[generated]), 1e3 * statistics.median(times[hand])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated keys of problems_more.BUILDERS")
    parser.add_argument("--sizes", default="large,small")
    parser.add_argument("--backend", default="numba")
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    tables = {"small": problems.SMALL, "large": problems.LARGE}
    for key in options.only.split(",") if options.only else list(problems.BUILDERS):
        tiny = problems.build(key, problems.TINY[key])
        fn = se.lambdify(tiny.args, se.hessian(tiny.loss, tiny.wrt), backend=options.backend)
        for label in options.sizes.split(","):
            problem = problems.build(key, tables[label][key])
            want = problem.hessian(*problem.data)
            np.testing.assert_allclose(fn(*problem.data), want, rtol=1e-7, atol=1e-7 * np.abs(want).max())
            generated, hand = alternated(fn, problem.hessian, problem.data, options.repeats)
            print(f"| {problem.name} | {generated:.3f} | {hand:.3f} | {generated / hand:.2f} | "
                  f"{os.getloadavg()[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()

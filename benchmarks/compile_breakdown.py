"""Where Numba's compile time goes for the test suite's corpus function (``tests/test_codegen.py``).

Run from the repository root: ``python benchmarks/compile_breakdown.py [--chunks N]``. In one fresh
process with an empty cache: ``se.lambdify`` of the whole corpus (the module-scoped fixture
``corpus_function`` that each pytest-xdist worker builds), one call on the test's data, and Numba's compile
events grouped as in ``first_result.py``; then the source's size and its slice assignments of arrays.
With ``--chunks N`` the corpus is split into N functions of consecutive expressions, each compiled and
called in turn (is a big kernel's compile superlinear in its size?).
"""
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=1)
    chunks = parser.parse_args().chunks
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

# ruff: noqa: N803, N806
"""Time to the first result: import, derive and compile the logistic loss's value, gradient and Hessian.

Run from the repository root: ``python benchmarks/first_result.py [--size M N] [--profile]``.

Each phase runs in a fresh Python process (the parent only starts them and prints the table):

- ``cold``: ``SYMPY_EINSTEIN_CACHE`` and ``NUMBA_CACHE_DIR`` point at a new empty directory; import,
  derive ``f, g = sp.diff(f, w), H = se.hessian(f, w)`` (the README's example), ``se.lambdify([X, w, y],
  [f, g, H])`` with the numba backend, and one call;
- ``warm``: the same in a second process on the directory the cold one filled (kernels on disk);
- ``numpy``: the cold phase with ``backend="numpy"`` (and whether Numba was imported at all);
- ``sync``: the cold phase with ``tiered=False`` (Numba compiles in the first call; the compile breakdown
  without a NumPy tier running beside it).

``cold`` and ``warm`` use ``lambdify``'s tiered start (the default): the NumPy kernel answers the first
call while a background thread imports Numba and compiles; ``fn.wait()`` then times the rest.
- ``jax`` (when JAX is installed): ``jax.jit`` of the loss, ``jax.grad`` and ``jax.hessian``, one call each.

The breakdown of the numba phases comes from Numba's own event API (``numba.core.event``: one
``numba:compile`` event per compiled function, nested when a kernel compiles a helper it calls), the
per-pass ``pipeline_times`` and the ``llvm_lock`` timer in each overload's metadata, and timers
wrapped around the on-disk cache (``Cache.load_overload`` / ``save_overload``) and around
``lambdify``'s three stages (program, source, module import). ``--profile`` also runs a cold phase
under cProfile and prints the functions with the largest cumulative time.
"""
import time

START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMES = defaultdict(float)


def timed(label, fn):
    """``fn`` wrapped so that its wall time is added to ``TIMES[label]``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            TIMES[label] += time.perf_counter() - start
    return wrapper


def stamp(label, since):
    now = time.perf_counter()
    TIMES[label] += now - since
    return now


def data(size):
    import numpy as np
    rng = np.random.default_rng(0)
    rows, cols = size
    return rng.normal(size=(rows, cols)) / np.sqrt(cols), rng.normal(size=cols), np.sign(rng.normal(size=rows))


def derive():
    import sympy as sp

    import sympy_einstein as se
    n, m = sp.symbols("n m", integer=True, positive=True)
    X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
    f = se.sum(se.softplus(-y * (X @ w)))
    return [X, w, y], [f, sp.diff(f, w), se.hessian(f, w)]


def instrument_lambdify(numba_too):
    """Time lambdify's stages (when today's code generator has them) and Numba's on-disk cache."""
    from sympy_einstein.codegen import lambdify as module
    for label, name in (("program", "build_program"), ("source", "module_source"), ("module import", "load_module")):
        if hasattr(module, name):
            setattr(module, name, timed(label, getattr(module, name)))
    if numba_too:
        from numba.core import caching
        caching.Cache.load_overload = timed("cache load", caching.Cache.load_overload)
        caching.Cache.save_overload = timed("cache save", caching.Cache.save_overload)


def compile_events(buffer):
    """Per compiled function: inclusive and exclusive seconds, kind, and the compile metadata."""
    stack, found = [], []
    for when, event in buffer:
        if event.is_start:
            stack.append([when, event.data, 0.0])
            continue
        began, details, children = stack.pop()
        inclusive = when - began
        if stack:
            stack[-1][2] += inclusive
        caller = _function(stack[1][1]) if len(stack) > 1 else _function(details) if stack else "(called)"
        found.append((details, inclusive, inclusive - children, caller))
    return found


def _function(details):
    py_func = getattr(details["dispatcher"], "py_func", None)
    module = getattr(py_func, "__module__", "?") or "?"
    module = "generated" if module.startswith("sympy_einstein_generated") else module
    return f"{module}.{getattr(py_func, '__qualname__', '?')}"


def describe(details):
    dispatcher = details["dispatcher"]
    kind = type(dispatcher).__name__
    name = _function(details)
    overload = dispatcher.overloads.get(tuple(details["args"]))
    metadata = getattr(overload, "metadata", None) or {}
    passes = defaultdict(float)
    for pipeline in metadata.get("pipeline_times", {}).values():
        for pass_name, timer in pipeline.items():
            passes[pass_name.split("_", 1)[-1] if pass_name[:1].isdigit() else pass_name] += (
                timer.init + timer.run + timer.finalize)
    typing = sum(t for p, t in passes.items() if "type_inference" in p or "typed" in p or "infer" in p)
    lowering = sum(t for p, t in passes.items() if "lowering" in p)
    llvm = metadata.get("timers", {}).get("llvm_lock", 0.0)
    return {"function": name, "kind": "objmode block" if "Lifted" in kind else kind, "typing_s": typing,
            "lowering_s": lowering, "llvm_lock_s": llvm, "passes_s": sum(passes.values())}


def child(phase, size):
    """One phase in this (fresh) process; prints a JSON line."""
    since = START
    import numpy  # noqa: F401
    since = stamp("import numpy", since)
    if phase == "jax":
        return jax_child(since, size)
    import sympy  # noqa: F401
    since = stamp("import sympy", since)
    if phase == "sync":
        import numba  # noqa: F401
        since = stamp("import numba", since)
        import scipy.linalg.cython_blas  # noqa: F401  (Numba's BLAS comes from SciPy)
        since = stamp("import scipy", since)
    import sympy_einstein as se
    since = stamp("import sympy_einstein", since)
    args, exprs = derive()
    since = stamp("derive (diff, hessian, simplify)", since)
    arrays = data(size)
    instrument_lambdify(phase == "sync")
    since = time.perf_counter()
    backend = "numpy" if phase == "numpy" else "numba"
    fn = se.lambdify(args, exprs, backend=backend, **({"tiered": False} if phase == "sync" else {}))
    since = stamp("lambdify", since)
    if phase != "sync":
        fn(*arrays)
        since = stamp("first call (numpy kernel)" if phase != "numpy" else "first call", since)
        TIMES["= first result, process start to answer"] = time.perf_counter() - START
        if phase == "numpy":
            return {"times": dict(TIMES), "numba imported": "numba" in sys.modules, "functions": []}
        instrument_lambdify(True)
    from numba.core import event
    with event.install_recorder("numba:compile") as recorder:
        if phase == "sync":
            fn(*arrays)
            TIMES["= first result, process start to answer"] = time.perf_counter() - START
        else:
            fn.wait()
    stamp("first call (compiling)" if phase == "sync" else "background Numba ready after the first result", since)
    functions = []
    for details, inclusive, exclusive, caller in compile_events(recorder.buffer):
        functions.append({**describe(details), "inclusive_s": inclusive, "exclusive_s": exclusive,
                          "needed_by": caller})
    return {"times": dict(TIMES), "numba imported": True, "functions": functions}


def jax_child(since, size):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    since = stamp("import jax", since)

    def loss(X, w, y):
        return jnp.sum(jnp.logaddexp(0.0, -y * (X @ w)))

    arrays = [jnp.asarray(a) for a in data(size)]
    since = time.perf_counter()  # the random data is not counted
    for transform in (lambda f: f, lambda f: jax.grad(f, argnums=1), lambda f: jax.hessian(f, argnums=1)):
        jax.jit(transform(loss))(*arrays).block_until_ready()
    stamp("jit + first call (value, grad, hessian)", since)
    return {"times": dict(TIMES), "numba imported": "numba" in sys.modules, "functions": []}


def run_phase(phase, cache, size, profile=False):
    env = dict(os.environ, SYMPY_EINSTEIN_CACHE=str(cache / "se"), NUMBA_CACHE_DIR=str(cache / "numba"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable] + (["-m", "cProfile", "-s", "cumulative"] if profile else [])
    command += [__file__, "--child", phase, "--size", *map(str, size)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"phase {phase} failed:\n{done.stderr}")
    if profile:
        return done.stdout
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def report(phase, result, verbose=False):
    times = result["times"]
    inside = sum(t for k, t in times.items() if k not in ("program", "source", "module import", "cache load",
                                                             "cache save"))
    print(f"\n## {phase}: {result['wall_s']:.2f} s wall (process start to exit; "
          f"{inside:.2f} s measured inside, the rest is interpreter start-up and exit)")
    for label, seconds in times.items():
        indent = "    " if label in ("program", "source", "module import", "cache load", "cache save") else "  "
        print(f"{indent}{label:<44} {seconds:7.3f} s" if seconds >= 0.01 else f"{indent}{label:<44} "
              f"{1e3 * seconds:7.3f} ms")
    if phase == "numpy":
        print(f"  numba imported: {result['numba imported']}")
    if "calls meanwhile" in result:
        print(f"  numpy calls answered while Numba compiled: {result['calls meanwhile']}")
    functions = result["functions"]
    if functions and verbose:
        print("  compiled functions (numba:compile events; inclusive = with the helpers they compiled):")
        print(f"    {'function':<22} {'kind':<22} {'inclusive':>9} {'exclusive':>9} {'typing':>7} "
              f"{'lowering':>8} {'llvm lock':>9}")
        for f in functions:
            print(f"    {f['function']:<22} {f['kind']:<22} {f['inclusive_s']:9.3f} {f['exclusive_s']:9.3f} "
                  f"{f['typing_s']:7.3f} {f['lowering_s']:8.3f} {f['llvm_lock_s']:9.3f}")
    if functions:
        _summary(functions)


def _summary(functions):
    """Exclusive compile seconds grouped by what was compiled and by which library function needed it."""
    groups, needs = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0]), defaultdict(lambda: [0, 0.0])
    for f in functions:
        group = "objmode block" if f["kind"] == "objmode block" else f["function"] if f["function"].startswith(
            "generated") else f["function"].rsplit(".", 1)[0] + ".*"
        entry = groups[group]
        entry[0] += 1
        for k, key in enumerate(("exclusive_s", "typing_s", "lowering_s", "llvm_lock_s"), 1):
            entry[k] += f[key]
        if not f["function"].startswith("generated") and f["kind"] != "objmode block":
            needs[f["needed_by"]][0] += 1
            needs[f["needed_by"]][1] += f["exclusive_s"]
    print(f"  compiles by group ({len(functions)} numba:compile events; exclusive s = without nested compiles;"
          " typing/lowering from pipeline_times, llvm lock from the overload's timers):")
    print(f"    {'group':<52} {'n':>3} {'exclusive':>9} {'typing':>7} {'lowering':>8} {'llvm lock':>9}")
    for group, (count, exclusive, typing, lowering, llvm) in sorted(groups.items(), key=lambda g: -g[1][1]):
        print(f"    {group[:52]:<52} {count:3d} {exclusive:9.3f} {typing:7.3f} {lowering:8.3f} {llvm:9.3f}")
    print("  numba-library compiles by the top-level function that needed them (count, exclusive s):")
    for caller, (count, seconds) in sorted(needs.items(), key=lambda g: -g[1][1]):
        print(f"    {caller[:60]:<60} {count:3d} {seconds:7.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, nargs=2, default=(200, 50), help="rows and columns of X")
    parser.add_argument("--profile", action="store_true", help="also a cold phase under cProfile")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child, options.size)))
        return
    print(f"logistic loss value, gradient and Hessian; X {options.size[0]} x {options.size[1]}; "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="se_first_") as directory:
        cache = Path(directory)
        report("cold (empty cache)", run_phase("cold", cache, options.size))
        report("warm (same cache, new process)", run_phase("warm", cache, options.size))
    for phase in ("numpy", "sync"):
        with tempfile.TemporaryDirectory(prefix="se_first_") as directory:
            report(phase, run_phase(phase, Path(directory), options.size))
    try:
        import importlib.util
        if importlib.util.find_spec("jax"):
            with tempfile.TemporaryDirectory(prefix="se_first_") as directory:
                report("jax", run_phase("jax", Path(directory), options.size))
    except ImportError:
        pass
    if options.profile:
        with tempfile.TemporaryDirectory(prefix="se_first_") as directory:
            text = run_phase("cold", Path(directory), options.size, profile=True)
        lines = text.splitlines()[1:]  # the child's JSON line first, then cProfile's listing
        print("\n## cold under cProfile (top of the cumulative list)\n" + "\n".join(lines[:60]))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

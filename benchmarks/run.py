"""One table of every benchmark problem: generated code against the hand-written NumPy formula, before and after.

Run from the repository root (``--quick`` for a smoke test; ``--help`` for the options):

    OPENBLAS_NUM_THREADS=1 python benchmarks/run.py --before 7669784^1 --jax

Problems: every problem of ``codegen_problems.py`` and ``problems_more.py``; for each, its gradient and
Hessian (``se.gradient`` / ``se.hessian``), derived and compiled once (``se.lambdify`` + a first call on
tiny data) and called at two sizes (``small``: n around 100; ``large``: the sizes of the issues' numbers).

Each side (the package at ``--package``, default this checkout; with ``--before``, also an older one: a
git ref, whose ``sympy_einstein/`` is extracted with ``git archive``, or a checkout's path) is measured in
one fresh process of its own, with the package first on ``sys.path``, a fresh compile cache and
``SYMPY_EINSTEIN_TIERED=0``. In that process, per problem, derivative and size: the generated function's
result is checked against the hand-written closed form (``measure.check``), then the two are called in
turn (``measure.interleaved_ms``: a warm-up round, then up to ``--repeats`` rounds within ``--budget``
seconds, at least 5), and the ratio of their medians is reported. A problem the package cannot derive,
compile or get right is a row with its error, not the end of the run. With ``--jax``, JAX's
``jit(grad)`` / ``jit(hessian)`` (float64) runs in a process of its own per problem, checked and
interleaved with the hand formula the same way (Hessians whose basis-vector batch would need more than
``--max-vmap-bytes`` are skipped). ``uptime`` is recorded before and after each side; the commit,
versions and BLAS thread pools of each side go to the JSON file (``benchmarks/results/one_table.json``,
``one_table_quick.json`` with ``--quick``, or ``--out``), and a markdown table is printed.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from measure import blas_pools, check, has, interleaved_ms, jax_derivative, uptime, versions  # noqa: E402

KINDS = ("gradient", "hessian")
SETS = ("codegen_problems", "problems_more")


def problem_sets() -> dict:
    """``{module name: module}``; imports ``sympy_einstein`` from the front of ``sys.path``."""
    import importlib
    return {name: importlib.import_module(name) for name in SETS}


def sizes(module, label):
    return {"tiny": module.TINY, "small": module.SMALL, "large": module.LARGE}[label]


def selected(options):
    """``(module name, module, key)`` of every problem to measure, in table order."""
    sets = problem_sets()
    only = set(options.only.split(",")) if options.only else None
    unknown = (only or set()) - {key for module in sets.values() for key in module.BUILDERS}
    if unknown:
        raise SystemExit(f"unknown problem keys {sorted(unknown)}; known: "
                         + ", ".join(key for module in sets.values() for key in module.BUILDERS))
    return [(name, module, key) for name, module in sets.items() for key in module.BUILDERS
            if only is None or key in only]


# -- one side, in its own process ---------------------------------------------------------------------------

def compiled(module, key, kind, backend):
    """The generated function of one derivative, and the seconds spent deriving and compiling it."""
    import sympy_einstein as se
    tiny = module.build(key, module.TINY[key])
    start = time.perf_counter()
    expr = (se.gradient if kind == "gradient" else se.hessian)(tiny.loss, tiny.wrt)
    derived = time.perf_counter()
    fn = se.lambdify(tiny.args, expr, backend=backend)
    fn(*tiny.data)
    return fn, {"derive_s": derived - start, "compile_s": time.perf_counter() - derived}


def _error(error) -> str:
    return f"{type(error).__name__}: {str(error).strip()[:300]}"


def measure_row(fn, problem, kind, options) -> dict:
    """Check, then time the generated ``fn`` and the hand formula in turn on the problem's data."""
    hand = getattr(problem, kind)
    check(fn(*problem.data), hand(*problem.data), options.backend)
    generated, by_hand = interleaved_ms([fn, hand], problem.data, options.repeats, options.budget,
                                        least=min(5, options.repeats))
    row = {"generated_ms": statistics.median(generated), "hand_ms": statistics.median(by_hand),
           "generated_min_ms": min(generated), "hand_min_ms": min(by_hand), "rounds": len(generated)}
    row["ratio"] = row["generated_ms"] / row["hand_ms"]
    return row


def size_row(module, key, kind, label, fn, options) -> dict:
    """One row: the problem at size ``label``, measured (or the error that stopped it)."""
    problem = module.build(key, sizes(module, label)[key])
    row = {"key": key, "problem": problem.name, "kind": kind, "size": label}
    if fn is not None:
        try:
            row.update(measure_row(fn, problem, kind, options))
        except Exception as error:
            row["error"] = _error(error)
    print(f"  {row['problem']} {kind}: " + (f"{row['ratio']:.2f}" if "ratio" in row else
                                            f"failed {row.get('error', 'to compile')}"), flush=True)
    return row


def side_rows(options) -> list:
    rows = []
    for name, module, key in selected(options):
        for kind in KINDS:
            try:
                fn, cost = compiled(module, key, kind, options.backend)
            except Exception as error:  # an older package may lack a function: its rows say so
                fn, cost = None, {"error": _error(error)}
            for label in options.sizes.split(","):
                rows.append({"set": name, **cost, **size_row(module, key, kind, label, fn, options)})
    return rows


def child(options) -> None:
    sys.path.insert(0, str(Path(options.package).resolve()))
    import sympy_einstein as se
    side = {"package_file": se.__file__, "backend": options.backend,
            "versions": versions("numpy", "scipy", "numba", "sympy"), "rows": side_rows(options),
            "blas_pools": blas_pools()}
    Path(options.child).write_text(json.dumps(side, indent=1))


# -- JAX, one process per problem ---------------------------------------------------------------------------

def jax_row(problem, kind, options) -> dict:
    """JAX's derivative checked, then called in turn with the hand formula (medians, ms)."""
    fn, data = jax_derivative(problem, kind)
    hand = getattr(problem, kind)
    check(fn(*data), hand(*problem.data), "jax")
    jax_times, hand_times = interleaved_ms([lambda: fn(*data).block_until_ready(), lambda: hand(*problem.data)], (),
                                           options.repeats, options.budget, least=min(5, options.repeats))
    return {"jax_ms": statistics.median(jax_times), "hand_ms": statistics.median(hand_times)}


def jax_child(options) -> None:
    module_name, key = options.jax_child.split(":")
    module = problem_sets()[module_name]
    rows = []
    for kind in KINDS:
        for label in options.sizes.split(","):
            problem = module.build(key, sizes(module, label)[key])
            row = {"key": key, "kind": kind, "size": label}
            if kind == "hessian" and problem.vmapped_bytes() > options.max_vmap_bytes:
                row["skipped"] = "memory"
            else:
                row.update(jax_row(problem, kind, options))
            rows.append(row)
    Path(options.child).write_text(json.dumps({"rows": rows, "versions": versions("jax", "jaxlib")}))


# -- the parent: sides, JAX, table --------------------------------------------------------------------------

def git(path, *args) -> str | None:
    done = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def package_of(spec, scratch) -> tuple:
    """``(directory holding sympy_einstein/, description)`` of a checkout's path or a git ref of this repository."""
    path = Path(spec)
    if (path / "sympy_einstein").is_dir():
        commit = git(path, "rev-parse", "HEAD")
        dirty = bool(git(path, "status", "--porcelain", "--", "sympy_einstein")) if commit else None
        return path.resolve(), {"package": str(path.resolve()), "commit": commit, "uncommitted_changes": dirty}
    commit = git(ROOT, "rev-parse", "--verify", f"{spec}^{{commit}}")
    if commit is None:
        raise SystemExit(f"{spec!r} is neither a directory holding sympy_einstein/ nor a git ref of {ROOT}")
    target = Path(scratch) / commit[:12]
    target.mkdir()
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", commit, "sympy_einstein"], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait():
        raise SystemExit(f"git archive {commit} failed")
    return target, {"package": f"git archive {commit} ({spec})", "commit": commit, "uncommitted_changes": False}


def shared_args(options) -> list:
    return ["--sizes", options.sizes, "--only", options.only, "--repeats", str(options.repeats),
            "--budget", str(options.budget), "--backend", options.backend,
            "--max-vmap-bytes", str(options.max_vmap_bytes)]


def child_env(package, cache=None) -> dict:
    env = dict(os.environ, SYMPY_EINSTEIN_TIERED="0")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), os.environ.get("PYTHONPATH")]))
    if cache:
        env["SYMPY_EINSTEIN_CACHE"] = cache
    return env


def run_side(label, spec, options, scratch) -> dict:
    package, side = package_of(spec, scratch)
    print(f"## {label}: {side['package']} (commit {side['commit']})", flush=True)
    out, cache = Path(scratch) / f"{label}.json", tempfile.mkdtemp(prefix="cache_", dir=scratch)
    side["uptime_before"] = uptime()
    subprocess.run([sys.executable, __file__, "--child", str(out), "--package", str(package), *shared_args(options)],
                   env=child_env(package, cache), check=True)
    side["uptime_after"] = uptime()
    return {**side, **json.loads(out.read_text())}


def run_jax(options, scratch) -> dict:
    """JAX rows of every selected problem, each problem in a process of its own (nothing when it fails)."""
    found = {"uptime_before": uptime(), "rows": [], "failed": []}
    for name, _, key in selected(options):
        out = Path(scratch) / f"jax_{key}.json"
        done = subprocess.run([sys.executable, __file__, "--jax-child", f"{name}:{key}", "--child", str(out),
                               *shared_args(options)], env=child_env(options.package), capture_output=True, text=True)
        if done.returncode:
            found["failed"].append({"key": key, "stderr": done.stderr.strip()[-500:]})
            print(f"  JAX failed on {key}: {done.stderr.strip()[-200:]}", file=sys.stderr, flush=True)
            continue
        result = json.loads(out.read_text())
        found["rows"] += result["rows"]
        found["versions"] = result["versions"]
        print(f"  JAX {key}: done", flush=True)
    found["uptime_after"] = uptime()
    return found


def _ratio_cells(row, digits=3) -> list:
    if row is None:
        return ["", "", ""]
    if "ratio" not in row:
        return ["failed", "", row["error"].split(":")[0]]
    return [f"{row['generated_ms']:.{digits}f}", f"{row['hand_ms']:.{digits}f}", f"{row['ratio']:.2f}"]


def _key(row) -> tuple:
    return row["key"], row["kind"], row["size"]


def _jax_cells(row, found) -> list:
    if "jax_ms" not in found:
        return ["skipped (memory)" if found.get("skipped") else "", ""]
    return [f"{found['jax_ms']:.3f}", f"{row['generated_ms'] / found['jax_ms']:.2f}" if "ratio" in row else ""]


def table(result) -> str:
    """The markdown table: per row the problem, derivative, size; per side the generated and hand medians and
    their ratio; JAX's median and the last side's ratio to it."""
    names = list(result["sides"])
    backend = result["sides"][names[-1]]["backend"]
    by_side = {name: {_key(r): r for r in side["rows"]} for name, side in result["sides"].items()}
    jax = {_key(r): r for r in (result.get("jax") or {}).get("rows", [])}
    prefix = [f"{name} " if len(names) > 1 else "" for name in names]
    head = ["problem", "derivative", "size"]
    for p in prefix:
        head += [f"{p}{backend} ms", f"{p}hand ms", f"{p}{backend} / hand"]
    head += ["jax ms", f"{prefix[-1]}{backend} / jax"] if jax else []
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|" + "---:|" * (len(head) - 3)]
    for key, last in by_side[names[-1]].items():
        cells = [last["problem"], last["kind"], last["size"]]
        for name in names:
            cells += _ratio_cells(by_side[name].get(key))
        if jax:
            cells += _jax_cells(last, jax.get(key, {}))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(result) -> str:
    """What ran where, and the machine's load: the lines above the table."""
    lines = [f"Command: `{result['command']}` (OPENBLAS_NUM_THREADS={result['OPENBLAS_NUM_THREADS']}, "
             f"{result['cpus']} CPUs), {result['started']} to {result['finished']}.",
             f"- `uptime` at the start: `{result['uptime_before']}`; at the end: `{result['uptime_after']}`"]
    for name, side in result["sides"].items():
        v = side["versions"]
        lines.append(f"- {name}: {side['package']}, commit {side['commit']}"
                     + (" with uncommitted changes" if side["uncommitted_changes"] else "")
                     + f"; numpy {v.get('numpy')}, numba {v.get('numba')}, backend {side['backend']}; `uptime` "
                     f"before `{side['uptime_before']}`, after `{side['uptime_after']}`")
    jax = result.get("jax")
    if jax and "rows" in jax:
        lines.append(f"- JAX {jax.get('versions', {}).get('jax')} (own process per problem): `uptime` before "
                     f"`{jax['uptime_before']}`, after `{jax['uptime_after']}`"
                     + (f"; failed: {', '.join(f['key'] for f in jax['failed'])}" if jax["failed"] else ""))
    return "\n".join(lines)


def write_readme(text, readme=HERE / "README.md") -> None:
    """Put ``text`` between the one-table markers of benchmarks/README.md (the rest of the file is kept)."""
    start, end = "<!-- one-table:start -->", "<!-- one-table:end -->"
    old = readme.read_text()
    if start not in old or end not in old:
        raise SystemExit(f"{readme} has no {start} ... {end} section")
    head, rest = old.split(start, 1)
    readme.write_text(f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def parse(argv):
    parser = argparse.ArgumentParser(description="Generated code vs the hand-written formula, before and after.")
    parser.add_argument("--package", default=str(ROOT), help="checkout whose sympy_einstein/ is measured")
    parser.add_argument("--before", help="also measure this git ref or checkout path, as the side 'before'")
    parser.add_argument("--label", default="after", help="the name of the --package side")
    parser.add_argument("--sizes", help="comma-separated, of tiny, small, large (default small,large)")
    parser.add_argument("--only", default="", help="comma-separated problem keys (xax, logreg, poisson, ...)")
    parser.add_argument("--repeats", type=int, help="most rounds per row (default 41)")
    parser.add_argument("--budget", type=float, help="seconds of rounds per row, at least 5 rounds (default 3)")
    parser.add_argument("--backend", default="numba", choices=("numba", "numpy"))
    parser.add_argument("--jax", action="store_true", help="JAX jit(grad)/jit(hessian), a process per problem")
    parser.add_argument("--max-vmap-bytes", type=float, default=2e9, help="skip larger JAX Hessians")
    parser.add_argument("--quick", action="store_true", help="smoke test: small sizes, 3 rounds")
    parser.add_argument("--out", help="the JSON file (default benchmarks/results/one_table[_quick].json)")
    parser.add_argument("--render", help="measure nothing: print the table of this JSON file of an earlier run")
    parser.add_argument("--readme", action="store_true", help="also write the table into benchmarks/README.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--jax-child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    quick = options.quick
    options.sizes = options.sizes or ("small" if quick else "small,large")
    options.repeats = options.repeats or (3 if quick else 41)
    options.budget = options.budget if options.budget is not None else (0.2 if quick else 3.0)
    return options


def main(argv=None) -> dict | None:
    options = parse(argv)
    if options.jax_child:
        return jax_child(options)
    if options.child:
        return child(options)
    if options.render:
        return report(json.loads(Path(options.render).read_text()), options)
    sys.path.insert(0, str(Path(options.package).resolve()))  # the problem modules import sympy_einstein
    out = Path(options.out) if options.out else HERE / "results" / f"one_table{'_quick' if options.quick else ''}.json"
    import shlex
    result = {"command": shlex.join(["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
              "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"), "cpus": os.cpu_count(),
              "started": now(), "uptime_before": uptime(),
              "options": {k: getattr(options, k) for k in ("sizes", "only", "repeats", "budget", "backend")}}
    with tempfile.TemporaryDirectory(prefix="se_run_") as scratch:
        result["sides"] = {}
        if options.before:
            result["sides"]["before"] = run_side("before", options.before, options, scratch)
        result["sides"][options.label] = run_side(options.label, options.package, options, scratch)
        if options.jax:
            result["jax"] = run_jax(options, scratch) if has("jax") else {"unavailable": "jax is not installed"}
    result.update(uptime_after=uptime(), finished=now())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwrote {out}")
    return report(result, options)


def report(result, options) -> dict:
    text = f"{summary(result)}\n\n{table(result)}"
    print(f"\n{text}")
    if options.readme:
        write_readme(text)
    return result


if __name__ == "__main__":
    main()

"""The ``--minimize`` option of the command line: read data and bounds, solve, print a summary, save.

``cli.py`` adds the options with :func:`add_arguments` and hands over to :func:`run` when ``--minimize``
is given. See ``docs/cli.md``.

>>> parse_bounds(["w=0:", "v=:1.5", "-1:1"], ["w", "v", "u"])
{'w': (0.0, None), 'v': (None, 1.5), 'u': (-1.0, 1.0)}
"""
from __future__ import annotations

import pathlib
import time

import numpy as np

from ..errors import EinsteinError

CONFLICTS = ("code", "check", "bench")


class MinimizeUsageError(EinsteinError):
    """A ``--minimize`` option that cannot be used (bad bounds, unreadable data file, conflicting options).

    >>> parse_bounds(["w=1"], ["w"])
    Traceback (most recent call last):
    ...
    sympy_einstein.optimize.command.MinimizeUsageError: --bounds w=1: expected [NAME=]LOWER:UPPER, e.g. w=0: or 0:1
    """


def add_arguments(parser) -> None:
    """Add ``--minimize`` and the options that go with it to the ``argparse`` parser."""
    group = parser.add_argument_group("minimize (see docs/optimize.md)")
    group.add_argument("--minimize", default=None, metavar="NAME[,NAME...]",
                       help="minimize the formula over these variables and save the solution")
    group.add_argument("--data", default=None, metavar="FILE.npz", help="arrays of the other symbols, by name")
    group.add_argument("--x0", default=None, metavar="FILE.npz", help="starting values of the variables, by name")
    group.add_argument("--bounds", action="append", default=[], metavar="[NAME=]LOWER:UPPER",
                       help="bounds of a variable (either side may be empty); repeatable")
    group.add_argument("--eq", action="append", default=[], metavar="EXPR", help="constraint EXPR == 0; repeatable")
    group.add_argument("--ineq", action="append", default=[], metavar="EXPR", help="constraint EXPR >= 0; repeatable")
    group.add_argument("--method", default=None, help="solver (default L-BFGS-B, SLSQP with constraints)")
    group.add_argument("--solver-tol", type=float, default=None, metavar="T", help="tolerance of the solver")
    group.add_argument("--max-iter", type=int, default=None, metavar="N", help="most iterations of the solver")
    group.add_argument("--backend", choices=("numba", "numpy"), default="numba", help="generated code (default numba)")
    group.add_argument("--solution", default="solution.npz", metavar="FILE.npz",
                       help="where to save the solution (default solution.npz)")


def _number(text: str, option: str):
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise MinimizeUsageError(f"--bounds {option}: {text!r} is not a number") from None


def parse_bounds(items, names) -> dict:
    """``{name: (lower, upper)}`` from ``--bounds`` values; without ``NAME=`` a bound applies to every
    variable not named elsewhere."""
    bounds, default = {}, None
    for item in items:
        name, equals, pair = item.rpartition("=") if "=" in item else ("", "", item)
        lower, colon, upper = pair.partition(":")
        if not colon or (equals and not name.strip()):
            raise MinimizeUsageError(f"--bounds {item}: expected [NAME=]LOWER:UPPER, e.g. w=0: or 0:1")
        pair = (_number(lower, item), _number(upper, item))
        if not equals:
            default = pair
        elif name.strip() not in names:
            raise MinimizeUsageError(f"--bounds {item}: {name.strip()} is not a variable of --minimize "
                                     f"({', '.join(names)})")
        else:
            bounds[name.strip()] = pair
    return {name: bounds.get(name, default) for name in names if name in bounds or default is not None}


def load_arrays(path, option: str) -> dict:
    """The arrays of an ``.npz`` file by name."""
    if path is None:
        return {}
    try:
        with np.load(pathlib.Path(path), allow_pickle=False) as archive:
            if not hasattr(archive, "files"):
                raise ValueError("not an .npz archive")
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise MinimizeUsageError(f"{option} {path}: cannot read it as an .npz file ({error})") from None


def max_iterations(method, count):
    """The solver option limiting the iterations: genosolver's ``max_iter`` or SciPy's ``maxiter``.

    >>> max_iterations("genosolver", 50), max_iterations(None, 50), max_iterations("SLSQP", None)
    ({'max_iter': 50}, {'maxiter': 50}, None)
    """
    if count is None:
        return None
    return {"max_iter": count} if str(method).lower() == "genosolver" else {"maxiter": count}


def run(options, out) -> int:
    """Solve as the options say, print the summary to ``out``, save the solution; 0 on success, else 1."""
    from . import minimize
    for name in CONFLICTS:
        if getattr(options, name, None):
            raise MinimizeUsageError(f"--minimize cannot be combined with --{name}")
    names = [n.strip() for n in options.minimize.split(",") if n.strip()]
    if not names:
        raise MinimizeUsageError("--minimize needs the name of at least one variable")
    constraints = ([{"type": "eq", "fun": e} for e in options.eq] + [{"type": "ineq", "fun": e} for e in options.ineq])
    data, starts = load_arrays(options.data, "--data"), load_arrays(options.x0, "--x0")
    if options.max_iter is not None and options.max_iter < 1:
        raise MinimizeUsageError(f"--max-iter must be positive, not {options.max_iter}")
    if options.solver_tol is not None and not options.solver_tol > 0:
        raise MinimizeUsageError(f"--solver-tol must be positive, not {options.solver_tol}")
    start = time.perf_counter()
    result = minimize(options.formula, names, data, x0=starts or None, method=options.method,
                      bounds=parse_bounds(options.bounds, names) or None, constraints=constraints or None,
                      tol=options.solver_tol, backend=options.backend, declarations=options.declare,
                      options=max_iterations(options.method, options.max_iter))
    seconds = time.perf_counter() - start
    np.savez(options.solution, **{name: result.variables[name] for name in names})
    print(summary(result, names, seconds, options.solution), file=out)
    return 0 if result.success else 1


def summary(result, names, seconds: float, path) -> str:
    """The lines printed after a solve."""
    lines = [f"method: {result.method}",
             f"status: {'success' if result.success else 'failure'} ({result.message})",
             f"objective: {result.fun:.12g}",
             f"iterations: {result.get('nit', 'n/a')}, evaluations: {result.evaluations}",
             f"time: {seconds:.3f} s (derivation and compilation included)"]
    for name in names:
        value = result.variables[name]
        lines.append(f"{name}: shape {value.shape}, min {value.min():.6g}, max {value.max():.6g}, "
                     f"norm {np.linalg.norm(value):.6g}")
    lines.append(f"solution written to {path}")
    return "\n".join(lines)

# ruff: noqa: N803, N806 -- matrices keep their mathematical capital names (A, X, T, U, V, H)
"""se.minimize against hand-written SciPy, JAX + SciPy and scikit-learn on four problems (issue 14).

Problems (same data, same start, same tolerance for every solver):
  logreg  l2-regularized logistic regression, X 2000 x 1000
  lasso   l1-regularized least squares as a bound-split w = u - v (u, v >= 0), A 500 x 1000
  nmf     non-negative matrix factorization ||T - U V'||^2 (U, V >= 0), T 300 x 200, k = 10
  simplex least squares on the simplex (sum(w) = 1, w >= 0), A 400 x 200

Columns: sympy_einstein from Python (numba; wall time of a second solve, the compiled code reused, and
of the first one with derivation and compilation), from the command line (the whole process), with
genosolver when installed, SciPy with hand-written NumPy gradients, JAX (jax.value_and_grad, jitted) +
SciPy in its own process when installed, scikit-learn where it has the problem. "rel" is the relative
difference of the final objective from the hand-written SciPy run.

  python benchmarks/bench_minimize.py [--only logreg,nmf] [--quick] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.optimize
import scipy.special

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOL, MAXITER = 1e-12, 50000
# genosolver's tolerances measure other things (projected-gradient norm, constraint violation); below
# eps_pg ~ 1e-8 its line search fails on these problems and a solve takes minutes (measured)
GENO_OPTIONS = {"eps_pg": 1e-6, "constraint_tol": 1e-9, "max_iter": MAXITER}
SIZES = {"logreg": (2000, 1000), "lasso": (500, 1000), "nmf": (300, 200, 10), "simplex": (400, 200)}
QUICK = {"logreg": (200, 100), "lasso": (50, 100), "nmf": (30, 20, 3), "simplex": (40, 20)}


class Problem:
    """Data, formula, variables, bounds and constraints of one benchmark problem, and its hand-written
    objective and gradient (on the flat vector, variables in order)."""

    def __init__(self, key, size):
        rng = np.random.default_rng(14)
        self.key, self.bounds, self.eq, self.method, self.tol = key, {}, [], "L-BFGS-B", TOL
        getattr(self, "_" + key)(rng, *size)
        self.shapes = [self.x0[v].shape for v in self.variables]

    def _logreg(self, rng, m, n):
        X = rng.normal(size=(m, n)) / np.sqrt(n)
        y = np.sign(X @ rng.normal(size=n) + 0.5 * rng.normal(size=m))
        self.data, self.variables = {"X": X, "y": y, "lam": 1.0}, ["w"]
        self.formula = "sum(log(exp(-y.*(X*w)) + vector(1))) + lam/2*(w'*w)"
        self.x0 = {"w": np.zeros(n)}

    def _lasso(self, rng, m, n):
        A = rng.normal(size=(m, n))
        truth = np.where(rng.random(n) < 0.05, rng.normal(size=n), 0.0)
        self.data, self.lam = {"A": A, "b": A @ truth + 0.1 * rng.normal(size=m)}, 20.0
        self.variables, self.bounds = ["u", "v"], {"u": (0, None), "v": (0, None)}
        # lam as a number in the formula: the numba backend fails on order-0 data times a sum (reported)
        self.formula = f"norm2(A*(u - v) - b)^2 + {self.lam:g}*sum(u + v)"
        self.x0 = {"u": np.zeros(n), "v": np.zeros(n)}

    def _nmf(self, rng, m, n, k):
        T = rng.random((m, k)) @ rng.random((k, n)) + 0.1 * rng.random((m, n))
        self.data, self.variables = {"T": T}, ["U", "V"]
        self.bounds = {"U": (0, None), "V": (0, None)}
        self.formula = "sum((T - U*V').^2)"
        self.x0 = {"U": rng.random((m, k)), "V": rng.random((n, k))}

    def _simplex(self, rng, m, n):
        A = rng.normal(size=(m, n))
        self.data, self.variables = {"A": A, "b": A @ rng.dirichlet(np.ones(n) * 0.1) + 0.1 * rng.normal(size=m)}, ["w"]
        # SLSQP stops at tol 1e-12 with "Positive directional derivative for linesearch" (success False),
        # at 1e-10 it converges; the objectives agree either way (measured)
        self.bounds, self.eq, self.method, self.tol = {"w": (0, None)}, ["sum(w) - 1"], "SLSQP", 1e-10
        self.formula = "norm2(A*w - b)^2"
        self.x0 = {"w": np.full(n, 1.0 / n)}

    def flat(self, values):
        return np.concatenate([np.ravel(values[v]) for v in self.variables])

    def split(self, x):
        parts, start = {}, 0
        for v, shape in zip(self.variables, self.shapes):
            size = int(np.prod(shape))
            parts[v], start = x[start:start + size].reshape(shape), start + size
        return parts

    def value_and_gradient(self, x, xp=np, special=scipy.special):
        """The hand-written objective and gradient; ``xp`` NumPy or jax.numpy (then the gradient is unused)."""
        p, d = self.split(x), self.data
        if self.key == "logreg":
            z = -d["y"] * (d["X"] @ p["w"])
            f = xp.sum(xp.logaddexp(0.0, z)) + d["lam"] / 2 * p["w"] @ p["w"]
            return f, [d["X"].T @ (-d["y"] * special.expit(z)) + d["lam"] * p["w"]]
        if self.key == "lasso":
            r = d["A"] @ (p["u"] - p["v"]) - d["b"]
            f = r @ r + self.lam * (xp.sum(p["u"]) + xp.sum(p["v"]))
            g = 2 * d["A"].T @ r
            return f, [g + self.lam, -g + self.lam]
        if self.key == "nmf":
            R = p["U"] @ p["V"].T - d["T"]
            return xp.sum(R * R), [2 * R @ p["V"], 2 * R.T @ p["U"]]
        r = d["A"] @ p["w"] - d["b"]
        return r @ r, [2 * d["A"].T @ r]

    def objective(self, values):
        return float(self.value_and_gradient(self.flat(values))[0])

    def scipy_bounds(self):
        """Every bound of these problems is a lower bound 0 on a whole variable."""
        lower = [np.full(int(np.prod(s)), 0.0 if v in self.bounds else -np.inf)
                 for v, s in zip(self.variables, self.shapes)]
        return scipy.optimize.Bounds(np.concatenate(lower), np.inf) if self.bounds else None

    def scipy_constraints(self):
        if not self.eq:
            return ()
        n = sum(int(np.prod(s)) for s in self.shapes)
        return [{"type": "eq", "fun": lambda x: np.array([x.sum() - 1.0]), "jac": lambda x: np.ones((1, n))}]


def options_for(method):
    return {"maxiter": MAXITER, "maxfun": MAXITER} if method == "L-BFGS-B" else {"maxiter": MAXITER}


def scipy_solve(problem, fg):
    start = time.perf_counter()
    result = scipy.optimize.minimize(fg, problem.flat(problem.x0), jac=True, method=problem.method, tol=problem.tol,
                                     bounds=problem.scipy_bounds(), constraints=problem.scipy_constraints(),
                                     options=options_for(problem.method))
    return {"nit": int(result.nit), "seconds": time.perf_counter() - start,
            "fun": problem.objective(problem.split(result.x)), "success": bool(result.success)}


def hand(problem):
    def fg(x):
        f, g = problem.value_and_gradient(x)
        return float(f), np.concatenate([np.ravel(a) for a in g])
    return scipy_solve(problem, fg)


def se_solve(problem, method=None):
    import sympy_einstein as se
    method = method or problem.method
    geno = method == "genosolver"
    constraints = [{"type": "eq", "fun": e} for e in problem.eq] or None
    start = time.perf_counter()
    result = se.minimize(problem.formula, problem.variables, problem.data, x0=problem.x0, method=method,
                         bounds=problem.bounds or None, constraints=constraints, tol=None if geno else problem.tol,
                         options=GENO_OPTIONS if geno else options_for(method))
    return {"nit": int(result.nit), "seconds": time.perf_counter() - start,
            "fun": problem.objective(result.variables), "success": bool(result.success)}


def cli_solve(problem, folder):
    data, x0, out = (os.path.join(folder, name) for name in ("data.npz", "x0.npz", "solution.npz"))
    np.savez(data, **problem.data)
    np.savez(x0, **problem.x0)
    command = [sys.executable, "-m", "sympy_einstein", problem.formula, "--minimize", ",".join(problem.variables),
               "--data", data, "--x0", x0, "--solver-tol", str(problem.tol), "--max-iter", str(MAXITER),
               "--method", problem.method, "--solution", out]
    command += [f"--bounds={v}=0:" for v in problem.bounds] + [f"--eq={e}" for e in problem.eq]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"command line failed: {done.stderr}")
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    with np.load(out) as solution:
        fun = problem.objective({v: solution[v] for v in problem.variables})
    return {"nit": int(lines["iterations"].split(",")[0]), "seconds": seconds, "fun": fun,
            "success": done.returncode == 0}


def jax_worker(key, quick):
    """Run in its own process: JAX's value_and_grad of the same objective, jitted, under SciPy."""
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    problem = Problem(key, (QUICK if quick else SIZES)[key])
    problem.data = {k: jnp.asarray(v) for k, v in problem.data.items()}
    fg_jax = jax.jit(jax.value_and_grad(lambda x: problem.value_and_gradient(x, jnp, jax.scipy.special)[0]))
    fg_jax(jnp.asarray(problem.flat(problem.x0)))[1].block_until_ready()  # compile before timing

    def fg(x):
        f, g = fg_jax(jnp.asarray(x))
        return float(f), np.asarray(g, dtype=np.float64)
    problem.data = {k: np.asarray(v) for k, v in problem.data.items()}
    print(json.dumps(scipy_solve(problem, fg)))


def jax_solve(problem, quick):
    command = [sys.executable, __file__, "--jax-worker", problem.key] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def sklearn_solve(problem):
    """scikit-learn's own solver for the problems it has (LogisticRegression, Lasso, NMF)."""
    import sklearn.decomposition
    import sklearn.linear_model
    d, start = problem.data, time.perf_counter()
    if problem.key == "logreg":
        model = sklearn.linear_model.LogisticRegression(C=1.0 / d["lam"], fit_intercept=False, tol=TOL,
                                                        max_iter=MAXITER).fit(d["X"], d["y"])
        values, nit = {"w": model.coef_.ravel()}, int(model.n_iter_[0])
    elif problem.key == "lasso":
        m = d["A"].shape[0]
        model = sklearn.linear_model.Lasso(alpha=problem.lam / (2 * m), fit_intercept=False, tol=TOL,
                                           max_iter=MAXITER).fit(d["A"], d["b"])
        values, nit = {"u": np.maximum(model.coef_, 0), "v": np.maximum(-model.coef_, 0)}, int(model.n_iter_)
    elif problem.key == "nmf":
        model = sklearn.decomposition.NMF(problem.x0["U"].shape[1], init="custom", solver="cd", tol=TOL,
                                          max_iter=MAXITER)
        U = model.fit_transform(d["T"], W=problem.x0["U"].copy(), H=problem.x0["V"].T.copy())
        values, nit = {"U": U, "V": model.components_.T}, int(model.n_iter_)
    else:
        return None
    return {"nit": nit, "seconds": time.perf_counter() - start, "fun": problem.objective(values), "success": True}


def available(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


def run(key, quick, folder):
    problem = Problem(key, (QUICK if quick else SIZES)[key])
    rows = {"se first call": se_solve(problem)}
    rows["se"] = se_solve(problem)
    rows["se command line"] = cli_solve(problem, folder)
    if available("genosolver"):
        rows["se + genosolver"] = se_solve(problem, "genosolver")
    rows["scipy hand-written"] = hand(problem)
    if available("jax"):
        rows["jax + scipy"] = jax_solve(problem, quick)
    if available("sklearn") and key != "simplex":
        rows["scikit-learn"] = sklearn_solve(problem)
    reference = rows["scipy hand-written"]["fun"]
    for row in rows.values():
        row["rel"] = abs(row["fun"] - reference) / abs(reference)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SIZES), help="comma list of problems")
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--json", default=None, help="write the rows as JSON")
    parser.add_argument("--jax-worker", default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.jax_worker:
        return jax_worker(options.jax_worker, options.quick)
    sys.path.insert(0, ROOT)
    results = {}
    print("| problem | solver | iterations | wall s | final objective | rel. to hand-written | success |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for key in options.only.split(","):
            results[key] = run(key, options.quick, folder)
            for name, row in results[key].items():
                print(f"| {key} | {name} | {row['nit']} | {row['seconds']:.3f} | {row['fun']:.12g} | "
                      f"{row['rel']:.1e} | {row['success']} |", flush=True)
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()

"""Write and execute the notebooks of sympy_einstein from the cell lists below.

Run ``python notebooks/make_notebooks.py`` after changing a cell: it writes each ``.ipynb`` and executes it,
so the stored outputs are the ones the current code gives. ``tests/test_notebooks.py`` executes them again.
"""
from __future__ import annotations

import os
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

HERE = pathlib.Path(__file__).resolve().parent

TOUR = [
    ("md", """# A tour of sympy_einstein

Build a tensor expression, differentiate it, look at the result, simplify it, compile it and check it.
The running example is the loss of logistic regression,
$f(w) = \\sum_i \\log(1 + \\exp(-y_i (Xw)_i))$."""),
    ("code", """import numpy as np
import sympy as sp
import sympy_einstein as se

n, m = sp.symbols("n m", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
f = se.sum(se.log(1 + se.exp(-y * (X @ w))))
f"""),
    ("md", """## Differentiate
`sympy.diff` reaches the tensor calculus. The gradient has the shape of `w`, the Hessian `w.shape + w.shape`."""),
    ("code", """g = sp.diff(f, w)
H = se.hessian(f, w)
print(g.shape, H.shape)
g"""),
    ("code", "H"),
    ("md", """The Hessian is one Einstein product of `X`, `X` and a single elementwise vector: the $m \\times m$
diagonal matrix of the textbook formula $X^\\top \\mathrm{diag}(s) X$ is never formed. In index notation and in
matrix notation:"""),
    ("code", """from IPython.display import Math
Math(se.latex(H, notation="index"))"""),
    ("code", "Math(se.latex(se.to_matrix(H)))"),
    ("md", """`se.to_matrix` gives a SymPy matrix expression (Hadamard products, `diag`, functions applied entrywise by
name); `se.latex` prints it with $\\odot$ for the entrywise product. A Hessian by a matrix has a matrix form by
$\\mathrm{vec}$, with Kronecker products: for matrix factorization it is $2\\,(V^\\top V \\otimes I)$."""),
    ("code", """k = sp.Symbol("k", integer=True, positive=True)
U, V, T = se.matrix("U", n, k), se.matrix("V", m, k), se.matrix("T", n, m)
Math(se.latex(se.to_matrix(se.hessian(se.sum((T - U @ V.T) ** 2), U), vec=True)))"""),
    ("md", """## Simplify
Every derivative is simplified by default. Unsimplified, the raw rules leave unit tensors and nested products;
`se.simplify` removes them."""),
    ("code", """A, x = se.matrix("A", n, n), se.vector("x", n)
raw = se.derivative(se.derivative(x @ A @ x, x, simplify=False), x, simplify=False)


def stats(expr):
    \"\"\"The number of distinct tensor nodes and the largest order among them.\"\"\"
    nodes = {node for node in sp.preorder_traversal(expr) if isinstance(node, se.TensorExpr)}
    return len(nodes), max(node.rank for node in nodes)


print("raw:       ", raw, "   (nodes, largest order) =", stats(raw))
print("simplified:", se.simplify(raw), "   (nodes, largest order) =", stats(se.simplify(raw)))"""),
    ("md", """## Compile and check
`se.lambdify` generates Numba code (or NumPy with `backend="numpy"`). We check the compiled gradient and Hessian
against central finite differences of the compiled loss."""),
    ("code", """rng = np.random.default_rng(0)
Xv, wv = rng.normal(size=(200, 10)), rng.normal(size=10)
yv = np.sign(rng.normal(size=200))
loss_grad_hess = se.lambdify([X, w, y], [f, g, H])
value, grad, hess = loss_grad_hess(Xv, wv, yv)

def loss(w_):
    return loss_grad_hess(Xv, w_, yv)[0]

eps = 1e-6
fd_grad = np.array([(loss(wv + eps * e) - loss(wv - eps * e)) / (2 * eps) for e in np.eye(10)])
print("max |grad - finite differences| =", np.abs(grad - fd_grad).max())
by_hand = Xv.T @ (Xv * (1 / (1 + np.exp(yv * (Xv @ wv))) * (1 - 1 / (1 + np.exp(yv * (Xv @ wv)))))[:, None])
print("max |Hessian - hand-written formula| =", np.abs(hess - by_hand).max())"""),
    ("md", "The generated code is plain Python that one can read:"),
    ("code", "print(loss_grad_hess.source[-1500:])"),
    ("md", """## From a formula
The input language of MatrixCalculus.org reads the same loss from text:"""),
    ("md", """For real data prefer `se.softplus(-y * (X @ w))`, the same loss written so that it cannot overflow;
its derivatives come out in terms of the (stably evaluated) sigmoid:"""),
    ("code", """f_stable = se.sum(se.softplus(-y * (X @ w)))
se.hessian(f_stable, w)"""),
    ("code", """f2, symbols = se.parse("sum(log(exp(-y.*(X*w)) + vector(1)))", return_symbols=True)
print(symbols)
sp.diff(f2, symbols["w"])"""),
]

NEWTON = [
    ("md", """# Newton's method for logistic regression

We fit an $\\ell_2$-regularized logistic regression with Newton's method, using the gradient and Hessian that
sympy_einstein derives and compiles, and compare it with gradient descent. The data set is generated: two
Gaussian classes in 30 dimensions with overlapping clouds (2,000 points), so that the problem is not separable."""),
    ("code", """import time
import numpy as np
import sympy as sp
import sympy_einstein as se
import matplotlib.pyplot as plt

%matplotlib inline

rng = np.random.default_rng(1)
m_, n_ = 2000, 30
labels = np.where(rng.random(m_) < 0.5, -1.0, 1.0)
features = rng.normal(size=(m_, n_)) + 0.4 * labels[:, None] * rng.normal(size=n_)
features = np.hstack([features, np.ones((m_, 1))])   # an intercept column"""),
    ("code", """n, m = sp.symbols("n m", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
lam = sp.Rational(1, 10)
f = se.sum(se.softplus(-y * (X @ w))) + lam / 2 * (w @ w)   # softplus(t) = log(1 + exp(t)), stable
g, H = sp.diff(f, w), se.hessian(f, w)
derivs = se.lambdify([X, w, y], [f, g, H])   # value, gradient and Hessian from one kernel (Newton)
gradient_only = se.lambdify([X, w, y], g)     # what gradient descent needs
H"""),
    ("code", """def newton(w0, tol=1e-10, max_iter=50):
    w_, history = w0.copy(), []
    for _ in range(max_iter):
        value, grad, hess = derivs(features, w_, labels)
        history.append(np.linalg.norm(grad))
        if history[-1] < tol:
            break
        w_ = w_ - np.linalg.solve(hess, grad)
    return w_, history


def gradient_descent(w0, tol=1e-10, max_iter=20000):
    step = 1 / (np.linalg.norm(features, 2) ** 2 / 4 + float(lam))   # 1 / Lipschitz constant of the gradient
    w_, history = w0.copy(), []
    for _ in range(max_iter):
        grad = gradient_only(features, w_, labels)
        history.append(np.linalg.norm(grad))
        if history[-1] < tol:
            break
        w_ = w_ - step * grad
    return w_, history


w0 = np.zeros(n_ + 1)
derivs(features, w0, labels), gradient_only(features, w0, labels)   # NumPy answers while Numba compiles
derivs.wait(), gradient_only.wait()   # the compiled kernels answer from here on: the times are iterations
start = time.perf_counter()
w_newton, h_newton = newton(w0)
t_newton = time.perf_counter() - start
start = time.perf_counter()
w_gd, h_gd = gradient_descent(w0, max_iter=3000)
t_gd = time.perf_counter() - start
print(f"Newton: {len(h_newton)} iterations, final gradient norm {h_newton[-1]:.1e}")
print(f"gradient descent: {len(h_gd)} iterations, gradient norm from {h_gd[0]:.1e} to {h_gd[-1]:.1e}")
print(f"time: Newton {t_newton:.2f} s, gradient descent {t_gd:.2f} s")
print("accuracy:", np.mean(np.sign(features @ w_newton) == labels))"""),
    ("code", """fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(h_newton, "o-", label="Newton (generated gradient and Hessian)")
ax.semilogy(h_gd, label="gradient descent, step 1/L")
ax.set_xscale("symlog", linthresh=10)
ax.set_xlabel("iteration")
ax.set_ylabel("gradient norm")
ax.legend(loc="center right")
fig.tight_layout()
plt.show()"""),
    ("md", """Newton's method converges quadratically: the gradient norm falls to rounding level within the
iterations printed above, while gradient descent with the safe step $1/L$ is still far from the optimum after
3,000 steps. Each Newton step costs one Hessian; the generated one agrees with the hand-written formula
$X^\\top \\mathrm{diag}(s(1-s))X + \\lambda I$:"""),
    ("code", """s = 1 / (1 + np.exp(-labels * (features @ w_newton)))
by_hand = features.T @ (features * (s * (1 - s))[:, None]) + float(lam) * np.eye(n_ + 1)
print("max |generated - hand-written| =", np.abs(derivs(features, w_newton, labels)[2] - by_hand).max())"""),
]

BENCHMARKS = [
    ("md", """# Benchmarks as a plot

The table "Issue 9: one table" in `benchmarks/README.md` comes from one command,
`OPENBLAS_NUM_THREADS=1 python benchmarks/run.py --before 7669784^1 --jax`, which writes
`benchmarks/results/one_table.json`. For every benchmark problem (`benchmarks/codegen_problems.py`,
`benchmarks/problems_more.py`), its gradient and its Hessian, at a small and a large size, it measures the generated
code and the hand-written NumPy closed form in one process, calls alternated, for each side: the package before
the speed work and after it. This notebook plots the ratio of their medians: 1 is "as fast as a careful person
writes it by hand", lower is faster. The numbers are the ones stored in the JSON file, not measured again here;
its header says when, on which commits and under which load."""),
    ("code", """import json
import pathlib
import matplotlib.pyplot as plt

%matplotlib inline
import numpy as np

results = json.loads(pathlib.Path("../benchmarks/results/one_table.json").read_text())
sides = results["sides"]
print("command:", results["command"], "  OPENBLAS_NUM_THREADS =", results["OPENBLAS_NUM_THREADS"])
print("from", results["started"], "to", results["finished"])
print("uptime at the start:", results["uptime_before"])
print("uptime at the end:  ", results["uptime_after"])
for name, side in sides.items():
    print(f"{name}: commit {side['commit']} ({side['package']}), backend {side['backend']}")


def by_row(rows):
    return {(row["key"], row["kind"], row["size"]): row for row in rows}


measured = {name: by_row(side["rows"]) for name, side in sides.items()}
jax = by_row((results.get("jax") or {}).get("rows", []))
last = list(sides)[-1]
for key, row in measured[last].items():
    cells = [f"{name} {measured[name][key].get('ratio', np.nan):5.2f}" for name in sides if key in measured[name]]
    if jax.get(key, {}).get("jax_ms"):
        cells.append(f"JAX / hand {jax[key]['jax_ms'] / jax[key]['hand_ms']:5.2f}")
    print(f"{row['problem'] + ' ' + row['kind']:60s}", "  ".join(cells))"""),
    ("code", """sizes = list(dict.fromkeys(key[2] for key in measured[last]))
rows = list(dict.fromkeys(key[:2] for key in measured[last]))
fig, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 0.3 * len(rows) + 2.2), sharey=True,
                         squeeze=False, layout="constrained")
height = 0.8 / len(sides)
positions = np.arange(len(rows))
for ax, size in zip(axes[0], sizes):
    for k, (name, side) in enumerate(sides.items()):
        ratios = [measured[name].get((*row, size), {}).get("ratio", np.nan) for row in rows]
        ax.barh(positions + k * height, ratios, height=height,
                label=f"{name} ({(side['commit'] or '?')[:7]}): {side['backend']} / hand")
    jax_ratios = [jax[(*row, size)]["jax_ms"] / jax[(*row, size)]["hand_ms"] if jax.get((*row, size), {}).get("jax_ms")
                  else np.nan for row in rows]
    if not np.all(np.isnan(jax_ratios)):
        ax.plot(jax_ratios, positions + 0.4 - height / 2, "kx", label="JAX jit / hand (own process)")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_title(f"{size} size")
    ax.set_xlabel("time / hand-written NumPy (log; 1 = as fast as by hand)")
axes[0][0].set_yticks(positions + 0.4 - height / 2, [f"{key} {kind}" for key, kind in rows])
axes[0][0].invert_yaxis()
fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize="small")
plt.show()"""),
]

GP_NEWTON = [
    ("md", """# Fitting Gaussian-process hyperparameters with Newton's method

A Gaussian process with the squared-exponential kernel $K = \\exp(-e^{u} D) + e^{v} I$ ($D$ the matrix of squared
distances, $e^{u}$ the inverse squared length scale, $e^{v}$ the noise variance) has the negative log marginal
likelihood $f(u, v) = \\tfrac12 y^\\top K^{-1} y + \\tfrac12 \\log|\\det K|$ (up to a constant). sympy_einstein
differentiates through `solve` and `logdet`, so the gradient and the Hessian by the two hyperparameters come out
as expressions; we evaluate them with `se.evaluate` (generated code for matrix functions comes later) and run a
safeguarded Newton iteration."""),
    ("code", """import numpy as np
import sympy as sp
import sympy_einstein as se
from sympy_einstein.testing import numeric_derivative
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
N_ = 40
points = np.sort(rng.uniform(0, 6, N_))
targets = np.sin(points) + 0.5 * np.sin(3 * points) + 0.1 * rng.standard_normal(N_)
dist2 = (points[:, None] - points[None, :]) ** 2"""),
    ("code", """n = sp.Symbol("n", integer=True, positive=True)
D, y = se.matrix("D", n, n, symmetric=True), se.vector("y", n)   # distances are symmetric: so is K
u, v = se.scalar("u"), se.scalar("v")    # log inverse squared length scale, log noise variance
K = se.exp(-se.exp(u) * D) + se.exp(v) * se.eye(n)
f = (y @ se.solve(K, y) + se.logdet(K)) / 2
gradient = [se.gradient(f, p) for p in (u, v)]
hessian = se.hessian(f, [u, v])          # 2 x 2 blocks, each of order 0
f"""),
    ("md", """The derivative by the noise parameter, for instance, is written with the same `solve` and `inv` nodes
(the rule of `logdet` gives $\\operatorname{tr}(K^{-1}\\, dK)$, the rule of `solve` gives
$-K^{-1} dK\\, K^{-1} y$):"""),
    ("code", "gradient[1]"),
    ("code", """data = {D: dist2, y: targets}


def derivatives(theta):
    b = {**data, u: theta[0], v: theta[1]}
    value = se.evaluate(f, b)
    g = np.array([se.evaluate(e, b) for e in gradient])
    h = np.array([[se.evaluate(e, b) for e in row] for row in hessian])
    return value, g, h


theta, history = np.array([0.0, -1.0]), []
for iteration in range(30):
    value, g, h = derivatives(theta)
    history.append(np.linalg.norm(g))
    print(f"{iteration:2d}  f = {value:+.10f}  |grad| = {history[-1]:.1e}  u = {theta[0]:+.6f}  v = {theta[1]:+.6f}")
    if history[-1] < 1e-9:
        break
    low = np.linalg.eigvalsh(h).min()
    step = -np.linalg.solve(h + max(0.0, 1e-3 - low) * np.eye(2), g)   # Newton, shifted if not convex here
    t = 1.0
    while derivatives(theta + t * step)[0] > value + 1e-4 * t * (g @ step) + 1e-12 * abs(value):
        t /= 2
    theta = theta + t * step"""),
    ("md", """Newton's method reaches a stationary point in a handful of steps. At the optimum we check the
evaluated gradient and Hessian against central finite differences, and the Hessian's definiteness:"""),
    ("code", """b = {**data, u: theta[0], v: theta[1]}
fd_gradient = [numeric_derivative(f, p, b) for p in (u, v)]
fd_hessian = [[numeric_derivative(gradient[i], p, b) for p in (u, v)] for i in range(2)]
print("gradient:", derivatives(theta)[1], " finite differences:", np.array(fd_gradient, dtype=float))
print("max |Hessian - finite differences| =", np.abs(derivatives(theta)[2] - np.array(fd_hessian, dtype=float)).max())
print("Hessian eigenvalues:", np.linalg.eigvalsh(derivatives(theta)[2]))
print(f"length scale {np.exp(-theta[0] / 2):.4f}, noise standard deviation {np.exp(theta[1] / 2):.4f}")"""),
    ("code", """kernel = np.exp(-np.exp(theta[0]) * dist2) + np.exp(theta[1]) * np.eye(N_)
grid = np.linspace(0, 6, 200)
cross = np.exp(-np.exp(theta[0]) * (grid[:, None] - points[None, :]) ** 2)
mean = cross @ np.linalg.solve(kernel, targets)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(points, targets, "o", label="data")
ax.plot(grid, mean, label="posterior mean, fitted hyperparameters")
ax.plot(grid, np.sin(grid) + 0.5 * np.sin(3 * grid), "--", label="noise-free function")
ax.legend()
fig.tight_layout()"""),
]


MINIMIZE = [
    ("md", """# From derivative to solution: `se.minimize`

`se.minimize` takes an objective (a formula or a tensor expression), the variables and the data by name, derives
and compiles the value with the gradient (and the Hessian-vector product or the constraint Jacobians when the
method uses them), and runs `scipy.optimize` or genosolver. Here it fits an $\\ell_2$-regularized logistic
regression and a non-negative matrix factorization, and we watch both converge."""),
    ("code", """import importlib.util
import numpy as np
import scipy.optimize
import matplotlib.pyplot as plt
import sympy_einstein as se

rng = np.random.default_rng(3)
m_, n_ = 1000, 20
X = rng.normal(size=(m_, n_))
y = np.sign(X @ rng.normal(size=n_) + rng.normal(size=m_))
data = {"X": X, "y": y, "lam": 1.0}
loss = "sum(log(exp(-y.*(X*w)) + vector(1))) + lam/2*(w'*w)\""""),
    ("md", """## Logistic regression
One call: L-BFGS-B (the default) gets value and gradient from one generated kernel; `trust-ncg` also gets the
symbolic Hessian-vector product (the Hessian is never formed). `lam` is a number in `data`, so the formula
reads it as a scalar. (`trust-ncg` gets `tol=1e-6`, a gradient tolerance: much below it the decrease it predicts
is smaller than the rounding error of f, about 1e-13 here, and it stops with "a bad approximation".)"""),
    ("code", """lbfgs = se.minimize(loss, "w", data, tol=1e-12)
newton = se.minimize(loss, "w", data, method="trust-ncg", tol=1e-6)
for r in (lbfgs, newton):
    print(f"{r.method:10s} success={r.success} iterations={r.nit:3d} kernel calls={r.evaluations:3d} "
          f"f={r.fun:.12f}")"""),
    ("md", """The same problem with a hand-written NumPy gradient, for reference: the objectives agree."""),
    ("code", """def value_and_gradient(w):
    z = -y * (X @ w)
    return np.logaddexp(0, z).sum() + 0.5 * w @ w, X.T @ (-y / (1 + np.exp(-z))) + w

reference = scipy.optimize.minimize(value_and_gradient, np.zeros(n_), jac=True, method="L-BFGS-B", tol=1e-12)
print("relative difference:", abs(lbfgs.fun - reference.fun) / reference.fun)
print("max |w - w_reference|:", np.abs(lbfgs.variables["w"] - reference.x).max())
print("training accuracy:", np.mean(np.sign(X @ lbfgs.variables["w"]) == y))"""),
    ("code", """best = min(lbfgs.fun, newton.fun)
fig, ax = plt.subplots(figsize=(6, 3.5))
for r in (lbfgs, newton):
    ax.semilogy(np.arange(1, len(r.history) + 1), np.maximum(np.array(r.history) - best, 1e-16), "o-", label=r.method)
ax.set_xlabel("iteration")
ax.set_ylabel("f - f*")
ax.set_title("logistic regression")
ax.legend()
plt.show()"""),
    ("md", """## Non-negative matrix factorization
$\\min_{U, V \\ge 0} \\|T - U V^\\top\\|_F^2$ over two matrix variables: the solver sees one flat vector,
`result.variables` gives `U` and `V` back in their shapes. The problem is not convex, so we start both methods
from the same random point."""),
    ("code", """k = 4
T = rng.random((60, k)) @ rng.random((k, 40)) + 0.05 * rng.random((60, 40))
start = {"U": rng.random((60, k)), "V": rng.random((40, k))}
nmf = "sum((T - U*V').^2)"
bounds = {"U": (0, None), "V": (0, None)}
runs = [se.minimize(nmf, ["U", "V"], {"T": T}, x0=start, bounds=bounds, tol=1e-12, options={"maxiter": 5000})]
if importlib.util.find_spec("genosolver"):
    runs.append(se.minimize(nmf, ["U", "V"], {"T": T}, x0=start, bounds=bounds, method="genosolver",
                            options={"max_iter": 5000}))
for r in runs:
    U, V = r.variables["U"], r.variables["V"]
    error = np.linalg.norm(T - U @ V.T) / np.linalg.norm(T)
    print(f"{r.method:10s} iterations={r.nit:4d} f={r.fun:.10f} shapes {U.shape} {V.shape} "
          f"min entries {U.min():.1e} {V.min():.1e} relative error {error:.4f}")"""),
    ("code", """best = min(r.fun for r in runs)
fig, ax = plt.subplots(figsize=(6, 3.5))
for r in runs:
    label = r.method + (" (improvements)" if r.method == "genosolver" else "")
    ax.semilogy(np.arange(1, len(r.history) + 1), np.maximum(np.array(r.history) - best, 1e-16), label=label)
ax.set_xlabel("iteration")
ax.set_ylabel("f - f*")
ax.set_title("non-negative matrix factorization")
ax.legend()
plt.show()"""),
    ("md", """## The same from the command line
`sympy-einstein "<objective>" --minimize U,V --data data.npz --x0 x0.npz --bounds 0:` solves it and writes the
solution to `solution.npz` (see `docs/cli.md`); here through the same entry point from Python:"""),
    ("code", """import os, tempfile
from sympy_einstein.cli import main

folder = tempfile.mkdtemp()
np.savez(os.path.join(folder, "data.npz"), T=T)
np.savez(os.path.join(folder, "x0.npz"), **start)
main([nmf, "--minimize", "U,V", "--data", os.path.join(folder, "data.npz"), "--x0", os.path.join(folder, "x0.npz"),
      "--bounds", "0:", "--solver-tol", "1e-12", "--max-iter", "5000", "--solution", os.path.join(folder, "uv.npz")])
solution = np.load(os.path.join(folder, "uv.npz"))
print("same objective as above:", np.isclose(np.sum((T - solution["U"] @ solution["V"].T) ** 2), runs[0].fun))"""),
]


def build(cells) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        notebook.cells.append(make(source))
    return notebook


NOTEBOOKS = {"tour.ipynb": TOUR, "newton_logistic_regression.ipynb": NEWTON, "benchmarks.ipynb": BENCHMARKS,
             "gaussian_process_newton.ipynb": GP_NEWTON, "minimize.ipynb": MINIMIZE}


def use_this_checkout() -> None:
    """Let the kernels import sympy_einstein from this checkout (installed or not)."""
    root = str(HERE.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))


def main(names=None) -> None:
    use_this_checkout()
    for name, cells in NOTEBOOKS.items():
        if names and name not in names:
            continue
        notebook = build(cells)
        resources = {"metadata": {"path": str(HERE)}}
        client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources)
        client.execute()
        nbformat.write(notebook, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main(sys.argv[1:])

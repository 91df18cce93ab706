"""The solvers behind ``minimize``: what each method needs, and the calls into SciPy and genosolver.

:class:`Objective` adapts the generated functions to a solver's flat vector: value and gradient from
one kernel call (remembered for the last point, so a solver asking for both separately pays once), the
Hessian as one matrix of blocks or the Hessian-vector product, and the constraints with their Jacobians.

>>> sorted(METHODS)[:4]
['bfgs', 'cg', 'genosolver', 'l-bfgs-b']
"""
from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse.linalg

from .problem import OptimizeError, Solution


@dataclass(frozen=True)
class Method:
    """A solver: its name, the second derivatives it can use (``()``: none; ``"matrix"`` and/or
    ``"product"``, the first the default), whether it takes bounds and constraints."""

    name: str
    second: tuple = ()
    bounds: bool = False
    constraints: bool = False


METHODS = {m.name.lower(): m for m in (
    Method("L-BFGS-B", bounds=True),
    Method("BFGS"),
    Method("CG"),
    Method("Newton-CG", ("product", "matrix")),
    Method("trust-ncg", ("product", "matrix")),
    Method("trust-krylov", ("product", "matrix")),
    Method("trust-exact", ("matrix",)),
    Method("SLSQP", bounds=True, constraints=True),
    Method("trust-constr", ("product",), bounds=True, constraints=True),
    Method("genosolver", bounds=True, constraints=True),
)}


def choose_method(method, constrained: bool) -> Method:
    """The :class:`Method` named ``method`` (any case); ``None``: L-BFGS-B, or SLSQP with constraints.

    >>> choose_method(None, True).name, choose_method("trust-exact", False).second
    ('SLSQP', ('matrix',))
    """
    if method is None:
        return METHODS["slsqp" if constrained else "l-bfgs-b"]
    if not isinstance(method, str) or method.lower() not in METHODS:
        names = ", ".join(m.name for m in METHODS.values())
        raise OptimizeError(f"unknown method {method!r}: choose one of {names}")
    return METHODS[method.lower()]


def check_method(method: Method, problem, instance, hessian: str):
    """Whether ``method`` takes the problem's constraints and bounds (and is installed); the second
    derivative it gets (see :func:`second_derivative`)."""
    if problem.constraints and not method.constraints:
        raise OptimizeError(f"method {method.name} does not take constraints: use SLSQP, trust-constr or genosolver")
    if instance.bounded and not method.bounds:
        raise OptimizeError(f"method {method.name} does not take bounds: use L-BFGS-B, SLSQP, trust-constr or "
                            "genosolver")
    if method.name == "genosolver":
        require_genosolver()
    return second_derivative(method, hessian)


def solve(method: Method, objective, second, tol, options):
    """Run the solver; its ``OptimizeResult`` with ``variables``, ``history``, ``method``, ``evaluations``."""
    history = []
    if method.name == "genosolver":
        result = run_genosolver(objective, tol, options, history)
    else:
        result = run_scipy(method, objective, second, tol, options,
                           lambda xk, *rest: history.append(objective.value(_point(xk))))
    x = np.asarray(result.x, dtype=np.float64)
    names = [v.name for v in objective.compiled.problem.variables]
    result.x = x
    result.fun, result.jac = objective.value_and_gradient(x)
    result.variables = Solution((n, part.copy()) for n, part in zip(names, objective.instance.split(x)))
    result.history, result.method, result.evaluations = history, method.name, objective.evaluations
    return result


def _point(xk):
    """``callback``'s argument: the iterate, or (trust-constr) an OptimizeResult holding it."""
    return xk.x if hasattr(xk, "x") and not isinstance(xk, np.ndarray) else xk


def second_derivative(method: Method, hessian: str):
    """``None``, ``"matrix"`` or ``"product"``: what ``method`` is given for ``hessian="auto"``,
    ``"matrix"`` or ``"product"``."""
    if hessian not in ("auto", "matrix", "product"):
        raise OptimizeError(f"hessian must be 'auto', 'matrix' or 'product', not {hessian!r}")
    if not method.second:
        return None
    if hessian == "auto":
        return method.second[0]
    if hessian not in method.second:
        raise OptimizeError(f"method {method.name} cannot use the Hessian as a {hessian}; it takes "
                            f"{' or '.join(method.second)}")
    return hessian


class Objective:
    """The generated functions of a problem bound to the data of one call, on flat vectors."""

    def __init__(self, compiled, instance):
        self.compiled, self.instance = compiled, instance
        self.sizes = [int(np.prod(s, dtype=np.int64)) for s in instance.shapes]
        self._last, self._shapes = None, {}
        self.evaluations = 0

    def _args(self, x, *extra):
        return (*self.instance.split(np.asarray(x, dtype=np.float64)), *self.instance.data, *extra)

    def value_and_gradient(self, x):
        if self._last is None or not np.array_equal(self._last[0], x):
            value, *grads = self.compiled.value_and_gradient(*self._args(x))
            self._last = (np.array(x, dtype=np.float64), float(value), self.instance.join(grads))
            self.evaluations += 1
        return self._last[1], self._last[2]

    def value(self, x) -> float:
        return self.value_and_gradient(x)[0]

    def gradient(self, x) -> np.ndarray:
        return self.value_and_gradient(x)[1]

    def hessian(self, x) -> np.ndarray:
        blocks = iter(self.compiled.hessian(*self._args(x)))
        return np.block([[np.reshape(next(blocks), (m, n)) for n in self.sizes] for m in self.sizes])

    def hessian_product(self, x, p) -> np.ndarray:
        return self.instance.join(self.compiled.hessian_product(*self._args(x, *self.instance.split(p))))

    def constraint(self, k):
        """Value and Jacobian (a matrix, rows the constraint's entries flattened) of constraint ``k``."""
        functions, memo = self.compiled.constraints[k], {}

        def value_and_jacobian(x):
            if memo.get("x") is None or not np.array_equal(memo["x"], x):
                value, *blocks = functions["value_and_jacobian"](*self._args(x))
                rows = np.size(value)
                memo.update(x=np.array(x), value=np.ravel(value),
                            jacobian=np.hstack([np.reshape(b, (rows, n)) for b, n in zip(blocks, self.sizes)]))
            return memo["value"], memo["jacobian"]
        return value_and_jacobian

    def constraint_shape(self, k, x) -> tuple:
        """The shape of constraint ``k`` (computed once, from its value at ``x``)."""
        if k not in self._shapes:
            functions = self.compiled.constraints[k]
            value = functions["value"] if "value" in functions else functions["value_and_jacobian"]
            output = value(*self._args(x))
            self._shapes[k] = np.shape(output if "value" in functions else output[0])
        return self._shapes[k]

    def constraint_hessian_product(self, k, x, multipliers, p) -> np.ndarray:
        multipliers = np.reshape(multipliers, self.constraint_shape(k, x))
        function = self.compiled.constraints[k]["hessian_product"]
        return self.instance.join(function(*self._args(x, multipliers, *self.instance.split(p))))


def run_scipy(method: Method, objective: Objective, second, tol, options, callback):
    """``scipy.optimize.minimize`` with the generated functions."""
    instance = objective.instance
    kwargs = {"jac": True, "tol": tol, "options": options, "callback": callback}
    if second == "matrix":
        kwargs["hess"] = objective.hessian
    elif second == "product":
        kwargs["hessp"] = objective.hessian_product
    if instance.bounded:
        kwargs["bounds"] = scipy.optimize.Bounds(instance.lower, instance.upper)
    if objective.compiled.problem.constraints:
        kwargs["constraints"] = _scipy_constraints(method, objective)
    return scipy.optimize.minimize(objective.value_and_gradient, instance.x0, method=method.name, **kwargs)


def _scipy_constraints(method, objective) -> list:
    """SLSQP's constraint dicts, or trust-constr's ``NonlinearConstraint`` objects (with the Hessian
    of ``multipliers . c`` as a product)."""
    result = []
    for k, (kind, _) in enumerate(objective.compiled.problem.constraints):
        both = objective.constraint(k)
        if method.name == "SLSQP":
            result.append({"type": kind, "fun": lambda x, both=both: both(x)[0],
                           "jac": lambda x, both=both: both(x)[1]})
        else:
            result.append(scipy.optimize.NonlinearConstraint(
                lambda x, both=both: both(x)[0], 0.0, 0.0 if kind == "eq" else np.inf,
                jac=lambda x, both=both: both(x)[1], hess=_constraint_hessian(objective, k)))
    return result


def _constraint_hessian(objective, k):
    n = objective.instance.x0.size

    def hess(x, multipliers):
        def matvec(p):
            return objective.constraint_hessian_product(k, x, multipliers, p)
        return scipy.sparse.linalg.LinearOperator((n, n), matvec=matvec)
    return hess


def require_genosolver():
    """The genosolver module, or an error saying how to install it."""
    try:
        import genosolver
    except ImportError:
        raise OptimizeError("method 'genosolver' needs the genosolver package: pip install "
                            "'sympy-einstein[genosolver]'") from None
    return genosolver


def run_genosolver(objective: Objective, tol, options, history: list):
    """``genosolver.minimize`` (L-BFGS-B with an augmented Lagrangian for constraints); its result as a
    SciPy ``OptimizeResult``. genosolver's inequalities are ``c(x) <= 0``, ours ``c(x) >= 0``."""
    genosolver = require_genosolver()
    instance, options = objective.instance, dict(options or {})
    if tol is not None:
        options.setdefault("eps_pg", tol)
    if not objective.compiled.problem.constraints:  # options of the augmented Lagrangian only
        options.pop("constraint_tol", None), options.pop("max_iter_outer", None)

    def fg(x):
        value, grad = objective.value_and_gradient(x)
        if not history or value < history[-1]:
            history.append(value)
        return value, grad
    printed = io.StringIO()  # genosolver prints its line-search trouble; keep it for the message
    with contextlib.redirect_stdout(printed if not options.get("verbose") else sys.stdout):
        result = scipy.optimize.OptimizeResult(dict(genosolver.minimize(
            fg, instance.x0.copy(), instance.lower, instance.upper, options=options,
            constraints=_geno_constraints(objective))))
    if not result.success and printed.getvalue().strip():
        result.message = f"{result.message} (genosolver printed: {' '.join(printed.getvalue().split())})"
    return result


def _geno_constraints(objective) -> list:
    result = []
    for k, (kind, _) in enumerate(objective.compiled.problem.constraints):
        functions = objective.compiled.constraints[k]
        sign = 1.0 if kind == "eq" else -1.0

        def fun(x, functions=functions, sign=sign):
            return sign * np.ravel(functions["value"](*objective._args(x)))

        def jacprod(x, v, k=k, functions=functions, sign=sign):
            shape = objective.constraint_shape(k, x)
            return sign * objective.instance.join(
                functions["transposed_product"](*objective._args(x, np.reshape(v, shape))))
        result.append({"type": kind, "fun": fun, "jacprod": jacprod})
    return result

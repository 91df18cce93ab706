"""From derivative to solution: ``minimize`` a scalar tensor expression with generated derivatives.

Owns: reading and checking an optimization problem (``problem``), generating and caching its value,
gradient, Hessian (or Hessian-vector product) and constraint Jacobians (``compiled``, through the public
``lambdify``), and running SciPy or genosolver on them (``solvers``); ``command`` is the ``--minimize``
option of the command line. Reads: the IR, ``derivatives``, ``parsing``, ``codegen``. Feeds: users,
``cli.py``, ``benchmarks/bench_minimize.py``. See ``docs/optimize.md``.
"""
from __future__ import annotations

from .compiled import generated
from .problem import OptimizeError, Solution, declarations_for, read_instance, read_problem

__all__ = ["minimize", "OptimizeError", "Solution"]


def minimize(f, wrt, data=None, x0=None, method=None, bounds=None, constraints=None, tol=None, *,
             hessian: str = "auto", backend: str = "numba", options=None, declarations=None):
    """Minimize the scalar tensor expression (or formula) ``f`` over the tensor variable(s) ``wrt``.

    ``wrt``: one tensor symbol or name, or a list of them. ``data``: ``{symbol or name: array}`` for
    every other symbol of ``f`` and the constraints. Formulas are parsed knowing the order of each named
    array of order up to 2 (a name whose data is a number is a scalar) and ``declarations`` (a string as
    in :func:`sympy_einstein.parse`). ``x0``: the starting array (a dict by variable when
    there are several); default zeros, clipped into the bounds (sizes not fixed by the data need it).
    ``method``: ``"L-BFGS-B"`` (the default without constraints), ``"BFGS"``, ``"CG"``, ``"Newton-CG"``,
    ``"trust-ncg"``, ``"trust-krylov"``, ``"trust-exact"``, ``"SLSQP"`` (the default with constraints),
    ``"trust-constr"`` (all from ``scipy.optimize``) or ``"genosolver"`` (needs the optional package).
    ``bounds``: ``(lower, upper)`` for one variable, or ``{variable: (lower, upper)}``; each bound
    ``None``, a number or an array broadcast to the variable's shape. ``constraints``: a dict or list
    of dicts ``{"type": "eq" or "ineq", "fun": expression or formula}`` meaning ``fun == 0`` or
    ``fun >= 0`` (SciPy's convention), of any shape. ``tol``: the solver's tolerance (SciPy's ``tol``,
    genosolver's ``eps_pg``). ``hessian``: ``"auto"``, ``"matrix"`` or ``"product"`` (the symbolic
    Hessian-vector product) for methods that use second derivatives. ``backend``: ``"numba"`` or
    ``"numpy"``; ``options``: passed to the solver.

    Only the derivatives the method uses are generated; they are compiled once per problem, method and
    backend and reused by later calls with new data. The result is SciPy's ``OptimizeResult``: ``x``
    (and ``jac``) flat as SciPy has them, plus ``variables`` (a :class:`Solution`, each variable in its
    shape), ``history`` (the objective after each iteration; for genosolver, each improvement), ``method``
    and ``evaluations`` (calls of the generated value-and-gradient kernel).

    >>> import numpy as np, sympy_einstein as se
    >>> A, b = np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 8.0])
    >>> result = se.minimize("norm2(A*x - b)^2", "x", {"A": A, "b": b}, backend="numpy")
    >>> result.success, np.round(result.variables["x"], 6)
    (True, array([1., 2.]))
    >>> result = se.minimize("sum(x)", "x", x0=np.full(3, 0.5), bounds=(0, 1), backend="numpy")
    >>> result.variables["x"]
    array([0., 0., 0.])
    """
    starts = x0 if isinstance(x0, dict) else {wrt: x0} if isinstance(wrt, str) and x0 is not None else {}
    problem = read_problem(f, wrt, constraints, declarations_for({**dict(data or {}), **starts}, declarations))
    from . import solvers  # imports scipy.optimize (slow): only when a problem is solved
    chosen = solvers.choose_method(method, bool(problem.constraints))
    instance = read_instance(problem, data, x0, bounds)
    second = solvers.check_method(chosen, problem, instance, hessian)
    objective = solvers.Objective(generated(problem, second, backend, transposed=chosen.name == "genosolver"),
                                  instance)
    return solvers.solve(chosen, objective, second, tol, options)

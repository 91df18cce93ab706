"""The generated functions of a problem: derived and compiled once, kept in a cache, reused for new data.

Only what the method needs is derived and compiled: the value and the gradient always (one ``lambdify``
call on ``[f, df/dX1, df/dX2, ...]``, so their common subexpressions are computed once), the Hessian
blocks or the Hessian-vector product when the method uses second derivatives, and for each constraint
its value with its Jacobian blocks (and the products SciPy's ``trust-constr`` or ``genosolver`` take).
The cache key is the problem (objective, variables, parameters, constraints), what is needed and the
backend.

>>> import numpy as np, sympy_einstein as se
>>> from sympy_einstein.optimize.problem import read_problem
>>> problem = read_problem("x'*x", "x", ())
>>> compiled = generated(problem, "product", "numpy")
>>> value, gradient = compiled.value_and_gradient(np.array([1.0, 2.0]))
>>> float(value), gradient
(5.0, array([2., 4.]))
>>> compiled is generated(problem, "product", "numpy")
True
"""
from __future__ import annotations

from collections import OrderedDict

from ..build import add
from ..codegen import lambdify
from ..derivatives import gradient, jacobian, jvp, vjp
from ..ir.nodes import TensorSymbol

CACHE_SIZE = 32
_CACHE: OrderedDict = OrderedDict()


def _fresh(base: str, shape, taken: set) -> TensorSymbol:
    """A tensor symbol named ``base`` (underscores appended until no symbol of the problem has the name)."""
    name = base
    while name in taken:
        name += "_"
    taken.add(name)
    return TensorSymbol(name, shape)


def _products(grads, variables, directions) -> list:
    """``sum_j d grads[i] / dX_j . V_j`` for each i: the Hessian (of the function whose gradient blocks
    are ``grads``) times the direction ``(V_1, V_2, ...)``, never forming the Hessian."""
    products = []
    for g in grads:
        terms = [jvp(g, x, v) for x, v in zip(variables, directions)]
        products.append(terms[0] if len(terms) == 1 else add(*terms))
    return products


class Generated:
    """The compiled functions of one problem; each takes the variables, then the parameters (then
    directions or multipliers). ``second``: ``None``, ``"matrix"`` (Hessian blocks) or ``"product"``
    (Hessian-vector product, and the constraints' too); ``transposed``: constraints as value and
    Jacobian-transposed product (genosolver) instead of value and Jacobian (SciPy)."""

    def __init__(self, problem, second, transposed: bool, backend: str):
        self.problem, self.backend = problem, backend
        variables, args = problem.variables, list(problem.symbols)
        taken = {s.name if isinstance(s, TensorSymbol) else str(s) for s in args}
        self.directions = [_fresh(f"direction_{x.name}", x.shape, taken) for x in variables]
        grads = [gradient(problem.objective, x) for x in variables]
        self.value_and_gradient = self._compile(args, [problem.objective, *grads], "value_and_gradient")
        self.hessian = self.hessian_product = None
        if second == "matrix":
            blocks = [jacobian(g, x, mode="forward") for g in grads for x in variables]
            self.hessian = self._compile(args, blocks, "hessian")
        elif second == "product":
            self.hessian_product = self._compile(args + self.directions, _products(grads, variables,
                                                                                  self.directions), "hessian_product")
        self.constraints = [self._constraint(k, expr, args, taken, second, transposed)
                            for k, (_, expr) in enumerate(problem.constraints)]

    def _compile(self, args, exprs, name):
        return lambdify(args, exprs, backend=self.backend, name=name)

    def _constraint(self, k, expr, args, taken, second, transposed) -> dict:
        """``value_and_jacobian`` (the constraint and its Jacobian blocks) or, when ``transposed``,
        ``value`` and ``transposed_product`` (the Jacobian transposed times multipliers); for
        ``second == "product"`` also ``hessian_product`` (``sum_i multipliers_i Hessian(c_i)`` times a
        direction)."""
        variables = self.problem.variables
        multipliers = _fresh(f"multipliers{k}", expr.shape, taken)
        products = [vjp(expr, x, multipliers) for x in variables]
        if transposed:
            return {"value": self._compile(args, expr, f"constraint{k}"),
                    "transposed_product": self._compile(args + [multipliers], products, f"constraint{k}_vjp")}
        functions = {"value_and_jacobian": self._compile(
            args, [expr, *(jacobian(expr, x) for x in variables)], f"constraint{k}")}
        if second == "product":
            functions["hessian_product"] = self._compile(
                args + [multipliers] + self.directions, _products(products, variables, self.directions),
                f"constraint{k}_hvp")
        return functions


def generated(problem, second, backend: str, transposed: bool = False) -> Generated:
    """The :class:`Generated` functions of ``problem``, from the cache when they were built before."""
    key = (problem, second, transposed, backend)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    functions = Generated(problem, second, transposed, backend)
    _CACHE[key] = functions
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return functions

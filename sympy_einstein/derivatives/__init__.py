"""Differentiation: forward and reverse mode over the expression DAG, Hessians, HVPs.

Owns the derivative rules (one forward and one reverse rule per node class, in the tables
:data:`~sympy_einstein.derivatives.forward.FORWARD_RULES` and :data:`~sympy_einstein.derivatives.reverse.REVERSE_RULES`)
and the user-facing functions. Reads the IR; feeds the simplifier (every result is simplified by default).

>>> import sympy as sp, sympy_einstein as se
>>> A, x = se.matrix("A", 3, 3), se.vector("x", 3)
>>> sp.diff(x @ A @ x, x).shape, hessian(x @ A @ x, x).shape
((3,), (3, 3))
"""
from . import linalg  # noqa: F401 -- registers the rules of the matrix functions in both tables
from .api import choose_mode, derivative, diff, gradient, hessian, hvp, jacobian, jvp, vjp

__all__ = ["choose_mode", "derivative", "diff", "gradient", "hessian", "hvp", "jacobian", "jvp", "vjp"]

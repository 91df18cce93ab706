"""Builders of matrix functions and stable reductions: inv, det, logdet, adj, solve, eye, logsumexp, softmax.

They check their operands (a non-square matrix is named with its shape) and return the nodes of
:mod:`sympy_einstein.ir.linalg`. Derivatives, simplification, printing and evaluation know them.

>>> import sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> S, x = se.matrix("S", n, n), se.vector("x", n)
>>> f = x @ se.inv(S) @ x + se.logdet(S)
>>> f.shape, se.gradient(f, S).shape
((), (n, n))
"""
from __future__ import annotations

from .build import as_operand
from .errors import ShapeError
from .ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Softmax, Solve, as_axes
from .ir.nodes import EinsteinProduct, TensorExpr, _label
from .ir.shapes import as_size

__all__ = ["adj", "det", "eye", "inv", "logdet", "logsumexp", "softmax", "solve"]


def _tensor(x, function: str) -> TensorExpr:
    x = as_operand(x)
    if not isinstance(x, TensorExpr):
        raise ShapeError(f"{function} needs a tensor expression, not the scalar {_label(x)}")
    return x


def inv(a) -> TensorExpr:
    """The inverse of a square matrix.

    >>> import numpy as np, sympy_einstein as se
    >>> A = se.matrix("A", 2, 2)
    >>> se.evaluate(se.inv(A), {A: [[2.0, 0.0], [0.0, 4.0]]})
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return Inverse(_tensor(a, "inv"))


def det(a) -> TensorExpr:
    """The determinant of a square matrix (order 0).

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 2)
    >>> se.evaluate(se.det(A), {A: [[1.0, 2.0], [3.0, 4.0]]})
    -2.0...
    """
    return Determinant(_tensor(a, "det"))


def logdet(a) -> TensorExpr:
    """``log|det A|`` of a square matrix (order 0), from a factorization: no overflow for large matrices.

    >>> import numpy as np, sympy_einstein as se
    >>> A = se.matrix("A", 3, 3)
    >>> bool(np.isclose(se.evaluate(se.logdet(A), {A: 1e3 * np.eye(3)}), 3 * np.log(1e3)))
    True
    """
    return LogDeterminant(_tensor(a, "logdet"))


def adj(a) -> TensorExpr:
    """The adjugate ``det(A) inv(A)`` (also defined for singular matrices).

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 2)
    >>> se.evaluate(se.adj(A), {A: [[1.0, 2.0], [3.0, 4.0]]})
    array([[ 4., -2.],
           [-3.,  1.]])
    """
    return Adjugate(_tensor(a, "adj"))


def solve(a, b) -> TensorExpr:
    """``inv(A) @ B`` without forming the inverse; ``B`` a vector, a matrix or a tensor solved along its
    first axis.

    >>> import numpy as np, sympy_einstein as se
    >>> A, b = se.matrix("A", 2, 2), se.vector("b", 2)
    >>> se.evaluate(se.solve(A, b), {A: [[2.0, 0.0], [0.0, 4.0]], b: [1.0, 1.0]})
    array([0.5 , 0.25])
    """
    return Solve(_tensor(a, "solve"), _tensor(b, "solve"))


def eye(n) -> TensorExpr:
    """The ``n x n`` identity matrix: the unit tensor ``einsum('->aa', sizes={'a': n})``, which
    simplification removes from products.

    >>> import sympy as sp, sympy_einstein as se
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> se.eye(n).shape, se.simplify(se.eye(n) @ se.vector("x", n))
    ((n, n), x)
    """
    return EinsteinProduct(1, "->aa", (as_size(n, "size of eye"),))


def logsumexp(z, axis=None) -> TensorExpr:
    """``log(sum(exp(Z), axis))`` computed max-shifted (no overflow); ``axis`` an int, a tuple or None (all).

    >>> import numpy as np, sympy_einstein as se
    >>> z = se.vector("z", 2)
    >>> bool(se.evaluate(se.logsumexp(z), {z: [1000.0, 1000.0]}) == 1000 + np.log(2))
    True
    """
    z = _tensor(z, "logsumexp")
    return LogSumExp(z, _axes_argument(axis, z))


def softmax(z, axis=None) -> TensorExpr:
    """``exp(Z) / sum(exp(Z), axis)`` (broadcast back), computed max-shifted.

    >>> import sympy_einstein as se
    >>> Z = se.matrix("Z", 2, 3)
    >>> se.evaluate(se.sum(se.softmax(Z, axis=1), axis=1), {Z: [[1e3, 0, 0], [0, 0, 0]]})
    array([1., 1.])
    """
    z = _tensor(z, "softmax")
    return Softmax(z, _axes_argument(axis, z))


def _axes_argument(axis, z) -> tuple:
    return tuple(as_axes(axis, z, "axis"))

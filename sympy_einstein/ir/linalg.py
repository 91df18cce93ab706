"""Functions of whole matrices and stable reductions: inverse, determinant, log-determinant, adjugate,
solve, log-sum-exp and softmax, plus symmetric matrix symbols.

Unlike :class:`~sympy_einstein.ir.nodes.Elementwise`, these nodes are not entry-by-entry: every entry
of ``inv(A)`` depends on all of ``A``. Like every node, ``args`` hold the whole state (the operands,
and for the reductions a ``Tuple`` of axes) and constructors only validate.

- :class:`Inverse` ``inv(A)``, :class:`Adjugate` ``adj(A)`` (shape of A);
  :class:`Determinant` ``det(A)``, :class:`LogDeterminant` ``log|det A|`` (order 0);
  :class:`Solve` ``solve(A, B) = inv(A) @ B`` over the first axis of ``B`` (any order >= 1);
- :class:`LogSumExp` ``log(sum(exp(Z), axes))`` and :class:`Softmax` ``exp(Z) / sum(exp(Z), axes)``;
- :class:`SymmetricMatrix` a square matrix symbol declared symmetric.
"""
from __future__ import annotations

from functools import cached_property

import sympy as sp

from ..errors import ShapeError
from .nodes import TensorExpr, TensorSymbol
from .shapes import format_shape, short_label


def _square(operand, function: str, role: str = "") -> None:
    """Raise a ShapeError unless ``operand`` is a square matrix (names the operand and its shape)."""
    where = f" ({role})" if role else ""
    if not isinstance(operand, TensorExpr):
        raise ShapeError(f"{function} needs a square matrix{where}, not {short_label(operand)}")
    if operand.rank != 2 or operand.shape[0] != operand.shape[1]:
        raise ShapeError(f"{function} needs a square matrix{where}, but {short_label(operand)} has shape "
                         f"{format_shape(operand.shape)}")


class MatrixFunction(TensorExpr):
    """Base class of functions of whole matrices; ``operands`` are the tensor args."""

    function_name = ""

    def __new__(cls, *args):
        obj = super().__new__(cls, *args)
        _ = obj.shape  # computed (and cached) as the node is built: no recursion over deep chains later
        return obj

    @cached_property
    def shape(self) -> tuple:
        return self._own_shape()

    def _own_shape(self) -> tuple:
        raise NotImplementedError

    @property
    def operands(self) -> tuple:
        return tuple(a for a in self.args if isinstance(a, TensorExpr))

    @property
    def matrix(self) -> TensorExpr:
        """The (first) operand."""
        return self.args[0]


class _SquareFunction(MatrixFunction):
    def __new__(cls, matrix):
        _square(matrix, cls.function_name)
        return super().__new__(cls, matrix)


class Inverse(_SquareFunction):
    """``inv(A)``, the inverse of a square matrix.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 3, 3)
    >>> Inverse(A).shape, Inverse(A).func(*Inverse(A).args) == Inverse(A)
    ((3, 3), True)
    """

    function_name = "inv"

    def _own_shape(self) -> tuple:
        return self.args[0].shape


class Adjugate(_SquareFunction):
    """``adj(A)``, the adjugate (transposed cofactor matrix): ``adj(A) = det(A) inv(A)``.

    >>> import sympy_einstein as se
    >>> Adjugate(se.matrix("A", 2, 2)).shape
    (2, 2)
    """

    function_name = "adj"

    def _own_shape(self) -> tuple:
        return self.args[0].shape


class Determinant(_SquareFunction):
    """``det(A)``, an order-0 tensor.

    >>> import sympy_einstein as se
    >>> Determinant(se.matrix("A", 2, 2)).shape
    ()
    """

    function_name = "det"

    def _own_shape(self) -> tuple:
        return ()


class LogDeterminant(_SquareFunction):
    """``logdet(A) = log|det A|``, an order-0 tensor (finite for every invertible A).

    >>> import sympy_einstein as se
    >>> LogDeterminant(se.matrix("A", 2, 3))
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.ShapeError: logdet needs a square matrix, but A has shape (2, 3)
    """

    function_name = "logdet"

    def _own_shape(self) -> tuple:
        return ()


class Solve(MatrixFunction):
    """``solve(A, B) = inv(A) @ B`` without forming the inverse; ``B`` of any order >= 1 is solved
    along its first axis, so the result has ``B``'s shape.

    >>> import sympy_einstein as se
    >>> A, b = se.matrix("A", 3, 3), se.vector("b", 3)
    >>> Solve(A, b).shape, Solve(A, se.tensor("T", (3, 2, 4))).shape
    ((3,), (3, 2, 4))
    """

    function_name = "solve"

    def __new__(cls, matrix, rhs):
        _square(matrix, "solve", "its first argument")
        if not isinstance(rhs, TensorExpr) or rhs.rank == 0:
            raise ShapeError(f"solve needs a vector or a tensor as its second argument, not {short_label(rhs)}")
        if rhs.shape[0] != matrix.shape[0]:
            raise ShapeError(f"solve: {short_label(matrix)} has shape {format_shape(matrix.shape)} but the first "
                             f"axis of {short_label(rhs)} (shape {format_shape(rhs.shape)}) has size {rhs.shape[0]}")
        return super().__new__(cls, matrix, rhs)

    @property
    def rhs(self) -> TensorExpr:
        """The right-hand side ``B``."""
        return self.args[1]

    def _own_shape(self) -> tuple:
        return self.args[1].shape


def as_axes(axis, operand, function: str) -> sp.Tuple:
    """The reduced axes of ``operand`` as a sorted ``Tuple`` (``None`` means all axes).

    >>> import sympy_einstein as se
    >>> as_axes(-1, se.matrix("Z", 2, 3), "softmax")
    (1,)
    """
    rank = operand.rank
    if axis is None:
        axes = list(range(rank))
    else:
        items = list(axis) if isinstance(axis, (tuple, list, sp.Tuple)) else [axis]
        axes = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, sp.Integer)) or not -rank <= int(item) < rank:
                raise ShapeError(f"{function}: axis {item!r} is out of range for {short_label(operand)} of "
                                 f"order {rank}")
            axes.append(int(item) % rank)
        if len(set(axes)) != len(axes):
            raise ShapeError(f"{function}: axis {axis!r} repeats an axis")
    if not axes:
        raise ShapeError(f"{function} needs a tensor with at least one axis, not {short_label(operand)}")
    return sp.Tuple(*sorted(axes))


class _AxisFunction(MatrixFunction):
    def __new__(cls, operand, axes):
        if not isinstance(operand, TensorExpr):
            raise ShapeError(f"{cls.function_name} needs a tensor expression, not {short_label(operand)}")
        axes = as_axes(tuple(axes), operand, cls.function_name)
        return super().__new__(cls, operand, axes)

    @property
    def axes(self) -> tuple[int, ...]:
        """The reduced axes, sorted."""
        return tuple(int(a) for a in self.args[1])


class LogSumExp(_AxisFunction):
    """``log(sum(exp(Z), axes))``, evaluated max-shifted so that it never overflows.

    >>> import sympy_einstein as se
    >>> LogSumExp(se.matrix("Z", 2, 3), (1,)).shape
    (2,)
    """

    function_name = "logsumexp"

    def _own_shape(self) -> tuple:
        return tuple(s for k, s in enumerate(self.args[0].shape) if k not in self.axes)


class Softmax(_AxisFunction):
    """``exp(Z) / sum(exp(Z), axes)`` (broadcast back), evaluated max-shifted.

    >>> import sympy_einstein as se
    >>> Softmax(se.matrix("Z", 2, 3), (1,)).shape
    (2, 3)
    """

    function_name = "softmax"

    def _own_shape(self) -> tuple:
        return self.args[0].shape


class SymmetricMatrix(TensorSymbol):
    """A square matrix symbol declared symmetric: ``S.T`` simplifies to ``S``, and derivatives by it are
    symmetric (the gradient on the space of symmetric matrices, ``(G + G.T) / 2``).

    >>> import sympy_einstein as se
    >>> S = se.matrix("S", 3, 3, symmetric=True)
    >>> type(S).__name__, S == se.matrix("S", 3, 3)
    ('SymmetricMatrix', False)
    """

    def __new__(cls, name, shape):
        obj = super().__new__(cls, name, shape)
        if obj.rank != 2 or obj.shape[0] != obj.shape[1]:
            raise ShapeError(f"a symmetric matrix must be square, but {obj.name} has shape {format_shape(obj.shape)}")
        return obj


LINALG_CLASSES = (Inverse, Adjugate, Determinant, LogDeterminant, Solve, LogSumExp, Softmax)

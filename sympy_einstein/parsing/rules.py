"""Typing rules of the operators and functions (MatrixCalculus semantics for ``*`` and ``'``).

``*``: a scalar scales anything; matrix * matrix, matrix * column vector, row vector * matrix,
row vector * column vector (inner product) and column vector * row vector (outer product) as in
linear algebra; with a tensor of order 3 or more the last axis of the left is contracted with the
first of the right (as ``@``). ``+ - .* ./ / ^ .^`` act entry by entry on operands of one type, and a
scalar operand broadcasts.

>>> from .sizes import SizeTable, Type
>>> table = SizeTable()
>>> row, A = Type(1, (table.new(),), "row"), Type(2, (table.new(), table.new()))
>>> binary_type(None, row, A, table)
(Type(order=1, sizes=(2,), orient='row'), 'vecmat')
"""
from __future__ import annotations

from .sizes import SCALAR, Type

_ENTRYWISE = {"+": "add", "-": "subtract", ".*": "multiply entry by entry", "./": "divide entry by entry",
              "/": "divide", "^": "raise", ".^": "raise"}


def _vector(size: int, orient: str | None) -> Type:
    return Type(1, (size,), orient)


def _kind(t: Type, want: str) -> str:
    """'mat', 'col' or 'row'; a vector of open orientation takes ``want``."""
    if t.order == 2:
        return "mat"
    return t.orient or want


def binary_type(node, left: Type, right: Type, sizes) -> tuple[Type, str]:
    """The result type of ``left <op> right`` and the case the builder needs."""
    op = node.op if node is not None else "*"
    if op == "*":
        return _product_type(node, left, right, sizes)
    if op == "@":
        return _contract_type(node, left, right, sizes), "contract"
    if op == "@@":
        orient = "col" if left.order + right.order == 1 else None
        return Type(left.order + right.order, left.sizes + right.sizes, orient), "outer"
    if op == "^" and left.order == 2:
        return _matrix_power_type(node, left, right, sizes), "matrix_power"
    return _entrywise_type(node, left, right, sizes), "entrywise"


def _matrix_power_type(node, left: Type, right: Type, sizes) -> Type:
    """``A^k`` on a matrix: the matrix power (``A^-1`` the inverse); ``k`` an integer literal."""
    if right.order != 0 or integer_exponent(node.right) is None:
        raise node.error("^ on a matrix is the matrix power and needs an integer exponent such as A^2 or A^-1; "
                         "use .^ for the entrywise power")
    sizes.unify(left.sizes[0], left.sizes[1], node, "rows and columns of a matrix power")
    return left


def integer_exponent(node) -> int | None:
    """The value of an integer literal, possibly signed (``2``, ``-1``), or None.

    >>> from .syntax import parse_program
    >>> integer_exponent(parse_program("-1")[0].value), integer_exponent(parse_program("0.5")[0].value)
    (-1, None)
    """
    from .syntax import Number, Unary
    sign = 1
    while isinstance(node, Unary):
        sign, node = (-sign if node.op == "-" else sign), node.operand
    if isinstance(node, Number) and node.text.isdigit():
        return sign * int(node.text)
    return None


def _entrywise_type(node, left: Type, right: Type, sizes) -> Type:
    if left.order == 0 or right.order == 0:
        return right if left.order == 0 else left
    verb = _ENTRYWISE[node.op]
    if left.order != right.order or {left.orient, right.orient} == {"col", "row"}:
        hint = " (transpose one of them with ')" if left.order == right.order == 1 else ""
        raise node.error(f"cannot {verb} a {left.describe()} and a {right.describe()} with '{node.op}'{hint}")
    for a, b in zip(left.sizes, right.sizes, strict=True):
        sizes.unify(a, b, node, f"operands of '{node.op}'")
    return Type(left.order, left.sizes, left.orient or right.orient)


def _contract_type(node, left: Type, right: Type, sizes) -> Type:
    for side, t in (("left", left), ("right", right)):
        if t.order == 0:
            raise node.error(f"the {side} operand of '{node.op}' is a scalar; use * to scale")
    sizes.unify(left.sizes[-1], right.sizes[0], node, f"last axis of the left and first axis of the right "
                f"operand of '{node.op}'")
    result = left.sizes[:-1] + right.sizes[1:]
    return Type(len(result), result, "col" if len(result) == 1 else None)


def _product_type(node, left: Type, right: Type, sizes) -> tuple[Type, str]:
    if left.order == 0 or right.order == 0:
        return (right if left.order == 0 else left), "scale"
    if left.order >= 3 or right.order >= 3:
        return _contract_type(node, left, right, sizes), "contract"
    kinds = (_kind(left, "row" if right.order == 2 or right.orient != "row" else "col"),
             _kind(right, "col" if left.order == 2 or left.orient != "col" else "row"))
    (l0, *l1), (r0, *r1) = left.sizes, right.sizes
    if kinds == ("col", "row"):
        return Type(2, (l0, r0)), "outer"
    if kinds == ("mat", "mat"):
        sizes.unify(l1[0], r0, node, "inner dimensions of '*'")
        return Type(2, (l0, r1[0])), "matmul"
    if kinds == ("mat", "col"):
        sizes.unify(l1[0], r0, node, "inner dimensions of '*'")
        return _vector(l0, "col"), "matvec"
    if kinds == ("row", "mat"):
        sizes.unify(l0, r0, node, "inner dimensions of '*'")
        return _vector(r1[0], "row"), "vecmat"
    if kinds == ("row", "col"):
        sizes.unify(l0, r0, node, "inner dimensions of '*'")
        return SCALAR, "inner"
    raise node.error(f"cannot multiply a {_named(left, kinds[0])} by a {_named(right, kinds[1])} with '*': "
                     "use ' to transpose, .* for the entrywise product or @ to contract")


def _named(t: Type, kind: str) -> str:
    return {"mat": "matrix", "col": "column vector", "row": "row vector"}[kind] if t.order <= 2 else t.describe()


def matrix_call_type(node, values, sizes) -> Type:
    """The result type of inv, det, logdet, adj (a square matrix argument), solve(A, B), logsumexp
    (of all entries) and softmax (over all entries)."""
    name, first = node.name, values[0]
    if name in ("logsumexp", "softmax"):
        if first.order == 0:
            raise node.error(f"{name} needs a vector, a matrix or a tensor, not a scalar")
        return SCALAR if name == "logsumexp" else first
    if first.order != 2:
        raise node.error(f"{name} needs a square matrix, not a {first.describe()}")
    sizes.unify(first.sizes[0], first.sizes[1], node, f"rows and columns of the argument of {name}")
    if name in ("det", "logdet"):
        return SCALAR
    if name != "solve":
        return first
    rhs = values[1]
    if rhs.order == 0:
        raise node.error("the second argument of solve must be a vector or a matrix, not a scalar")
    sizes.unify(first.sizes[0], rhs.sizes[0], node, "rows of the two arguments of solve")
    return Type(rhs.order, rhs.sizes, "col" if rhs.order == 1 else None)


def call_type(node, value: Type | None, sizes) -> Type:
    """The result type of a built-in function other than einsum and the entrywise functions."""
    name = node.name
    if name in ("vector", "matrix"):
        from .syntax import Number, Unary
        arg = node.args[0]
        if not (isinstance(arg, Number) or isinstance(arg, Unary) and isinstance(arg.operand, Number)):
            raise arg.error(f"{name}(...) takes a number, such as {name}(1)")
        if name == "vector":
            return _vector(sizes.new(), None)
        return Type(2, (sizes.new(), sizes.new()))
    if name in ("tr", "trace"):
        if value.order != 2:
            raise node.error(f"{name} needs a matrix, not a {value.describe()}")
        sizes.unify(value.sizes[0], value.sizes[1], node, f"rows and columns of the argument of {name}")
        return SCALAR
    if name == "diag":
        if value.order == 1:
            return Type(2, (value.sizes[0], value.sizes[0]))
        if value.order == 2:
            sizes.unify(value.sizes[0], value.sizes[1], node, "rows and columns of the argument of diag")
            return _vector(value.sizes[0], "col")
        raise node.error(f"diag needs a vector or a square matrix, not a {value.describe()}")
    return SCALAR  # sum, norm1, norm2

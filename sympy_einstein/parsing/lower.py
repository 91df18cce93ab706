"""Lower typed syntax trees to tensor expressions with the builders of :mod:`sympy_einstein.build`.

Row and column vectors are both order-1 tensors; orientation only chose the product in typing.
``norm2(e)^2`` becomes ``sum(e .* e)`` (no square root), ``norm1(e)`` is ``sum(abs(e))``.
"""
from __future__ import annotations

import sympy as sp

from .. import build, linalg
from ..errors import EinsteinError
from .rules import integer_exponent
from .syntax import Binary, Call, Name, Number, ParseError, String, Transpose, Unary, left_spine

_ELEMENTWISE = {
    "exp": build.exp, "log": build.log, "sin": build.sin, "cos": build.cos, "tan": build.tan,
    "tanh": build.tanh, "abs": build.abs, "sign": build.sign, "relu": build.relu,
    "sigmoid": build.sigmoid, "sqrt": build.sqrt,
    "arcsin": sp.asin, "asin": sp.asin, "arccos": sp.acos, "acos": sp.acos, "arctan": sp.atan, "atan": sp.atan,
    "softplus": build.softplus, "log1p": build.log1p, "sinh": sp.sinh, "cosh": sp.cosh,
    "arcsinh": sp.asinh, "asinh": sp.asinh, "arccosh": sp.acosh, "acosh": sp.acosh,
    "arctanh": sp.atanh, "atanh": sp.atanh,
}
_MATRIX_FUNCTIONS = {"inv": linalg.inv, "det": linalg.det, "logdet": linalg.logdet, "adj": linalg.adj,
                     "solve": linalg.solve, "logsumexp": linalg.logsumexp, "softmax": linalg.softmax}
_ARITHMETIC = {"+": build.add, "-": build.subtract, ".*": build.multiply, "./": build.divide,
               "/": build.divide, "^": build.power, ".^": build.power, "@": build.matmul, "@@": build.outer}
_SHORT_SUM = 32  # terms added one by one, as written; a longer sum is added pairwise


def _number(text: str) -> sp.Expr:
    """An exact SymPy number: ``0.5`` is ``1/2``."""
    return sp.Integer(text) if text.isdigit() else sp.Rational(text)


class Lowering:
    """Turn statements into expressions; ``symbols`` are the variables, ``sizes`` maps size ids."""

    def __init__(self, symbols: dict, sizes: dict):
        self.symbols, self.sizes = symbols, sizes
        self.values: dict = {}
        self.lowered: dict = {}  # syntax node -> its expression

    def statement(self, statement):
        value = self.lower(statement.value)
        if statement.target is not None:
            self.values[statement.target] = value
        return value

    def lower(self, node):
        if node not in self.lowered:  # a long chain x .* y + z - ... is built bottom-up, not recursively
            spine = left_spine(node)
            for inner, parent in zip(spine, spine[1:] + [node]):
                if not (_is_sum(inner) and _is_sum(parent)):  # a sum's terms are gathered by lower_sum
                    self._lower_once(inner)
        return self._lower_once(node)

    def _lower_once(self, node):
        if node in self.lowered:
            return self.lowered[node]
        try:
            self.lowered[node] = getattr(self, "lower_" + type(node).__name__.lower())(node)
            return self.lowered[node]
        except ParseError:
            raise
        except EinsteinError as error:
            raise node.error(str(error)) from None

    def lower_number(self, node: Number):
        return _number(node.text)

    def lower_string(self, node: String):  # inference rejects strings outside einsum
        raise node.error("a string is only allowed as the spec of einsum")

    def lower_name(self, node: Name):
        if node.name in self.values:
            return self.values[node.name]
        if node.name == "eye" and node.name not in self.symbols:
            return linalg.eye(self.sizes[node.type.sizes[0]])
        return self.symbols[node.name]

    def lower_unary(self, node: Unary):
        value = self.lower(node.operand)
        return build.multiply(sp.Integer(-1), value) if node.op == "-" else value

    def lower_transpose(self, node: Transpose):
        value = self.lower(node.operand)
        return build.transpose(value) if node.resolved.order >= 2 else value

    def lower_sum(self, node: Binary):
        """A chain ``a + b - c ...`` as one sum; a long one is added as a balanced tree (n log n, not n^2)."""
        chain = [node]
        while _is_sum(chain[-1].left):
            chain.append(chain[-1].left)
        chain.reverse()
        values = [self.lower(chain[0].left)] + [self.lower(n.right) for n in chain]
        if len(chain) <= _SHORT_SUM:
            for n, right in zip(chain, values[1:]):
                values[0] = self._apply(n, _ARITHMETIC[n.op], values[0], right)
            return values[0]
        values[1:] = [self._apply(n, build.multiply, sp.Integer(-1), v) if n.op == "-" else v
                      for n, v in zip(chain, values[1:])]
        while len(values) > 1:
            values = [self._apply(node, build.add, *values[k:k + 2]) if k + 1 < len(values) else values[k]
                      for k in range(0, len(values), 2)]
        return values[0]

    @staticmethod
    def _apply(node, builder, *operands):
        try:
            return builder(*operands)
        except ParseError:
            raise
        except EinsteinError as error:
            raise node.error(str(error)) from None

    def lower_binary(self, node: Binary):
        if _is_sum(node):
            return self.lower_sum(node)
        if node.op in ("^", ".^") and _is_norm2_squared(node):
            inner = self.lower(node.left.args[0])
            return build.sum(build.multiply(inner, inner))
        left, right = self.lower(node.left), self.lower(node.right)
        case = node.resolved[2]
        if case == "matrix_power":
            return _matrix_power(left, integer_exponent(node.right))
        if node.op == "*":
            if case == "scale":
                return build.multiply(left, right)
            return build.outer(left, right) if case == "outer" else build.matmul(left, right)
        return _ARITHMETIC[node.op](left, right)

    def lower_call(self, node: Call):
        name = node.name
        if name == "einsum":
            spec = node.args[0].text
            operands = [self.lower(arg) for arg in node.args[1:]]
            sizes = {letter: self.sizes[k] for letter, k in node.resolved.items()}
            return build.einsum(spec, *operands, sizes=sizes)
        if name == "expand":  # b as every column (axis 2) or every row (axis 1) of a matrix
            spec = "i->ij" if node.args[1].text == "2" else "j->ij"
            new = "j" if node.args[1].text == "2" else "i"
            return build.einsum(spec, self.lower(node.args[0]), sizes={new: self.sizes[node.resolved]})
        if name in ("vector", "matrix"):
            value = self.lower(node.args[0])
            return build.broadcast_to(value, tuple(self.sizes[k] for k in node.type.sizes))
        if name in _MATRIX_FUNCTIONS:
            return _MATRIX_FUNCTIONS[name](*(self.lower(arg) for arg in node.args))
        value = self.lower(node.args[0])
        if name in _ELEMENTWISE:
            return build.elementwise(_ELEMENTWISE[name], value)
        if name == "sum":
            return build.sum(value)
        if name in ("tr", "trace"):
            return build.trace(value)
        if name == "diag":
            return build.diag(value)
        if name == "norm1":
            return build.sum(build.abs(value))
        return build.sqrt(build.sum(build.multiply(value, value)))  # norm2


def _matrix_power(matrix, k: int):
    """``A^k``: the identity for 0, the inverse's power for negative ``k``, products by squaring."""
    if k == 0:
        return linalg.eye(matrix.shape[0])
    base = linalg.inv(matrix) if k < 0 else matrix
    result, k = None, abs(k)
    while k:
        if k & 1:
            result = base if result is None else build.matmul(result, base)
        k >>= 1
        if k:
            base = build.matmul(base, base)
    return result


def _is_sum(node) -> bool:
    return isinstance(node, Binary) and node.op in ("+", "-")


def _is_norm2_squared(node: Binary) -> bool:
    return (isinstance(node.left, Call) and node.left.name == "norm2" and len(node.left.args) == 1
            and isinstance(node.right, Number) and node.right.text == "2")

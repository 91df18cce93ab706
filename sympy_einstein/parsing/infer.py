"""Type inference: the order of every variable, the orientation of vectors and the unified sizes.

A declaration always wins. Otherwise use decides: an einsum operand takes its order from the spec
(a strong hint); a transposed name is not a scalar, nor is the right factor of a row vector
(``a'*X*b``); a name added to a tensor (``A*x - b``) or combined with it by ``.*``, ``./`` takes its
order, and so does a vector or matrix name combined entry by entry with a tensor of another order
(weak hints). Otherwise MatrixCalculus' default by the first letter:
``a``-``g`` scalars, other lower case letters vectors, capitals matrices. Inference runs over the
whole program until no new hint appears; the last run fixes types and unifies sizes.

>>> from .syntax import parse_program
>>> program = parse_program("x'*A*x")
>>> result = infer(program, {})
>>> {name: t.describe() for name, t in result.variables.items()}
{'x': 'column vector', 'A': 'matrix'}
>>> A = result.variables["A"]; result.sizes.find(A.sizes[0]) == result.sizes.find(A.sizes[1])
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import SpecError
from ..ir.indices import parse_spec, unique
from .declarations import shape_of
from .sizes import SCALAR, SizeTable, Type
from .syntax import Call, Name, String, Unary, left_spine

ELEMENTWISE = ("exp", "log", "sin", "cos", "tan", "arcsin", "asin", "arccos", "acos", "arctan", "atan",
               "tanh", "abs", "sign", "relu", "sigmoid", "sqrt", "softplus", "log1p", "sinh", "cosh",
               "arcsinh", "asinh", "arccosh", "acosh", "arctanh", "atanh")
REDUCTIONS = ("sum", "tr", "trace", "norm1", "norm2")
MATRIX_FUNCTIONS = ("inv", "det", "logdet", "adj", "solve", "logsumexp", "softmax")
FUNCTIONS = ELEMENTWISE + REDUCTIONS + MATRIX_FUNCTIONS + ("diag", "vector", "matrix", "einsum", "expand")
ARITY = {"solve": 2}
STRONG, WEAK = 2, 1
_ADOPTING = ("+", "-", ".*", "./")  # operators whose scalar-named operand becomes a tensor like its partner


def default_order(name: str) -> int:
    """MatrixCalculus' naming convention: a-g scalars, other lower case vectors, capitals matrices.

    >>> default_order("c"), default_order("x"), default_order("X")
    (0, 1, 2)
    """
    first = name[0]
    if first.isupper():
        return 2
    return 0 if "a" <= first <= "g" else 1


@dataclass(frozen=True)
class Unknown:
    """A free variable (possibly wrapped in type-preserving operations) whose order is still open."""
    name: str


@dataclass
class Inferred:
    """What inference found: variable types (first use order), assigned names and the size table."""
    variables: dict
    assigned: dict
    sizes: SizeTable
    hints: dict = field(default_factory=dict)


class _Run:
    """One pass over the program with the hints known so far."""

    def __init__(self, declared: dict, hints: dict):
        self.declared, self.hints = declared, hints
        self.sizes = SizeTable()
        self.variables: dict[str, Type] = {}
        self.assigned: dict[str, Type] = {}
        self.rerun = False
        self.visited: dict = {}  # syntax node -> its type in this run

    # variables ------------------------------------------------------------------------------

    def settle(self, name: str, order: int) -> Type:
        if name not in self.variables:
            if name in self.declared:
                shape = shape_of(self.declared[name])
                sizes = tuple(self.sizes.new(s) for s in shape)
            else:
                sizes = tuple(self.sizes.new() for _ in range(order))
            self.variables[name] = Type(len(sizes), sizes, "col" if len(sizes) == 1 else None)
        return self.variables[name]

    def hint(self, name: str, order: int, strength: int, node) -> None:
        old = self.hints.get(name)
        if old is not None and old[1] == STRONG and strength == STRONG and old[0] != order:
            raise node.error(f"{name} is used as a tensor of order {old[0]} and of order {order}")
        if old is None or (strength > old[1] and old[0] != order):
            self.hints[name] = (order, strength)
            if name in self.variables and self.variables[name].order != order:
                self.rerun = True

    def resolve(self, value, partner: Type | None = None, node=None) -> Type:
        """A concrete type for ``value``; an unknown name takes the order of a tensor it is added to
        (``A*x - b`` makes ``b`` a vector), or combined with entry by entry unless it is named as a scalar."""
        if not isinstance(value, Unknown):
            return value
        order = default_order(value.name)
        adopt = order > 0 or node is not None and node.op in _ADOPTING
        if partner is not None and adopt and partner.order > 0 and partner.order != order:
            self.hint(value.name, partner.order, WEAK, node)
            order = partner.order
        return self.settle(value.name, order)

    # statements -----------------------------------------------------------------------------

    def statement(self, statement) -> Type:
        target = statement.target
        if target is not None and (target in self.variables or target in self.declared):
            raise statement.error(f"{target} is a variable of the formula and cannot be assigned")
        result = self.resolve(self.visit(statement.value))
        if target is not None:
            self.assigned[target] = result
        statement.type = result
        return result

    def visit(self, node):
        if node not in self.visited:
            for inner in left_spine(node):  # a long chain x + x + ... + x is typed bottom-up, not recursively
                self._visit_once(inner)
        return self._visit_once(node)

    def _visit_once(self, node):
        if node not in self.visited:
            node.type = self.visited[node] = getattr(self, "visit_" + type(node).__name__.lower())(node)
        return self.visited[node]

    def visit_number(self, node):
        return SCALAR

    def visit_string(self, node):
        raise node.error(f"the string '{node.text}' can only be the first argument of einsum or #")

    def visit_name(self, node):
        name = node.name
        if name in self.assigned:
            return self.assigned[name]
        if name in FUNCTIONS:
            raise node.error(f"{name} is a function: expected '(' after it")
        if name == "eye" and name not in self.variables and name not in self.declared:
            size = self.sizes.new()  # the identity of the size that fits
            return Type(2, (size, size))
        if name in self.variables or name in self.declared:
            return self.settle(name, 0)
        if name in self.hints:
            return self.settle(name, self.hints[name][0])
        return Unknown(name)

    def visit_unary(self, node):
        return self.visit(node.operand)

    def visit_transpose(self, node):
        value = self.visit(node.operand)
        if isinstance(value, Unknown):
            if default_order(value.name) == 0:
                self.hint(value.name, 1, WEAK, node)
            value = self.settle(value.name, max(default_order(value.name), 1))
        node.resolved = value
        if value.order == 1:
            return Type(1, value.sizes, {"col": "row", "row": "col"}.get(value.orient))
        return Type(value.order, tuple(reversed(value.sizes)))

    def visit_binary(self, node):
        from .rules import binary_type
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op in ("@", "@@"):
            left, right = (self._not_scalar(v, node) for v in (left, right))
        if node.op in ("*", "@", "@@"):
            left = self.resolve(left)
            if node.op == "*" and left.orient == "row":  # a'*X*b: b is the column of an inner product
                right = self._not_scalar(right, node)
            right = self.resolve(right)
        else:
            right = self.resolve(right, None if isinstance(left, Unknown) else left, node)
            left = self.resolve(left, right, node)
        result, case = binary_type(node, left, right, self.sizes)
        node.resolved = (left, right, case)
        return result

    def _not_scalar(self, value, node):
        if isinstance(value, Unknown) and default_order(value.name) == 0:
            self.hint(value.name, 1, WEAK, node)
            return self.settle(value.name, 1)
        return value

    def visit_call(self, node):
        from .rules import call_type
        if node.name not in FUNCTIONS:
            raise node.error(f"unknown function '{node.name}'; expected one of {', '.join(sorted(FUNCTIONS))}")
        if node.name == "einsum":
            return self.einsum(node)
        if node.name == "expand":
            return self.expand(node)
        arity = ARITY.get(node.name, 1)
        if len(node.args) != arity:
            raise node.error(f"{node.name} takes {'one argument' if arity == 1 else f'{arity} arguments'}, "
                             f"not {len(node.args)}")
        if node.name in ("vector", "matrix"):
            return call_type(node, None, self.sizes)
        if node.name in MATRIX_FUNCTIONS:
            return self.matrix_function(node)
        value = self.visit(node.args[0])
        if node.name == "diag":
            value = self._not_scalar(value, node)
        if node.name in ELEMENTWISE:
            return value
        if node.name in ("tr", "trace") and isinstance(value, Unknown):
            self.hint(value.name, 2, STRONG, node)
            value = self.settle(value.name, 2)
        return call_type(node, self.resolve(value), self.sizes)

    def expand(self, node) -> Type:
        """``expand(v, 2)``: the vector ``v`` as every column of a matrix (``expand(v, 1)``: as every row);
        the size of the new axis comes from use, as in ``W*X + expand(b, 2)``."""
        from .syntax import Number
        if len(node.args) != 2 or not isinstance(node.args[1], Number) or node.args[1].text not in ("1", "2"):
            raise node.error("expand takes a vector and the axis along which it is repeated, 1 or 2: "
                             "expand(b, 2) is b as every column of a matrix, expand(b, 1) b as every row")
        value = self.visit(node.args[0])
        if isinstance(value, Unknown):
            self.hint(value.name, 1, STRONG, node.args[0])
            value = self.settle(value.name, 1)
        if value.order != 1:
            raise node.args[0].error(f"expand repeats a vector, not a {value.describe()}")
        new = self.sizes.new()
        node.resolved = new
        sizes = (value.sizes[0], new) if node.args[1].text == "2" else (new, value.sizes[0])
        return Type(2, sizes)

    def matrix_function(self, node) -> Type:
        """inv, det, logdet, adj, solve (their first argument a matrix), logsumexp, softmax."""
        from .rules import matrix_call_type
        values = []
        for k, arg in enumerate(node.args):
            value = self.visit(arg)
            if isinstance(value, Unknown) and k == 0 and node.name not in ("logsumexp", "softmax"):
                self.hint(value.name, 2, STRONG, node)
                value = self.settle(value.name, 2)
            if k == 1:  # solve(A, b): b is not a scalar
                value = self._not_scalar(value, node)
            values.append(self.resolve(value))
        return matrix_call_type(node, values, self.sizes)

    def einsum(self, node) -> Type:
        if not node.args or not isinstance(node.args[0], String):
            raise node.error("einsum expects an index spec string such as 'ij,j->i' as its first argument")
        try:
            inputs, output = parse_spec(node.args[0].text, len(node.args) - 1)
        except SpecError as error:
            raise node.args[0].error(str(error)) from None
        letters: dict[str, int] = {}
        for k, (spec, arg) in enumerate(zip(inputs, node.args[1:], strict=True)):
            value = self._einsum_operand(k, spec, arg, node)
            for letter, size in zip(spec, value.sizes, strict=True):
                if letter in letters:
                    self.sizes.unify(letters[letter], size, arg, f"index '{letter}' of einsum")
                letters.setdefault(letter, size)
        free = {c: self.sizes.new() for c in unique(output) if c not in letters}
        node.resolved = free
        letters.update(free)
        sizes = tuple(letters[c] for c in output)
        return Type(len(sizes), sizes, "col" if len(sizes) == 1 else None)

    def _einsum_operand(self, k: int, spec: str, arg, node) -> Type:
        value = self.visit(arg)
        if isinstance(value, Unknown):
            self.hint(value.name, len(spec), STRONG, arg)
            return self.settle(value.name, len(spec))
        if value.order != len(spec):
            root = _root_name(arg)
            if root is not None and root not in self.declared and root not in self.assigned:
                self.hint(root, len(spec), STRONG, arg)
                return Type(len(spec), tuple(self.sizes.new() for _ in spec))
            raise arg.error(f"operand {k + 1} of einsum '{node.args[0].text}' is a {value.describe()} but "
                            f"its index string '{spec}' has {len(spec)} letter(s)")
        return value


def _root_name(node) -> str | None:
    """The variable under type-preserving wrappers (sign, elementwise functions), if any."""
    while True:
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Unary):
            node = node.operand
        elif isinstance(node, Call) and node.name in ELEMENTWISE and len(node.args) == 1:
            node = node.args[0]
        else:
            return None


def infer(program, declared: dict) -> Inferred:
    """Infer types over ``program`` (a list of statements); ``declared`` maps names to shapes."""
    hints: dict = {}
    for _ in range(4 * len(program) + 16):
        run = _Run(declared, hints)
        for statement in program:
            run.statement(statement)
        if not run.rerun:
            return Inferred(run.variables, run.assigned, run.sizes, hints)
    raise program[-1].error("type inference did not settle; declare the variables")


"""Tokens and syntax tree of the input language, and the parser that builds it.

Precedence, lowest first: ``+ -``; ``* / .* ./ @ @@``; unary ``- +``; ``^ .^`` (right associative,
the exponent may carry a sign); postfix ``'`` (transpose). A quote is a transpose after a name, a
number, ``)`` or another transpose, and opens a string everywhere else (MATLAB's rule).

The parser keeps its own stacks (operator precedence, no recursion) and its work is linear in the
input. Limits: :data:`MAX_INPUT_LENGTH` characters, :data:`MAX_NESTING` levels of operations,
:data:`MAX_NUMBER_LENGTH` characters per number, and every number a finite 64-bit float that is not
rounded to 0; each is a :class:`ParseError` naming the line and column.

>>> program = parse_program("f = x'*A*x; f + 1")
>>> [(s.target, type(s.value).__name__) for s in program]
[('f', 'Binary'), (None, 'Binary')]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..errors import EinsteinError


class ParseError(EinsteinError):
    """A syntax or type error in a formula, with the line and column where it was found.

    >>> import sympy_einstein as se
    >>> se.parse("x'*A*")
    Traceback (most recent call last):
    ...
    sympy_einstein.parsing.syntax.ParseError: line 1, column 6: expected an operand (...) but found the end of the input
    """

    def __init__(self, message: str, line: int = 0, column: int = 0):
        self.line, self.column, self.reason = line, column, message
        where = f"line {line}, column {column}: " if line else ""
        super().__init__(where + message)


# ---------------------------------------------------------------------------------------------
# tokens

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r]+|%[^\n]*|//[^\n]*)
  | (?P<newline>\n)
  | (?P<number>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>@@|\.\*|\./|\.\^|[-+*/^@=;(),#'"])
""", re.VERBOSE)

_VALUE_ENDS = {"name", "number", ")", "'"}


@dataclass(frozen=True)
class Token:
    kind: str       # 'name', 'number', 'string', 'end', 'sep' or the operator itself
    text: str
    line: int
    column: int

    def describe(self) -> str:
        if self.kind == "end":
            return "the end of the input"
        if self.kind == "sep":
            return "the end of the line" if self.text == "\n" else "';'"
        return f"'{self.text}'" if self.kind != "string" else f"the string '{self.text}'"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (comments start with ``%`` or ``//``).

    >>> [t.kind for t in tokenize("x'*x")]
    ['name', "'", '*', 'name', 'end']
    >>> [t.text for t in tokenize("#('ij,j->i', A, x)")][:3]
    ['#', '(', 'ij,j->i']
    """
    tokens, position, line, line_start = [], 0, 1, 0
    while position < len(text):
        column = position - line_start + 1
        if text[position] in "'\"" and not (text[position] == "'" and tokens and tokens[-1].kind in _VALUE_ENDS):
            end = text.find(text[position], position + 1)
            if end < 0 or "\n" in text[position:end]:
                raise ParseError(f"the string starting here has no closing {text[position]}", line, column)
            tokens.append(Token("string", text[position + 1:end], line, column))
            position = end + 1
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise ParseError(f"unexpected character {text[position]!r}", line, column)
        kind, value = match.lastgroup, match.group()
        if kind == "newline" or value == ";":
            tokens.append(Token("sep", value, line, column))
        elif kind in ("number", "name"):
            tokens.append(Token(kind, value, line, column))
        elif kind == "op":
            tokens.append(Token(value, value, line, column))
        if kind == "newline":
            line, line_start = line + 1, match.end()
        position = match.end()
    tokens.append(Token("end", "", line, position - line_start + 1))
    return tokens


# ---------------------------------------------------------------------------------------------
# syntax tree (mutable only in the ``type`` slot, which type inference fills in)


@dataclass(eq=False)
class Node:
    line: int
    column: int
    type: object = field(default=None, init=False, repr=False)
    resolved: object = field(default=None, init=False, repr=False)
    depth: int = field(default=1, init=False, repr=False)  # operations nested here (see MAX_NESTING)

    def error(self, message: str) -> ParseError:
        return ParseError(message, self.line, self.column)


@dataclass(eq=False)
class Number(Node):
    text: str


@dataclass(eq=False)
class String(Node):
    text: str


@dataclass(eq=False)
class Name(Node):
    name: str


@dataclass(eq=False)
class Unary(Node):
    op: str
    operand: Node


@dataclass(eq=False)
class Transpose(Node):
    operand: Node


@dataclass(eq=False)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(eq=False)
class Call(Node):
    name: str
    args: list


@dataclass(eq=False)
class Statement(Node):
    target: str | None
    value: Node


# ---------------------------------------------------------------------------------------------
# parser: operator precedence with explicit stacks (no recursion: depth is bounded by MAX_NESTING,
# never by Python's recursion limit)

MAX_INPUT_LENGTH = 10_000
"""The longest formula accepted, in characters (a longer one is a ParseError at the first extra character)."""
MAX_NESTING = 100
"""How deep operations may nest: each call, product, power, sign or transpose is a level around its
operands; the terms of a sum are one level (``x + x + ... + x`` is 2 deep), and so are repeated signs
(``---x``); parentheses add none."""
MAX_NUMBER_LENGTH = 400
"""The longest number literal accepted, in characters."""

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, ".*": 2, "./": 2, "@": 2, "@@": 2, "^": 4, ".^": 4}
_SIGN = 3  # binds tighter than products, looser than powers: -x^2 is -(x^2), -x*y is (-x)*y


class _Group:
    """An open parenthesis, an open call (``opener`` its name token) or the statement: the operands
    and operators not yet combined (operators in increasing precedence, as in the shunting-yard)."""

    def __init__(self, kind: str, opener: Token | None = None):
        self.kind, self.opener = kind, opener
        self.operands: list[Node] = []
        self.operators: list[tuple[int, Token]] = []
        self.args: list[Node] = []

    def reduce_one(self) -> None:
        precedence, token = self.operators.pop()
        if precedence == _SIGN:
            self.operands[-1] = _nested(Unary(token.line, token.column, token.kind, self.operands[-1]))
        else:
            right = self.operands.pop()
            self.operands[-1] = _nested(Binary(token.line, token.column, token.kind, self.operands[-1], right))

    def finish(self, operand: Node) -> Node:
        """The group's value, ending in ``operand``."""
        self.operands.append(operand)
        while self.operators:
            self.reduce_one()
        return self.operands.pop()


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.position = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.current
        self.position += 1
        return token

    def expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            raise ParseError(f"expected {what} but found {self.current.describe()}",
                             self.current.line, self.current.column)
        return self.advance()

    def program(self) -> list[Statement]:
        statements = []
        while self.current.kind != "end":
            if self.current.kind == "sep":
                self.advance()
                continue
            statements.append(self.statement())
            if self.current.kind not in ("sep", "end"):
                raise ParseError(f"expected an operator, ';' or the end of the line but found "
                                 f"{self.current.describe()}", self.current.line, self.current.column)
        if not statements:
            raise ParseError("expected a formula but the input is empty", self.current.line, self.current.column)
        return statements

    def statement(self) -> Statement:
        start = self.current
        nxt = self.tokens[self.position + 1]
        if start.kind == "name" and nxt.kind == "=":
            self.position += 2
            return Statement(start.line, start.column, start.text, self.expression())
        return Statement(start.line, start.column, None, self.expression())

    def expression(self) -> Node:
        """One expression; each loop reads an operand, then closes groups and reads an operator."""
        groups = [_Group("statement")]
        while True:
            operand = self.operand(groups)
            while operand is not None:
                operand = self.postfix(operand)
                token, group = self.current, groups[-1]
                if token.kind in _PRECEDENCE:
                    self.advance()
                    self.binary(group, operand, token)
                    break
                value = group.finish(operand)
                if group.kind == "statement":
                    return value
                operand = self.close(groups, value)

    def operand(self, groups: list[_Group]) -> Node | None:
        """Signs, then a primary; ``None`` when the primary opens a group (its operand comes next)."""
        while self.current.kind in ("-", "+"):
            groups[-1].operators.append((_SIGN, self.advance()))
        token = self.current
        if token.kind == "number":
            self.advance()
            return Number(token.line, token.column, _checked_number(token))
        if token.kind == "string":
            self.advance()
            return String(token.line, token.column, token.text)
        if token.kind == "(":
            self.advance()
            groups.append(_Group("paren", token))
            return None
        if token.kind in ("name", "#"):
            self.advance()
            if self.current.kind != "(":
                if token.kind == "#":
                    raise ParseError("expected '(' after '#'", self.current.line, self.current.column)
                return Name(token.line, token.column, token.text)
            self.advance()
            if self.current.kind == ")":
                self.advance()
                return _call(token, [])
            groups.append(_Group("call", token))
            return None
        raise ParseError(f"expected an operand (a name, a number, '(' or a function call) but found "
                         f"{token.describe()}", token.line, token.column)

    def postfix(self, node: Node) -> Node:
        while self.current.kind == "'":
            token = self.advance()
            node = _nested(Transpose(token.line, token.column, node))
        return node

    def binary(self, group: _Group, operand: Node, token: Token) -> None:
        """Push ``operand`` and the operator ``token``, combining what binds at least as tightly."""
        precedence = _PRECEDENCE[token.kind]
        group.operands.append(operand)
        right_associative = precedence == 4
        while group.operators and (group.operators[-1][0] > precedence or
                                   group.operators[-1][0] == precedence and not right_associative):
            group.reduce_one()
        group.operators.append((precedence, token))

    def close(self, groups: list[_Group], value: Node) -> Node | None:
        """After a group's value: ``)`` closes it, ``,`` starts the next argument of a call."""
        group = groups[-1]
        if group.kind == "paren":
            self.expect(")", "')'")
            groups.pop()
            return value
        group.args.append(value)
        if self.current.kind == ",":
            self.advance()
            return None
        self.expect(")", "',' or ')'")
        groups.pop()
        return _call(group.opener, group.args)


def _call(name: Token, args: list) -> Call:
    return _nested(Call(name.line, name.column, "einsum" if name.kind == "#" else name.text, args))


def _nested(node: Node) -> Node:
    """``node`` with its depth set, or a ParseError at it when that exceeds MAX_NESTING."""
    if isinstance(node, Binary) and node.op in ("+", "-"):
        left = node.left.depth - (isinstance(node.left, Binary) and node.left.op in ("+", "-"))
        node.depth = 1 + max(left, node.right.depth)
    elif isinstance(node, Unary) and isinstance(node.operand, Unary):
        node.depth = node.operand.depth  # signs multiply into one coefficient: --x is one level
    else:
        node.depth = 1 + max((child.depth for child in _children(node)), default=0)
    if node.depth > MAX_NESTING:
        raise node.error(f"the formula nests operations more than {MAX_NESTING} deep here")
    return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Unary | Transpose):
        return [node.operand]
    return node.args if isinstance(node, Call) else []


def _checked_number(token: Token) -> str:
    """The literal's text, once it is known to be a finite 64-bit float that is not rounded to 0."""
    text = token.text
    shown = text if len(text) <= 24 else text[:20] + "..."
    if len(text) > MAX_NUMBER_LENGTH:
        raise ParseError(f"the number {shown} has {len(text)} characters; at most {MAX_NUMBER_LENGTH} are allowed",
                         token.line, token.column)
    value = float(text)
    if math.isinf(value):
        raise ParseError(f"the number {shown} is too large: it overflows a 64-bit float (at most about 1.8e308)",
                         token.line, token.column)
    if value == 0 and any(c in "123456789" for c in text.lower().partition("e")[0]):
        raise ParseError(f"the number {shown} is too small: it is 0 as a 64-bit float (at least about 5e-324)",
                         token.line, token.column)
    return text


def left_spine(node: Node) -> list[Node]:
    """The operators below ``node`` along first operands (the left of a binary operator, the operand
    of a sign or transpose), deepest first.

    A tree walker that handles these first, remembering the results, never recurses along a long
    chain such as ``x + x + ... + x``; what is left to recurse into is bounded by MAX_NESTING.

    >>> [n.op for n in left_spine(parse_program("a - b + c - d")[0].value)]
    ['-', '+']
    """
    chain = []
    node = _first_operand(node)
    while node is not None:
        chain.append(node)
        node = _first_operand(node)
    chain.reverse()
    return chain


def _first_operand(node: Node) -> Node | None:
    if isinstance(node, Binary):
        node = node.left
    elif isinstance(node, Unary | Transpose):
        node = node.operand
    else:
        return None
    return node if isinstance(node, Binary | Unary | Transpose) else None


def parse_program(text: str) -> list[Statement]:
    """The statements of ``text`` (separated by newlines or ``;``) as syntax trees.

    At most :data:`MAX_INPUT_LENGTH` characters, nesting at most :data:`MAX_NESTING` deep.

    >>> parse_program("A*x - b")[0].value.op
    '-'
    """
    if not isinstance(text, str):
        raise ParseError(f"a formula must be a string, not {type(text).__name__}")
    if len(text) > MAX_INPUT_LENGTH:
        line = text.count("\n", 0, MAX_INPUT_LENGTH) + 1
        column = MAX_INPUT_LENGTH - text.rfind("\n", 0, MAX_INPUT_LENGTH)
        raise ParseError(f"the formula has {len(text)} characters; at most {MAX_INPUT_LENGTH} are allowed",
                         line, column)
    return _Parser(text).program()

"""Tokens and syntax tree of the input language, and the recursive-descent parser that builds it.

Precedence, lowest first: ``+ -``; ``* / .* ./ @ @@``; unary ``- +``; ``^ .^`` (right associative,
the exponent may carry a sign); postfix ``'`` (transpose). A quote is a transpose after a name, a
number, ``)`` or another transpose, and opens a string everywhere else (MATLAB's rule).

>>> program = parse_program("f = x'*A*x; f + 1")
>>> [(s.target, type(s.value).__name__) for s in program]
[('f', 'Binary'), (None, 'Binary')]
"""
from __future__ import annotations

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
# parser

_ADDITIVE = ("+", "-")
_MULTIPLICATIVE = ("*", "/", ".*", "./", "@", "@@")
_POWER = ("^", ".^")


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
        return self.binary_level(_ADDITIVE, self.multiplicative)

    def multiplicative(self) -> Node:
        return self.binary_level(_MULTIPLICATIVE, self.unary)

    def binary_level(self, ops, operand) -> Node:
        node = operand()
        while self.current.kind in ops:
            token = self.advance()
            node = Binary(token.line, token.column, token.kind, node, operand())
        return node

    def unary(self) -> Node:
        if self.current.kind in ("-", "+"):
            token = self.advance()
            return Unary(token.line, token.column, token.kind, self.unary())
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.current.kind in _POWER:
            token = self.advance()
            return Binary(token.line, token.column, token.kind, base, self.unary())
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while self.current.kind == "'":
            token = self.advance()
            node = Transpose(token.line, token.column, node)
        return node

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Number(token.line, token.column, token.text)
        if token.kind == "string":
            self.advance()
            return String(token.line, token.column, token.text)
        if token.kind == "(":
            self.advance()
            node = self.expression()
            self.expect(")", "')'")
            return node
        if token.kind in ("name", "#"):
            self.advance()
            if self.current.kind == "(":
                return self.call(token)
            if token.kind == "#":
                raise ParseError("expected '(' after '#'", self.current.line, self.current.column)
            return Name(token.line, token.column, token.text)
        raise ParseError(f"expected an operand (a name, a number, '(' or a function call) but found "
                         f"{token.describe()}", token.line, token.column)

    def call(self, name: Token) -> Call:
        self.expect("(", "'('")
        args = []
        if self.current.kind != ")":
            args.append(self.expression())
            while self.current.kind == ",":
                self.advance()
                args.append(self.expression())
        self.expect(")", "',' or ')'")
        return Call(name.line, name.column, "einsum" if name.kind == "#" else name.text, args)


def parse_program(text: str) -> list[Statement]:
    """The statements of ``text`` (separated by newlines or ``;``) as syntax trees.

    >>> parse_program("A*x - b")[0].value.op
    '-'
    """
    if not isinstance(text, str):
        raise ParseError(f"a formula must be a string, not {type(text).__name__}")
    return _Parser(text).program()

"""LaTeX in index notation: ``A_{ij} x_{j}`` with Einstein's summation convention.

The result is written as ``\\left[ ... \\right]_{i}``: the subscript of the bracket lists the output
(free) indices; every other index is summed. An index that is summed but written only once gets an
explicit ``\\sum``. Nested products are inlined with fresh letters (a product is multilinear), a
repeated output index becomes a Kronecker delta (``diag(x)`` is ``x_{i} \\delta_{ij}``), and sums
and elementwise functions take the indices of the product they sit in.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.printing import latex
>>> A, B, x = se.matrix("A", 3, 3), se.matrix("B", 3, 3), se.vector("x", 3)
>>> latex(A @ B @ x, notation="index")
'\\\\left[A_{ij} B_{jk} x_{k}\\\\right]_{i}'
>>> latex(se.sum(se.exp(A)), notation="index")
'\\\\sum_{ij} e^{A_{ij}}'
"""
from __future__ import annotations

from sympy import evaluate
from sympy.printing.precedence import PRECEDENCE

from ..ir.linalg import MatrixFunction
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from ..ir.walk import hash_bottom_up
from .bottom_up import fresh_caches
from .forms import signed_terms
from .latex_printer import DISPLAY_LETTERS, EinsteinLatexPrinter, einstein_form, join_terms, scaled_latex, symbol_latex
from .slots import Slot
from .strings import scalar_precedence

ATOM, MUL, ADD = PRECEDENCE["Atom"], PRECEDENCE["Mul"], PRECEDENCE["Add"]


class Letters:
    """A supply of index letters for one printed expression: ``i, j, k, l, p, ...``, then
    subscripted letters; every letter is handed out once, so summed indices never collide.

    With ``placeholders=True`` it hands out private-use characters instead, which
    :meth:`name_in_order` later names in order of first appearance (so ``A_{ij} B_{jk} x_{k}``
    reads left to right, whatever the nesting).

    >>> supply = Letters()
    >>> supply.take(3), supply.take(1)
    (['i', 'j', 'k'], ['l'])
    """

    FIRST_PLACEHOLDER = 0xE000

    def __init__(self, placeholders: bool = False):
        self.count, self.placeholders = 0, placeholders

    def take(self, count: int) -> list[str]:
        make = self._placeholder if self.placeholders else self._letter
        letters = [make(self.count + k) for k in range(count)]
        self.count += count
        return letters

    def _placeholder(self, k: int) -> str:
        return chr(self.FIRST_PLACEHOLDER + k)

    @staticmethod
    def _letter(k: int) -> str:
        base = DISPLAY_LETTERS[k % len(DISPLAY_LETTERS)]
        rounds = k // len(DISPLAY_LETTERS)
        return base if not rounds else f"{base}_{{{rounds}}}"

    def name_in_order(self, text: str, first: int) -> str:
        """``text`` with the placeholders named by letters ``first, first + 1, ...`` in order of
        first appearance."""
        placeholders = [c for c in dict.fromkeys(text) if ord(c) >= self.FIRST_PLACEHOLDER]
        names = {c: self._letter(first + k) for k, c in enumerate(placeholders)}
        return "".join(names.get(c, c) for c in text)


def indices(letters) -> str:
    """Index letters joined into one subscript (with spaces once a letter is not a single
    character).

    >>> indices(["i", "j"]), indices(["i", "j_{1}"])
    ('ij', 'i j_{1}')
    """
    return "".join(letters) if all(len(c) == 1 for c in letters) else " ".join(letters)


def index_form(expr, printer) -> str:
    """The index notation of a tensor expression (the ``index`` entry of ``NOTATIONS``).

    >>> import sympy_einstein as se
    >>> from sympy_einstein.printing import latex
    >>> latex(se.diag(se.vector("x", 3)), notation="index")
    '\\\\left[x_{i} \\\\delta_{ij}\\\\right]_{ij}'
    """
    hash_bottom_up(expr)  # the caches below hash nodes: never recursively
    fresh_caches()
    free = Letters().take(expr.rank)
    supply = Letters(placeholders=True)
    text, _ = _run(expr, free, supply, printer)
    if len(free) + supply.count <= len(DISPLAY_LETTERS):
        text = supply.name_in_order(text, len(free))
    else:  # more indices than single letters: name them as they are drawn (some are subscripted)
        supply = Letters()
        supply.take(len(free))
        text, _ = _run(expr, free, supply, printer)
    if not free or isinstance(expr, TensorSymbol):
        return text
    return r"\left[" + text + r"\right]_{" + indices(free) + "}"


def _run(expr, letters, supply, printer) -> tuple[str, int]:
    """``(latex, precedence)`` of the entry ``expr[letters]``, without recursion: :func:`_entry` and
    :func:`_factors` are generators that yield what they need (``("entry" or "factors", node,
    letters)``) and receive the result, so nodes are printed in the order a recursion would."""
    stack, value = [_entry(expr, letters, supply, printer)], None
    while stack:
        try:
            kind, node, node_letters = stack[-1].send(value)
        except StopIteration as done:
            stack.pop()
            value = done.value
            continue
        stack.append((_entry if kind == "entry" else _factors)(node, node_letters, supply, printer))
        value = None
    return value


def _entry(expr, letters, supply, printer):
    """Generator of ``(latex, precedence)`` of the entry ``expr[letters]`` (run by :func:`_run`)."""
    if isinstance(expr, TensorSymbol):
        name = symbol_latex(expr.name, printer)
        return (name + "_{" + indices(letters) + "}" if letters else name), ATOM
    if isinstance(expr, ZeroTensor):
        return "0", ATOM
    if isinstance(expr, TensorAdd):
        entries = []
        for _, term in signed_terms(expr, operands=False):  # the order join_terms renders them in
            if isinstance(term, TensorExpr):
                entries.append((yield "entry", term, letters))
        rendered = iter(entries)
        return join_terms(expr, printer, lambda term: next(rendered)), ADD
    if isinstance(expr, Elementwise):
        slots = {}
        for variable, operand in zip(expr.function.variables, expr.operands, strict=True):
            text, precedence = yield "entry", operand, letters
            slots[variable] = Slot(lambda p, text=text: text, precedence, last=False)
        with evaluate(False):  # evaluating the body again can be exponential (tanh(tanh(...)))
            body = expr.function.expr.xreplace(slots)
        return printer._print(body), scalar_precedence(body)
    if isinstance(expr, EinsteinProduct):
        return _product(*(yield "factors", expr, letters), printer)
    if isinstance(expr, MatrixFunction):  # printed whole in math notation, then indexed
        text = einstein_form(expr, EinsteinLatexPrinter({"notation": "einstein"}))
        return (r"\left(" + text + r"\right)_{" + indices(letters) + "}" if letters else text), ATOM
    raise TypeError(f"cannot print {type(expr).__name__}")


def _product(coeff, factors, summed, printer) -> tuple[str, int]:
    if not factors and not summed:
        return printer._print(coeff), scalar_precedence(coeff)
    if len(factors) == 1 and not summed:
        (text, precedence), = factors
    else:
        text = " ".join(r"\left(" + t + r"\right)" if p <= ADD else t for t, p in factors) or "1"
        precedence = MUL
    if summed:
        text = r"\sum_{" + indices(summed) + "} " + text
    if coeff == 1:
        return text, precedence
    tree = scaled_latex(coeff, lambda p: text, precedence)
    return printer._print(tree), scalar_precedence(tree)


def _factors(expr: EinsteinProduct, letters, supply, printer):
    """Generator of ``(coeff, [(latex, precedence), ...], summed_once)`` of the product
    ``expr[letters]`` with nested products inlined; deltas tie repeated output indices."""
    mapping, deltas = {}, []
    for letter, target in zip(expr.output, letters, strict=True):
        if letter in mapping:
            deltas.append((r"\delta_{" + indices([mapping[letter], target]) + "}", ATOM))
        else:
            mapping[letter] = target
    inner = [c for c in dict.fromkeys("".join(expr.inputs)) if c not in mapping]
    mapping.update(zip(inner, supply.take(len(inner)), strict=True))
    joined = "".join(expr.inputs)
    summed = [mapping[c] for c in inner if joined.count(c) == 1]
    coeff, factors = expr.coefficient, []
    for operand, string in zip(expr.operands, expr.inputs, strict=True):
        targets = [mapping[c] for c in string]
        if isinstance(operand, EinsteinProduct):
            inner_coeff, inner_factors, inner_summed = yield "factors", operand, targets
            coeff, summed, factors = coeff * inner_coeff, summed + inner_summed, factors + inner_factors
            continue
        factors.append((yield "entry", operand, targets))
    return coeff, factors + deltas, summed

"""Fuzzing with Hypothesis: corpus formulas, mutated, through parse, differentiation, the printers and
the NumPy backend of ``lambdify`` (compared with ``evaluate``).

A parse either succeeds or raises a ParseError with a line and a column; a formula that parses goes
through every later stage with no exception but an EinsteinError, and the generated code agrees with
``evaluate`` wherever both are finite. The suite runs a few hundred examples (derandomized under CI by
tests/conftest.py); the long run before a release sets ``FUZZ_PARSER_EXAMPLES`` and
``FUZZ_PIPELINE_EXAMPLES`` (see docs/fuzzing.md).
"""
import os
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sympy_einstein as se
from sympy_einstein.errors import EinsteinError
from sympy_einstein.evaluation import distinct_subexpressions
from sympy_einstein.parsing import ParseError
from sympy_einstein.testing import random_bindings

PARSER_EXAMPLES = int(os.environ.get("FUZZ_PARSER_EXAMPLES", "300"))
PIPELINE_EXAMPLES = int(os.environ.get("FUZZ_PIPELINE_EXAMPLES", "25"))
STATS = {"parser inputs": 0, "parsed": 0, "compiled": 0}  # counts for the long run's report

CORPUS = [
    "x'*A*x", "sum(log(exp(-y.*(X*w)) + vector(1)))", "norm2(X*w - y)^2", "tr(X'*A*X)", "a'*X*b",
    "x'*A*x + b'*x + c", "norm1(A*x - b)", "sqrt(x'*x)", "exp(-0.5*x'*S*x)", "log(sum(exp(x)))",
    "sum(log(sigmoid(y.*(X*w))))", "norm2(tanh(W*x) - y)^2", "sum((y - W2*relu(W1*x)).^2)",
    "x'*diag(d)*x", "X'*diag(z)*X", "sin(x)'*cos(x)", "x'*(A + A')*x/2", "t = X*w; sum(t.*t)",
    "sum((X - #('ijk,ia,jb,kc->abc', K, A, B, C))^2)", "#('ij,j->i', A, x)", "sum(#('ii->i', A))",
    "#('i->ii', x)", "x @ A @ x", "sum(A @@ x)", "#('ijk->ij', T) - T @ x", "sum(abs(x).^3)",
    "sum(x./(1 + exp(-x)))", "sum(sign(x).*x)", "c*sum(x) + 2^c", "matrix(1)*x", "-x'*-x",
]
TOKENS = [
    "x", "y", "A", "B", "c", "0", "1", "2", "0.5", "1e308", "1e309", "1e-400", "1" * 500, "-", "+", "*",
    ".*", "./", "/", "^", ".^", "@", "@@", "'", "''", "(", ")", "((", "))", ",", ";", "\n", "=", "#(",
    "'ij,j->i'", "'i->ii'", "sum(", "exp(", "log(", "relu(", "sqrt(", "tanh(", "diag(", "tr(", "vector(1)",
    " ", "%c\n", "/0", "log(0)", "0/0", "\"", "é", "\t", "$", "norm2(", "einsum(",
]
FUNCTIONS = ["sum", "exp", "log", "tanh", "sqrt", "relu", "sigmoid", "abs", "norm2", "diag", "-", "(", "tr"]


@st.composite
def mutated_formulas(draw):
    """A corpus formula with up to five edits: insert, delete, replace, duplicate a slice, wrap."""
    text = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text)))
        stop = draw(st.integers(start, min(len(text), start + 8)))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "wrap"]))
        if edit == "insert":
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[start:]
        elif edit == "delete":
            text = text[:start] + text[stop:]
        elif edit == "replace":
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[stop:]
        elif edit == "duplicate":
            text = text[:stop] + text[start:stop] * draw(st.integers(1, 50)) + text[stop:]
        else:
            function = draw(st.sampled_from(FUNCTIONS))
            text = f"-({text})" if function == "-" else f"({text})" if function == "(" else f"{function}({text})"
    return text


def parse_or_parse_error(text):
    """The parse of ``text`` (None when it is a ParseError naming a line and a column)."""
    STATS["parser inputs"] += 1
    try:
        parsed = se.parse(text, return_symbols=True)
        STATS["parsed"] += 1
        return parsed
    except ParseError as error:
        assert error.line >= 1 and error.column >= 1, (text, str(error))
        return None


@settings(max_examples=PARSER_EXAMPLES, suppress_health_check=list(HealthCheck))
@given(mutated_formulas())
def test_mutated_formulas_parse_or_raise_a_positioned_parse_error(text):
    parse_or_parse_error(text)


@settings(max_examples=PARSER_EXAMPLES, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from("xA1e.-+*/^@'(),;#=\n %\"_9") , max_size=60))
def test_random_text_parses_or_raises_a_positioned_parse_error(text):
    parse_or_parse_error(text)


def _through_the_pipeline(expr, symbols):
    """Differentiate, print, compile with NumPy; compare with evaluate where both are finite."""
    variable = next(iter(symbols.values()))
    try:
        gradient = sp.diff(expr, variable)
        for text in (str(gradient), sp.pretty(gradient), se.latex(gradient), se.latex(gradient, notation="index")):
            assert isinstance(text, str) and text
        args = list(symbols.values())
        compiled = se.lambdify(args, [expr, gradient], backend="numpy")
    except EinsteinError:
        return
    STATS["compiled"] += 1
    nodes = [node for e in (expr, gradient) for node in distinct_subexpressions(e) if isinstance(node, se.TensorExpr)]
    if _entries_at_most([*args, *nodes]) > 2_000_000:  # e.g. an order-19 operand or intermediate: no test data
        return
    bindings = random_bindings(args, seed=7)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = [np.asarray(se.evaluate(e, bindings)) for e in (expr, gradient)]
        except EinsteinError:
            return
        got = [np.asarray(v) for v in compiled(*(bindings[a] for a in args))]
    for want, have in zip(expected, got, strict=True):
        assert want.shape == have.shape
        finite = np.isfinite(want) & np.isfinite(have)
        assert np.allclose(want[finite], have[finite], rtol=1e-7, atol=1e-9)


def _entries_at_most(symbols) -> int:
    """A bound on the entries of the arrays of random_bindings (the k-th size symbol gets size 2 + k)
    and of the values of these expressions (every intermediate that evaluate forms is one of them)."""
    sizes = {s for t in symbols for size in getattr(t, "shape", ()) for s in sp.sympify(size).free_symbols}
    return sum((2 + len(sizes)) ** len(getattr(t, "shape", ())) for t in symbols)


@settings(max_examples=PIPELINE_EXAMPLES, suppress_health_check=list(HealthCheck))
@given(mutated_formulas())
def test_mutated_formulas_differentiate_print_and_compile(text):
    parsed = parse_or_parse_error(text)
    if parsed is None or not isinstance(parsed[0], se.TensorExpr) or not parsed[1]:
        return  # a ParseError, a SymPy number, or a constant such as matrix(1): nothing to differentiate by
    _through_the_pipeline(*parsed)


@pytest.mark.parametrize("formula", CORPUS)
def test_the_corpus_goes_through_the_pipeline(formula):
    _through_the_pipeline(*se.parse(formula, return_symbols=True))

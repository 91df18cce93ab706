"""Hostile input (issue 13): nothing hangs, nothing aborts, no nonsense passes a check.

The "previously failed" sections keep every input of the fuzzing report that opened the issue; each
must give a clear error (an EinsteinError naming the position, option or argument) or the right answer.
"""
import math

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.errors import BindingError, DomainError
from sympy_einstein.parsing import ParseError
from sympy_einstein.parsing.syntax import MAX_INPUT_LENGTH, MAX_NESTING, MAX_NUMBER_LENGTH, parse_program, tokenize

# ---------------------------------------------------------------------------------------------
# previously failed: the parser


@pytest.mark.parametrize("text, message", [
    ("1e999999999*x", "too large: it overflows a 64-bit float"),
    ("1e10000000*x", "too large"),
    ("2e308*x", "too large"),
    ("1e-400*x", "too small"),
    ("0." + "1" * 5000 + "*x", f"at most {MAX_NUMBER_LENGTH} are allowed"),
    ("1" * 5000 + "*x", f"at most {MAX_NUMBER_LENGTH} are allowed"),
])
def test_number_literals_are_bounded(text, message):
    with pytest.raises(ParseError, match=message) as caught:
        se.parse(text)
    assert (caught.value.line, caught.value.column) == (1, 1)


def test_largest_and_smallest_literals_are_exact():
    assert se.parse("1e308") == sp.Integer(10) ** 308
    assert se.parse("1" * 300) == sp.Integer("1" * 300)
    assert se.parse("1e-300") == sp.Rational(1, 10 ** 300)


@pytest.mark.parametrize("text", [
    "(" * 124 + "x" + ")" * 124,                      # parentheses add no depth
    "(" * 4000 + "x" + ")" * 4000,
    " + ".join(["x"] * 495),                          # a long sum is one level
    " - ".join(f"x{k}" for k in range(1000)),
    "-" * 493 + "x",                                  # repeated signs are one level
    "exp(" * 30 + "x" + ")" * 30,
    "x" + "'" * 60,
])
def test_deep_or_long_formulas_parse_at_the_default_recursion_limit(text):
    expr = se.parse(text)
    assert isinstance(expr, sp.Basic)


def test_repeated_signs_multiply():
    x = se.vector("x", 2)
    data = {x: np.array([1.0, -2.0])}
    for signs, factor in (("-" * 493, -1), ("-" * 494, 1), ("-+" * 300, 1)):
        assert np.array_equal(se.evaluate(se.parse(signs + "x", {"x": x}), data), factor * data[x])


def test_long_sum_has_every_term():
    expr = se.parse(" + ".join(f"x{k}" for k in range(200)) + " - 1")
    assert len(expr.terms) == 201
    assert expr.terms[0].name == "x0" and expr.terms[199].name == "x199"


@pytest.mark.parametrize("text, column", [
    ("exp(" * 110 + "x" + ")" * 110, 4 * (110 - MAX_NESTING) + 1),
    ("x" + ".*x" * 200, 3 * MAX_NESTING - 1),
])
def test_nesting_beyond_the_limit_is_a_parse_error_at_its_position(text, column):
    with pytest.raises(ParseError, match=f"nests operations more than {MAX_NESTING} deep") as caught:
        se.parse(text)
    assert (caught.value.line, caught.value.column) == (1, column)


@pytest.mark.parametrize("text", ["\n" * 100_000 + "x", "\n" * 400_000 + "x", "x+" * 500_000 + "x"])
def test_oversized_input_is_a_parse_error_naming_the_position(text):
    with pytest.raises(ParseError, match=f"at most {MAX_INPUT_LENGTH} are allowed") as caught:
        se.parse(text)
    assert caught.value.line >= 1 and caught.value.column >= 1


def test_tokenizer_is_linear_up_to_the_limit():
    text = "\n" * (MAX_INPUT_LENGTH - 1) + "x"
    assert len(tokenize(text)) == MAX_INPUT_LENGTH + 1
    assert len(parse_program(text)) == 1


@pytest.mark.parametrize("text, where, subexpression", [
    ("x/0", (1, 2), "x / 0"),
    ("log(0)", (1, 1), "log(0)"),
    ("sum(x/0)", (1, 6), "x / 0"),
    ("0/0 + x", (1, 2), "0 / 0"),
    ("0^-1*x", (1, 2), "0^-1"),
    ("x.^(1/0)", (1, 6), "1 / 0"),
])
def test_undefined_constants_are_parse_errors_naming_the_subexpression(text, where, subexpression):
    with pytest.raises(ParseError, match="is not a finite number") as caught:
        se.parse(text)
    assert (caught.value.line, caught.value.column) == where
    assert subexpression in str(caught.value)


@pytest.mark.parametrize("text, column", [  # found by the long fuzz run: exact powers of 10^300 bits
    ("2^1e308*x", 2), ("9^9^9*x", 2), ("2^2^2^2^2^2*x", 4), ("exp(log(2)*1e300)*x", 1), ("exp(1e300)*x", 1),
    ("sqrt(2)^1e300*x", 8),
])
def test_constants_too_large_for_a_float_are_parse_errors_at_once(text, column):
    with pytest.raises(ParseError, match="is too large for a 64-bit float") as caught:
        se.parse(text)
    assert (caught.value.line, caught.value.column) == (1, column)


def test_large_but_finite_constants_stay_exact():
    x = se.vector("x", 2)
    assert se.parse("2^10*x", {"x": x}).coefficient == 1024
    assert se.parse("0.5^2000*x", {"x": x}).coefficient == sp.Rational(1, 2 ** 2000)
    assert se.parse("exp(-1000)*x", {"x": x}).coefficient == sp.exp(-1000)


@pytest.mark.parametrize("build", [
    lambda x: x / 0,
    lambda x: x * sp.zoo,
    lambda x: x + sp.nan,
    lambda x: x ** sp.oo,
    lambda x: se.elementwise(lambda t: t / 0, x),
    lambda x: se.log(sp.Integer(0)),
    lambda x: se.elementwise(lambda s, t: s * sp.log(t), x, 0),
])
def test_builders_reject_undefined_constants(build):
    with pytest.raises(DomainError, match="is not a finite number"):
        build(se.vector("x", 3))


def test_finite_constants_still_build():
    x = se.vector("x", 3)
    assert (x / 2).coefficient == sp.Rational(1, 2)
    assert se.log(sp.Integer(1)) == 0
    assert math.isclose(float(se.parse("exp(-700)")), math.exp(-700))


# ---------------------------------------------------------------------------------------------
# previously failed: the command line


@pytest.mark.parametrize("argv, message", [
    (["x'*x", "--order", "99999999999999999999"], "argument --order: must be from 1 to 6"),
    (["sum(tanh(A*x))", "--order", "20"], "argument --order: must be from 1 to 6, not 20"),
    (["x'*x", "--order", "two"], "argument --order: expected an integer"),
    (["x'*x", "--seed", "-1"], "argument --seed: must be 0 or more, not -1"),
    (["x'*x", "--tol", "nan"], "argument --tol: must be a finite number above 0, not nan"),
    (["x'*x", "--tol", "-1"], "argument --tol: must be a finite number above 0"),
    (["x'*x", "--tol", "inf"], "argument --tol: must be a finite number above 0"),
    (["x'*x", "--tol", "0"], "argument --tol: must be a finite number above 0"),
    (["x'*x", "--bench", "10000000000000"], "--bench 10000000000000: x would have"),
    (["x'*A*x", "--bench", "20000", "--wrt", "x", "--order", "2"], "--bench 20000: A would have"),
    (["x'*x", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["x'*x", "--format", "html"], "argument --format: invalid choice"),
    ([], "the following arguments are required: formula"),
    (["x/0", "--check"], "line 1, column 2: x / 0 is not a finite number"),
])
def test_bad_options_are_one_line_errors_with_status_2(capsys, argv, message):
    from sympy_einstein.cli import main
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("sympy-einstein: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("formula, problem", [
    ("sum(log(-exp(x)))", "the value f is not finite"),
    ("sum(sqrt(-exp(x)))", "the value f is not finite"),
    ("sum(x)*log(-1)", "is not real"),
])
def test_check_fails_when_no_random_point_is_finite_and_real(capsys, formula, problem):
    from sympy_einstein.cli import CHECK_ATTEMPTS, main
    status = main([formula, "--check"])
    out, _ = capsys.readouterr()
    assert status == 1
    assert "check failed: " in out and problem in out and f"each of {CHECK_ATTEMPTS} random points" in out
    assert "max relative error" not in out


def test_check_retries_other_points(monkeypatch):
    from sympy_einstein import cli
    calls = []
    real = cli._check_at

    def fail_twice(*args):
        calls.append(1)
        if len(calls) <= 2:
            raise cli.CheckError("df/dx is not finite")
        return real(*args)

    monkeypatch.setattr(cli, "_check_at", fail_twice)
    f, symbols, derivatives = cli.derive("x'*A*x", ["x"])
    assert cli.check(f, symbols, derivatives) < 1e-6 and len(calls) == 3


# ---------------------------------------------------------------------------------------------
# previously failed: evaluate


def _x_and_data():
    x = se.vector("x", 2)
    return x, {x: [1.0, 2.0]}


@pytest.mark.parametrize("constant, value", [
    (se.relu(sp.log(5)), math.log(5)),
    (se.relu(sp.pi), math.pi),
    (se.relu(-sp.pi), 0.0),
    (se.softplus(sp.sqrt(2)), math.log1p(math.exp(math.sqrt(2)))),
    (se.softplus(sp.pi), math.log1p(math.exp(math.pi))),
    (se.sigmoid(sp.E), 1 / (1 + math.exp(-math.e))),
])
def test_constants_of_elementwise_functions_evaluate_as_the_generated_code(constant, value):
    x, data = _x_and_data()
    expr = constant * se.sum(x)
    assert math.isclose(se.evaluate(expr, data), 3 * value, rel_tol=1e-12)
    compiled = se.lambdify([x], expr, backend="numpy")
    assert math.isclose(float(compiled(np.array(data[x]))), 3 * value, rel_tol=1e-12)


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400), 2 ** 1100])
def test_scalar_arguments_that_overflow_are_binding_errors(value):
    x, data = _x_and_data()
    c = sp.Symbol("c")
    with pytest.raises(BindingError, match="the scalar c is too large for a 64-bit float"):
        se.evaluate(c * se.sum(x), {**data, c: value})


def test_array_entries_that_overflow_are_binding_errors():
    x, _ = _x_and_data()
    with pytest.raises(BindingError, match="the value of x .* too large for a 64-bit float"):
        se.evaluate(se.sum(x), {x: [10 ** 400, 1]})


def _chain(layers: int, shared: bool):
    """``z = tanh(A @ z) + z`` (``shared``: each layer uses z twice) or ``+ x``, ``layers`` times."""
    n = sp.Symbol("n", integer=True, positive=True)
    a, x = se.matrix("A", n, n), se.vector("x", n)
    z = x
    for _ in range(layers):
        z = se.tanh(a @ z) + (z if shared else x)
    return z, a, x


def test_a_1000_layer_chain_evaluates_at_the_default_recursion_limit():
    z, a, x = _chain(1000, shared=True)
    data = {a: 0.1 * np.eye(3), x: np.ones(3)}
    reference = np.ones(3)
    for _ in range(1000):
        reference = np.tanh(0.1 * reference) + reference
    assert np.allclose(se.evaluate(z, data), reference)


# ---------------------------------------------------------------------------------------------
# deep expressions print at the default recursion limit


@pytest.fixture(scope="module")
def deep_chain():
    return _chain(1000, shared=False)[0]


def test_str_of_a_1000_layer_chain(deep_chain):
    text = str(deep_chain)
    assert text.count("tanh(") == 1000 and text.startswith("tanh(A @ (tanh(A @ ") and text.endswith(")) + x")


@pytest.mark.parametrize("notation", ["einstein", "index"])
def test_latex_of_a_1000_layer_chain(deep_chain, notation):
    text = se.latex(deep_chain, notation=notation)
    assert text.count(r"\tanh") == 1000


def test_pretty_of_a_200_layer_chain():
    text = sp.pretty(_chain(200, shared=False)[0], wrap_line=False)
    assert text.count("tanh") == 200


def test_nested_functions_print_and_evaluate():
    f, symbols = se.parse("sum(" + "tanh(" * 12 + "x" + ")" * 12 + ")", return_symbols=True)
    x = symbols["x"]
    gradient = sp.diff(f, x)
    for text in (str(gradient), sp.pretty(gradient), se.latex(gradient), se.latex(gradient, notation="index")):
        assert "tanh" in text
    data = np.array([0.3, -0.2])
    value, step = data, np.ones(2)
    for _ in range(12):
        value, step = np.tanh(value), step * (1 - np.tanh(value) ** 2)
    assert np.allclose(se.evaluate(gradient, {x: data}), step)


def test_a_product_of_more_operands_than_numpy_einsum_takes():  # found by the long fuzz run
    f, symbols = se.parse("norm2(sum(sign(x)" + ".*x" * 63 + "))", return_symbols=True)
    x = symbols["x"]
    data = np.array([1.01, -0.99, 1.02])
    assert math.isclose(se.evaluate(f, {x: data}), abs(np.sum(np.sign(data) * data ** 63)), rel_tol=1e-12)
    gradient = se.evaluate(sp.diff(f, x), {x: data})
    assert np.allclose(gradient, np.sign(np.sum(np.sign(data) * data ** 63)) * 63 * np.sign(data) * data ** 62)


# ---------------------------------------------------------------------------------------------
# found by the long fuzz run in code generation


def test_numpy_backend_broadcasts_a_huge_integer_constant():  # fixed by the kernel-IR code generator
    x = se.vector("x", 2)
    compiled = se.lambdify([x], x + sp.Integer(10) ** 300, backend="numpy")
    assert np.allclose(compiled(np.ones(2)), 1e300)


def test_numpy_backend_overflows_a_scalar_power_to_inf_as_evaluate_does():
    f, symbols = se.parse("c*sum(x) + 2^2^2^2^c", return_symbols=True)
    c, x = symbols["c"], symbols["x"]
    assert se.evaluate(f, {c: 3.0, x: np.ones(2)}) == math.inf
    with np.errstate(all="ignore"):
        assert se.lambdify([c, x], f, backend="numpy")(3.0, np.ones(2)) == math.inf


def test_long_product_of_one_matrix_differentiates():
    """Found by the long fuzz run: canonical renaming of a product of 60 equal matrices cycled through
    ever new operand orders (minutes); it is bounded now. The gradient is checked against evaluate."""
    f, symbols = se.parse("-(sum((y - " + "*".join(["AW1"] * 60) + "*x).^2))", return_symbols=True)
    matrix, x, y = symbols["AW1"], symbols["x"], symbols["y"]
    gradient = sp.diff(f, x)
    rng = np.random.default_rng(3)
    values = {matrix: np.eye(3) + 0.01 * rng.normal(size=(3, 3)), x: rng.normal(size=3), y: rng.normal(size=3)}
    power = np.linalg.matrix_power(values[matrix], 60)
    assert np.allclose(se.evaluate(gradient, values), 2 * power.T @ (values[y] - power @ values[x]))


@pytest.mark.parametrize("text", ["tanh(sqrt(1e308'*di*1e308))", "sqrt(sqrt(1e308'*di*2))"])
def test_a_product_of_literals_beyond_float64_is_a_parse_error(text):
    """Found by the long fuzz run: each literal fits float64, their exact product did not, and the
    generated code failed converting it (OverflowError)."""
    with pytest.raises(ParseError, match="too large for a 64-bit float"):
        se.parse(text)


def test_a_coefficient_beyond_float64_is_a_domain_error():
    x = se.vector("x", 3)
    with pytest.raises(DomainError, match="too large for a 64-bit float"):
        sp.Integer(10) ** 308 * (sp.Integer(10) ** 308 * x)
    assert (sp.Integer(10) ** 300 * x * 2).coefficient == 2 * sp.Integer(10) ** 300

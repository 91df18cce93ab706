"""The input language: a corpus of MatrixCalculus.org and einsum.org formulas, type inference, errors.

Every corpus formula is parsed, evaluated on random data and compared with a hand-written NumPy
formula (the parser's semantics), then differentiated with respect to each variable and compared
with central finite differences.
"""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import derivative
from sympy_einstein.testing import numeric_derivative, random_bindings

# (formula, NumPy reference of the value from arrays by name, positive data?)
MATRIXCALCULUS = [
    # examples of the MatrixCalculus.org documentation and its example menu
    ("x'*A*x", lambda v: v["x"] @ v["A"] @ v["x"], False),
    ("sum(log(exp(-y.*(X*w)) + vector(1)))",
     lambda v: np.sum(np.log(np.exp(-v["y"] * (v["X"] @ v["w"])) + 1)), False),
    ("norm2(X*w - y)^2", lambda v: np.sum((v["X"] @ v["w"] - v["y"]) ** 2), False),
    ("norm2(T - U*V')^2", lambda v: np.sum((v["T"] - v["U"] @ v["V"].T) ** 2), False),
    ("tr(X'*A*X)", lambda v: np.trace(v["X"].T @ v["A"] @ v["X"]), False),
    ("a'*X*b", lambda v: v["a"] @ v["X"] @ v["b"], False),
    ("x'*A*x + b'*x + c", lambda v: v["x"] @ v["A"] @ v["x"] + v["b"] @ v["x"] + v["c"], False),
    ("(A*x - b)'*(A*x - b)", lambda v: (v["A"] @ v["x"] - v["b"]) @ (v["A"] @ v["x"] - v["b"]), False),
    ("norm2(A*x - b)^2", lambda v: np.sum((v["A"] @ v["x"] - v["b"]) ** 2), False),
    ("norm2(A*x - b)", lambda v: np.linalg.norm(v["A"] @ v["x"] - v["b"]), False),
    ("norm1(A*x - b)", lambda v: np.sum(np.abs(v["A"] @ v["x"] - v["b"])), False),
    ("sqrt(x'*x)", lambda v: np.sqrt(v["x"] @ v["x"]), False),
    ("exp(-0.5*x'*S*x)", lambda v: np.exp(-0.5 * v["x"] @ v["S"] @ v["x"]), False),
    ("log(sum(exp(x)))", lambda v: np.log(np.sum(np.exp(v["x"]))), False),
    ("sum(log(sigmoid(y.*(X*w))))", lambda v: np.sum(np.log(1 / (1 + np.exp(-v["y"] * (v["X"] @ v["w"]))))), False),
    ("norm2(tanh(W*x) - y)^2", lambda v: np.sum((np.tanh(v["W"] @ v["x"]) - v["y"]) ** 2), False),
    ("sum((y - W2*relu(W1*x)).^2)",
     lambda v: np.sum((v["y"] - v["W2"] @ np.maximum(v["W1"] @ v["x"], 0)) ** 2), False),
    ("x'*diag(d)*x", lambda v: v["x"] @ np.diag(v["d"]) @ v["x"], False),
    ("X'*diag(z)*X", lambda v: v["X"].T @ np.diag(v["z"]) @ v["X"], False),
    ("sin(x)'*cos(x)", lambda v: np.sin(v["x"]) @ np.cos(v["x"]), False),
    ("x'*(A + A')*x/2", lambda v: v["x"] @ (v["A"] + v["A"].T) @ v["x"] / 2, False),
    ("sum(X.*Y)", lambda v: np.sum(v["X"] * v["Y"]), False),
    ("x'*y/(x'*x)", lambda v: (v["x"] @ v["y"]) / (v["x"] @ v["x"]), False),
    ("x*y'", lambda v: np.outer(v["x"], v["y"]), False),
    ("A*B*C", lambda v: v["A"] @ v["B"] @ v["C"], False),
    ("vector(1)'*x", lambda v: np.sum(v["x"]), False),
    ("sum(matrix(1).*X)", lambda v: np.sum(v["X"]), False),
    ("c*x + 1", lambda v: v["c"] * v["x"] + 1, False),
    ("x.^3 - 2^x", lambda v: v["x"] ** 3 - 2 ** v["x"], False),
    ("sum(x./y)", lambda v: np.sum(v["x"] / v["y"]), True),
    ("log(x)'*sqrt(y)", lambda v: np.log(v["x"]) @ np.sqrt(v["y"]), True),
    ("sum(arctan(x) + atan(x) + tan(0.25*x) + acos(0.25*x) + arcsin(0.25*x) + asin(0.25*x))",
     lambda v: np.sum(2 * np.arctan(v["x"]) + np.tan(v["x"] / 4) + np.arccos(v["x"] / 4) + 2 * np.arcsin(v["x"] / 4)),
     True),
    ("sum(sign(x).*abs(x))", lambda v: np.sum(np.sign(v["x"]) * np.abs(v["x"])), False),
    ("r = A*x - b; r'*r", lambda v: np.sum((v["A"] @ v["x"] - v["b"]) ** 2), False),
    ("h = X*w\nsum(log(vector(1) + exp(-y.*h)))",
     lambda v: np.sum(np.log(1 + np.exp(-v["y"] * (v["X"] @ v["w"])))), False),
]

EINSUM_ORG = [
    # examples of the einsum.org differentiator (generalized einsum, @, @@, ^ entry by entry)
    ("sum((X - #('ijk,ia,jb,kc->abc', K, A, B, C))^2)",
     lambda v: np.sum((v["X"] - np.einsum("ijk,ia,jb,kc->abc", v["K"], v["A"], v["B"], v["C"])) ** 2), False),
    ("sum((T - #('ir,jr,kr->ijk', A, B, C))^2)",
     lambda v: np.sum((v["T"] - np.einsum("ir,jr,kr->ijk", v["A"], v["B"], v["C"])) ** 2), False),
    ("#('ij,j->i', A, x)", lambda v: v["A"] @ v["x"], False),
    ("einsum('ij,j->i', A, x)", lambda v: v["A"] @ v["x"], False),
    ("einsum('i,i->', x, y)", lambda v: v["x"] @ v["y"], False),
    ("sum(#('ii->i', A))", lambda v: np.trace(v["A"]), False),
    ("#('i->ii', x)", lambda v: np.diag(v["x"]), False),
    ("#('ij,ij->ij', A, B)", lambda v: v["A"] * v["B"], False),
    # einsum.org squares a matrix entry by entry with ^; here ^ on a matrix is the matrix power: write .^
    ("sum((#('ij,jk->ik', U, V) - T).^2)", lambda v: np.sum((v["U"] @ v["V"] - v["T"]) ** 2), False),
    ("x @ A @ x", lambda v: v["x"] @ v["A"] @ v["x"], False),
    ("sum(A @@ x)", lambda v: np.sum(np.multiply.outer(v["A"], v["x"])), False),
    ("#('ijk->ij', T) - T @ x", lambda v: v["T"].sum(2) - np.einsum("ijk,k->ij", v["T"], v["x"]), False),
    ("sum(exp(#('ij,j->i', W, x)))", lambda v: np.sum(np.exp(v["W"] @ v["x"])), False),
    ("sum(#('i,j->ij', x, y) .* A)", lambda v: np.sum(np.outer(v["x"], v["y"]) * v["A"]), False),
    ("sum(log(exp(-y .* (X @ w)) + 1))", lambda v: np.sum(np.log(np.exp(-v["y"] * (v["X"] @ v["w"])) + 1)), False),
    ("sum(#('i->ij', x) .* A)", lambda v: np.sum(v["x"][:, None] * v["A"]), False),
]

MATRIX_FUNCTIONS = [
    # inverse, determinants, adjugate, solve, matrix powers (MatrixCalculus.org), stable reductions
    ("x'*S^-1*x", lambda v: v["x"] @ np.linalg.inv(v["S"]) @ v["x"], False),
    ("x'*inv(S)*x", lambda v: v["x"] @ np.linalg.inv(v["S"]) @ v["x"], False),
    ("log(det(X*X'))", lambda v: np.log(np.linalg.det(v["X"] @ v["X"].T)), False),
    ("logdet(inv(X))", lambda v: -np.linalg.slogdet(v["X"])[1], False),
    ("logdet(A*B)", lambda v: np.linalg.slogdet(v["A"] @ v["B"])[1], False),
    ("det(A) + tr(adj(A))", lambda v: np.linalg.det(v["A"]) * (1 + np.trace(np.linalg.inv(v["A"]))), False),
    ("adj(A)*x", lambda v: np.linalg.det(v["A"]) * np.linalg.inv(v["A"]) @ v["x"], False),
    ("solve(A, b)", lambda v: np.linalg.solve(v["A"], v["b"]), False),
    ("sum(solve(A, B))", lambda v: np.sum(np.linalg.solve(v["A"], v["B"])), False),
    ("A^3*x", lambda v: np.linalg.matrix_power(v["A"], 3) @ v["x"], False),
    ("x'*A^-2*x + tr(A^0)", lambda v: v["x"] @ np.linalg.matrix_power(v["A"], -2) @ v["x"] + len(v["x"]), False),
    ("A.^-1", lambda v: 1 / v["A"], True),
    ("logdet(K + eye) + y'*inv(K + eye)*y",
     lambda v: np.linalg.slogdet(v["K"] + np.eye(len(v["y"])))[1]
     + v["y"] @ np.linalg.inv(v["K"] + np.eye(len(v["y"]))) @ v["y"], True),
    ("logsumexp(x) - x'*y", lambda v: np.log(np.sum(np.exp(v["x"]))) - v["x"] @ v["y"], False),
    ("softmax(x)'*y", lambda v: np.exp(v["x"]) @ v["y"] / np.sum(np.exp(v["x"])), False),
    ("logsumexp(X)", lambda v: np.log(np.sum(np.exp(v["X"]))), False),
    ("sum(softplus(x) + log1p(x.^2) + sinh(x) + cosh(x) + asinh(x) + arcsinh(x) + atanh(0.25*x) + acosh(x + 2))",
     lambda v: np.sum(np.logaddexp(0, v["x"]) + np.log1p(v["x"] ** 2) + np.sinh(v["x"]) + np.cosh(v["x"])
                      + 2 * np.arcsinh(v["x"]) + np.arctanh(v["x"] / 4) + np.arccosh(v["x"] + 2)), True),
    ("-sum(log(vector(10) - A*x))", lambda v: -np.sum(np.log(10 - v["A"] @ v["x"])), True),
]

CORPUS = MATRIXCALCULUS + EINSUM_ORG + MATRIX_FUNCTIONS


def _values(symbols, bindings):
    return {name: np.asarray(bindings[s], dtype=float) for name, s in symbols.items()}


@pytest.mark.parametrize("formula, reference, positive", CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_value(formula, reference, positive):
    expr, symbols = se.parse(formula, return_symbols=True)
    bindings = random_bindings(list(symbols.values()), positive=positive, seed=1)
    np.testing.assert_allclose(se.evaluate(expr, bindings), reference(_values(symbols, bindings)),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("formula, reference, positive", CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_derivatives(formula, reference, positive):
    expr, symbols = se.parse(formula, return_symbols=True)
    bindings = random_bindings(list(symbols.values()), positive=positive, seed=2)
    for symbol in symbols.values():
        result = derivative(expr, symbol)
        assert result.shape == expr.shape + symbol.shape
        expected = numeric_derivative(expr, symbol, bindings)
        np.testing.assert_allclose(se.evaluate(result, bindings), expected, rtol=1e-5, atol=1e-6,
                                   err_msg=f"d({formula})/d{symbol.name}")


def _shapes(formula, declarations=None):
    return {name: s.shape for name, s in se.parse(formula, declarations, return_symbols=True)[1].items()}


n, m, k = sp.symbols("n m k", integer=True, positive=True)


@pytest.mark.parametrize("formula, shapes", [
    ("x'*A*x", {"A": (n, n), "x": (n,)}),                           # x'*A*x makes A square
    ("sum(log(exp(-y.*(X*w)) + vector(1)))", {"X": (m, n), "w": (n,), "y": (m,)}),
    ("b'*x", {"b": (n,), "x": (n,)}),                               # b' makes b a vector
    ("a'*X*b", {"X": (m, n), "a": (m,), "b": (n,)}),                # the right factor of a row vector
    ("c*x", {"c": (), "x": (n,)}),                                   # a-g scalars by default
    ("A*x - b", {"A": (m, n), "b": (m,), "x": (n,)}),               # b added to a vector
    ("x + 1", {"x": (n,)}),
    ("tr(A)", {"A": (n, n)}),
    ("x'*diag(d)*x", {"d": (n,), "x": (n,)}),
    ("#('ij,jk->ik', x, A)", {"A": (n, k), "x": (m, n)}),          # einsum operand order from the spec
    ("sum(X - #('ijk->kji', T))", {"T": (m, n, k), "X": (k, n, m)}),  # X - #(..->abc) makes X order 3
    ("sum(exp(X) - #('ijk->kji', T))", {"T": (m, n, k), "X": (k, n, m)}),
    ("sum(X) + sum(#('ijk->ijk', X))", {"X": (m, n, k)}),          # a later einsum use decides
])
def test_type_inference(formula, shapes):
    assert _shapes(formula) == shapes


def test_declarations_win():
    assert _shapes("A*x", "A: matrix(p, q); x: vector(q)") == {
        "A": sp.symbols("p q", integer=True, positive=True), "x": (sp.Symbol("q", integer=True, positive=True),)}
    assert _shapes("x'*c", "c: scalar") == {"c": (), "x": (n,)}
    assert _shapes("a + x", {"a": ()}) == {"a": (), "x": (n,)}
    assert _shapes("sum(T)", "T: tensor(2, 3, 4)") == {"T": (2, 3, 4)}
    assert _shapes("sum(w)", "w: vector") == {"w": (n,)}
    big_x = se.matrix("X", 5, k)
    expr, symbols = se.parse("sum(X*w)", {"X": big_x}, return_symbols=True)
    assert symbols["X"] is big_x and symbols["w"].shape == (k,)
    assert _shapes("A*x", {"A": (3, "r")}) == {"A": (3, sp.Symbol("r", integer=True, positive=True)),
                                              "x": (sp.Symbol("r", integer=True, positive=True),)}


def test_sizes_unify_with_declared_numbers():
    assert _shapes("x'*A*x", "x: vector(4)") == {"A": (4, 4), "x": (4,)}
    with pytest.raises(se.ParseError, match="sizes 3 and 4 do not match"):
        se.parse("x'*y", "x: vector(3); y: vector(4)")


def test_assignments_and_last_value():
    expr, symbols = se.parse("r = A*x - b\nf = r'*r\n2*f", return_symbols=True)
    bindings = random_bindings(list(symbols.values()))
    v = _values(symbols, bindings)
    assert list(symbols) == ["A", "b", "x"]
    np.testing.assert_allclose(se.evaluate(expr, bindings), 2 * np.sum((v["A"] @ v["x"] - v["b"]) ** 2))


def test_scalar_variables_are_order_0_tensors():
    expr, symbols = se.parse("c*x'*x + c^2", return_symbols=True)
    assert isinstance(symbols["c"], se.TensorSymbol) and symbols["c"].shape == ()
    bindings = random_bindings(list(symbols.values()))
    np.testing.assert_allclose(se.evaluate(derivative(expr, symbols["c"]), bindings),
                               numeric_derivative(expr, symbols["c"], bindings), rtol=1e-6)


def test_numbers_are_exact_and_scalar_formulas_are_sympy_numbers():
    assert se.parse("0.5*2 + 1e-1") == sp.Rational(11, 10)
    assert se.parse("2^3 - 1") == 7


def test_comments_and_blank_lines():
    assert se.parse("% a comment\n\nx'*x  // inner product\n").shape == ()


@pytest.mark.parametrize("formula, line, column, message", [
    ("x'*A*", 1, 6, "expected an operand"),
    ("x'*x 3", 1, 6, "expected an operator"),
    ("(x + y", 1, 7, "expected '\\)'"),
    ("r = A*x\nr $ 2", 2, 3, "unexpected character '\\$'"),
    ("x + y'", 1, 3, "cannot add a column vector and a row vector"),
    ("x*y", 1, 2, "cannot multiply a column vector by a column vector"),
    ("A*x\nx*A", 2, 2, "cannot multiply a column vector by a matrix"),
    ("foo(x)", 1, 1, "unknown function 'foo'"),
    ("sum(x, y)", 1, 1, "sum takes one argument"),
    ("exp", 1, 1, "exp is a function"),
    ("#('ij,j->i', A)", 1, 3, "names 2 operand"),
    ("#(A, x)", 1, 1, "index spec string"),
    ("sum(#('ij->i', x) + 'ab')", 1, 21, "the string 'ab'"),
    ("tr(x')", 1, 1, "tr needs a matrix, not a row vector"),
    ("diag(T)", 1, 1, "diag needs a vector or a square matrix"),
    ("vector(x)", 1, 8, "takes a number"),
    ("y = x; x = 1", 1, 8, "x is a variable of the formula"),
    ("", 1, 1, "the input is empty"),
    ("'ij", 1, 1, "no closing"),
    ("x @ c", 1, 3, "right operand of '@' is a scalar"),
    ("#('ij->i', x) + #('i->i', x)", 1, 27, "x is used as a tensor of order 2 and of order 1"),
    ("expm(A)", 1, 1, "unknown function 'expm'"),
    ("x'*inv(x)", 1, 4, "inv needs a square matrix, not a column vector"),
    ("A^0.5", 1, 2, "needs an integer exponent"),
    ("2x", 1, 2, "expected an operator"),
])
def test_errors_report_line_and_column(formula, line, column, message):
    declarations = "c: scalar; T: tensor(2,3,4)" if "c" in formula or "T" in formula else None
    with pytest.raises(se.ParseError, match=message) as info:
        se.parse(formula, declarations)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert str(info.value).startswith(f"line {line}, column {column}: ")
    assert isinstance(info.value, se.EinsteinError)


@pytest.mark.parametrize("declarations, message", [
    ("x vector(n)", "expected NAME: TYPE"),
    ("x: vektor(n)", "unknown type 'vektor'"),
    ("x: matrix(n)", "matrix takes 2 size"),
    ("x: vector(n); x: scalar", "declared twice"),
    ("x: vector(0)", "not a positive integer"),
    (["x"], "must be a string or a dict"),
    ({"x": 3.5}, "must be a TensorSymbol"),
])
def test_declaration_errors(declarations, message):
    with pytest.raises(se.ParseError, match=message):
        se.parse("x'*x", declarations)


def test_einsum_with_broadcast_output_gets_a_size():
    expr = se.parse("#('i->ij', x) + A")
    assert expr.shape == (m, n)

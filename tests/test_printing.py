"""Printing: golden strings for str / pretty / LaTeX (einstein and index notation) of a corpus,
plus checks that are not snapshots: the ``str`` of every NumPy-like expression evaluates under
NumPy to the value ``se.evaluate`` gives, brackets balance, every operand is named."""
import collections
import itertools
import random
import re

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.evaluation import evaluate
from sympy_einstein.printing import latex

n, m, k = sp.symbols("n m k", integer=True, positive=True)
a = sp.Symbol("a")
A, X = se.matrix("A", m, n), se.matrix("X", m, n)
B, C = se.matrix("B", n, n), se.matrix("C", n, k)
x, w, y = se.vector("x", n), se.vector("w", n), se.vector("y", m)
T = se.tensor("T", (2, 3, 4))
c = se.scalar("c")


def corpus():
    """Named expressions covering every printed form."""
    return {
        "matvec": A @ x, "matmul": A @ C, "inner": x @ x, "vecmat": y @ A, "chain": A @ B @ C,
        "chain_right": A @ (B @ x), "transpose": A.T, "hadamard": x * x, "sum": se.sum(A),
        "sum_axis": se.sum(A, axis=0), "trace": se.trace(B), "diag_write": se.diag(x),
        "diag_read": se.diag(B), "outer": se.outer(x, y), "scaled": 2 * A, "negated": -x,
        "symbolic_coeff": a * A, "half": A / 2, "negative_symbolic": -a * x / 3,
        "unit": se.einsum("->abab", 1, sizes={"a": m, "b": n}), "plus_one": x + 1, "broadcast": A * x,
        "row_scaling": se.einsum("ij,i->ij", A, y), "permute": se.transpose(T, (1, 2, 0)),
        "subtract": B - 2 * B @ B, "subtract_sum": x - (x + x), "exp": se.exp(x),
        "two_operands": se.elementwise(lambda s, t: s * sp.sin(t), x, x), "sigmoid": se.sigmoid(x),
        "relu": se.relu(A @ x), "nested": se.einsum("ij,jk->ik", A @ B, C),
        "logistic_loss": se.sum(se.log(1 + se.exp(-y * (X @ w)))), "order4": se.einsum("ij,kl->ijkl", A, A),
        "zeros": se.zeros((m, n)), "zeros_vector": se.zeros((n,)), "square": x**2, "divide": x / (x + 1),
        "power_of_transpose": A.T**2, "broadcast_axis": se.einsum("i->ij", y, sizes={"j": n}),
        "raw_sympy_power": sp.sqrt(x @ x) ** 3, "constant": se.broadcast_to(2, (m, n)),
        "sum_axes": se.sum(T, axis=(0, 2)),
        "hessian_like": se.einsum("ac->abac", 2 * (B.T @ B), sizes={"b": k}),
        "trace_plus_scalar": se.trace(B) + se.einsum("->", 3), "quadratic": x @ B @ x,
        "negated_matvec": -(A @ x), "mixed": -y * (X @ w) + y,
        "broadcast_in_sum": A + x, "subtract_broadcast": A - 2 * x, "scalar_tensor": c * x + c,
        "scalar_constant": se.einsum("->", 3), "scalar_zero": se.zeros(()),
    }


# name: (str, pretty, latex in the paper's notation, latex in index notation)
GOLDEN = {
    "matvec": ("A @ x", "A⋅x", r"A *_{(ij,j,i)} x", r"\left[A_{ij} x_{j}\right]_{i}"),
    "matmul": ("A @ C", "A⋅C", r"A *_{(ij,jk,ik)} C", r"\left[A_{ik} C_{kj}\right]_{ij}"),
    "inner": ("x @ x", "x⋅x", r"x *_{(i,i,\emptyset)} x", r"x_{i} x_{i}"),
    "vecmat": ("y @ A", "y⋅A", r"y *_{(i,ij,j)} A", r"\left[y_{j} A_{ji}\right]_{i}"),
    "chain": ("A @ B @ C", "A⋅B⋅C", r"\left(A *_{(ij,jk,ik)} B\right) *_{(ij,jk,ik)} C",
              r"\left[A_{ik} B_{kl} C_{lj}\right]_{ij}"),
    "chain_right": ("A @ (B @ x)", "A⋅(B⋅x)", r"A *_{(ij,j,i)} \left(B *_{(ij,j,i)} x\right)",
                    r"\left[A_{ij} B_{jk} x_{k}\right]_{i}"),
    "transpose": ("A.T", "Aᵀ", r"A^{\top}", r"\left[A_{ji}\right]_{ij}"),
    "hadamard": ("x*x", "x⊙x", r"x *_{(i,i,i)} x", r"\left[x_{i} x_{i}\right]_{i}"),
    "sum": ("sum(A)", "sum(A)", r"\operatorname{sum}\left(A\right)", r"\sum_{ij} A_{ij}"),
    "sum_axis": ("sum(A, axis=0)", "sum(A, axis=0)", r"*_{(ij,j)}\left(A\right)",
                 r"\left[\sum_{j} A_{ji}\right]_{i}"),
    "trace": ("trace(B)", "tr(B)", r"\operatorname{tr}\left(B\right)", "B_{ii}"),
    "diag_write": ("diag(x)", "diag(x)", r"\operatorname{diag}\left(x\right)",
                   r"\left[x_{i} \delta_{ij}\right]_{ij}"),
    "diag_read": ("diag(B)", "diag(B)", r"\operatorname{diag}\left(B\right)", r"\left[B_{ii}\right]_{i}"),
    "outer": ("outer(x, y)", "x⊗y", r"x *_{(i,j,ij)} y", r"\left[x_{i} y_{j}\right]_{ij}"),
    "scaled": ("2*A", "2⋅A", "2 A", r"\left[2 A_{ij}\right]_{ij}"),
    "negated": ("-x", "-x", "- x", r"\left[- x_{i}\right]_{i}"),
    "symbolic_coeff": ("a*A", "a⋅A", "a A", r"\left[a A_{ij}\right]_{ij}"),
    "half": ("A/2", "A\n─\n2", r"\frac{A}{2}", r"\left[\frac{A_{ij}}{2}\right]_{ij}"),
    "negative_symbolic": ("-a*x/3", "-a⋅x \n─────\n  3  ", r"- \frac{a x}{3}",
                          r"\left[- \frac{a x_{i}}{3}\right]_{i}"),
    "unit": ("einsum('->abab', sizes=(m, n))", "einsum     (sizes=(m, n))\n      →abab              ",
             r"\mathbb{1}_{(ijij)}", r"\left[\delta_{ik} \delta_{jl}\right]_{ijkl}"),
    "plus_one": ("x + 1", "x + 1", "x + 1", r"\left[x_{i} + 1\right]_{i}"),
    "broadcast": ("A*x", "A⊙x", r"A *_{(ij,j,ij)} x", r"\left[A_{ij} x_{j}\right]_{ij}"),
    "row_scaling": ("einsum('ij,i->ij', A, y)", "einsum       (A, y)\n      ij,i→ij      ",
                    r"A *_{(ij,i,ij)} y", r"\left[A_{ij} y_{i}\right]_{ij}"),
    "permute": ("transpose(T, (1, 2, 0))", "transpose(T, (1, 2, 0))", r"*_{(ijk,jki)}\left(T\right)",
                r"\left[T_{kij}\right]_{ijk}"),
    "subtract": ("B - 2*(B @ B)", "B - 2⋅B⋅B", r"B - 2 B *_{(ij,jk,ik)} B",
                 r"\left[B_{ij} - 2 B_{ik} B_{kj}\right]_{ij}"),
    "subtract_sum": ("x - (x + x)", "x - (x + x)", r"x - \left(x + x\right)",
                     r"\left[x_{i} - \left(x_{i} + x_{i}\right)\right]_{i}"),
    "exp": ("exp(x)", " x\nℯ ", "e^{x}", r"\left[e^{x_{i}}\right]_{i}"),
    "two_operands": ("x*sin(x)", "x⊙sin(x)", r"x \sin{\left(x \right)}",
                     r"\left[x_{i} \sin{\left(x_{i} \right)}\right]_{i}"),
    "sigmoid": ("sigmoid(x)", "sigmoid(x)", r"\operatorname{sigmoid}{\left(x \right)}",
                r"\left[\operatorname{sigmoid}{\left(x_{i} \right)}\right]_{i}"),
    "relu": ("relu(A @ x)", "relu(A⋅x)", r"\operatorname{relu}{\left(A *_{(ij,j,i)} x \right)}",
             r"\left[\operatorname{relu}{\left(A_{ij} x_{j} \right)}\right]_{i}"),
    "nested": ("A @ B @ C", "A⋅B⋅C", r"\left(A *_{(ij,jk,ik)} B\right) *_{(ij,jk,ik)} C",
               r"\left[A_{ik} B_{kl} C_{lj}\right]_{ij}"),
    "logistic_loss": ("sum(log(1 + exp(-y*(X @ w))))",
                      "   ⎛   ⎛     -y⊙(X⋅w)⎞⎞\nsum⎝log⎝1 + ℯ        ⎠⎠",
                      r"\operatorname{sum}\left(\log{\left(1 + e^{- y *_{(i,i,i)} \left(X *_{(ij,j,i)} w\right)}"
                      r" \right)}\right)",
                      r"\sum_{i} \log{\left(1 + e^{- y_{i} X_{ij} w_{j}} \right)}"),
    "order4": ("outer(A, A)", "A⊗A", r"A *_{(ij,kl,ijkl)} A", r"\left[A_{ij} A_{kl}\right]_{ijkl}"),
    "zeros": ("zeros((m, n))", "zeros(m, n)", r"\mathbb{0}_{m \times n}", r"\left[0\right]_{ij}"),
    "zeros_vector": ("zeros((n,))", "zeros(n)", r"\mathbb{0}_{n}", r"\left[0\right]_{i}"),
    "square": ("x**2", " 2\nx ", "x^{2}", r"\left[x_{i}^{2}\right]_{i}"),
    "divide": ("x*(1/(x + 1))", "  ⎛  1  ⎞\nx⊙⎜─────⎟\n  ⎝x + 1⎠",
               r"x *_{(i,i,i)} \left(\frac{1}{x + 1}\right)", r"\left[x_{i} \frac{1}{x_{i} + 1}\right]_{i}"),
    "power_of_transpose": ("A.T**2", "    2\n(Aᵀ) ", r"\left(A^{\top}\right)^{2}", r"\left[A_{ji}^{2}\right]_{ij}"),
    "broadcast_axis": ("einsum('i->ij', y, sizes=(n,))", "einsum    (y, sizes=(n,))\n      i→ij               ",
                       r"*_{(i,ij)}\left(y\right)", r"\left[y_{i}\right]_{ij}"),
    "raw_sympy_power": ("(x @ x)**(3/2)", "     3/2\n(x⋅x)   ", r"\left(x *_{(i,i,\emptyset)} x\right)^{\frac{3}{2}}",
                        r"\left(x_{i} x_{i}\right)^{\frac{3}{2}}"),
    "constant": ("2*ones((m, n))", "2⋅ones(m, n)", r"2 \mathbb{1}_{(ij)}", r"\left[2\right]_{ij}"),
    "sum_axes": ("sum(T, axis=(0, 2))", "sum(T, axis=(0, 2))", r"*_{(ijk,j)}\left(T\right)",
                 r"\left[\sum_{jk} T_{jik}\right]_{i}"),
    "hessian_like": ("2*einsum('ac->abac', B.T @ B, sizes=(k,))",
                     "2⋅einsum       (Bᵀ⋅B, sizes=(k,))\n        ac→abac                  ",
                     r"2 *_{(ij,ikij)}\left(B^{\top} *_{(ij,jk,ik)} B\right)",
                     r"\left[2 B_{pi} B_{pl} \delta_{ik}\right]_{ijkl}"),
    "trace_plus_scalar": ("trace(B) + 3", "tr(B) + 3", r"\operatorname{tr}\left(B\right) + 3", "B_{ii} + 3"),
    "quadratic": ("x @ B @ x", "x⋅B⋅x", r"\left(x *_{(i,ij,j)} B\right) *_{(i,i,\emptyset)} x", "x_{i} B_{ij} x_{j}"),
    "negated_matvec": ("-A @ x", "-A⋅x", r"- A *_{(ij,j,i)} x", r"\left[- A_{ij} x_{j}\right]_{i}"),
    "broadcast_in_sum": ("A + x", "A + x", r"A + *_{(i,ji)}\left(x\right)", r"\left[A_{ij} + x_{j}\right]_{ij}"),
    "subtract_broadcast": ("A - 2*x", "A - 2⋅x", r"A - 2 *_{(i,ji)}\left(x\right)",
                           r"\left[A_{ij} - 2 x_{j}\right]_{ij}"),
    "scalar_tensor": ("c*x + c", "c⊙x + c", r"c *_{(\emptyset,i,i)} x + *_{(\emptyset,i)}\left(c\right)",
                      r"\left[c x_{i} + c\right]_{i}"),
    "scalar_constant": ("3*ones(())", "3⋅ones()", r"3 \mathbb{1}_{(\emptyset)}", "3"),
    "scalar_zero": ("zeros(())", "zeros()", "0", "0"),
    "mixed": ("-y*(X @ w) + y", "-y⊙(X⋅w) + y", r"- y *_{(i,i,i)} \left(X *_{(ij,j,i)} w\right) + y",
              r"\left[- y_{i} X_{ij} w_{j} + y_{i}\right]_{i}"),
}


def test_golden_covers_the_corpus():
    assert set(GOLDEN) == set(corpus())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_strings(name):
    expr = corpus()[name]
    assert (str(expr), sp.pretty(expr), sp.latex(expr), latex(expr, notation="index")) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_str_repr_and_einstein_default(name):
    expr = corpus()[name]
    assert repr(expr) == sp.sstr(expr) == str(expr)
    assert se.latex(expr) == latex(expr, notation="einstein") == sp.latex(expr)
    assert expr._repr_latex_() == "$\\displaystyle " + sp.latex(expr) + "$"


# ---------------------------------------------------------------------------------------------
# checks that are not snapshots

SIZES = {m: 2, n: 3, k: 4}


def loop_einsum(spec, *operands, sizes=()):
    """The generalized einsum by explicit loops over every index value (a reference)."""
    lhs, output = spec.split("->")
    inputs = lhs.split(",") if lhs else []
    extent = {}
    for letters, operand in zip(inputs, operands, strict=True):
        extent.update(zip(letters, np.shape(operand), strict=True))
    free = [c for c in dict.fromkeys(output) if c not in extent]
    extent.update(zip(free, sizes, strict=True))
    letters = list(extent)
    result = np.zeros([extent[c] for c in output])
    for values in itertools.product(*(range(extent[c]) for c in letters)):
        at = dict(zip(letters, values, strict=True))
        term = np.prod([np.asarray(op)[tuple(at[c] for c in s)] for s, op in zip(inputs, operands, strict=True)])
        result[tuple(at[c] for c in output)] += term
    return result


def numpy_namespace(bindings):
    """Names that make the ``str`` of an expression a NumPy program."""
    namespace = {str(symbol): value for symbol, value in bindings.items()}
    namespace.update({str(size): value for size, value in SIZES.items()})
    namespace.update(
        sum=lambda t, axis=None: np.sum(t, axis=axis), trace=np.trace, diag=np.diag, transpose=np.transpose,
        outer=np.multiply.outer, ones=np.ones, zeros=np.zeros, einsum=loop_einsum, exp=np.exp, log=np.log,
        sin=np.sin, cos=np.cos, tanh=np.tanh, sqrt=np.sqrt, Abs=np.abs, sign=np.sign,
        sigmoid=lambda t: 1 / (1 + np.exp(-t)), relu=lambda t: np.maximum(t, 0), sinh=np.sinh)
    return namespace


def random_bindings(expr, seed=0):
    rng = np.random.default_rng(seed)
    bindings = {a: 0.7}
    for symbol in expr.atoms(se.TensorSymbol):
        shape = [int(s.subs(SIZES)) for s in symbol.shape]
        bindings[symbol] = rng.uniform(0.5, 1.5, size=shape)
    return bindings


def assert_str_evaluates_like_the_expression(expr):
    bindings = random_bindings(expr)
    printed = eval(str(expr), numpy_namespace(bindings))  # noqa: S307 -- our own printed text
    np.testing.assert_allclose(printed, evaluate(expr, {**bindings, **SIZES}), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_str_is_a_numpy_program_with_the_same_value(name):
    assert_str_evaluates_like_the_expression(corpus()[name])


def balanced(text: str, pairs=("()", "[]", "{}")) -> bool:
    depth = {pair: 0 for pair in pairs}
    for char in text:
        for pair in pairs:
            depth[pair] += (char == pair[0]) - (char == pair[1])
            if depth[pair] < 0:
                return False
    return not any(depth.values())


def assert_prints_well(expr):
    names = {symbol.name for symbol in expr.atoms(se.TensorSymbol)}
    text = str(expr)
    assert text and balanced(text), text
    assert all(name in text for name in names), (names, text)
    for use_unicode in (True, False):
        picture = sp.pretty(expr, use_unicode=use_unicode)
        assert picture.strip() and all(name in picture for name in names), picture
    for notation in ("einstein", "index"):
        tex = latex(expr, notation=notation)
        assert tex and balanced(tex, ("{}",)) and tex.count(r"\left") == tex.count(r"\right"), tex
        assert all(name in tex for name in names), (names, tex)
    assert expr._repr_latex_().startswith("$") and expr._repr_latex_().endswith("$")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_every_format_is_non_empty_balanced_and_names_the_operands(name):
    assert_prints_well(corpus()[name])


def parses_as_math(tex: str) -> bool:
    """Whether matplotlib's TeX math parser accepts ``tex`` (double scripts, unbalanced groups and
    unknown commands are errors there)."""
    mathtext = pytest.importorskip("matplotlib.mathtext")
    try:
        mathtext.MathTextParser("path").parse("$" + tex + "$")
    except ValueError:
        return False
    return True


def test_the_math_parser_rejects_broken_tex():
    assert parses_as_math(r"\frac{x}{y}")
    assert not any(parses_as_math(t) for t in (r"x^{2}^{3}", r"x_{i}_{j}", r"\left(x", r"{x"))


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_latex_parses_as_math(name):
    expr = corpus()[name]
    assert parses_as_math(sp.latex(expr)) and parses_as_math(latex(expr, notation="index"))


def test_balanced_detects_unbalanced_text():
    assert balanced("f(a[b]{c})") and not balanced("f(a") and not balanced(")(")


def test_printing_inside_sympy_containers():
    f, g = A @ x, -y * (X @ w)
    assert sp.sstr(sp.Tuple(f, g)) == "(A @ x, -y*(X @ w))"
    assert str([f, g]) == "[A @ x, -y*(X @ w)]"
    assert sp.latex(sp.Tuple(f, x)) == r"\left( A *_{(ij,j,i)} x, \  x\right)"
    assert latex([f, x], notation="index") == r"\left[ \left[A_{ij} x_{j}\right]_{i}, \  x_{i}\right]"
    assert sp.pretty(sp.Tuple(f, x.T @ B)) == "(A⋅x, x⋅B)"
    assert sp.sstr({"loss": se.sum(f)}) == "{loss: sum(A @ x)}"


def test_unknown_notation_names_the_allowed_ones():
    with pytest.raises(ValueError, match="'einstein', 'index'"):
        latex(A @ x, notation="matrix-calculus")
    assert issubclass(se.EinsteinError, ValueError)


def test_latex_settings_reach_sympy():
    assert latex(a * 2 * A, mul_symbol="times") == r"2 \times a \times A"
    assert latex(se.exp(x), notation="index", symbol_names={a: "alpha"}) == r"\left[e^{x_{i}}\right]_{i}"


def test_sympy_trees_around_tensors_get_parentheses():
    f = x @ x + 1
    assert str(sp.sqrt(f) ** 3) == "(x @ x + 1)**(3/2)"
    assert str(sp.exp(f)) == "exp(x @ x + 1)"
    assert sp.latex(sp.sqrt(f) ** 3) == r"\left(x *_{(i,i,\emptyset)} x + 1\right)^{\frac{3}{2}}"


def test_names_with_subscripts_and_greek_letters():
    w1, alpha = se.matrix("W1", 2, 2), se.vector("alpha", 2)
    assert str(w1 @ alpha) == "W1 @ alpha"
    assert sp.pretty(w1 @ alpha) == "W₁⋅α"
    assert sp.latex(w1 @ alpha) == r"{W_{1}} *_{(ij,j,i)} \alpha"
    assert latex(w1 @ alpha, notation="index") == r"\left[{W_{1}}_{ij} \alpha_{j}\right]_{i}"


def test_many_indices_stay_distinct_in_index_notation():
    chain = B
    for _ in range(24):
        chain = chain @ B
    tex = latex(chain, notation="index")
    assert tex.startswith(r"\left[B_{i ") and tex.endswith(r"\right]_{ij}")
    subscripts = re.findall(r"B_\{((?:[a-z](?:_\{\d+\})? ?)+)\}", tex)
    tokens = [re.findall(r"[a-z](?:_\{\d+\})?", sub) for sub in subscripts]
    counts = collections.Counter(token for pair in tokens for token in pair)
    assert len(tokens) == 25 and all(len(pair) == 2 for pair in tokens)
    assert counts.pop("i") == counts.pop("j") == 1 and set(counts.values()) == {2} and len(counts) == 24
    assert all(tokens[q][1] == tokens[q + 1][0] for q in range(24))


# random expressions: every format prints, and str is still a NumPy program with the same value

D, v, u = se.matrix("D", n, n), se.vector("v", n), se.vector("u", n)
UNARY = [se.exp, se.sigmoid, se.relu, se.tanh, lambda e: -e, lambda e: 2 * e, lambda e: a * e,
         lambda e: e / 3, lambda e: e**2, lambda e: e + 1, lambda e: 1 - e, se.sum]
MATRIX_ONLY = [lambda e: e.T, lambda e: se.sum(e, axis=0), se.diag, se.trace, lambda e: e @ v, lambda e: D @ e,
               lambda e: se.einsum("ij,jk,k->i", e, D, v), lambda e: e - 2 * v, lambda e: (e @ D).T,
               lambda e: se.einsum("ij,ij->", e, D), lambda e: se.einsum("ij,i->ij", e, v)]
VECTOR_ONLY = [se.diag, lambda e: D @ e, lambda e: e @ D, lambda e: se.outer(e, u), lambda e: e @ u,
               lambda e: se.einsum("i->ij", e, sizes={"j": n}), lambda e: se.diag(e) @ D,
               lambda e: se.zeros((n,)) + e]
BINARY = [lambda e, f: e * f, lambda e, f: e - f, lambda e, f: e + 2 * f, lambda e, f: se.elementwise(
    lambda s, t: s / (1 + t**2), e, f)]


def random_expression(rng, depth):
    if depth == 0:
        return rng.choice([D, v, u])
    e = random_expression(rng, depth - 1)
    choice = rng.random()
    if choice < 0.3:
        other = random_expression(rng, rng.randrange(depth))
        if other.shape == e.shape:
            return rng.choice(BINARY)(e, other)
    if choice < 0.6 and e.rank in (1, 2):
        return rng.choice(VECTOR_ONLY if e.rank == 1 else MATRIX_ONLY)(e)
    return rng.choice(UNARY)(e)


@pytest.mark.parametrize("seed", range(60))
def test_random_expressions_print_in_every_format(seed):
    expr = random_expression(random.Random(seed), depth=4)
    assert_prints_well(expr)
    assert_str_evaluates_like_the_expression(expr)
    assert parses_as_math(sp.latex(expr)) and parses_as_math(latex(expr, notation="index"))


@pytest.mark.parametrize("name", ["logistic_loss", "hessian_like", "unit", "subtract", "scalar_zero"])
def test_pprint_writes_the_pretty_form(name, capsys):
    expr = corpus()[name]
    sp.pprint(expr)
    assert capsys.readouterr().out == sp.pretty(expr) + "\n"


def test_a_zero_coefficient_stays_visible():
    zero_scaled = se.EinsteinProduct(0, "ab,bc->ac", (), B, B)
    assert (str(zero_scaled), sp.latex(zero_scaled)) == ("0*(B @ B)", r"0 B *_{(ij,jk,ik)} B")


def test_scalar_factors_of_nested_products_move_to_the_front():
    nested = se.einsum("ij,j->i", 2 * A, -(3 * x))
    assert str(nested) == "-6*A @ x"
    assert sp.latex(nested) == r"- 6 A *_{(ij,j,i)} x"
    assert latex(nested, notation="index") == r"\left[- 6 A_{ij} x_{j}\right]_{i}"
    assert_str_evaluates_like_the_expression(nested)

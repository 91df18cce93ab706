"""se.evaluate against an independent reference: explicit loops over every index value (no einsum)."""
import importlib
import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.codegen.cfunctions import log1p

import sympy_einstein as se
from sympy_einstein.functions import relu, sigmoid, softplus
from sympy_einstein.ir.indices import parse_spec, unique
from sympy_einstein.testing import dot_product_test, numeric_derivative, random_bindings, validate

evaluate_module = importlib.import_module("sympy_einstein.evaluation")  # the package exports the function
n, m, k = sp.symbols("n m k", integer=True, positive=True)


def loop_einsum(spec, arrays, sizes, coeff=1.0):
    """The generalized Einstein product by brute force.

    Every assignment of values to all letters adds coeff * prod(operand entries) into the output entry
    its output letters name: letters missing from the output are summed, repeated output letters write
    a diagonal, output letters in no operand broadcast.
    """
    inputs, output = parse_spec(spec, len(arrays))
    letters = unique("".join(inputs) + output)
    for letters_k, array in zip(inputs, arrays, strict=True):
        for letter, size in zip(letters_k, np.shape(array), strict=True):
            sizes = {**sizes, letter: size}
    result = np.zeros(tuple(sizes[c] for c in output))
    for values in itertools.product(*(range(sizes[c]) for c in letters)):
        at = dict(zip(letters, values, strict=True))
        term = coeff
        for letters_k, array in zip(inputs, arrays, strict=True):
            term = term * np.asarray(array)[tuple(at[c] for c in letters_k)]
        result[tuple(at[c] for c in output)] += term
    return result


def product_of(spec, shapes, sizes=None, coeff=1):
    """An EinsteinProduct of fresh tensor symbols T0, T1, ... of the given shapes."""
    inputs, output = parse_spec(spec, len(shapes))
    symbols = [se.tensor(f"T{j}", shape) for j, shape in enumerate(shapes)]
    known = {c for s in inputs for c in s}
    free = [(sizes or {})[c] for c in unique(output) if c not in known]
    return se.EinsteinProduct(coeff, spec, free, *symbols), symbols


def check_against_loops(spec, shapes, sizes=None, coeff=1, seed=0):
    expr, symbols = product_of(spec, shapes, sizes, coeff)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(tuple(int(s) for s in shape)) for shape in shapes]
    got = se.evaluate(expr, dict(zip(symbols, arrays, strict=True)))
    int_sizes = {c: int(s) for c, s in (sizes or {}).items()}
    expected = loop_einsum(spec, arrays, int_sizes, float(coeff))
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


CORPUS = [
    # (spec, operand shapes, sizes of output letters in no operand, coefficient)
    ("ij,jk->ik", [(2, 3), (3, 4)], None, 1),             # matmul
    ("ij,j->i", [(2, 3), (3,)], None, 1),                 # matrix-vector
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)], None, 1),    # batch matmul
    ("ii->", [(3, 3)], None, 1),                          # trace
    ("ii->i", [(3, 3)], None, 1),                         # diagonal read
    ("i->ii", [(3,)], None, 1),                           # diagonal write (diag(v))
    ("i,j->ij", [(2,), (3,)], None, 1),                   # outer
    ("ij,kl->ijkl", [(2, 2), (1, 3)], None, 1),           # outer of matrices
    ("ij,ij->ij", [(2, 3), (2, 3)], None, 1),             # Hadamard
    ("ij,i->ij", [(2, 3), (2,)], None, 1),                # scale rows
    ("i,i->", [(4,)] * 2, None, 1),                       # inner product
    ("ij->ji", [(2, 3)], None, 1),                        # transpose
    ("ij->", [(2, 3)], None, 1),                          # sum of entries
    ("i->ij", [(2,)], {"j": 3}, 1),                       # broadcast
    ("->ij", [], {"i": 2, "j": 3}, sp.Rational(5, 2)),    # constant
    ("->", [], None, 7),                                  # a scalar constant
    ("->abab", [], {"a": 2, "b": 3}, 1),                  # unit tensor
    ("->aa", [], {"a": 3}, 1),                            # identity matrix
    ("i->", [(3,)], None, sp.Rational(-1, 3)),            # mean
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 4)], None, 1),  # 3-operand chain
    ("ij,jk,kl,lm->im", [(2, 3), (3, 2), (2, 2), (2, 3)], None, 2),  # 4-operand chain
    ("ij,i,ik->jk", [(4, 2), (4,), (4, 3)], None, 1),     # X^T diag(s) X
    ("iij->ji", [(2, 2, 3)], None, 1),                    # diagonal read in a 3-tensor
    ("iij,j->jii", [(3, 3, 2), (2,)], None, 1),           # repeated letter in operand and output
    ("ij->ijij", [(2, 3)], None, 1),                      # diagonal write of a matrix
    ("i->iij", [(2,)], {"j": 3}, 1),                      # diagonal write and broadcast
    ("ij,jk->kiik", [(2, 3), (3, 2)], None, 1),           # product written on two diagonals
    ("i,->i", [(3,), ()], None, 1),                       # order-0 operand
    (",->", [(), ()], None, 3),                           # two order-0 operands
    ("aab,bcc->", [(2, 2, 3), (3, 2, 2)], None, 1),       # two diagonal reads summed
    ("ab,->ab", [(1, 3), ()], None, 1),                   # size-1 axis
]


@pytest.mark.parametrize(("spec", "shapes", "sizes", "coeff"), CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_against_loops(spec, shapes, sizes, coeff):
    check_against_loops(spec, shapes, sizes, coeff)


def test_symbolic_sizes_and_coefficient_with_symbols():
    c = sp.Symbol("c")
    mat, x = se.matrix("A", n, m), se.vector("x", m)
    expr = se.EinsteinProduct(c / n, "ij,j->ij", (), mat, x)
    rng = np.random.default_rng(1)
    a, v = rng.standard_normal((3, 2)), rng.standard_normal(2)
    got = se.evaluate(expr, {mat: a, x: v, c: 1.5})
    np.testing.assert_allclose(got, loop_einsum("ij,j->ij", [a, v], {}, 1.5 / 3))


def test_unit_tensor_with_symbolic_sizes_is_the_identity():
    unit = se.EinsteinProduct(1, "->abab", (n, m))
    value = se.evaluate(unit, {n: 2, m: 3})
    np.testing.assert_array_equal(value.reshape(6, 6), np.eye(6))


# ---------------------------------------------------------------------------------------------
# random specs


@st.composite
def random_specs(draw):
    """A random generalized spec: 0-3 operands of order 0-3, repeated letters, broadcast outputs."""
    letter_sizes = {c: draw(st.integers(1, 3)) for c in "abcd"}
    n_operands = draw(st.integers(0, 3))
    inputs = [draw(st.text("abcd", min_size=0, max_size=3)) for _ in range(n_operands)]
    used = sorted(set("".join(inputs)))
    output = draw(st.text("".join(used) + "ef", min_size=0, max_size=3))
    letter_sizes.update({"e": draw(st.integers(1, 3)), "f": draw(st.integers(1, 2))})
    shapes = [tuple(letter_sizes[c] for c in s) for s in inputs]
    sizes = {c: letter_sizes[c] for c in output if c not in used}
    coeff = draw(st.sampled_from([1, -2, sp.Rational(1, 3)]))
    return ",".join(inputs) + "->" + output, shapes, sizes, coeff


@settings(max_examples=60, deadline=None)
@given(random_specs(), st.integers(0, 2**16))
def test_random_specs_against_loops(case, seed):
    spec, shapes, sizes, coeff = case
    check_against_loops(spec, shapes, sizes, coeff, seed)


# ---------------------------------------------------------------------------------------------
# sums, zeros, elementwise functions, scalars


def test_sum_and_zero():
    x, y = se.vector("x", n), se.vector("y", n)
    expr = se.TensorAdd(x, y, se.ZeroTensor((n,)))
    got = se.evaluate(expr, {x: [1, 2], y: [10, 20]})
    np.testing.assert_array_equal(got, [11.0, 22.0])
    assert got.dtype == np.float64


def test_zero_tensor_needs_its_size():
    np.testing.assert_array_equal(se.evaluate(se.zeros((n, 2)), {n: 3}), np.zeros((3, 2)))
    x = se.vector("x", n)  # an array of a symbol not in the expression binds n too
    assert se.evaluate(se.zeros((n,)), {x: np.ones(4)}).shape == (4,)
    with pytest.raises(se.BindingError, match="size n"):
        se.evaluate(se.zeros((n,)), {})


def test_order_zero_result_is_a_float():
    x = se.vector("x", 3)
    value = se.evaluate(se.EinsteinProduct(1, "i,i->", (), x, x), {x: [1, 2, 3]})
    assert type(value) is float and value == 14.0


def test_integer_arrays_become_floats():
    mat = se.matrix("A", 2, 2)
    value = se.evaluate(se.EinsteinProduct(sp.Rational(1, 2), "ij->ij", (), mat), {mat: [[1, 2], [3, 4]]})
    assert value.dtype == np.float64
    np.testing.assert_array_equal(value, [[0.5, 1.0], [1.5, 2.0]])


def elementwise(body, *operands):
    t = [sp.Dummy(f"t{j}", real=True) for j in range(len(operands))]
    return se.Elementwise(sp.Lambda(tuple(t), body(*t)), *operands)


POINTS = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
FUNCTIONS = [
    ("exp", sp.exp, np.exp),
    ("sigmoid", sigmoid, lambda v: 1 / (1 + np.exp(-v))),
    ("relu", relu, lambda v: np.where(v > 0, v, 0.0)),
    ("softplus", softplus, lambda v: np.log(1 + np.exp(v))),
    ("Heaviside(t, 0)", lambda t: sp.Heaviside(t, 0), lambda v: (v > 0).astype(float)),
    ("Heaviside(t)", sp.Heaviside, lambda v: np.where(v > 0, 1.0, np.where(v == 0, 0.5, 0.0))),
    ("DiracDelta", sp.DiracDelta, lambda v: np.zeros_like(v)),
    ("DiracDelta(t, 1)", lambda t: sp.DiracDelta(t, 1), lambda v: np.zeros_like(v)),
    ("Max(t, 0)", lambda t: sp.Max(t, 0), lambda v: np.array([max(a, 0.0) for a in v])),
    ("Min(t, 1, 2t)", lambda t: sp.Min(t, 1, 2 * t), lambda v: np.array([min(a, 1.0, 2 * a) for a in v])),
    ("Abs", sp.Abs, lambda v: np.array([abs(a) for a in v])),
    ("sign", sp.sign, lambda v: np.array([int(a > 0) - int(a < 0) for a in v], dtype=float)),
    ("log1p(t^2)", lambda t: log1p(t**2), lambda v: np.log(1 + v**2)),
    ("Piecewise", lambda t: sp.Piecewise((t, t > 0), (t**2, True)), lambda v: np.where(v > 0, v, v**2)),
    ("constant", lambda t: sp.Integer(3), lambda v: np.full_like(v, 3.0)),
]


@pytest.mark.parametrize(("name", "body", "reference"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_elementwise_functions_on_arrays_and_order_zero(name, body, reference):
    x, s = se.vector("x", 5), se.scalar("s")
    np.testing.assert_allclose(se.evaluate(elementwise(body, x), {x: POINTS}), reference(POINTS), atol=1e-14)
    for point in POINTS:
        value = se.evaluate(elementwise(body, s), {s: point})
        assert type(value) is float
        np.testing.assert_allclose(value, reference(np.array([point]))[0], atol=1e-14)


def test_elementwise_with_two_operands_and_a_scalar_symbol():
    c = sp.Symbol("c")
    x, y = se.vector("x", 3), se.vector("y", 3)
    expr = elementwise(lambda s, t: c * s * sp.sin(t) + n, x, y)
    xv, yv = np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3])
    got = se.evaluate(expr, {x: xv, y: yv, c: 2, n: 5})
    np.testing.assert_allclose(got, 2 * xv * np.sin(yv) + 5)
    with pytest.raises(se.BindingError, match="c"):
        se.evaluate(expr, {x: xv, y: yv, n: 5})


def test_sympy_tree_around_an_order_zero_tensor():
    x = se.vector("x", 3)
    f = se.EinsteinProduct(1, "i,i->", (), x, x)
    xv = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(se.evaluate(sp.exp(f) + sp.sin(f), {x: xv}), np.exp(0.14) + np.sin(0.14))
    c = sp.Symbol("c")
    assert se.evaluate(2 * c + 1, {c: 3}) == 7.0


def test_shared_subtrees_are_evaluated_once(monkeypatch):
    calls = []
    rule = evaluate_module._RULES[se.TensorSymbol]
    monkeypatch.setitem(evaluate_module._RULES, se.TensorSymbol, lambda ev, node: calls.append(node) or rule(ev, node))
    x = se.vector("x", 2)
    expr = x
    for _ in range(30):  # 2**30 paths from the root to x
        expr = se.TensorAdd(expr, expr)
    np.testing.assert_array_equal(se.evaluate(expr, {x: [1.0, 0.0]}), [2.0**30, 0.0])
    assert calls == [x]


def test_deep_expressions_do_not_hit_the_recursion_limit():
    x = se.vector("x", 2)
    expr = x
    for level in range(900):
        expr = se.EinsteinProduct(1, "a->a", (), expr) if level % 2 else se.TensorAdd(expr, x)
        hash(expr)  # SymPy hashes recursively: hash level by level as a builder does
    np.testing.assert_array_equal(se.evaluate(expr, {x: [1.0, 2.0]}), [451.0, 902.0])


def test_results_do_not_alias_the_bound_arrays():
    mat = se.matrix("A", 2, 2)
    a = np.eye(2)
    value = se.evaluate(se.EinsteinProduct(1, "ij->ij", (), mat), {mat: a})
    value[0, 0] = 5.0
    assert a[0, 0] == 1.0


# ---------------------------------------------------------------------------------------------
# bad bindings


def test_missing_tensor_is_named_with_its_shape():
    x = se.vector("x", n)
    with pytest.raises(se.BindingError, match=r"no value given for x \(shape \(n,\)\)"):
        se.evaluate(se.EinsteinProduct(2, "i->i", (), x), {})


def test_wrong_rank_names_symbol_and_both_shapes():
    mat = se.matrix("A", n, m)
    with pytest.raises(se.BindingError, match=r"A has declared shape \(n, m\) but its array has shape \(3,\)"):
        se.evaluate(mat, {mat: np.ones(3)})


def test_wrong_fixed_size():
    mat = se.matrix("A", 2, 3)
    with pytest.raises(se.BindingError, match=r"A .*\(2, 3\).*\(2, 4\).*axis 1"):
        se.evaluate(mat, {mat: np.ones((2, 4))})


def test_inconsistent_size_between_arrays():
    x, y = se.vector("x", n), se.vector("y", n)
    with pytest.raises(se.BindingError, match=r"y has declared shape \(n,\) but its array has shape \(4,\).*"
                                              r"\(n = 3 by the array of x\)"):
        se.evaluate(se.TensorAdd(x, y), {x: np.ones(3), y: np.ones(4)})


def test_size_bound_explicitly_and_inconsistently():
    x = se.vector("x", n)
    with pytest.raises(se.BindingError, match=r"axis 0 has size 3, not 5 \(n = 5 given directly\)"):
        se.evaluate(x, {x: np.ones(3), n: 5})
    for bad in (2.5, 0, True, "three", None):
        with pytest.raises(se.BindingError, match="the size n must be bound to a positive integer"):
            se.evaluate(x, {x: np.ones(3), n: bad})


def test_missing_coefficient_symbol():
    c = sp.Symbol("c")
    x = se.vector("x", 2)
    with pytest.raises(se.BindingError, match="no value given for c"):
        se.evaluate(se.EinsteinProduct(c, "i->i", (), x), {x: [1, 2]})


def test_non_numeric_values():
    x, c = se.vector("x", 2), sp.Symbol("c")
    with pytest.raises(se.BindingError, match="x"):
        se.evaluate(x, {x: ["a", "b"]})
    with pytest.raises(se.BindingError, match="scalar c"):
        se.evaluate(se.EinsteinProduct(c, "i->i", (), x), {x: [1, 2], c: "hello"})


def test_extra_bindings_are_fine():
    x, y = se.vector("x", 2), se.vector("y", 7)
    np.testing.assert_array_equal(se.evaluate(x, {x: [1, 2], y: np.ones(7), sp.Symbol("c"): 1}), [1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# the shipped test helpers (sympy_einstein.testing)


def test_random_bindings_sizes_ranges_and_seed():
    a, x, c = se.matrix("A", m, n), se.vector("x", k), sp.Symbol("c")
    expr = se.EinsteinProduct(c, "ij->ij", (), a)
    bindings = random_bindings([expr, x])
    assert (bindings[k], bindings[m], bindings[n]) == (2, 3, 4)  # distinct, by name
    assert bindings[a].shape == (3, 4) and bindings[a].dtype == np.float64 and isinstance(bindings[c], float)
    assert random_bindings(a, sizes={n: 5})[a].shape == (2, 5)  # m is the first size symbol of A
    positive = random_bindings(a, positive=True, seed=3)[a]
    assert positive.min() >= 0.5 and positive.max() <= 2.0
    np.testing.assert_array_equal(random_bindings(a, seed=7)[a], random_bindings(a, seed=7)[a])
    assert not np.array_equal(random_bindings(a, seed=7)[a], random_bindings(a, seed=8)[a])


def test_numeric_derivative_layout_is_output_axes_then_variable_axes():
    a, x = se.matrix("A", m, n), se.vector("x", n)
    expr = se.EinsteinProduct(1, "ij,j->i", (), a, x)
    bindings = random_bindings(expr)
    derivative = numeric_derivative(expr, a, bindings)  # d(Ax)_i / dA_jk = delta_ij x_k
    expected = np.einsum("ij,k->ijk", np.eye(bindings[m]), bindings[x])
    np.testing.assert_allclose(derivative, expected, atol=1e-8)


def test_dot_product_test_accepts_the_right_and_rejects_a_wrong_derivative():
    a, x = se.matrix("A", m, n), se.vector("x", n)
    t = sp.Dummy("t", real=True)
    expr = se.Elementwise(sp.Lambda(t, sp.sin(t)), se.EinsteinProduct(1, "ij,j->i", (), a, x))
    bindings = random_bindings(expr)
    right = np.cos(bindings[a] @ bindings[x])[:, None] * bindings[a]
    lhs, rhs = dot_product_test(expr, x, right, bindings)
    assert abs(lhs - rhs) < 1e-6
    with pytest.raises(AssertionError, match="dot-product test failed"):
        dot_product_test(expr, x, right * 1.01, bindings)
    with pytest.raises(AssertionError, match="shape"):
        dot_product_test(expr, x, right.T, bindings)


class WrongShape(se.TensorAdd):
    """A broken node class: its shape disagrees with its terms."""

    @property
    def shape(self):
        return (7,)


def test_validate_reports_a_broken_node():
    x = se.vector("x", 3)
    validate(se.TensorAdd(x, x))
    with pytest.raises(AssertionError, match=r"WrongShape.*child of shape \(3,\) in a node of shape \(7,\)"):
        validate(WrongShape(x, x))


class Unknown(se.TensorExpr):
    """A node class without an evaluation rule."""

    @property
    def shape(self):
        return (2,)


def test_a_node_class_without_a_rule_is_named():
    with pytest.raises(se.EinsteinError, match="cannot evaluate a Unknown"):
        se.evaluate(Unknown(), {})

"""Invariants of the expression classes and the errors of bad construction."""
import pickle

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.testing import random_bindings, validate

n, m = sp.symbols("n m", integer=True, positive=True)
X = se.matrix("X", m, n)
w = se.vector("w", n)
y = se.vector("y", m)
c = sp.Symbol("c")
t = sp.Dummy("t", real=True)


def examples():
    """One or more instances of every node class, including the generalized products."""
    return {
        "symbol": X,
        "order-0 symbol": se.scalar("s"),
        "fixed-size symbol": se.tensor("T", (2, 3, 4)),
        "zero": se.ZeroTensor((m, n)),
        "order-0 zero": se.ZeroTensor(()),
        "matvec": se.EinsteinProduct(1, "ij,j->i", (), X, w),
        "coefficient": se.EinsteinProduct(c / n, "ij,i->j", (), X, y),
        "diagonal read": se.EinsteinProduct(1, "ii->i", (), se.matrix("S", n, n)),
        "diagonal write": se.EinsteinProduct(1, "i->ii", (), w),
        "broadcast": se.EinsteinProduct(2, "i->ij", (m,), w),
        "unit": se.EinsteinProduct(1, "->abab", (m, n)),
        "add": se.TensorAdd(X, se.ZeroTensor((m, n)), X),
        "elementwise": se.Elementwise(sp.Lambda(t, sp.exp(c * t)), w),
        "binary elementwise": se.Elementwise(sp.Lambda((t, sp.Dummy("u", real=True)), t * sp.sin(t)), y, y),
    }


EXAMPLES = examples()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_rebuild_hash_pickle(name):
    expr = EXAMPLES[name]
    assert expr.func(*expr.args) == expr
    assert hash(expr.func(*expr.args)) == hash(expr)
    assert pickle.loads(pickle.dumps(expr)) == expr
    assert {expr: 1}[expr.func(*expr.args)] == 1
    validate(expr)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_shape_and_rank_agree_with_evaluation(name):
    expr = EXAMPLES[name]
    bindings = random_bindings(expr)
    value = np.asarray(se.evaluate(expr, bindings))
    sizes = {s: v for s, v in bindings.items() if isinstance(s, sp.Symbol) and s.is_integer}
    assert value.shape == tuple(int(sp.sympify(s).subs(sizes)) for s in expr.shape)
    assert expr.rank == len(expr.shape) == value.ndim


def test_shapes_of_generalized_products():
    assert EXAMPLES["diagonal write"].shape == (n, n)
    assert EXAMPLES["broadcast"].shape == (n, m)
    assert EXAMPLES["unit"].shape == (m, n, m, n)
    assert EXAMPLES["coefficient"].shape == (n,)
    assert EXAMPLES["unit"].index_sizes == {"a": m, "b": n}


def test_subs_and_xreplace_of_a_size_symbol():
    k = sp.Symbol("k", integer=True, positive=True)
    for expr in EXAMPLES.values():
        assert expr.subs(n, 3).shape == tuple(sp.sympify(s).subs(n, 3) for s in expr.shape)
        assert expr.xreplace({n: k}).shape == tuple(sp.sympify(s).xreplace({n: k}) for s in expr.shape)
        validate(expr.subs(n, 3))


def test_subs_of_a_tensor_symbol():
    v = se.vector("v", n)
    p = EXAMPLES["matvec"].subs(w, v)
    assert p.operands == (X, v)
    assert EXAMPLES["elementwise"].xreplace({w: v}).operands == (v,)
    assert EXAMPLES["add"].xreplace({X: se.matrix("Z", m, n)}).terms[0].name == "Z"
    assert EXAMPLES["matvec"].subs(c, 2) == EXAMPLES["matvec"]


def test_subs_to_a_wrong_shape_is_an_error():
    with pytest.raises(se.ShapeError):
        EXAMPLES["matvec"].xreplace({w: se.vector("v", m)})


def test_symbols_are_differentiable_leaves():
    assert X.is_symbol and X._diff_wrt
    assert X.free_symbols == {X}
    assert se.matrix("X", m, n) == X and se.matrix("X", n, m) != X


def test_zero_keeps_is_zero_unset():
    assert se.ZeroTensor((n,)).is_zero is None


def test_tensor_expressions_are_not_numbers():
    assert EXAMPLES["unit"].is_number is False
    assert se.ZeroTensor(()).is_number is False


# ---------------------------------------------------------------------------------------------
# bad construction


def test_undeclared_size_symbol_is_rejected():
    k = sp.Symbol("k")
    declare = r"size k is not known to be a positive integer.*integer=True, positive=True"
    with pytest.raises(se.ShapeError, match=declare):
        se.vector("x", k)
    with pytest.raises(se.ShapeError, match="k"):
        se.ZeroTensor((2, k))
    with pytest.raises(se.ShapeError, match="not a positive integer"):
        se.vector("x", 0)
    with pytest.raises(se.ShapeError, match="size r is not known to be a positive integer"):
        se.vector("x", sp.Symbol("r", real=True))
    with pytest.raises(se.ShapeError, match="not a positive integer"):
        se.vector("x", sp.Rational(1, 2))


def test_bad_tensor_name():
    with pytest.raises(se.ShapeError, match="name"):
        se.TensorSymbol("", (2,))


def test_operand_rank_must_fit_its_index_string():
    with pytest.raises(se.ShapeError, match=r"operand 1 \(w\) has order 1 but its index string 'jk' has 2"):
        se.EinsteinProduct(1, "ij,jk->ik", (), X, w)


def test_inconsistent_index_sizes_name_the_index_and_operands():
    with pytest.raises(se.ShapeError, match=r"index 'j' has size n in operand 0 .* but m in operand 1 \(y"):
        se.EinsteinProduct(1, "ij,j->i", (), X, y)


def test_output_letter_in_no_operand_needs_its_size():
    with pytest.raises(se.SpecError, match=r"\['k'\].*0 size"):
        se.EinsteinProduct(1, "ij->ik", (), X)
    with pytest.raises(se.SpecError, match="occurs in no operand"):
        se.einsum("ij->ik", X)


def test_malformed_specs():
    with pytest.raises(se.SpecError, match="character '1'"):
        se.EinsteinProduct(1, "i1->i", (), w)
    with pytest.raises(se.SpecError, match="at most one '->'"):
        se.EinsteinProduct(1, "i->i->i", (), w)
    with pytest.raises(se.SpecError, match="single index string"):
        se.EinsteinProduct(1, "i->i,i", (), w)
    with pytest.raises(se.SpecError, match="must be a string"):
        se.einsum(3, w)


def test_wrong_operand_count():
    with pytest.raises(se.SpecError, match=r"names 2 operand\(s\) but 1 were given"):
        se.EinsteinProduct(1, "ij,j->i", (), X)
    with pytest.raises(se.SpecError, match=r"names 1 operand\(s\) but 2 were given"):
        se.einsum("ij->i", X, w)


def test_coefficient_and_operands_must_be_right_kinds():
    with pytest.raises(se.ShapeError, match="coefficient"):
        se.EinsteinProduct(se.scalar("s"), "i->i", (), w)
    with pytest.raises(se.ShapeError, match="operand 0 .* not a tensor expression"):
        se.EinsteinProduct(1, "->", (), c)


def test_add_needs_equal_shapes_and_two_terms():
    with pytest.raises(se.ShapeError, match=r"cannot add X \(shape \(m, n\)\) and w \(shape \(n,\)\)"):
        se.TensorAdd(X, w)
    with pytest.raises(se.ShapeError, match="two terms"):
        se.TensorAdd(X)


def test_elementwise_needs_a_lambda_of_matching_arity_and_shapes():
    with pytest.raises(se.ShapeError, match="Lambda"):
        se.Elementwise(sp.exp, w)
    with pytest.raises(se.ShapeError, match=r"takes 1 argument\(s\) but 2"):
        se.Elementwise(sp.Lambda(t, t), w, w)
    u = sp.Dummy("u", real=True)
    with pytest.raises(se.ShapeError, match=r"operand 1 \(y\)"):
        se.Elementwise(sp.Lambda((t, u), t * u), w, y)
    with pytest.raises(se.ShapeError, match="must not contain tensors"):
        se.Elementwise(sp.Lambda(t, t * se.scalar("s")), w)

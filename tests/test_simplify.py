"""The simplifier: every rule on hand-built inputs, value preservation, idempotence, property tests.

Values are checked with the NumPy reference evaluator before and after simplification; the worked
examples of calculus.md are checked against their closed forms.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sympy_einstein as se
from sympy_einstein import EinsteinProduct
from sympy_einstein.errors import EinsteinError
from sympy_einstein.evaluation import evaluate
from sympy_einstein.simplification import RULESETS, simplify
from sympy_einstein.simplification.elementwise import (
    canonical_elementwise,
    fuse_elementwise,
    fuse_hadamard_groups,
    hadamard_split,
)
from sympy_einstein.simplification.products import (
    canonical_product,
    flatten_product,
    split_structured_terms,
    unwrap_identity,
    zero_product,
)
from sympy_einstein.simplification.sums import (
    combine_like_terms,
    drop_zero_terms,
    factor_common_operands,
    flatten_sum,
    sort_terms,
)
from sympy_einstein.testing import random_bindings, validate

EP = EinsteinProduct
n, m = sp.symbols("n m", integer=True, positive=True)
A, B, C = se.matrix("A", n, n), se.matrix("B", n, n), se.matrix("C", n, n)
X = se.matrix("X", m, n)
x, y, z = se.vector("x", n), se.vector("y", n), se.vector("z", n)
UNIT_VECTOR = EP(1, "->aa", (n,))
UNIT_MATRIX = EP(1, "->abab", (n, n))
ALL_RULES = [flatten_product, split_structured_terms, zero_product, unwrap_identity, canonical_product, flatten_sum,
             drop_zero_terms, combine_like_terms, factor_common_operands, sort_terms, canonical_elementwise,
             fuse_elementwise, fuse_hadamard_groups]


def assert_same_value(before, after, seed=0, positive=False):
    """``before`` and ``after`` evaluate to the same array on random data."""
    bindings = random_bindings([before, after], seed=seed, positive=positive)
    expected, got = evaluate(before, bindings), evaluate(after, bindings)
    assert np.shape(expected) == np.shape(got)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def simplified(expr, rules=None, positive=False):
    """``simplify(expr)``, checked for values, invariants, shape and idempotence."""
    result = simplify(expr, rules)
    validate(result)
    assert result.shape == expr.shape
    assert_same_value(expr, result, positive=positive)
    assert simplify(result, rules) == result
    return result


def nodes(expr):
    return [node for node in sp.preorder_traversal(expr) if isinstance(node, se.TensorExpr)]


# ---------------------------------------------------------------------------------------------
# flattening: unit tensors, diagonals, broadcast-then-sum, nesting


def test_unit_tensor_on_the_right_is_eliminated():
    assert simplified(se.einsum("ab,abcd->cd", A, UNIT_MATRIX)) == A


def test_unit_tensor_on_the_left_is_eliminated():
    assert simplified(se.einsum("abcd,cd->ab", UNIT_MATRIX, A)) == A


def test_transposing_unit_tensor_gives_transpose():
    result = simplified(se.einsum("ab,bacd->cd", A, UNIT_MATRIX))
    assert isinstance(result, EP) and result.spec == "ba->ab" and result.operands == (A,)


def test_unit_tensor_with_both_indices_in_output_is_a_compact_diagonal():
    result = simplified(se.einsum("a,bc->abc", x, UNIT_VECTOR))
    assert isinstance(result, EP)
    assert result.spec == "a->abb" and result.operands == (x,) and tuple(result.args[2]) == (n,)


def test_unit_tensor_contracted_with_itself_is_its_trace_size():
    result = simplified(se.einsum("ab,ab->", UNIT_VECTOR, UNIT_VECTOR))
    assert isinstance(result, EP) and result.spec == "->" and result.coefficient == n


def test_diagonal_read_of_diagonal_write_is_the_vector():
    assert simplified(se.einsum("aa->a", se.diag(x))) == x


def test_trace_of_diagonal_is_sum():
    result = simplified(se.trace(se.diag(x)))
    assert result.spec == "a->" and result.operands == (x,)


def test_broadcast_then_sum_gives_factor_of_size():
    result = simplified(se.einsum("ab->a", se.einsum("a->ab", x, sizes={"b": m})))
    assert result.coefficient == m and result.operands == (x,) and result.spec == "a->a"


def test_three_level_nested_products_become_one():
    nested = se.einsum("ab,b->a", A, se.einsum("ab,b->a", B, se.einsum("ab,b->a", C, x)))
    result = simplified(nested)
    assert isinstance(result, EP) and result.operands == (A, B, C, x)
    assert result.spec == "ab,bc,cd,d->a"


def test_coefficients_multiply_when_flattening():
    result = simplified(2 * se.einsum("ab,b->a", 3 * A, -x))
    assert result.coefficient == -6 and set(result.operands) == {A, x}


def test_flatten_keeps_inner_summed_letters_apart():
    # (A B)[a,b] (A B)[b,c]: both inner sums need their own letter
    product = A @ B
    result = simplified(se.einsum("ab,bc->ac", product, product))
    assert len(result.operands) == 4 and len(set(result.spec.replace(",", "").replace("->", ""))) == 5


def test_product_distributes_over_diagonal_terms_of_a_sum():
    expr = A @ (se.diag(x) + B + C)
    result = simplified(expr)
    assert isinstance(result, se.TensorAdd) and len(result.terms) == 2
    diagonal = [t for t in result.terms if t.spec == "ab,b->ab"]
    assert len(diagonal) == 1 and diagonal[0].operands == (A, x)
    assert max(node.rank for node in nodes(result)) == 2
    dense = A @ (B + C)
    assert split_structured_terms(dense) is dense


def test_flatten_product_alone_returns_input_when_nothing_nested():
    expr = se.einsum("ab,b->a", A, x)
    assert flatten_product(expr) is expr
    assert flatten_product(x) is x


# ---------------------------------------------------------------------------------------------
# zeros and scalars


def test_zero_operand_kills_product():
    result = simplified(se.einsum("ab,b->a", X, se.zeros(n)))
    assert result == se.zeros(m)


def test_zero_coefficient_is_zero():
    assert zero_product(0 * x) == se.zeros(n)


def test_zero_terms_leave_a_sum():
    assert simplified(se.TensorAdd(x, se.zeros(n), se.zeros(n))) == x


def test_sum_of_zeros_is_zero():
    assert drop_zero_terms(se.TensorAdd(se.zeros(n), se.zeros(n))) == se.zeros(n)


def test_zero_propagates_through_nested_sums_and_products():
    expr = se.einsum("ab,b->a", A, se.TensorAdd(se.zeros(n), 2 * se.zeros(n))) + se.zeros(n)
    assert simplified(expr) == se.zeros(n)


def test_elementwise_of_zero_with_zero_value_is_zero():
    assert simplified(se.sin(se.zeros(n))) == se.zeros(n)


def test_elementwise_of_zero_with_nonzero_value_is_constant():
    result = simplified(se.exp(se.zeros(n)))
    assert isinstance(result, EP) and result.spec == "->a" and result.coefficient == 1


def test_elementwise_that_vanishes_at_zero_is_not_zero():
    result = simplified(se.sin(x))
    assert isinstance(result, se.Elementwise)


def test_singular_constant_is_not_substituted():
    result = simplify(se.log(se.zeros(n)))
    assert isinstance(result, se.Elementwise) and result.operands == (se.zeros(n),)


def test_identity_product_is_its_operand():
    assert unwrap_identity(se.einsum("ab->ab", A)) == A
    assert unwrap_identity(se.einsum("ab->ba", A)) != A
    assert unwrap_identity(2 * A) == 2 * A


def test_scalar_product_stays_a_tensor_expression():
    result = simplified(se.einsum(",->", 2, EP(3, "->", ())))
    assert isinstance(result, EP) and result.spec == "->" and result.coefficient == 6


# ---------------------------------------------------------------------------------------------
# sums and like terms


def test_nested_sums_are_flattened():
    assert flatten_sum(se.TensorAdd(se.TensorAdd(x, y), z)).terms == (x, y, z)


def test_like_terms_combine():
    result = simplified(2 * x + y + 3 * x)
    assert isinstance(result, se.TensorAdd) and len(result.terms) == 2
    assert {t.coefficient for t in result.terms if isinstance(t, EP)} == {5}


def test_cancelling_terms_give_zero():
    assert simplified(A @ x - se.einsum("pq,q->p", A, x)) == se.zeros(n)


def test_like_terms_up_to_alpha_renaming_combine():
    result = simplified(A @ x + se.einsum("pq,q->p", A, x))
    assert isinstance(result, EP) and result.coefficient == 2


def test_products_differing_in_one_operand_are_factored():
    result = simplified(A @ x + 2 * (B @ x))
    assert isinstance(result, EP) and result.spec == "b,ab->a" and result.operands[0] == x
    assert result.operands[1] == simplify(A + 2 * B)


def test_factoring_needs_a_shared_operand():
    expr = se.TensorAdd(EP(sp.Rational(1, 2), "ab->ab", (), A), EP(sp.Rational(1, 2), "ba->ab", (), B))
    assert factor_common_operands(expr) is expr
    assert factor_common_operands(se.TensorAdd(A @ x, B @ y)) == se.TensorAdd(A @ x, B @ y)


def test_factoring_keeps_operands_of_different_shapes_apart():
    # the letter 'b' occurs only in the differing operand, so its size may differ between terms
    u, v = se.vector("u", 2), se.vector("v", 3)
    expr = se.TensorAdd(EP(1, "a,b->a", (), x, u), EP(1, "a,b->a", (), x, v))
    assert factor_common_operands(expr) is expr
    simplified(expr)


def test_term_order_is_canonical():
    assert simplify(x + y + z) == simplify(z + x + y) == simplify(y + (z + x))
    assert sort_terms(se.TensorAdd(y, x)).terms == (x, y)


# ---------------------------------------------------------------------------------------------
# canonical names and operand order


def test_alpha_equivalent_products_are_equal():
    assert simplify(se.einsum("ij,j->i", A, x)) == simplify(se.einsum("pq,q->p", A, x))


def test_operand_order_is_canonical():
    assert simplify(x * y) == simplify(y * x)
    assert simplify(se.einsum("i,ij,j->", x, A, y)) == simplify(se.einsum("j,ij,i->", y, A, x))


def test_sorting_operands_permutes_their_strings():
    result = canonical_product(se.einsum("j,ij->i", x, A))
    assert result.operands == (A, x) and result.spec == "ab,b->a"
    assert_same_value(se.einsum("j,ij->i", x, A), result)


def test_summed_letters_are_renamed_by_first_occurrence():
    result = canonical_product(se.einsum("zy,yx,x->z", A, B, x))
    assert result.spec == "ab,bc,c->a"


# ---------------------------------------------------------------------------------------------
# elementwise


def test_composition_is_one_elementwise_node():
    result = simplified(se.exp(se.sin(x)))
    assert isinstance(result, se.Elementwise) and result.operands == (x,)
    t, = result.function.variables
    assert result.function.expr == sp.exp(sp.sin(t))


def test_equal_operands_are_merged():
    result = simplified(se.elementwise(lambda s, t: s + 2 * t, x, x))
    assert result == simplify(3 * x)


def test_identity_elementwise_is_its_operand():
    assert simplified(se.elementwise(sp.Lambda(sp.Dummy("t", real=True), sp.Dummy("u")), x)).shape == (n,)
    t = sp.Dummy("t", real=True)
    assert canonical_elementwise(se.Elementwise(sp.Lambda(t, t), x)) == x


def test_logistic_loss_derivative_pieces_are_single_nodes():
    s = se.sigmoid(-y * z)
    first = simplified(y * s)
    second = simplified(y ** 2 * s * (1 - s))
    for piece in (first, second):
        assert isinstance(piece, se.Elementwise) and piece.operands == (y, z)


def test_cluster_leaves_keep_non_hadamard_products():
    result = simplified(y * se.sigmoid(X.T @ (X @ x)))
    assert isinstance(result, se.Elementwise) and len(result.operands) == 2
    inner = [op for op in result.operands if isinstance(op, EP)]
    assert len(inner) == 1 and set(inner[0].operands) == {X, x}


def test_linear_cluster_stays_products_and_sums():
    result = simplified(2 * (x * y) + z)
    assert isinstance(result, se.TensorAdd)
    assert not any(isinstance(node, se.Elementwise) for node in nodes(result))


def test_hadamard_split_separates_factors_from_contractions():
    w = se.vector("w", m)
    coeff, factors, rest = hadamard_split(EP(-1, "a,ba,b->a", (), x, X, w))
    assert coeff == -1 and factors == [x] and rest.spec == "ba,b->a" and rest.operands == (X, w)
    assert hadamard_split(se.diag(x)) is None


def test_operands_sharing_an_index_string_are_fused():
    expr = EP(1, "ba,b,b,bc->ac", (), X, se.vector("u", m), se.exp(se.vector("v", m)), X)
    result = simplified(expr)
    assert isinstance(result, EP) and len(result.operands) == 3
    assert [type(op).__name__ for op in result.operands].count("Elementwise") == 1
    linear = EP(1, "ba,b,b->a", (), X, se.vector("u", m), se.vector("v", m))
    assert fuse_hadamard_groups(linear) is linear


def test_elementwise_bodies_are_canonical():
    assert simplify(se.tanh(x) * y) == simplify(y * se.tanh(x))
    assert simplify(se.exp(x)) == simplify(se.exp(x))


# ---------------------------------------------------------------------------------------------
# worked examples of calculus.md, built from the raw forward/reverse rules


def test_hessian_of_quadratic_form_is_a_plus_a_transpose():
    seed = EP(1, "->", ())
    # reverse mode gives xbar = seed*A x + seed*A^T x; forward mode over it (t = 'c') gives one term per
    # operand: d(seed) = 0, dA = 0 and dx = the unit tensor
    terms = []
    for a in ("ab", "ba"):
        terms.append(EP(1, f",{a},bc->ac", (), seed, A, UNIT_VECTOR))
        terms.append(EP(1, f",{a}c,b->ac", (), seed, se.zeros((n, n, n)), x))
        terms.append(EP(1, f"c,{a},b->ac", (), se.zeros((n,)), A, x))
    hessian = se.TensorAdd(*terms)
    result = simplified(hessian)
    assert result == simplify(A + A.T)
    assert isinstance(result, se.TensorAdd) and set(result.terms) == {A, EP(1, "ba->ab", (), A)}
    assert max(node.rank for node in nodes(result)) == 2


def test_matrix_factorization_hessian_keeps_delta_as_repeated_index():
    k = sp.Symbol("k", integer=True, positive=True)
    v_symbol = se.matrix("V", m, k)
    unit = EP(1, "->abab", (n, k))  # dU/dU, U of shape (n, k)
    d_residual = EP(-1, "abcd,eb->aecd", (), unit, v_symbol)  # d(T - U V^T)/dU
    hessian = EP(-2, "abcd,be->aecd", (), d_residual, v_symbol)  # d(-2 (T - U V^T) V)/dU
    result = simplified(hessian)
    assert isinstance(result, EP) and result.coefficient == 2 and result.operands == (v_symbol, v_symbol)
    assert result.spec == "db,dc->abac" and tuple(result.args[2]) == (n,)
    bindings = random_bindings([hessian])
    v = bindings[v_symbol]
    closed_form = 2 * np.einsum("ac,bd->abcd", np.eye(bindings[n]), v.T @ v)
    np.testing.assert_allclose(evaluate(result, bindings), closed_form)


def test_logistic_hessian_is_one_product_of_x_vector_x():
    labels = se.vector("l", m)
    s = se.sigmoid(-labels * (X @ x))
    raw = se.einsum("ab,a,ac->bc", X, labels ** 2 * s * (1 - s), X)
    result = simplified(raw)
    assert isinstance(result, EP) and len(result.operands) == 3
    vector = [op for op in result.operands if isinstance(op, se.Elementwise)]
    assert len(vector) == 1 and vector[0].rank == 1
    assert max(node.rank for node in nodes(result)) == 2


# ---------------------------------------------------------------------------------------------
# every rule and rule set preserves values

CORPUS = [
    se.einsum("ab,abcd->cd", A, UNIT_MATRIX) + se.zeros((n, n)),
    se.einsum("aa->a", se.diag(x)) * se.tanh(x + y),
    se.einsum("ab->a", se.einsum("a->ab", x, sizes={"b": m})) - 2 * x,
    se.einsum("ab,b->a", A, se.einsum("ab,b->a", B, x)) + se.einsum("pq,q->p", A, B @ x),
    y * se.sigmoid(-y * (A @ x)) + se.exp(se.sin(z)),
    y ** 2 * se.sigmoid(-y * z) * (1 - se.sigmoid(-y * z)),
    se.einsum("a,bc->abc", x, UNIT_VECTOR) + se.einsum("b,ac->abc", y, UNIT_VECTOR),
    se.sum(se.tanh(X @ A) ** 2) * 3,
    se.elementwise(lambda s, t: s * t + s, x, x) + se.sin(se.zeros(n)),
    se.trace(A @ se.diag(x) @ B.T) + se.einsum(",->", 2, EP(3, "->", ())),
]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_each_rule_preserves_values(rule, index):
    expr = CORPUS[index]
    result = simplify(expr, rules=[rule])
    validate(result)
    assert_same_value(expr, result)


@pytest.mark.parametrize("name", sorted(RULESETS))
@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_each_ruleset_preserves_values_and_is_idempotent(name, index):
    simplified(CORPUS[index], rules=name)


def test_a_single_rule_can_be_passed():
    assert simplify(se.einsum("ab->ab", A), rules=unwrap_identity) == A


def test_unknown_ruleset_is_a_clear_error():
    with pytest.raises(EinsteinError, match="unknown rule set 'fast'"):
        simplify(x, rules="fast")
    with pytest.raises(EinsteinError, match="must be a function"):
        simplify(x, rules=[3])


def test_non_tensor_input_passes_through_and_scalar_trees_are_converted():
    assert simplify(sp.Integer(3)) == 3
    f = se.sum(x)
    result = simplify(sp.exp(f) * 2)
    assert isinstance(result, se.Elementwise) and result.shape == ()


def test_shared_subexpressions_are_simplified_once_and_stay_shared():
    shared = se.tanh(A @ x)
    expr = se.outer(shared, shared) + se.diag(se.tanh(se.einsum("pq,q->p", A, x)))
    result = simplified(expr)
    inner = [node for node in nodes(result) if isinstance(node, se.Elementwise)]
    assert len(inner) == 3 and all(node is inner[0] for node in inner)


def test_long_chain_does_not_hit_the_recursion_limit():
    t = sp.Dummy("t", real=True)
    expr = x
    for step in range(400):
        expr = se.Elementwise(sp.Lambda(t, sp.tanh(t)), expr) if step % 2 else EP(2, "ab,b->a", (), A, expr)
    result = simplify(expr)
    assert result.shape == (n,) and isinstance(result, se.Elementwise)
    t0, = result.function.variables
    assert result.function.expr == sp.tanh(2 * t0)  # the factor 2 moved into the fused body
    assert isinstance(result.operands[0], EP) and result.operands[0].spec == "ab,b->a"


def test_long_elementwise_chain_is_fused_in_bounded_pieces():
    from sympy_einstein.simplification.elementwise import MAX_BODY_NODES
    t = sp.Dummy("t", real=True)
    expr = x
    for _ in range(60):
        expr = se.Elementwise(sp.Lambda(t, sp.sin(t) + 1), expr)
    result = simplified(expr)
    pieces = [node for node in nodes(result) if isinstance(node, se.Elementwise)]
    assert 2 <= len(pieces) <= 6
    assert all(len(list(sp.preorder_traversal(p.function.expr))) < 2 * MAX_BODY_NODES for p in pieces)



def distinct_nodes(expr):
    from sympy_einstein.derivatives.graph import postorder
    return postorder(expr)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_long_chain_gradient_stays_linear_in_size(mode):
    # x_{k+1} = tanh(A @ x_k) + x_k, 150 operations: x_k feeds both A @ x_k and the sum, so fusion must
    # leave it an operand (fusing it copies the whole chain into every step), and the flattened
    # sums the + operator builds must become shared partial sums again
    from sympy_einstein.derivatives import derivative
    chain = x
    for _ in range(50):
        chain = se.tanh(A @ chain) + chain
    assert len(chain.terms) == 51  # the operator flattened every step
    raw = derivative(se.sum(chain), x, mode=mode, simplify=False)
    result = simplify(raw)  # (no validate: its pickle round trip compares deep DAGs as trees)
    found = distinct_nodes(result)
    assert len(found) <= 6 * 50
    fused = [node for node in found if isinstance(node, se.Elementwise)]
    assert len(fused) >= 50  # one fused node per step at least
    assert max(len(node.operands) for node in fused) <= 2
    assert max(sp.count_ops(node.function.expr) for node in fused) <= 6
    assert max(len(node.terms) for node in found if isinstance(node, se.TensorAdd)) <= 6
    bindings = random_bindings(raw, seed=3)
    bindings[A] = 0.3 * bindings[A]
    np.testing.assert_allclose(evaluate(result, bindings), evaluate(raw, bindings), rtol=1e-9, atol=1e-9)
    again = simplify(result)  # (forward mode: a further pass may still factor a few more terms)
    assert len(distinct_nodes(again)) <= len(found) + 10


def test_fusion_keeps_a_node_with_other_consumers_as_an_operand():
    inner = se.tanh(A @ x)
    expr = se.outer(se.sin(inner) + inner, A @ inner)  # inner feeds the sum and A @ inner
    result = simplified(expr)
    fused = [node for node in distinct_nodes(result) if isinstance(node, se.Elementwise)]
    assert any(node.operands == (simplify(A @ x),) for node in fused)  # inner itself, computed once
    assert any(inner_node in node.operands for node in fused for inner_node in fused)


def test_fusion_inlines_a_node_whose_consumers_are_all_fused():
    s = se.sigmoid(x)
    result = simplified(s * (1 - s) + s)  # s has three consumers, all inside the cluster
    assert isinstance(result, se.Elementwise) and result.operands == (x,)


def test_a_shared_sum_is_not_flattened_into_its_consumers():
    partial = se.TensorAdd(x, A @ y)
    expr = se.outer(se.TensorAdd(partial, z), B @ partial)
    result = simplified(expr)
    sums = [node for node in distinct_nodes(result) if isinstance(node, se.TensorAdd)]
    assert any(len(node.terms) == 2 and any(isinstance(t, se.TensorAdd) for t in node.terms) for node in sums)

# ---------------------------------------------------------------------------------------------
# property test: random expressions keep their value

SIZES = (2, 3)
FUNCTIONS = (se.tanh, se.sin, se.sigmoid, lambda e: e ** 2, lambda e: 1 - e)


def _leaf(draw, shape):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return se.zeros(shape)
    if kind == 1:
        return se.broadcast_to(draw(st.sampled_from([1, 2, -1])), shape) if shape else EP(2, "->", ())
    name = draw(st.sampled_from("PQ")) + "".join(str(s) for s in shape)
    return se.tensor(name, shape)


@st.composite
def expressions(draw, shape=None, depth=4):
    if shape is None:
        shape = tuple(draw(st.lists(st.sampled_from(SIZES), max_size=3)))
    if depth == 0 or draw(st.integers(0, 4)) == 0:
        return _leaf(draw, shape)
    sub = lambda s: draw(expressions(shape=s, depth=depth - 1))  # noqa: E731
    rank, letters = len(shape), "abc"[:len(shape)]
    choices = ["add", "scale", "hadamard", "function"] + (["contract"] if rank <= 2 else [])
    if rank >= 1:
        choices += ["broadcast", "diag_read"] if rank <= 2 else ["broadcast"]
    if rank >= 2:
        choices += ["transpose"]
        if shape[-1] == shape[-2]:
            choices += ["diag_write", "unit"]
    choice = draw(st.sampled_from(choices))
    if choice == "add":
        return sub(shape) + sub(shape)
    if choice == "scale":
        return draw(st.sampled_from([2, -1, sp.Rational(1, 2)])) * sub(shape)
    if choice == "hadamard":
        return sub(shape) * sub(shape)
    if choice == "function":
        return draw(st.sampled_from(FUNCTIONS))(sub(shape))
    if choice == "contract":
        k = draw(st.sampled_from(SIZES))
        return se.einsum(f"{letters}z,z->{letters}", sub(shape + (k,)), sub((k,)))
    if choice == "broadcast":
        return se.einsum(f"{letters[:-1]}->{letters}", sub(shape[:-1]), sizes={letters[-1]: shape[-1]})
    if choice == "diag_read":
        return se.einsum(f"{letters}{letters[-1]}->{letters}", sub(shape + (shape[-1],)))
    if choice == "transpose":
        return se.transpose(sub(shape[::-1]))
    if choice == "diag_write":
        return se.einsum(f"{letters[:-1]}->{letters[:-1]}{letters[-2]}", sub(shape[:-1]))
    unit = EP(1, "->" + "yzyz", (shape[-2], shape[-1]))  # choice == "unit"
    return se.einsum(f"{letters[:-2]}yz,yz{letters[-2:]}->{letters}", sub(shape), unit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_random_expressions_keep_their_value(expr):
    result = simplify(expr)
    validate(result)
    assert result.shape == expr.shape
    bindings = random_bindings(expr, seed=1)
    np.testing.assert_allclose(evaluate(result, bindings), evaluate(expr, bindings), rtol=1e-8, atol=1e-8)
    assert simplify(result) == result


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.sampled_from(["forward", "reverse"]))
def test_raw_derivatives_keep_their_value(expr, mode):
    from sympy_einstein.derivatives import derivative
    symbols = sorted(expr.atoms(se.TensorSymbol), key=str)
    if not symbols:
        return
    raw = derivative(expr, symbols[0], mode=mode, simplify=False)
    result = simplify(raw)
    validate(result)
    bindings = random_bindings(raw, seed=2)
    np.testing.assert_allclose(evaluate(result, bindings), evaluate(raw, bindings), rtol=1e-8, atol=1e-8)
    assert simplify(result) == result


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_worked_examples_from_raw_derivatives(mode):
    from sympy_einstein.derivatives import derivative
    quadratic = derivative(derivative(x @ A @ x, x, mode="reverse", simplify=False), x, mode=mode, simplify=False)
    result = simplified(quadratic)
    assert result == simplify(A + A.T)
    assert max(node.rank for node in nodes(result)) == 2
    labels, w = se.vector("l", m), se.vector("w", n)
    loss = se.sum(se.log(1 + se.exp(-labels * (X @ w))))
    logistic = derivative(derivative(loss, w, mode="reverse", simplify=False), w, mode=mode, simplify=False)
    result = simplified(logistic)
    assert isinstance(result, EP) and sorted(map(str, result.operands))[:2] == ["X", "X"]
    assert max(node.rank for node in nodes(result)) == 2


@pytest.mark.xfail(strict=True, reason="known limit: the rules can flatten a sum that extends another sum by one "
                   "term after share_partial_sums has run; the next simplify call nests it (found by hypothesis)")
def test_a_sum_flattened_by_the_rules_is_shared_and_simplify_is_idempotent():
    # (1 + P) * (P + Q) distributes into P + Q + P*(P + Q): a sum that extends P + Q by one term,
    # found by hypothesis; simplify must reach its fixed point in one call
    P, Q = se.matrix("P", 2, 2), se.matrix("Q", 2, 2)  # noqa: N806 -- matrices are capitals
    once = simplify((1 + P) * (P + Q))
    assert simplify(once) == once

"""Every builder and operator, evaluated on random data and compared with hand-written NumPy."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.testing import random_bindings, validate

n, m, k = sp.symbols("n m k", integer=True, positive=True)
c = sp.Symbol("c")
A = se.matrix("A", m, n)
B = se.matrix("B", n, k)
S = se.matrix("S", n, n)
T = se.tensor("T", (m, n, k))
x = se.vector("x", n)
y = se.vector("y", m)
s = se.scalar("s")
col = se.tensor("col", (m, 1))
row = se.tensor("row", (1, n))


def check(expr, reference, positive=False, seed=0):
    """Evaluate ``expr`` on random data and compare with ``reference(values)``, values by symbol name."""
    validate(expr)
    bindings = random_bindings([expr, A, B, S, T, x, y, s, col, row, c], seed=seed, positive=positive)
    values = {str(key): value for key, value in bindings.items()}
    got = se.evaluate(expr, bindings)
    expected = np.asarray(reference(values), dtype=float)
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# arithmetic operators


@pytest.mark.parametrize(("expr", "reference"), [
    (A + A, lambda v: v["A"] + v["A"]),
    (A - 2 * A, lambda v: -v["A"]),
    (x * x, lambda v: v["x"] ** 2),
    (x / (x * x + 1), lambda v: v["x"] / (v["x"] ** 2 + 1)),
    (x ** 3, lambda v: v["x"] ** 3),
    (-A, lambda v: -v["A"]),
    (+A, lambda v: v["A"]),
    (1 + x, lambda v: 1 + v["x"]),
    (1 - x, lambda v: 1 - v["x"]),
    (3 * x, lambda v: 3 * v["x"]),
    (2 / x, lambda v: 2 / v["x"]),
    (x / 4, lambda v: v["x"] / 4),
    (2 ** x, lambda v: 2 ** v["x"]),
    (x ** s, lambda v: v["x"] ** v["s"]),
    (c * x + c ** 2, lambda v: v["c"] * v["x"] + v["c"] ** 2),
    (x / n, lambda v: v["x"] / v["n"]),
    (sp.sin(c) * A, lambda v: np.sin(v["c"]) * v["A"]),
    (abs(x), lambda v: np.abs(v["x"])),
], ids=lambda e: str(e) if isinstance(e, sp.Basic) else "")
def test_elementwise_operators(expr, reference):
    check(expr, reference, positive=True)


@pytest.mark.parametrize(("expr", "reference"), [
    (A + x, lambda v: v["A"] + v["x"]),             # vector along the last axis
    (x * A, lambda v: v["x"] * v["A"]),
    (A * col, lambda v: v["A"] * v["col"]),         # a declared size-1 axis stretches
    (col + row, lambda v: v["col"] + v["row"]),     # both stretch: (m, 1) + (1, n) -> (m, n)
    (col * x, lambda v: v["col"] * v["x"]),
    (s + A, lambda v: v["s"] + v["A"]),             # order-0 tensor broadcasts
    (s * x - s, lambda v: v["s"] * v["x"] - v["s"]),
    (T * se.tensor("u", (n, 1)), lambda v: v["T"] * v["u"]),
    (x ** col, lambda v: v["x"] ** v["col"]),
], ids=lambda e: str(e) if isinstance(e, sp.Basic) else "")
def test_broadcasting(expr, reference):
    check(expr, reference, positive=True)


def test_broadcast_shapes():
    assert (A + x).shape == (m, n)
    assert (col + row).shape == (m, n)
    assert (s * T).shape == (m, n, k)


def test_broadcast_failure_names_both_operands_and_the_axis():
    with pytest.raises(se.ShapeError, match=r"cannot broadcast x \(shape \(n,\)\) with y \(shape \(m,\)\): axis 0"):
        x + y
    with pytest.raises(se.ShapeError, match=r"A \(shape \(m, n\)\) with B \(shape \(n, k\)\): axis 0 has size m and n"):
        A * B
    with pytest.raises(ValueError, match="axis 0"):  # sizes broadcast by declaration only: n and m differ
        se.vector("p", 1) * x - y


@pytest.mark.parametrize(("expr", "reference"), [
    (A @ x, lambda v: v["A"] @ v["x"]),
    (y @ A, lambda v: v["y"] @ v["A"]),
    (x @ x, lambda v: v["x"] @ v["x"]),
    (A @ B, lambda v: v["A"] @ v["B"]),
    (A.T @ A @ x, lambda v: v["A"].T @ v["A"] @ v["x"]),
    (x @ S @ x, lambda v: v["x"] @ v["S"] @ v["x"]),
    (T @ se.matrix("K", k, 2), lambda v: np.tensordot(v["T"], v["K"], axes=1)),
    (A.T @ T, lambda v: np.tensordot(v["A"].T, v["T"], axes=([1], [0]))),
    (y @ T, lambda v: np.tensordot(v["y"], v["T"], axes=1)),
], ids=lambda e: str(e) if isinstance(e, sp.Basic) else "")
def test_matmul(expr, reference):
    check(expr, reference)


def test_matmul_errors():
    with pytest.raises(se.ShapeError, match=r"matmul: A \(shape \(m, n\)\) and y \(shape \(m,\)\) do not fit"):
        A @ y
    with pytest.raises(se.ShapeError, match="scalar"):
        s @ x
    with pytest.raises(se.ShapeError, match="scalar"):
        se.matmul(x, 2)


# ---------------------------------------------------------------------------------------------
# reshaping and reductions


@pytest.mark.parametrize(("expr", "reference"), [
    (A.T, lambda v: v["A"].T),
    (T.T, lambda v: v["T"].T),
    (se.transpose(T, (1, 2, 0)), lambda v: np.transpose(v["T"], (1, 2, 0))),
    (se.transpose(T, (-1, 0, 1)), lambda v: np.transpose(v["T"], (2, 0, 1))),
    (T.transpose((0, 2, 1)), lambda v: np.transpose(v["T"], (0, 2, 1))),
    (x.T, lambda v: v["x"]),
    (se.sum(T), lambda v: np.sum(v["T"])),
    (se.sum(T, axis=1), lambda v: np.sum(v["T"], axis=1)),
    (se.sum(T, axis=-1), lambda v: np.sum(v["T"], axis=-1)),
    (se.sum(T, axis=(0, 2)), lambda v: np.sum(v["T"], axis=(0, 2))),
    (se.sum(T, axis=(-3, 1)), lambda v: np.sum(v["T"], axis=(0, 1))),
    (se.trace(S), lambda v: np.trace(v["S"])),
    (se.trace(se.tensor("U", (n, m, n)), 0, 2), None),
    (se.diag(x), lambda v: np.diag(v["x"])),
    (se.diag(S), lambda v: np.diag(v["S"])),
    (se.diag(se.diag(x)), lambda v: v["x"]),
    (se.outer(x, y), lambda v: np.multiply.outer(v["x"], v["y"])),
    (se.outer(A, x), lambda v: np.multiply.outer(v["A"], v["x"])),
    (se.outer(T, A), lambda v: np.multiply.outer(v["T"], v["A"])),
    (se.outer(s, A), lambda v: v["s"] * v["A"]),
    (se.outer(2, x), lambda v: 2 * v["x"]),
    (se.broadcast_to(x, (m, n)), lambda v: np.broadcast_to(v["x"], (v["m"], v["n"]))),
    (se.broadcast_to(c, (2, n)), lambda v: np.full((2, v["n"]), v["c"])),
], ids=lambda e: str(e) if isinstance(e, sp.Basic) else "")
def test_reshaping_and_reductions(expr, reference):
    if reference is None:  # trace over axes 0 and 2 of an (n, m, n) tensor
        u = se.tensor("U", (n, m, n))
        bindings = random_bindings(expr)
        np.testing.assert_allclose(se.evaluate(expr, bindings), np.trace(bindings[u], axis1=0, axis2=2))
        return
    check(expr, reference)


def test_bad_axes():
    with pytest.raises(se.ShapeError, match=r"axis 2 is out of range for A of order 2"):
        se.sum(A, axis=2)
    with pytest.raises(se.ShapeError, match=r"axis -3 is out of range"):
        se.sum(A, axis=(0, -3))
    with pytest.raises(se.ShapeError, match="not a permutation"):
        se.transpose(T, (0, 0, 1))
    with pytest.raises(se.ShapeError, match="out of range"):
        se.transpose(A, (0, 2))
    with pytest.raises(se.ShapeError, match="order 2 or more"):
        se.trace(x)
    with pytest.raises(se.ShapeError, match=r"axes 0 and 1 of A .*one size"):
        se.trace(A)
    with pytest.raises(se.ShapeError, match=r"diag needs a vector or a square matrix, not A of shape \(m, n\)"):
        se.diag(A)
    with pytest.raises(se.ShapeError, match="diag needs"):
        se.diag(T)


# ---------------------------------------------------------------------------------------------
# elementwise functions

UNARY = [
    (se.exp, np.exp), (se.log, np.log), (se.log1p, np.log1p), (se.sin, np.sin), (se.cos, np.cos),
    (se.tan, np.tan), (se.tanh, np.tanh), (se.sqrt, np.sqrt), (se.abs, np.abs), (se.sign, np.sign),
    (se.sigmoid, lambda a: 1 / (1 + np.exp(-a))), (se.relu, lambda a: np.maximum(a, 0)),
    (se.softplus, lambda a: np.log(1 + np.exp(a))),
]


@pytest.mark.parametrize(("function", "reference"), UNARY, ids=[f.__name__ for f, _ in UNARY])
def test_unary_functions(function, reference):
    positive = function in (se.log, se.log1p, se.sqrt)
    check(function(A), lambda v: reference(v["A"]), positive=positive)
    check(function(s), lambda v: reference(v["s"]), positive=positive)
    assert function(A).shape == A.shape


def test_unary_functions_of_sympy_scalars_stay_scalars():
    assert se.exp(c) == sp.exp(c)
    assert se.exp(2) == sp.exp(2)


def test_applyfunc_and_elementwise():
    t = sp.Symbol("t", real=True)
    check(A.applyfunc(sp.cos), lambda v: np.cos(v["A"]))
    check(A.applyfunc(lambda a: a**2 + c), lambda v: v["A"] ** 2 + v["c"])
    check(se.elementwise(sp.Lambda(t, sp.exp(-t**2)), x), lambda v: np.exp(-v["x"] ** 2))
    check(se.elementwise(sp.atan2, x, A), lambda v: np.arctan2(v["x"], v["A"]))
    check(se.elementwise(lambda a, b: a * sp.sin(b), A, 2), lambda v: v["A"] * np.sin(2))
    check(se.elementwise(lambda a, b: sp.Max(a, b), col, row), lambda v: np.maximum(v["col"], v["row"]))


def test_elementwise_errors():
    with pytest.raises(se.ShapeError, match="not a function"):
        se.elementwise(3, x)
    with pytest.raises(se.ShapeError, match=r"takes 1 argument\(s\), not 2"):
        se.elementwise(sp.Lambda(sp.Symbol("t"), 1), x, x)
    with pytest.raises(se.ShapeError, match="cannot broadcast"):
        se.elementwise(sp.atan2, x, y)


def test_sympy_functions_of_order_zero_tensors():
    f = se.sum(x * x)
    check(se.as_operand(sp.exp(f)), lambda v: np.exp(v["x"] @ v["x"]))
    check(sp.exp(f) * x, lambda v: np.exp(v["x"] @ v["x"]) * v["x"])
    check(x / sp.sqrt(f), lambda v: v["x"] / np.sqrt(v["x"] @ v["x"]))
    check(se.log(1 + se.exp(-y * (A @ x))).applyfunc(sp.sin),
          lambda v: np.sin(np.log(1 + np.exp(-v["y"] * (v["A"] @ v["x"])))))
    assert isinstance(se.as_operand(sp.sin(f) + c), se.Elementwise)


def test_logistic_loss_from_the_issue():
    f = se.sum(se.log(1 + se.exp(-y * (A @ x))))
    assert f.shape == ()
    check(f, lambda v: np.sum(np.log(1 + np.exp(-v["y"] * (v["A"] @ v["x"])))))


def test_numpy_arrays_are_rejected_as_operands():
    with pytest.raises(se.ShapeError, match="declare a tensor symbol"):
        x + np.ones(2)
    assert se.as_operand(np.float64(2.5)) == 2.5


# ---------------------------------------------------------------------------------------------
# einsum


@pytest.mark.parametrize(("spec", "operands", "reference"), [
    ("ij,jk", (A, B), lambda v: v["A"] @ v["B"]),
    ("ij,ji", (S, S), lambda v: np.trace(v["S"] @ v["S"])),
    ("ii", (S,), lambda v: np.trace(v["S"])),
    ("ji", (A,), lambda v: v["A"].T),  # implicit output is alphabetical ('ij'): a transpose, as numpy
    ("i,i", (x, x), lambda v: v["x"] @ v["x"]),
    ("ij,jk,kl->il", (A, B, se.matrix("K", k, 2)), lambda v: v["A"] @ v["B"] @ v["K"]),
    ("i->ii", (x,), lambda v: np.diag(v["x"])),
    ("ii->i", (S,), lambda v: np.diag(v["S"])),
    ("i,->i", (x, c), lambda v: v["c"] * v["x"]),
    (",i,->i", (2, x, s), lambda v: 2 * v["s"] * v["x"]),
], ids=lambda e: e if isinstance(e, str) else "")
def test_einsum(spec, operands, reference):
    check(se.einsum(spec, *operands), reference)


def test_einsum_sizes():
    check(se.einsum("i->ij", x, sizes={"j": m}), lambda v: np.broadcast_to(v["x"][:, None], (v["n"], v["m"])))
    check(se.einsum("->ij", 1, sizes={"i": 2, "j": n}), lambda v: np.ones((2, v["n"])))
    unit = se.einsum("->abab", 1, sizes={"a": m, "b": n})
    assert unit.shape == (m, n, m, n)
    check(unit, lambda v: np.eye(v["m"] * v["n"]).reshape(v["m"], v["n"], v["m"], v["n"]))


def test_einsum_errors():
    with pytest.raises(se.SpecError, match="output index 'j' occurs in no operand"):
        se.einsum("i->ij", x)
    with pytest.raises(se.ShapeError, match="sizes gives index 'i' size m, but the operands give n"):
        se.einsum("i->ij", x, sizes={"i": m, "j": 2})
    with pytest.raises(se.SpecError, match="single letters"):
        se.einsum("i->ij", x, sizes={"jj": 2})
    with pytest.raises(se.ShapeError, match="operand 0 is the scalar 2 but has index string 'i'"):
        se.einsum("i->i", 2)
    with pytest.raises(se.ShapeError, match=r"index 'j' has size n in operand 0"):
        se.einsum("ij,j->i", A, y)

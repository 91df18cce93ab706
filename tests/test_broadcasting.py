"""Broadcasting a vector along a new axis: ``b[:, None]`` / ``se.expand_dims`` in Python and ``expand(b, 2)`` in
the input language, so a layer ``tanh(W X + b)`` is one line; values and derivatives against NumPy."""
import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.testing import numeric_derivative

n, m, k = sp.symbols("n m k", integer=True, positive=True)
W, X, b = se.matrix("W", m, n), se.matrix("X", n, k), se.vector("b", m)
rng = np.random.default_rng(7)
Wv, Xv, bv = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=4)
BINDINGS = {W: Wv, X: Xv, b: bv}


def test_new_axes_have_size_one():
    assert b[:, None].shape == (m, 1) and b[None, :].shape == (1, m) and b[None].shape == (1, m)
    assert X[..., None].shape == (n, k, 1) and X[None, ..., None].shape == (1, n, k, 1) and X[:, :].shape == (n, k)
    assert se.expand_dims(b, 1) == b[:, None] and se.expand_dims(b, -2) == b[None, :]
    assert se.expand_dims(b, (0, 2)).shape == (1, m, 1)
    assert se.expand_dims(se.scalar("c"), 0).shape == (1,) and se.expand_dims(2, (0, 1)).shape == (1, 1)
    np.testing.assert_allclose(se.evaluate(b[:, None], BINDINGS), bv[:, None])
    np.testing.assert_allclose(se.evaluate(se.expand_dims(X, (0, 3)), BINDINGS), np.expand_dims(Xv, (0, 3)))


@pytest.mark.parametrize("key", [0, slice(1, None), (None, None, slice(None), slice(None)), (Ellipsis, Ellipsis),
                                 "i", [0, 1]])
def test_unsupported_indices_are_refused(key):
    with pytest.raises(se.ShapeError, match=r"b\["):
        b[key]


@pytest.mark.parametrize("axis", [3, -4, (0, 0), 1.0, True])
def test_bad_axes_are_refused(axis):
    with pytest.raises(se.ShapeError, match="expand_dims of b"):
        se.expand_dims(b, axis)


def test_indexing_does_not_make_tensors_iterable():
    with pytest.raises(TypeError):
        iter(b)
    assert sp.Tuple(b, b).args == (b, b)


def reference_layer(w, x, bias):
    return np.tanh(w @ x + bias[:, None])


def test_layer_value_and_gradients_match_numpy():
    layer = se.tanh(W @ X + b[:, None])
    f = se.sum(layer)
    np.testing.assert_allclose(se.evaluate(layer, BINDINGS), reference_layer(Wv, Xv, bv))
    slope = 1 - reference_layer(Wv, Xv, bv) ** 2
    np.testing.assert_allclose(se.evaluate(se.diff(f, b), BINDINGS), slope.sum(axis=1))
    np.testing.assert_allclose(se.evaluate(se.diff(f, W), BINDINGS), slope @ Xv.T)
    jacobian = se.evaluate(se.diff(layer, b), BINDINGS)
    np.testing.assert_allclose(jacobian, numeric_derivative(layer, b, BINDINGS), rtol=1e-6, atol=1e-8)
    hessian = se.evaluate(se.hessian(f, b), BINDINGS)
    np.testing.assert_allclose(hessian, numeric_derivative(se.diff(f, b), b, BINDINGS), rtol=1e-6, atol=1e-8)


def test_language_expand_is_the_same_layer():
    f, symbols = se.parse("sum(tanh(W*X + expand(b, 2)))", return_symbols=True)
    assert {name: len(s.shape) for name, s in symbols.items()} == {"W": 2, "X": 2, "b": 1}
    bindings = {symbols["W"]: Wv, symbols["X"]: Xv, symbols["b"]: bv}
    np.testing.assert_allclose(se.evaluate(f, bindings), reference_layer(Wv, Xv, bv).sum())
    slope = 1 - reference_layer(Wv, Xv, bv) ** 2
    np.testing.assert_allclose(se.evaluate(se.diff(f, symbols["b"]), bindings), slope.sum(axis=1))


def test_language_expand_along_rows_and_in_a_two_layer_net():
    f, s = se.parse("sum(expand(c, 1) .* A)", return_symbols=True)
    a, c = rng.normal(size=(3, 4)), rng.normal(size=4)
    assert s["c"].shape == (s["A"].shape[1],)
    np.testing.assert_allclose(se.evaluate(f, {s["A"]: a, s["c"]: c}), np.sum(c[None, :] * a))
    text = "h = tanh(W1*X + expand(b1, 2)); norm2(W2*h + expand(b2, 2) - Y)^2"
    f, s = se.parse(text, return_symbols=True)
    w1, w2, b1, b2 = rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=2)
    y = rng.normal(size=(2, 5))
    bindings = {s["W1"]: w1, s["W2"]: w2, s["b1"]: b1, s["b2"]: b2, s["X"]: Xv, s["Y"]: y}
    residual = w2 @ np.tanh(w1 @ Xv + b1[:, None]) + b2[:, None] - y
    np.testing.assert_allclose(se.evaluate(f, bindings), np.sum(residual ** 2))
    np.testing.assert_allclose(se.evaluate(se.diff(f, s["b2"]), bindings), 2 * residual.sum(axis=1))


@pytest.mark.parametrize("text, message", [
    ("expand(b)", "expand takes a vector and the axis"), ("expand(b, 3)", "expand takes a vector and the axis"),
    ("expand(b, c)", "expand takes a vector and the axis"), ("expand(A*B, 2)", "expand repeats a vector"),
])
def test_language_expand_errors(text, message):
    with pytest.raises(se.ParseError, match=message):
        se.parse(text)


def test_compiled_layer_gradient():
    f = se.sum(se.tanh(W @ X + b[:, None]) ** 2)
    compiled = se.lambdify([W, X, b], [f, se.diff(f, b)], backend="numpy")
    value, gradient = compiled(Wv, Xv, bv)
    t = reference_layer(Wv, Xv, bv)
    np.testing.assert_allclose(value, np.sum(t ** 2))
    np.testing.assert_allclose(gradient, np.sum(2 * t * (1 - t ** 2), axis=1))

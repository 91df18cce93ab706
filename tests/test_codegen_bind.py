# ruff: noqa: N806
"""The generated binder ``_args_<function>``: its inline check of float64 C-contiguous arrays returns exactly
what ``runtime._bind_arguments`` returns (the same objects, no copies), and every other input reaches
``_bind_arguments`` (conversions, errors)."""
import sys

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se

n, k = sp.symbols("n k", integer=True, positive=True)
# hostile names (a builtin, a keyword), a size expression, a literal axis, a scalar and an order-0 tensor
A, z, t, s = se.matrix("len", n, 3), se.vector("lambda", 2 * n), se.tensor("type", (k, n, k)), se.scalar("s")
c = sp.Symbol("c", real=True)
ARGS = [A, z, t, c, s]
EXPR = c * (A.T @ se.einsum("ijk->j", t)) + s * se.sum(z)
rng = np.random.default_rng(3)
GOOD = (rng.normal(size=(2, 3)), rng.normal(size=4), rng.normal(size=(5, 2, 5)), 0.5, -1.5)


@pytest.fixture(scope="module")
def function():
    return se.lambdify(ARGS, EXPR, backend="numpy")


def bind_both(fn, values):
    """``(inline result or error, _bind_arguments result or error)`` for ``values``."""
    module = sys.modules[fn.__module__]
    results = []
    for bind in (module._args_generated,
                 lambda v: module._bind_arguments(v, module._SIGNATURE_generated, module._SIZES_generated,
                                                  "generated")):
        try:
            results.append(bind(values))
        except ValueError as error:
            results.append(error)
    return results


def test_the_inline_check_fires_and_returns_the_arguments_themselves(function):
    module = sys.modules[function.__module__]
    assert "(len_.dtype is _FLOAT64 or len_.dtype is _FLOAT32)" in function.source  # renamed, checked inline
    bound = module._args_generated(GOOD)
    assert all(b is a for a, b in zip(GOOD[:4], bound, strict=False))  # no copies
    assert type(bound[4]) is np.float64 and bound[4] == GOOD[4]  # order 0: a NumPy scalar, as _bind_arguments
    assert bound[5:] == (5, 2) or bound[5:] == (2, 5)  # the sizes k and n, in the kernel's order
    inline, general = bind_both(function, GOOD)
    assert len(inline) == len(general) and all(np.array_equal(a, b) for a, b in zip(inline, general, strict=True))
    assert [type(a) for a in inline] == [type(b) for b in general]
    single = tuple(a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in GOOD)
    bound = module._args_generated(single)
    assert all(b is a for a, b in zip(single[:3], bound, strict=False))  # float32 arrays: no copies either
    assert type(bound[4]) is np.float32  # as _bind_arguments converts the order-0 argument
    want = se.evaluate(EXPR, dict(zip(ARGS, GOOD, strict=True)))
    np.testing.assert_allclose(function(*GOOD), want, rtol=1e-13)


def variants():
    X, v, T, cv, sv = GOOD
    yield "float32", (X.astype(np.float32), v.astype(np.float32), T.astype(np.float32), cv, sv)
    yield "float32 and float64", (X.astype(np.float32), v, T.astype(np.float32), cv, sv)
    yield "integers", (X.astype(int), v.astype(int), T.astype(np.int8), 2, 1)
    yield "lists", (X.tolist(), v.tolist(), T.tolist(), cv, sv)
    yield "Fortran order", (np.asfortranarray(X), v, T, cv, sv)
    yield "strided view", (X, np.repeat(v, 2)[::2], T, cv, sv)
    yield "big-endian", (X.astype(">f8"), v, T, cv, sv)
    yield "numpy scalars", (X, v, T, np.float64(cv), np.float32(sv))
    yield "0-d arrays", (X, v, T, np.array(cv), np.array(sv))
    yield "too few", (X, v, T, cv)
    yield "size expression", (X, np.ones(5), T, cv, sv)
    yield "literal axis", (np.ones((2, 4)), v, T, cv, sv)
    yield "size bound twice", (X, v, np.ones((5, 2, 4)), cv, sv)
    yield "n from the first array", (X, v, np.ones((5, 3, 5)), cv, sv)
    yield "empty", (np.ones((0, 3)), np.ones(0), np.ones((5, 0, 5)), cv, sv)
    yield "order", (X.ravel(), v, T, cv, sv)
    yield "complex", (X + 0j, v, T, cv, sv)
    yield "scalar array", (X, v, T, np.ones(2), sv)
    yield "a string", (X, v, T, "1.0", sv)


@pytest.mark.parametrize("name, values", list(variants()))
def test_other_inputs_bind_as_bind_arguments_binds_them(function, name, values):
    inline, general = bind_both(function, values)
    if isinstance(general, Exception):
        assert type(inline) is type(general) and str(inline) == str(general), name
        return
    assert [type(a) for a in inline] == [type(b) for b in general], name
    for a, b in zip(inline, general, strict=True):
        assert np.array_equal(a, b) and getattr(a, "dtype", None) == getattr(b, "dtype", None), name
        assert getattr(a, "flags", np.ones(1).flags).c_contiguous, name


def test_integer_scalars_and_unprintable_sizes_use_bind_arguments_alone():
    m = sp.Symbol("m", integer=True)
    fn = se.lambdify([m, A], m * se.sum(A), backend="numpy")
    assert "if len(args)" not in fn.source  # an integer scalar: no inline check
    assert fn(2, np.ones((2, 3))) == 12.0
    with pytest.raises(se.BindingError, match="must be an integer"):
        fn(2.5, np.ones((2, 3)))


def test_numba_functions_bind_through_the_same_check():
    fn = se.lambdify([A, c], c * se.sum(A), tiered=False)
    assert "def _args_generated(args):" in fn.source
    assert fn(np.ones((2, 3)), 2.0) == 12.0
    with pytest.raises(se.ShapeError, match="argument len_ axis 1 has size 2, expected 3"):
        fn(np.ones((2, 2)), 2.0)

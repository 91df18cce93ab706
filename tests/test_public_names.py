"""Public names: no exported function shadows a submodule, se.diff is the function, jvp and vjp are exported
and agree with explicit NumPy formulas."""
import pkgutil
import types

import numpy as np
import sympy as sp

import sympy_einstein as se


def test_no_public_name_shadows_a_submodule():
    submodules = {info.name for info in pkgutil.iter_modules(se.__path__)}
    for name in se.__all__:
        assert not isinstance(getattr(se, name), types.ModuleType), name
    for name in submodules & set(dir(se)):
        value = getattr(se, name)
        assert isinstance(value, types.ModuleType) and value.__name__ == f"sympy_einstein.{name}", name
    assert {"derivatives", "simplification", "parsing", "evaluation"} <= submodules


def test_functions_named_like_the_old_subpackages_are_callable():
    x, a = se.vector("x", 3), se.matrix("A", 3, 3)
    f = x @ a @ x
    for name in ("diff", "simplify", "parse", "evaluate"):
        assert callable(getattr(se, name)) and name in se.__all__
    assert se.diff(f, x) == sp.diff(f, x)
    assert se.diff(f, x, 2) == se.simplify(se.hessian(f, x))
    assert se.parse("x'*A*x", {"x": x, "A": a}) == f


def test_jvp_and_vjp_are_exported_and_correct():
    assert {"jvp", "vjp"} <= set(se.__all__)
    m, x, v, u = se.matrix("A", 3, 2), se.vector("x", 2), se.vector("v", 2), se.vector("u", 3)
    rng = np.random.default_rng(3)
    a, xv, vv, uv = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=2), rng.normal(size=3)
    bindings = {m: a, x: xv, v: vv, u: uv}
    g = se.tanh(m @ x)
    slope = 1 - np.tanh(a @ xv) ** 2
    np.testing.assert_allclose(se.evaluate(se.jvp(g, x, v), bindings), slope * (a @ vv))
    np.testing.assert_allclose(se.evaluate(se.vjp(g, x, u), bindings), a.T @ (uv * slope))

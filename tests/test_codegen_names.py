"""Hostile names through lambdify and export, both backends: nothing executes, every module compiles,
the numbers equal se.evaluate. Also: generated modules without a file, and the disk cache's failures.

The corpus holds every name that once broke the generated code (issue 8): quotes and triple quotes
that closed a string, a newline, backslashes, a keyword, a fullwidth ``ｔ0`` (equal to ``t0`` after
NFKC), the names of the generated code's own temporaries, loop variables and block bounds (``r0``,
``r1``, ``j1``, ``t0_xt``, ``_read0``, ``i_a``, ``kernel``), imported modules and two symbols with
one name.
"""
import importlib.util
import io
import sys
import tokenize
import warnings

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.codegen import modules

ATTACK = 'a""";__import__("os").system("touch F");"""'
rows = sp.Symbol("r0", integer=True, positive=True)  # the old Gram kernel's block start
cols = sp.Symbol(ATTACK, integer=True, positive=True)
X = se.matrix("t0_xt", rows, cols)
s = se.vector("r1", rows)
w, w_ascii = se.vector("ｔ0", cols), se.vector("t0", cols)
K, k, j1 = se.matrix("kernel", cols, cols), se.vector("i_a", cols), se.vector("j1", cols)
twin_vector, twin_matrix = se.vector("np", cols), se.matrix("np", cols, cols)
c = se.scalar("_read0")
lam = sp.Symbol("lambda")
newline = sp.Symbol("x\n__import__('os').system('touch F')\\")
quote = sp.Symbol("q'''\"")
ARGS = [X, s, w, w_ascii, K, k, j1, twin_vector, twin_matrix, c, lam, newline, quote]
EXPRS = [
    se.einsum("ij,i,ik->jk", X, s, X),                          # the blocked Gram product (r0, r1, j1)
    c * se.sum(w) + lam * (w_ascii @ w_ascii) - newline * quote,  # order-0 operands in scales
    se.sigmoid(X @ w) * newline + s,
    K + K.T + se.outer(k, j1),
    twin_vector + twin_matrix @ w,
]


def values(rng, n_rows=300, n_cols=4):
    shapes = {X: (n_rows, n_cols), s: (n_rows,), w: (n_cols,), w_ascii: (n_cols,), K: (n_cols, n_cols),
              k: (n_cols,), j1: (n_cols,), twin_vector: (n_cols,), twin_matrix: (n_cols, n_cols)}
    found = {a: rng.normal(size=shape) for a, shape in shapes.items()}
    found.update({c: 0.5, lam: -1.5, newline: 2.0, quote: 0.25})
    return found


def check(results, given):
    for got, expr in zip(results, EXPRS, strict=True):
        np.testing.assert_allclose(got, se.evaluate(expr, given), rtol=1e-10, atol=1e-10)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYMPY_EINSTEIN_CACHE", str(tmp_path / "cache"))
    yield tmp_path
    assert not (tmp_path / "F").exists()  # the attack never ran


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_hostile_names_through_lambdify(in_tmp, backend):
    fn = se.lambdify(ARGS, EXPRS, backend=backend, name="lambda")
    compile(fn.source, "generated", "exec")
    given = values(np.random.default_rng(10))
    check(fn(*(given[a] for a in ARGS)), given)
    assert not {"__import__", "system"} & code_names(fn.source)  # user text only in comments, literals


def code_names(source: str) -> set:
    """The identifiers of ``source`` (not in comments or string literals)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.string for token in tokens if token.type == tokenize.NAME}


def test_two_symbols_with_one_name_are_two_arguments(in_tmp):
    fn = se.lambdify([twin_vector, twin_matrix], twin_vector + twin_matrix @ twin_vector, backend="numpy")
    assert "def generated_kernel(np_, np_2, " in fn.source


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_hostile_names_through_export(in_tmp, backend, monkeypatch):
    path = in_tmp / "hostile.py"
    functions = {"f": ([w_ascii], w_ascii @ w_ascii), "f_kernel": ([w_ascii], 2 * se.sum(w_ascii)),
                 "lambda": (ARGS, EXPRS), ATTACK: ([c], 3 * c)}
    source = se.export(path, functions, backend=backend)
    compile(source, str(path), "exec")
    assert not {"__import__", "system"} & code_names(source)
    module = _import(path, monkeypatch)
    vector = np.array([1.0, 2.0, 3.0])
    assert float(module.f(vector)) == 14.0 and float(module.f_kernel(vector)) == 12.0
    given = values(np.random.default_rng(11))
    check(module.lambda_(*(given[a] for a in ARGS)), given)
    assert float(module.a_import_os_system_touch_F(np.float64(2.0))) == 6.0


def _import(path, monkeypatch):
    """``import <stem>`` from ``path`` (registered in sys.modules, as an import does)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, path.stem, module)
    spec.loader.exec_module(module)
    return module


def test_exported_numba_module_runs_without_a_file(in_tmp):
    """``exec`` of the printed module (as in a notebook cell): Numba cannot cache, and need not."""
    x = se.vector("x", 3)
    source = se.export(in_tmp / "m.py", {"sq": ([x], se.sigmoid(x) @ x)})
    namespace = {}
    exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 -- the generated module under test
    assert namespace["_CACHE"] is False
    vector = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(namespace["sq"](vector), (vector / (1 + np.exp(-vector))).sum())


def test_unwritable_cache_directory_falls_back_with_one_warning(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("SYMPY_EINSTEIN_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(modules, "_WARNED", [])
    x = se.vector("x", 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = se.lambdify([x], x @ x, backend="numpy")
        second = se.lambdify([x], 3 * x, backend="numpy")
    assert [str(w.message).count("without a disk cache") for w in caught] == [1]
    assert float(first(np.array([1.0, 2.0]))) == 5.0 and list(second(np.array([1.0, 2.0]))) == [3.0, 6.0]
    import inspect
    assert inspect.getsource(first).startswith("def generated(*args)")


def test_damaged_numba_cache_files_are_discarded(tmp_path):
    source_path = tmp_path / "se_0123.py"
    source_path.write_text("x = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    whole = cache / "se_0123.f-1.py311.1.nbc"
    whole.write_bytes(__import__("pickle").dumps({"a": 1}))
    assert not modules.discard_damaged_numba_cache(source_path) and whole.exists()
    truncated = cache / "se_0123.f-1.py311.nbi"
    truncated.write_bytes(__import__("pickle").dumps((1, 2))[:-3])
    assert modules.discard_damaged_numba_cache(source_path)
    assert not whole.exists() and not truncated.exists()

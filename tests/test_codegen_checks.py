"""Argument checks before compiled code runs, dtypes, the on-disk cache and standalone export."""
import ast
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy as sp

import sympy_einstein as se

n, m = sp.symbols("n m", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)
c = sp.Symbol("c", real=True)
H = se.einsum("ij,i,ik->jk", X, se.sigmoid(X @ w), X)
GOOD = (np.arange(6.0).reshape(3, 2), np.array([0.5, -1.0]), np.array([1.0, 0.0, 1.0]), 2.0)


@pytest.fixture(scope="module")
def numba_function():
    return se.lambdify([X, w, y, c], [c * (y @ (X @ w)), H])


def reference(Xv, wv, yv, cv):  # noqa: N803 -- matrix names
    s = 1 / (1 + np.exp(-(Xv @ wv)))
    return cv * yv @ Xv @ wv, Xv.T @ (Xv * s[:, None])


def test_float64_float32_and_integer_inputs(numba_function):
    value, hessian = numba_function(*GOOD)
    np.testing.assert_allclose(hessian, reference(*GOOD)[1], rtol=1e-12)
    assert hessian.dtype == np.float64
    single = numba_function(*(np.asarray(a, np.float32) for a in GOOD[:3]), 2.0)
    assert single[1].dtype == np.float32
    np.testing.assert_allclose(single[1], reference(*GOOD)[1], rtol=1e-5)
    integer = numba_function(GOOD[0].astype(int), np.array([1, -1]), np.array([True, False, True]), 2)
    assert integer[1].dtype == np.float64
    np.testing.assert_allclose(integer[1], reference(GOOD[0], np.array([1.0, -1.0]), GOOD[2], 2.0)[1])


@pytest.mark.parametrize("arguments, error, message", [
    (GOOD[:3], se.BindingError, r"takes 4 argument\(s\) \(X, w, y, c\) but 3 were given"),
    ((GOOD[0], np.ones(3), GOOD[2], 1.0), se.ShapeError,
     "argument w axis 0 has size 3, but n = 2 from argument X axis 1"),
    ((GOOD[0], GOOD[1], np.ones(4), 1.0), se.ShapeError, "argument y axis 0 has size 4, but m = 3"),
    ((GOOD[0].ravel(), GOOD[1], GOOD[2], 1.0), se.ShapeError, r"argument X has declared shape \(m, n\)"),
    ((GOOD[0] + 0j, GOOD[1], GOOD[2], 1.0), se.BindingError, "argument X has dtype complex128"),
    ((GOOD[0].astype(object), GOOD[1], GOOD[2], 1.0), se.BindingError, "argument X has dtype object"),
    ((GOOD[0], GOOD[1], GOOD[2], np.ones(2)), se.BindingError, "argument c must be a real number"),
    ((np.ones((0, 2)), GOOD[1], np.ones(0), 1.0), se.ShapeError, "size m must be positive"),
])
def test_bad_arguments_raise_before_the_kernel(numba_function, arguments, error, message):
    with pytest.raises(error, match=message):
        numba_function(*arguments)
    assert issubclass(error, ValueError)


def test_size_expressions_are_checked():
    z = se.vector("z", 2 * n)
    fn = se.lambdify([w, z], se.sum(z) * w, backend="numpy")
    np.testing.assert_allclose(fn(np.ones(2), np.ones(4)), [4.0, 4.0])
    with pytest.raises(se.ShapeError, match=r"argument z axis 0 has size 3, but 2\*n = 4"):
        fn(np.ones(2), np.ones(3))


def run_python(code: str, env: dict) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


CACHED = """
    import numpy as np, sympy as sp, sympy_einstein as se
    n = sp.Symbol("n", integer=True, positive=True)
    A, x = se.matrix("A", n, n), se.vector("x", n)
    fn = se.lambdify([A, x], [x @ A @ x, A + A.T])
    value, hessian = fn(np.eye(3), np.ones(3))
    stats = fn.kernel.stats
    print(float(value), sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""


def test_second_process_loads_kernels_from_the_cache(tmp_path):
    env = {"SYMPY_EINSTEIN_CACHE": str(tmp_path)}
    first = run_python(CACHED, env).split()
    assert first == ["3.0", "0", "1"]
    assert len(list(tmp_path.glob("se_*.py"))) == 1
    second = run_python(CACHED, env).split()
    assert second == ["3.0", "1", "0"]


def test_export_runs_without_sympy_einstein(tmp_path):
    path = tmp_path / "logreg_derivs.py"
    source = se.export(path, {"logreg": ([X, w, y, c], [c * (y @ (X @ w)), H]), "norm": ([w], w @ w)})
    assert "sympy_einstein" not in "\n".join(line for line in source.splitlines() if "import" in line)
    np.save(tmp_path / "X.npy", GOOD[0])
    out = run_python(f"""
        import sys
        sys.modules["sympy_einstein"] = None
        sys.modules["sympy"] = None
        sys.path.insert(0, {str(tmp_path)!r})
        import numpy as np, logreg_derivs
        X = np.load({str(tmp_path / "X.npy")!r})
        value, hessian = logreg_derivs.logreg(X, np.array([0.5, -1.0]), np.array([1.0, 0.0, 1.0]), 2.0)
        print(float(value))
        print(hessian.tolist())
        print(float(logreg_derivs.norm(np.array([3.0, 4.0]))))
        try:
            logreg_derivs.norm(np.ones(3), 1)
        except ValueError as error:
            print(type(error).__name__)
    """, {})
    value, hessian = reference(*GOOD)
    lines = out.splitlines()
    assert float(lines[0]) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(np.array(ast.literal_eval(lines[1])), hessian, rtol=1e-12)
    assert lines[2:] == ["25.0", "BindingError"]

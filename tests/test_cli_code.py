"""``sympy-einstein ... --code``: the written module is imported and its functions compared with se.evaluate
and with hand-written NumPy formulas (NumPy backend; one Numba module run in a fresh process)."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import sympy_einstein as se
from sympy_einstein.cli import derive, main
from sympy_einstein.testing import random_bindings


def write_module(capsys, tmp_path, *argv, name="generated"):
    status = main(list(argv))
    source, err = capsys.readouterr()
    assert status == 0, err
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, source


def bindings_for(formula, wrt, order, seed=0, declare=None, sizes=None):
    expr, symbols, derivatives = derive(formula, wrt, order, declare=declare)
    bindings = random_bindings(list(symbols.values()), seed=seed, sizes=sizes)
    return expr, symbols, derivatives, bindings


def test_newton_module_has_value_gradient_and_hessian(capsys, tmp_path):
    formula = "sum(log(exp(-y.*(X*w)) + vector(1))) + c*norm2(w)^2"
    module, source = write_module(capsys, tmp_path, formula, "--wrt", "w", "--order", "2", "--code", "numpy")
    expr, symbols, derivatives, bindings = bindings_for(formula, ["w"], 2)
    arrays = [bindings[s] for s in symbols.values()]
    gradient, hessian = derivatives["w"]
    np.testing.assert_allclose(module.value(*arrays), se.evaluate(expr, bindings))
    np.testing.assert_allclose(module.gradient(*arrays), se.evaluate(gradient, bindings))
    np.testing.assert_allclose(module.hessian(*arrays), se.evaluate(hessian, bindings))
    together = module.value_and_derivatives(*arrays)
    assert len(together) == 3
    for part, alone in zip(together, (module.value(*arrays), module.gradient(*arrays), module.hessian(*arrays))):
        np.testing.assert_allclose(part, alone)
    # the hand-written Newton formulas
    x, c, w, y = (bindings[symbols[k]] for k in ("X", "c", "w", "y"))
    s = 1 / (1 + np.exp(y * (x @ w)))
    np.testing.assert_allclose(module.gradient(*arrays), x.T @ (-y * s) + 2 * c * w)
    by_hand = x.T @ (x * (y**2 * s * (1 - s))[:, None]) + 2 * c * np.eye(len(w))
    np.testing.assert_allclose(module.hessian(*arrays), by_hand)
    # every function is documented with its argument shapes
    assert "# gradient(X, c, w, y) -> df/dw, shape (n,)" in source
    assert "# hessian(X, c, w, y) -> d2f/dw2, shape (n, n)" in source
    for function in (module.value, module.gradient, module.hessian, module.value_and_derivatives):
        assert "X (shape (m, n))" in function.__doc__ and "w (shape (n,))" in function.__doc__


def test_order_three_adds_derivative_3(capsys, tmp_path):
    formula = "sum(exp(A*x))"
    module, source = write_module(capsys, tmp_path, formula, "--wrt", "x", "--order", "3", "--code", "numpy")
    expr, symbols, derivatives, bindings = bindings_for(formula, ["x"], 3, seed=3)
    arrays = [bindings[s] for s in symbols.values()]
    for function, reference in zip((module.gradient, module.hessian, module.derivative_3), derivatives["x"]):
        np.testing.assert_allclose(function(*arrays), se.evaluate(reference, bindings))
    assert not hasattr(module, "derivative_4")
    assert "# derivative_3(A, x) -> d3f/dx3, shape (n, n, n)" in source
    assert len(module.value_and_derivatives(*arrays)) == 4


def test_several_variables_give_tuples_in_wrt_order(capsys, tmp_path):
    module, _ = write_module(capsys, tmp_path, "x'*A*x", "--wrt", "x,A", "--order", "2", "--code", "numpy")
    a, x = np.arange(9.0).reshape(3, 3), np.array([1.0, -1.0, 2.0])
    grad_x, grad_a = module.gradient(a, x)
    np.testing.assert_allclose(grad_x, (a + a.T) @ x)
    np.testing.assert_allclose(grad_a, np.outer(x, x))
    second_x, second_a = module.hessian(a, x)
    np.testing.assert_allclose(second_x, a + a.T)
    np.testing.assert_allclose(second_a, np.zeros((3, 3, 3, 3)))


@pytest.mark.parametrize("name", ["lambda", "def", "None", "np", "args", "value"])
def test_variable_names_that_are_python_words_are_safe(capsys, tmp_path, name):
    formula = f"norm2(X*w - y)^2 + {name}*norm2(w)^2"
    declare = f"{name}: scalar"
    module, source = write_module(capsys, tmp_path, formula, "--wrt", "w", "--declare", declare, "--code", "numpy",
                                  name=f"mod_{name.lower()}")
    expr, symbols, derivatives, bindings = bindings_for(formula, ["w"], 1, declare=declare)
    arrays = [bindings[s] for s in symbols.values()]
    np.testing.assert_allclose(module.value(*arrays), se.evaluate(expr, bindings))
    np.testing.assert_allclose(module.gradient(*arrays), se.evaluate(derivatives["w"][0], bindings))


def test_formula_text_cannot_escape_the_header_comment(capsys, tmp_path):
    # a newline inside the formula must not start a line of code in the module
    formula = "x'*x\n+ sum(x)"
    module, source = write_module(capsys, tmp_path, formula, "--wrt", "x", "--code", "numpy")
    header = source.split('"""', 1)[0]
    assert all(line.startswith("#") for line in header.splitlines())
    _, symbols, derivatives, bindings = bindings_for(formula, ["x"], 1)
    x = bindings[symbols["x"]]
    np.testing.assert_allclose(module.gradient(x), se.evaluate(derivatives["x"][0], bindings))


def test_wrong_shapes_raise_before_the_kernel_runs(capsys, tmp_path):
    module, _ = write_module(capsys, tmp_path, "norm2(A*x - b)^2", "--wrt", "x", "--code", "numpy")
    with pytest.raises(ValueError, match="x"):
        module.gradient(np.eye(3), np.ones(3), np.ones(4))


def test_numba_module_runs_in_a_fresh_process(tmp_path):
    result = subprocess.run([sys.executable, "-m", "sympy_einstein", "norm2(A*x - b)^2", "--wrt", "x",
                             "--order", "2", "--code", "numba"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (tmp_path / "newton.py").write_text(result.stdout)
    script = ("import numpy as np, newton\n"
              "rng = np.random.default_rng(1)\n"
              "A, b, x = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal(3)\n"
              "f, g, H = newton.value_and_derivatives(A, b, x)\n"
              "r = A @ x - b\n"
              "assert np.isclose(newton.value(A, b, x), r @ r) and np.isclose(f, r @ r)\n"
              "assert np.allclose(newton.gradient(A, b, x), 2 * A.T @ r) and np.allclose(g, 2 * A.T @ r)\n"
              "assert np.allclose(newton.hessian(A, b, x), 2 * A.T @ A) and np.allclose(H, 2 * A.T @ A)\n"
              "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr

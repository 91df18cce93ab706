"""The command line, in-process through main(argv) and as a subprocess (python -m and the console script)."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

import sympy_einstein as se
from sympy_einstein.cli import main, relative_error


def run_main(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_process(*argv, command=None):
    command = command or [sys.executable, "-m", "sympy_einstein"]
    result = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


# ---------------------------------------------------------------------------------------------
# the commands of the README / issue


def test_quadratic_form_gradient(capsys):
    status, out, err = run_main(capsys, "x'*A*x", "--wrt", "x")
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith("f(A, x) = ")
    assert "A: matrix (n, n)" in out and "x: vector (n,)" in out
    assert "df/dx = " in out


def test_logistic_hessian_latex_and_check(capsys):
    status, out, _ = run_main(capsys, "sum(log(exp(-y.*(X*w)) + vector(1)))", "--wrt", "w", "--order", "2",
                              "--format", "latex", "--check")
    assert status == 0
    assert r"\frac{\partial f}{\partial w} =" in out and r"\frac{\partial^{2} f}{\partial w^{2}} =" in out
    error = float(out.splitlines()[-1].split(":")[1])
    assert out.splitlines()[-1].startswith("max relative error: ") and error < 1e-6


def test_tucker_check(capsys):
    status, out, _ = run_main(capsys, "sum((X - #('ijk,ia,jb,kc->abc', K, A, B, C))^2)", "--wrt", "A", "--check")
    assert status == 0 and "K: tensor of order 3" in out
    assert float(out.splitlines()[-1].split(":")[1]) < 1e-6


def test_check_fails_with_status_1_when_the_tolerance_is_too_tight(capsys):
    status, out, _ = run_main(capsys, "sum(exp(x))", "--check", "--tol", "1e-300")
    assert status == 1 and "max relative error: " in out


# ---------------------------------------------------------------------------------------------
# formats and options


@pytest.mark.parametrize("fmt, marker", [
    ("text", "df/dx = "), ("pretty", "df/dx ="), ("latex", r"\frac{\partial f}{\partial x}"),
    ("matrix", r"\frac{\partial f}{\partial x}"), ("einsum", "einsum('"),
])
def test_formats(capsys, fmt, marker):
    status, out, _ = run_main(capsys, "x'*A*x", "--wrt", "x", "--format", fmt)
    assert status == 0 and marker in out


def test_matrix_format_shows_matrix_notation_and_falls_back_for_order_3(capsys):
    status, out, _ = run_main(capsys, "x'*A*x", "--wrt", "x", "--order", "2", "--format", "matrix")
    assert status == 0
    assert "A^{T}" in out and "x^{T} A x" in out
    status, out, _ = run_main(capsys, "A*x", "--wrt", "A", "--format", "matrix")
    assert status == 0 and r"\frac{\partial f}{\partial A} =" in out


def test_wrt_repeatable_and_comma_lists_and_default_all(capsys):
    _, out, _ = run_main(capsys, "x'*A*x + b'*x", "--wrt", "x", "--wrt", "A,b")
    assert [line.split(" =")[0] for line in out.splitlines() if line.startswith("df/")] == ["df/dx", "df/dA", "df/db"]
    _, out, _ = run_main(capsys, "x'*A*x + b'*x")
    assert [line.split(" =")[0] for line in out.splitlines() if line.startswith("df/")] == ["df/dA", "df/db", "df/dx"]


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_modes_agree_with_finite_differences(capsys, mode):
    status, out, _ = run_main(capsys, "sum(tanh(W*x))", "--wrt", "W", "--mode", mode, "--check")
    assert status == 0 and float(out.splitlines()[-1].split(":")[1]) < 1e-6


def test_declare(capsys):
    status, _, err = run_main(capsys, "a*x", "--declare", "a: vector(n)")  # declared: not a scalar
    assert status == 2 and "cannot multiply a column vector by a column vector" in err
    status, out, _ = run_main(capsys, "c*x", "--declare", "c: scalar; x: vector(3)", "--wrt", "c", "--check")
    assert status == 0 and "x: vector (3,)" in out and "c: scalar ()" in out


def test_bench(capsys):
    status, out, _ = run_main(capsys, "sum(exp(A*x))", "--wrt", "x", "--bench", "4")
    assert status == 0
    assert "df/dx (size 4): numba " in out and "se.evaluate" in out


# ---------------------------------------------------------------------------------------------
# errors: status 2, one line on stderr, no traceback


@pytest.mark.parametrize("argv, message", [
    (["x'*A*"], "line 1, column 6: expected an operand"),
    (["x'*x", "--wrt", "y"], "--wrt y: y is not a variable of the formula"),
    (["x'*x", "--order", "0"], "argument --order: must be from 1 to 6, not 0"),
    (["1 + 2"], "has no variables"),
    (["x*y"], "cannot multiply a column vector by a column vector"),
    (["x'*x", "--declare", "x: vektor(n)"], "unknown type 'vektor'"),
    (["x'*x", "--bench", "0"], "argument --bench: must be 1 or more, not 0"),
])
def test_errors_exit_2_with_one_message(capsys, argv, message):
    status, out, err = run_main(capsys, *argv)
    assert status == 2
    assert err.startswith("sympy-einstein: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_option_values_exit_2(capsys):
    status, _, err = run_main(capsys, "x'*x", "--format", "html")
    assert status == 2 and "invalid choice" in err


def test_subprocess_python_m(tmp_path):
    status, out, err = run_process("x'*A*x", "--wrt", "x", "--check")
    assert status == 0, err
    assert "max relative error: " in out
    status, out, err = run_process("x'*A*")
    assert status == 2 and out == "" and "Traceback" not in err and "line 1, column 6" in err


@pytest.mark.skipif(shutil.which("sympy-einstein") is None, reason="console script not installed on PATH")
def test_console_script():
    status, out, err = run_process("norm2(A*x - b)^2", "--wrt", "x", "--check", command=["sympy-einstein"])
    assert status == 0, err
    assert float(out.splitlines()[-1].split(":")[1]) < 1e-6
    status, _, err = run_process("x +", command=["sympy-einstein"])
    assert status == 2 and "Traceback" not in err


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([2.0]), np.array([1.0])) == 1.0
    with pytest.raises(se.EinsteinError, match="shape"):
        relative_error(np.zeros(2), np.zeros(3))

"""Naming notes: a variable typed only by the naming default that makes the formula non-scalar is named, with
its type and the declaration that changes it, once on stderr (command line) or as a NamingWarning (se.parse)."""
import pickle
import warnings

import pytest

import sympy_einstein as se
from sympy_einstein.cli import main
from sympy_einstein.parsing import NamingWarning

RIDGE = "norm2(X*w - y)^2 + lambda*norm2(w)^2"


def notes(err):
    return [line for line in err.splitlines() if line.startswith("sympy-einstein: note:")]


@pytest.mark.parametrize("order", [1, 2])
def test_cli_prints_one_note_naming_the_symbol_type_and_declaration(capsys, order):
    status = main([RIDGE, "--wrt", "w", "--order", str(order)])
    out, err = capsys.readouterr()
    assert status == 0 and "lambda: vector (k,)" in out
    [note] = notes(err)
    assert "lambda is a vector only by the naming default" in note
    assert "f is a vector" in note and '--declare "lambda: scalar"' in note


def test_the_suggested_declaration_makes_the_loss_scalar_and_silences_the_note(capsys):
    status = main([RIDGE, "--wrt", "w", "--order", "2", "--declare", "lambda: scalar"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    assert "lambda: scalar ()" in out
    f, symbols = se.parse(RIDGE, "lambda: scalar", return_symbols=True)
    assert f.shape == () and se.hessian(f, symbols["w"]).shape == symbols["w"].shape * 2


def test_note_on_stderr_keeps_the_code_module_clean(capsys):
    status = main([RIDGE, "--wrt", "w", "--code", "numpy"])
    out, err = capsys.readouterr()
    assert status == 0 and len(notes(err)) == 1
    compile(out, "generated.py", "exec")


def test_capitalized_name_defaulting_to_a_matrix(capsys):
    main(["norm2(w)^2 * L", "--wrt", "w"])
    [note] = notes(capsys.readouterr().err)
    assert "L is a matrix" in note and "capitalized names are matrices" in note and '"L: scalar"' in note


@pytest.mark.parametrize("formula, declare", [
    ("x'*A*x", None),                        # scalar: nothing to say
    ("A*x - b", None),                       # a vector whatever the scalars are
    (RIDGE, "lambda: vector(n)"),            # a declaration decided
    (RIDGE, "lambda: scalar"),
    ("norm2(X*w - y)^2 + lambda'*w", None),  # scalar; lambda a vector by use (transposed)
])
def test_no_note_when_the_default_is_not_to_blame(capsys, formula, declare):
    argv = [formula, "--wrt", "w" if "w" in formula else "x"] + (["--declare", declare] if declare else [])
    assert main(argv) == 0
    assert notes(capsys.readouterr().err) == []


def test_se_parse_warns_once_with_the_same_content():
    with pytest.warns(NamingWarning) as caught:
        f = se.parse(RIDGE)
    assert f.shape != () and len(caught) == 1
    warning = caught[0].message
    assert (warning.name, warning.kind, warning.declaration) == ("lambda", "vector", "lambda: scalar")
    assert caught[0].filename == __file__  # points at the caller's line


def test_se_parse_is_silent_for_scalar_or_declared_formulas():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NamingWarning)
        assert se.parse(RIDGE, "lambda: scalar").shape == ()
        assert se.parse("sum(log(exp(-y.*(X*w)) + vector(1)))").shape == ()
        assert se.parse("A*x - b").shape != ()


def test_warning_survives_pickling():
    warning = pickle.loads(pickle.dumps(NamingWarning("lambda", "vector", "vector")))
    assert (warning.name, warning.declaration) == ("lambda", "lambda: scalar") and "naming default" in str(warning)

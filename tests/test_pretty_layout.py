"""Pretty output: ``⊙`` for every entrywise product of tensors (also inside elementwise bodies), and labels on
the baseline of the expression they name (command line and pretty_equation)."""
import sympy as sp

import sympy_einstein as se
from sympy_einstein.cli import main
from sympy_einstein.printing.pretty_layout import pretty_equation

n, m = sp.symbols("n m", integer=True, positive=True)
X, w, y = se.matrix("X", m, n), se.vector("w", n), se.vector("y", m)


def test_entrywise_product_has_one_symbol_in_function_and_derivative():
    f = se.sum(se.log(1 + se.exp(-y * (X @ w))))
    for expr in (f, sp.diff(f, w), se.hessian(f, w)):
        text = sp.pretty(expr, use_unicode=True)
        assert "y⊙" in text and "y⋅" not in text and "y ⋅" not in text, text


def test_scalar_factors_keep_the_dot_and_ascii_uses_a_star():
    body = se.elementwise(lambda s, t: 2 * s * sp.sin(t), y, X @ w)
    assert sp.pretty(body, use_unicode=True) == "2⋅y⊙sin(X⋅w)"
    assert sp.pretty(body, use_unicode=False) == "2*y*sin(X*w)"


def test_label_shares_the_baseline():
    expr = sp.diff(se.sum(se.log(1 + se.exp(-y * (X @ w)))), w)
    lines = pretty_equation("df/dw", expr).splitlines()
    picture = sp.pretty(expr, use_unicode=True).splitlines()
    assert len(lines) == len(picture) > 1
    [labelled] = [k for k, line in enumerate(lines) if line.startswith("df/dw = ")]
    assert "─" in lines[labelled]  # the fraction bar: the baseline of the picture
    assert all(line.startswith(" " * len("df/dw = ")) for k, line in enumerate(lines) if k != labelled)


def test_command_line_pretty_has_no_dangling_labels(capsys):
    assert main(["sum(log(exp(-y.*(X*w)) + vector(1)))", "--wrt", "w", "--order", "2", "--format", "pretty"]) == 0
    out = capsys.readouterr().out
    assert not [line for line in out.splitlines() if line.rstrip().endswith("=")]
    assert any(line.startswith("f(X, w, y) = ") for line in out.splitlines())
    assert any(line.startswith("df/dw = ") for line in out.splitlines())
    assert "-y⋅" not in out and "-y⊙" in out

"""Printing: golden strings for str / pretty / LaTeX (einstein and index notation) of a corpus,
plus checks that are not snapshots: the ``str`` of every NumPy-like expression evaluates under
NumPy to the value ``se.evaluate`` gives, brackets balance, every operand is named."""
import pytest
import sympy as sp

import sympy_einstein as se
from sympy_einstein.printing import latex

n, m, k = sp.symbols("n m k", integer=True, positive=True)
a = sp.Symbol("a")
A, X = se.matrix("A", m, n), se.matrix("X", m, n)
B, C = se.matrix("B", n, n), se.matrix("C", n, k)
x, w, y = se.vector("x", n), se.vector("w", n), se.vector("y", m)
T = se.tensor("T", (2, 3, 4))


def corpus():
    """Named expressions covering every printed form."""
    return {
        "matvec": A @ x, "matmul": A @ C, "inner": x @ x, "vecmat": y @ A, "chain": A @ B @ C,
        "chain_right": A @ (B @ x), "transpose": A.T, "hadamard": x * x, "sum": se.sum(A),
        "sum_axis": se.sum(A, axis=0), "trace": se.trace(B), "diag_write": se.diag(x),
        "diag_read": se.diag(B), "outer": se.outer(x, y), "scaled": 2 * A, "negated": -x,
        "symbolic_coeff": a * A, "half": A / 2, "negative_symbolic": -a * x / 3,
        "unit": se.einsum("->abab", 1, sizes={"a": m, "b": n}), "plus_one": x + 1, "broadcast": A * x,
        "row_scaling": se.einsum("ij,i->ij", A, y), "permute": se.transpose(T, (1, 2, 0)),
        "subtract": B - 2 * B @ B, "subtract_sum": x - (x + x), "exp": se.exp(x),
        "two_operands": se.elementwise(lambda s, t: s * sp.sin(t), x, x), "sigmoid": se.sigmoid(x),
        "relu": se.relu(A @ x), "nested": se.einsum("ij,jk->ik", A @ B, C),
        "logistic_loss": se.sum(se.log(1 + se.exp(-y * (X @ w)))), "order4": se.einsum("ij,kl->ijkl", A, A),
        "zeros": se.zeros((m, n)), "zeros_vector": se.zeros((n,)), "square": x**2, "divide": x / (x + 1),
        "power_of_transpose": A.T**2, "broadcast_axis": se.einsum("i->ij", y, sizes={"j": n}),
        "raw_sympy_power": sp.sqrt(x @ x) ** 3, "constant": se.broadcast_to(2, (m, n)),
        "sum_axes": se.sum(T, axis=(0, 2)),
        "hessian_like": se.einsum("ac->abac", 2 * (B.T @ B), sizes={"b": k}),
        "trace_plus_scalar": se.trace(B) + se.einsum("->", 3), "quadratic": x @ B @ x,
        "negated_matvec": -(A @ x), "mixed": -y * (X @ w) + y,
    }


# name: (str, pretty, latex in the paper's notation, latex in index notation)
GOLDEN = {
    "matvec": ("A @ x", "A⋅x", r"A *_{(ij,j,i)} x", r"\left[A_{ij} x_{j}\right]_{i}"),
    "matmul": ("A @ C", "A⋅C", r"A *_{(ij,jk,ik)} C", r"\left[A_{ik} C_{kj}\right]_{ij}"),
    "inner": ("x @ x", "x⋅x", r"x *_{(i,i,\emptyset)} x", r"x_{i} x_{i}"),
    "vecmat": ("y @ A", "y⋅A", r"y *_{(i,ij,j)} A", r"\left[y_{j} A_{ji}\right]_{i}"),
    "chain": ("A @ B @ C", "A⋅B⋅C", r"\left(A *_{(ij,jk,ik)} B\right) *_{(ij,jk,ik)} C",
              r"\left[A_{il} B_{lk} C_{kj}\right]_{ij}"),
    "chain_right": ("A @ (B @ x)", "A⋅(B⋅x)", r"A *_{(ij,j,i)} \left(B *_{(ij,j,i)} x\right)",
                    r"\left[A_{ij} B_{jk} x_{k}\right]_{i}"),
    "transpose": ("A.T", "Aᵀ", r"A^{\top}", r"\left[A_{ji}\right]_{ij}"),
    "hadamard": ("x*x", "x⊙x", r"x *_{(i,i,i)} x", r"\left[x_{i} x_{i}\right]_{i}"),
    "sum": ("sum(A)", "sum(A)", r"\operatorname{sum}\left(A\right)", r"\sum_{ij} A_{ij}"),
    "sum_axis": ("sum(A, axis=0)", "sum(A, axis=0)", r"*_{(ij,j)}\left(A\right)",
                 r"\left[\sum_{j} A_{ji}\right]_{i}"),
    "trace": ("trace(B)", "tr(B)", r"\operatorname{tr}\left(B\right)", "B_{ii}"),
    "diag_write": ("diag(x)", "diag(x)", r"\operatorname{diag}\left(x\right)",
                   r"\left[x_{i} \delta_{ij}\right]_{ij}"),
    "diag_read": ("diag(B)", "diag(B)", r"\operatorname{diag}\left(B\right)", r"\left[B_{ii}\right]_{i}"),
    "outer": ("outer(x, y)", "x⊗y", r"x *_{(i,j,ij)} y", r"\left[x_{i} y_{j}\right]_{ij}"),
    "scaled": ("2*A", "2⋅A", "2 A", r"\left[2 A_{ij}\right]_{ij}"),
    "negated": ("-x", "-x", "- x", r"\left[- x_{i}\right]_{i}"),
    "symbolic_coeff": ("a*A", "a⋅A", "a A", r"\left[a A_{ij}\right]_{ij}"),
    "half": ("A/2", "A\n─\n2", r"\frac{A}{2}", r"\left[\frac{A_{ij}}{2}\right]_{ij}"),
    "negative_symbolic": ("-a*x/3", "-a⋅x \n─────\n  3  ", r"- \frac{a x}{3}",
                          r"\left[- \frac{a x_{i}}{3}\right]_{i}"),
    "unit": ("einsum('->abab', sizes=(m, n))", "einsum     (sizes=(m, n))\n      →abab              ",
             r"\mathbb{1}_{(ijij)}", r"\left[\delta_{ik} \delta_{jl}\right]_{ijkl}"),
    "plus_one": ("x + 1", "x + 1", "x + 1", r"\left[x_{i} + 1\right]_{i}"),
    "broadcast": ("A*x", "A⊙x", r"A *_{(ij,j,ij)} x", r"\left[A_{ij} x_{j}\right]_{ij}"),
    "row_scaling": ("einsum('ij,i->ij', A, y)", "einsum       (A, y)\n      ij,i→ij      ",
                    r"A *_{(ij,i,ij)} y", r"\left[A_{ij} y_{i}\right]_{ij}"),
    "permute": ("transpose(T, (1, 2, 0))", "transpose(T, (1, 2, 0))", r"*_{(ijk,jki)}\left(T\right)",
                r"\left[T_{kij}\right]_{ijk}"),
    "subtract": ("B - 2*(B @ B)", "B - 2⋅B⋅B", r"B - 2 B *_{(ij,jk,ik)} B",
                 r"\left[B_{ij} - 2 B_{ik} B_{kj}\right]_{ij}"),
    "subtract_sum": ("x - (x + x)", "x - (x + x)", r"x - \left(x + x\right)",
                     r"\left[x_{i} - \left(x_{i} + x_{i}\right)\right]_{i}"),
    "exp": ("exp(x)", " x\nℯ ", "e^{x}", r"\left[e^{x_{i}}\right]_{i}"),
    "two_operands": ("x*sin(x)", "x⋅sin(x)", r"x \sin{\left(x \right)}",
                     r"\left[x_{i} \sin{\left(x_{i} \right)}\right]_{i}"),
    "sigmoid": ("sigmoid(x)", "sigmoid(x)", r"\operatorname{sigmoid}{\left(x \right)}",
                r"\left[\operatorname{sigmoid}{\left(x_{i} \right)}\right]_{i}"),
    "relu": ("relu(A @ x)", "relu(A⋅x)", r"\operatorname{relu}{\left(A *_{(ij,j,i)} x \right)}",
             r"\left[\operatorname{relu}{\left(A_{ij} x_{j} \right)}\right]_{i}"),
    "nested": ("A @ B @ C", "A⋅B⋅C", r"\left(A *_{(ij,jk,ik)} B\right) *_{(ij,jk,ik)} C",
               r"\left[A_{il} B_{lk} C_{kj}\right]_{ij}"),
    "logistic_loss": ("sum(log(1 + exp(-y*(X @ w))))",
                      "   ⎛   ⎛     -y⊙(X⋅w)⎞⎞\nsum⎝log⎝1 + ℯ        ⎠⎠",
                      r"\operatorname{sum}\left(\log{\left(1 + e^{- y *_{(i,i,i)} \left(X *_{(ij,j,i)} w\right)}"
                      r" \right)}\right)",
                      r"\sum_{i} \log{\left(1 + e^{- y_{i} X_{ij} w_{j}} \right)}"),
    "order4": ("outer(A, A)", "A⊗A", r"A *_{(ij,kl,ijkl)} A", r"\left[A_{ij} A_{kl}\right]_{ijkl}"),
    "zeros": ("zeros((m, n))", "zeros(m, n)", r"\mathbb{0}_{m \times n}", r"\left[0\right]_{ij}"),
    "zeros_vector": ("zeros((n,))", "zeros(n)", r"\mathbb{0}_{n}", r"\left[0\right]_{i}"),
    "square": ("x**2", " 2\nx ", "x^{2}", r"\left[x_{i}^{2}\right]_{i}"),
    "divide": ("x*(1/(x + 1))", "  ⎛  1  ⎞\nx⊙⎜─────⎟\n  ⎝x + 1⎠",
               r"x *_{(i,i,i)} \left(\frac{1}{x + 1}\right)", r"\left[x_{i} \frac{1}{x_{i} + 1}\right]_{i}"),
    "power_of_transpose": ("A.T**2", "    2\n(Aᵀ) ", r"\left(A^{\top}\right)^{2}", r"\left[A_{ji}^{2}\right]_{ij}"),
    "broadcast_axis": ("einsum('i->ij', y, sizes=(n,))", "einsum    (y, sizes=(n,))\n      i→ij               ",
                       r"*_{(i,ij)}\left(y\right)", r"\left[y_{i}\right]_{ij}"),
    "raw_sympy_power": ("(x @ x)**(3/2)", "     3/2\n(x⋅x)   ", r"\left(x *_{(i,i,\emptyset)} x\right)^{\frac{3}{2}}",
                        r"\left(x_{i} x_{i}\right)^{\frac{3}{2}}"),
    "constant": ("2*ones((m, n))", "2⋅ones(m, n)", r"2 \mathbb{1}_{(ij)}", r"\left[2\right]_{ij}"),
    "sum_axes": ("sum(T, axis=(0, 2))", "sum(T, axis=(0, 2))", r"*_{(ijk,j)}\left(T\right)",
                 r"\left[\sum_{jk} T_{jik}\right]_{i}"),
    "hessian_like": ("2*einsum('ac->abac', B.T @ B, sizes=(k,))",
                     "2⋅einsum       (Bᵀ⋅B, sizes=(k,))\n        ac→abac                  ",
                     r"2 *_{(ij,ikij)}\left(B^{\top} *_{(ij,jk,ik)} B\right)",
                     r"\left[2 B_{pi} B_{pl} \delta_{ik}\right]_{ijkl}"),
    "trace_plus_scalar": ("trace(B) + 3", "tr(B) + 3", r"\operatorname{tr}\left(B\right) + 3", "B_{ii} + 3"),
    "quadratic": ("x @ B @ x", "x⋅B⋅x", r"\left(x *_{(i,ij,j)} B\right) *_{(i,i,\emptyset)} x", "x_{j} B_{ji} x_{i}"),
    "negated_matvec": ("-A @ x", "-A⋅x", r"- A *_{(ij,j,i)} x", r"\left[- A_{ij} x_{j}\right]_{i}"),
    "mixed": ("-y*(X @ w) + y", "-y⊙(X⋅w) + y", r"- y *_{(i,i,i)} \left(X *_{(ij,j,i)} w\right) + y",
              r"\left[- y_{i} X_{ij} w_{j} + y_{i}\right]_{i}"),
}


def test_golden_covers_the_corpus():
    assert set(GOLDEN) == set(corpus())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_strings(name):
    expr = corpus()[name]
    assert (str(expr), sp.pretty(expr), sp.latex(expr), latex(expr, notation="index")) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_str_repr_and_einstein_default(name):
    expr = corpus()[name]
    assert repr(expr) == sp.sstr(expr) == str(expr)
    assert se.latex(expr) == latex(expr, notation="einstein") == sp.latex(expr)
    assert expr._repr_latex_() == "$\\displaystyle " + sp.latex(expr) + "$"

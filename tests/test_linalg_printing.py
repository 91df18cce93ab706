"""Printing of the matrix functions in every format (snapshots: printers are the one place for them)."""
import pytest
import sympy as sp

import sympy_einstein as se

A, B = se.matrix("A", 3, 3), se.matrix("B", 3, 3)
b, Z = se.vector("b", 3), se.matrix("Z", 2, 3)

CASES = {
    "inv": (se.inv(A), "inv(A)", "inv(A)", r"A^{-1}", r"\left[\left(A^{-1}\right)_{ij}\right]_{ij}"),
    "inv_of_product": (se.inv(A @ B), "inv(A @ B)", "inv(A⋅B)", r"\left(A *_{(ij,jk,ik)} B\right)^{-1}", None),
    "transposed_inverse": (se.inv(A).T, "inv(A).T", "inv(A)ᵀ", r"\left(A^{-1}\right)^{\top}",
                           r"\left[\left(A^{-1}\right)_{ji}\right]_{ij}"),
    "det": (2 * se.det(A), "2*det(A)", "2⋅det(A)", r"2 \det\left(A\right)", r"2 \det\left(A\right)"),
    "logdet": (se.logdet(A), "logdet(A)", "logdet(A)", r"\log\left|\det\left(A\right)\right|", None),
    "adj": (se.adj(A), "adj(A)", "adj(A)", r"\operatorname{adj}\left(A\right)", None),
    "solve": (se.solve(A, b), "solve(A, b)", "solve(A, b)", r"A^{-1} b", r"\left[\left(A^{-1} b\right)_{i}\right]_{i}"),
    "logsumexp_axis": (se.logsumexp(Z, axis=1), "logsumexp(Z, axis=1)", "logsumexp(Z, axis=1)",
                       r"\operatorname{logsumexp}_{\mathrm{axis}=1}\left(Z\right)", None),
    "logsumexp_all": (se.logsumexp(Z), "logsumexp(Z)", "logsumexp(Z)", r"\operatorname{logsumexp}\left(Z\right)", None),
    "softmax": (se.softmax(Z, axis=0), "softmax(Z, axis=0)", "softmax(Z, axis=0)",
                r"\operatorname{softmax}_{\mathrm{axis}=0}\left(Z\right)", None),
    "in_a_sum": (se.inv(A) @ b - b, "inv(A) @ b - b", "inv(A)⋅b - b", r"A^{-1} *_{(ij,j,i)} b - b",
                 r"\left[\left(A^{-1}\right)_{ij} b_{j} - b_{i}\right]_{i}"),
    "in_a_function": (se.exp(se.logdet(A)), "exp(logdet(A))", " logdet(A)\nℯ         ",
                      r"e^{\log\left|\det\left(A\right)\right|}", None),
    "identity": (se.inv(A + se.eye(3)), "inv(A + eye(3))", None, None, None),
}


@pytest.mark.parametrize("name", CASES)
def test_printers(name):
    expr, text, pretty, latex, index = CASES[name]
    assert str(expr) == text
    if pretty is not None:
        assert sp.pretty(expr) == pretty
    if latex is not None:
        assert se.latex(expr) == latex == sp.latex(expr)
    if index is not None:
        assert se.latex(expr, notation="index") == index

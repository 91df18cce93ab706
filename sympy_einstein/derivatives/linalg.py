"""Forward and reverse rules of the matrix functions, registered in ``FORWARD_RULES`` and ``REVERSE_RULES``.

Every rule writes its derivative with the nodes themselves (inverse, adjugate, solve, softmax) and
Einstein products, so higher derivatives follow from the same rules and stay compact: the Hessian of
``logdet(X)`` is one product of two inverse nodes. Letters: ``t`` tangent letters (forward), ``u``
output letters of the adjoint (reverse), ``s`` the axes of the node's operand.

Derivatives by a :class:`~sympy_einstein.ir.linalg.SymmetricMatrix` are projected on the symmetric
matrices: ``(G + G.T) / 2`` over the variable's two axes (:func:`symmetrized`).

>>> import sympy as sp, sympy_einstein as se
>>> X = se.matrix("X", 3, 3)
>>> H = se.hessian(se.logdet(X), X)
>>> H.coefficient, H.spec, [type(op).__name__ for op in H.operands]
(-1, 'bc,da->abcd', ['Inverse', 'Inverse'])
"""
from __future__ import annotations

import sympy as sp

from ..ir.indices import LETTERS, fresh_letters
from ..ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Softmax, Solve, SymmetricMatrix
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr
from ..ir.walk import postorder_by_identity
from .forward import FORWARD_RULES
from .graph import add_all
from .reverse import REVERSE_RULES


def _letters(n_extra: int, used: str = "abcd") -> str:
    return fresh_letters(used, n_extra)


def _product(coeff, spec: str, *operands) -> EinsteinProduct:
    return EinsteinProduct(coeff, spec, (), *operands)


# ---------------------------------------------------------------------------------------------
# forward rules: (node, d, direction) -> tangent of shape node.shape + T


# d inv(A) = -inv(A) dA inv(A)
def _inverse_forward(node, d, direction):
    t = _letters(len(direction.tangent_shape))
    return _product(-1, f"ab,bc{t},cd->ad{t}", node, d(node.args[0]), node)


# d det(A) = tr(adj(A) dA)   (Jacobi's formula; = det(A) tr(inv(A) dA) for an invertible A)
def _determinant_forward(node, d, direction):
    t = _letters(len(direction.tangent_shape))
    return _product(1, f"ba,ab{t}->{t}", Adjugate(node.args[0]), d(node.args[0]))


# d logdet(A) = tr(inv(A) dA)
def _log_determinant_forward(node, d, direction):
    t = _letters(len(direction.tangent_shape))
    return _product(1, f"ba,ab{t}->{t}", Inverse(node.args[0]), d(node.args[0]))


# d adj(A) = d(det(A) inv(A)) = tr(inv(A) dA) adj(A) - adj(A) dA inv(A)
def _adjugate_forward(node, d, direction):
    t = _letters(len(direction.tangent_shape))
    inverse, da = Inverse(node.args[0]), d(node.args[0])
    return TensorAdd(_product(1, f"dc,cd{t},ab->ab{t}", inverse, da, node),
                     _product(-1, f"ab,bc{t},cd->ad{t}", node, da, inverse))


# X = solve(A, B):  dX = solve(A, dB - dA X)
def _solve_forward(node, d, direction):
    a, b = node.args
    r = LETTERS[2:1 + b.rank]
    t = fresh_letters("ab" + r, len(direction.tangent_shape))
    parts = [] if d(b) is None else [d(b)]
    if d(a) is not None:
        parts.append(_product(-1, f"ab{t},b{r}->a{r}{t}", d(a), node))
    rhs = add_all(parts, b.shape + tuple(direction.tangent_shape))
    return Solve(a, rhs)


def _axis_letters(node) -> tuple[str, str]:
    """The letters ``s`` of the operand's axes and the letters ``kept`` of the node's output axes."""
    s = LETTERS[:node.args[0].rank]
    return s, "".join(c for k, c in enumerate(s) if k not in node.axes)


# d logsumexp(Z)[kept t] = sum_reduced softmax(Z)[s] dZ[s t]
def _log_sum_exp_forward(node, d, direction):
    s, kept = _axis_letters(node)
    t = fresh_letters(s, len(direction.tangent_shape))
    softmax = Softmax(node.args[0], node.axes)
    return _product(1, f"{s},{s}{t}->{kept}{t}", softmax, d(node.args[0]))


# P = softmax(Z):  dP[s t] = P[s] dZ[s t] - P[s] sum_reduced' P[s'] dZ[s' t]   (s' = s, reduced letters fresh)
def _softmax_forward(node, d, direction):
    s, s2 = _primed(node)
    t = fresh_letters(s + s2, len(direction.tangent_shape))
    dz = d(node.args[0])
    return TensorAdd(_product(1, f"{s},{s}{t}->{s}{t}", node, dz),
                     _product(-1, f"{s},{s2},{s2}{t}->{s}{t}", node, node, dz))


def _primed(node) -> tuple[str, str]:
    """``(s, s')``: the operand's letters and a copy with the reduced letters replaced by fresh ones."""
    s = LETTERS[:node.args[0].rank]
    fresh = iter(fresh_letters(s, len(node.axes)))
    return s, "".join(next(fresh) if k in node.axes else c for k, c in enumerate(s))


# ---------------------------------------------------------------------------------------------
# reverse rules: (node, bar, needs, n_out) -> [(child, contribution)], bar of shape U + node.shape


# Abar = -inv(A).T Cbar inv(A).T
def _inverse_reverse(node, bar, needs, n_out):
    u = _letters(n_out)
    return [(node.args[0], _product(-1, f"{u}ad,ab,cd->{u}bc", bar, node, node))]


# Abar = Cbar adj(A).T
def _determinant_reverse(node, bar, needs, n_out):
    u = _letters(n_out)
    return [(node.args[0], _product(1, f"{u},ba->{u}ab", bar, Adjugate(node.args[0])))]


# Abar = Cbar inv(A).T
def _log_determinant_reverse(node, bar, needs, n_out):
    u = _letters(n_out)
    return [(node.args[0], _product(1, f"{u},ba->{u}ab", bar, Inverse(node.args[0])))]


# Abar = <Cbar, adj(A)> inv(A).T - adj(A).T Cbar inv(A).T
def _adjugate_reverse(node, bar, needs, n_out):
    u = _letters(n_out)
    inverse = Inverse(node.args[0])
    return [(node.args[0], TensorAdd(_product(1, f"{u}ab,ab,dc->{u}cd", bar, node, inverse),
                                     _product(-1, f"{u}ad,ab,cd->{u}bc", bar, node, inverse)))]


# X = solve(A, B):  Bbar = solve(A.T, Xbar) (over X's first axis),  Abar = -Bbar X.T
def _solve_reverse(node, bar, needs, n_out):
    a, b = node.args
    r = LETTERS[3:2 + b.rank]
    u = fresh_letters("abc" + r, n_out)
    moved = _product(1, f"{u}a{r}->a{u}{r}", bar)
    solved = Solve(_product(1, "ab->ba", a), moved)
    pairs = []
    if needs(b):
        pairs.append((b, _product(1, f"b{u}{r}->{u}b{r}", solved)))
    if needs(a):
        pairs.append((a, _product(-1, f"b{u}{r},c{r}->{u}bc", solved, node)))
    return pairs


# Zbar[u s] = Lbar[u kept] softmax(Z)[s]
def _log_sum_exp_reverse(node, bar, needs, n_out):
    s, kept = _axis_letters(node)
    u = fresh_letters(s, n_out)
    softmax = Softmax(node.args[0], node.axes)
    return [(node.args[0], _product(1, f"{u}{kept},{s}->{u}{s}", bar, softmax))]


# Zbar[u s] = P[s] Pbar[u s] - P[s] sum_reduced' Pbar[u s'] P[s']
def _softmax_reverse(node, bar, needs, n_out):
    s, s2 = _primed(node)
    u = fresh_letters(s + s2, n_out)
    return [(node.args[0], TensorAdd(_product(1, f"{u}{s},{s}->{u}{s}", bar, node),
                                     _product(-1, f"{u}{s2},{s2},{s}->{u}{s}", bar, node, node)))]


FORWARD_RULES.update({
    Inverse: _inverse_forward, Determinant: _determinant_forward, LogDeterminant: _log_determinant_forward,
    Adjugate: _adjugate_forward, Solve: _solve_forward, LogSumExp: _log_sum_exp_forward,
    Softmax: _softmax_forward,
})
REVERSE_RULES.update({
    Inverse: _inverse_reverse, Determinant: _determinant_reverse, LogDeterminant: _log_determinant_reverse,
    Adjugate: _adjugate_reverse, Solve: _solve_reverse, LogSumExp: _log_sum_exp_reverse,
    Softmax: _softmax_reverse,
})


def stabilized(expr):
    """``expr`` with ``log(sum(exp(Z)))`` written ``logsumexp(Z)`` before differentiating, so the
    derivative is the stable ``softmax(Z)`` rather than ``exp(Z) / sum(exp(Z))`` (which overflows).

    >>> import sympy_einstein as se
    >>> z = se.vector("z", 3)
    >>> print(stabilized(se.log(se.sum(se.exp(z)))), "|", se.gradient(se.log(se.sum(se.exp(z))), z))
    logsumexp(z) | softmax(z)
    """
    if not isinstance(expr, TensorExpr) or not any(
            isinstance(node, Elementwise) and node.function.expr.has(sp.log) for node in postorder_by_identity(expr)):
        return expr
    from ..simplification.linalg import stable_log_sum_exp
    from ..simplification.traverse import rewrite
    return rewrite(expr, (stable_log_sum_exp,))


def symmetric_result(result: TensorExpr, wrt, simplify) -> TensorExpr:
    """A derivative by ``wrt``, simplified with ``simplify`` (a function, or None for no simplification);
    by a symmetric matrix projected with :func:`symmetrized` unless the simplified result is already
    known to be symmetric in its last two axes (then it is returned as it is, compact).

    >>> import sympy_einstein as se
    >>> S = se.matrix("S", 2, 2, symmetric=True)
    >>> print(symmetric_result(se.inv(S).T, S, se.simplify))
    inv(S)
    """
    if not isinstance(wrt, SymmetricMatrix):
        return result if simplify is None else simplify(result)
    if simplify is None:
        return symmetrized(result, wrt)
    from ..simplification.symmetry import symmetric_in_last_axes
    result = simplify(result)
    return result if symmetric_in_last_axes(result) else simplify(symmetrized(result, wrt))


# G restricted to symmetric directions: <G, V> = <(G + G.T)/2, V> for every symmetric V
def symmetrized(derivative: TensorExpr, wrt) -> TensorExpr:
    """``(G + G.T) / 2`` over the last two axes of a derivative by a symmetric matrix (else unchanged).

    >>> import sympy_einstein as se
    >>> S, A = se.matrix("S", 2, 2, symmetric=True), se.matrix("A", 2, 2)
    >>> print(symmetrized(A, S))
    A/2 + A.T/2
    """
    if not isinstance(wrt, SymmetricMatrix):
        return derivative
    rest = LETTERS[:derivative.rank - 2]
    k, last = rest + "yz", rest + "zy"
    half = sp.Rational(1, 2)
    return TensorAdd(_product(half, f"{k}->{k}", derivative), _product(half, f"{k}->{last}", derivative))

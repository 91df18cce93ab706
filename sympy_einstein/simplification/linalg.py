"""Rules for the matrix functions: inverses cancel, transposes and scalars move out, determinants of
products split, ``det(A) inv(A)`` is ``adj(A)``, symmetric operands are oriented one way, and
``log(sum(exp(Z)))`` becomes the stable ``logsumexp(Z)``.

Each rule is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged when it
does not apply. Canonical form: ``inv(A.T)`` is written ``inv(A).T`` (the transpose outside, so
``inv(A)`` is shared). Symmetric matrices: :mod:`~sympy_einstein.simplification.symmetry`.
"""
from __future__ import annotations

import sympy as sp

from ..ir.indices import LETTERS, format_spec, unique
from ..ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Solve
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, ZeroTensor, canonical_variables
from .symmetry import _single_matrix, is_symmetric


def _constant(value):
    """The order-0 tensor with the value ``value``."""
    return EinsteinProduct(value, "->", ())


# inv(inv(A)) = A;  adj(inv(A)) = A / det(A);  inv(c A.T) = inv(A).T / c;  adj(c A.T) = c^(n-1) adj(A).T
def inverse_rules(expr):
    """Cancel a double inverse and move scalars (numbers or order-0 tensors) and transposes out of
    ``inv`` and ``adj``.

    >>> import sympy_einstein as se
    >>> A, c = se.matrix("A", 3, 3), se.scalar("c")
    >>> inverse_rules(se.inv(se.inv(A))) == A, str(inverse_rules(se.inv(2 * A.T))), str(inverse_rules(se.inv(c * A)))
    (True, 'inv(A).T/2', '(1/c)*inv(A)')
    """
    if not isinstance(expr, (Inverse, Adjugate)):
        return expr
    inner = expr.args[0]
    if isinstance(expr, Inverse) and isinstance(inner, Inverse):
        return inner.args[0]
    if isinstance(inner, Inverse):  # adj(inv(A)) = det(inv(A)) A = A / det(A)
        return EinsteinProduct(1, ",ab->ab", (), Elementwise(_reciprocal(), Determinant(inner.args[0])), inner.args[0])
    parts = _scale_parts(inner)
    single = None if parts is None else _single_matrix(parts[2])
    if single is None or (parts[0] == 1 and not parts[1] and not single[2]):
        return expr
    coeff, scalars, _ = parts
    _, matrix, transposed = single
    power = -1 if isinstance(expr, Inverse) else matrix.shape[0] - 1
    return _scaled(_scale_power(coeff, scalars, power), type(expr)(matrix), "ab->ba" if transposed else "ab->ab")


# det(c A1 A2..) = c^n det(A1) det(A2)..;  log|det(c A1 A2..)| = n log|c| + sum_k log|det(Ak)| (square Ak)
# det(inv(A)) = 1/det(A),  logdet(inv(A)) = -logdet(A),  logdet(adj(A)) = (n-1) logdet(A)
def determinant_rules(expr):
    """Split determinants and log-determinants of products of square matrices, scalars (numbers or
    order-0 tensors), transposes, inverses, adjugates and the identity.

    >>> import sympy_einstein as se
    >>> A, B, s = se.matrix("A", 3, 3), se.matrix("B", 3, 3), se.scalar("s")
    >>> print(se.simplify(se.logdet(2 * A @ B.T)))
    3*log(2) + logdet(A) + logdet(B)
    >>> print(determinant_rules(se.logdet(se.inv(A))), determinant_rules(se.det(se.inv(A))))
    -logdet(A) 1/det(A)
    >>> print(se.simplify(se.logdet(s * A)))
    logdet(A) + 3*log(Abs(s))
    """
    if not isinstance(expr, (Determinant, LogDeterminant)):
        return expr
    log = isinstance(expr, LogDeterminant)
    inner, n = expr.args[0], expr.args[0].shape[0]
    if isinstance(inner, Inverse):
        core = type(expr)(inner.args[0])
        return EinsteinProduct(-1, "->", (), core) if log else Elementwise(_reciprocal(), core)
    if isinstance(inner, Adjugate) and log:
        return EinsteinProduct(n - 1, "->", (), LogDeterminant(inner.args[0]))
    parts = _scale_parts(inner)
    chain = None if parts is None else _square_chain(parts[2])
    if chain is None or (parts[0] == 1 and not parts[1] and chain == [inner]):
        return expr
    coeff, scalars, _ = parts
    if log:
        terms = [LogDeterminant(f) for f in chain]
        if coeff != 1 or scalars:
            terms.insert(0, _scale_log(coeff, scalars, n))
        return terms[0] if len(terms) == 1 else TensorAdd(*terms)
    factor = _scale_power(coeff, scalars, n)
    return _scaled(factor, None, format_spec([""] * len(chain), ""), *map(Determinant, chain))


def _scale_parts(expr):
    """``(c, [s1, ...], core)``: a product ``c * s1 * .. * core`` with its order-0 tensor operands ``s``
    pulled out (``core`` a product with coefficient 1), or None for other nodes."""
    if not isinstance(expr, EinsteinProduct):
        return None
    scalars = [op for op, s in zip(expr.operands, expr.inputs, strict=True) if not s]
    rest = [(s, op) for op, s in zip(expr.operands, expr.inputs, strict=True) if s]
    core = EinsteinProduct(1, format_spec([s for s, _ in rest], expr.output), expr.args[2], *(op for _, op in rest))
    return expr.coefficient, scalars, core


def _scale_power(coeff, scalars, power: int):
    """``(c s1 s2 ..)^power``: a number, or an order-0 Elementwise node of the scalars."""
    if not scalars:
        return coeff ** power
    variables = canonical_variables(len(scalars))
    return Elementwise(sp.Lambda(variables, (coeff * sp.Mul(*variables)) ** power), *scalars)


def _scale_log(coeff, scalars, n):
    """The order-0 tensor ``n log|c s1 s2 ..|``."""
    if not scalars:
        return _constant(n * sp.log(sp.Abs(coeff)))
    variables = canonical_variables(len(scalars))
    return Elementwise(sp.Lambda(variables, n * sp.log(sp.Abs(coeff * sp.Mul(*variables)))), *scalars)


def _scaled(factor, matrix, spec: str, *operands):
    """``factor * einsum(spec, matrix or operands)``; ``factor`` a number or an order-0 tensor."""
    operands = (matrix,) if matrix is not None else operands
    if isinstance(factor, TensorExpr):
        return EinsteinProduct(1, "," + spec, (), factor, *operands)
    return EinsteinProduct(factor, spec, (), *operands)


def _reciprocal() -> sp.Lambda:
    (t,) = canonical_variables(1)
    return sp.Lambda((t,), 1 / t)


def _square_chain(core):
    """``[A1, A2, ...]`` when the product ``core`` is a matrix chain of square factors (each possibly
    transposed; ``[]`` for the identity), else None."""
    if len(core.output) != 2:
        return None
    if not core.operands:  # the identity
        return [] if core.output[0] == core.output[1] else None
    if core.args[2] or len(unique(core.output)) != 2:
        return None
    if any(op.rank != 2 or op.shape[0] != op.shape[1] or len(set(s)) != 2
           for op, s in zip(core.operands, core.inputs, strict=True)):
        return None
    return list(core.operands) if _is_path(core.inputs, core.output) else None


def _is_path(inputs, output: str) -> bool:
    """Whether the two-letter strings ``inputs`` form one path from ``output[0]`` to ``output[1]``."""
    remaining, letter = list(range(len(inputs))), output[0]
    while remaining:
        step = [k for k in remaining if letter in inputs[k]]
        if len(step) != 1:
            return False
        remaining.remove(step[0])
        s = inputs[step[0]]
        letter = s[1] if s[0] == letter else s[0]
    return letter == output[1]


# inv(A)[p q] A[q s] = delta[p s],  A[s p] inv(A)[p q] = delta[s q]  (q, p summed nowhere else)
# det(A) inv(A) = adj(A),  adj(A) / det(A) = inv(A)
def cancel_inverses(expr):
    """Replace ``inv(A) @ A`` and ``A @ inv(A)`` in a product by the identity, ``det(A) * inv(A)``
    by ``adj(A)`` and ``adj(A) / det(A)`` by ``inv(A)``.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.simplification import simplify
    >>> A, x = se.matrix("A", 3, 3), se.vector("x", 3)
    >>> simplify(se.inv(A) @ A @ x) == x, str(simplify(x @ A.T @ se.inv(A).T))
    (True, 'x')
    >>> str(simplify(se.det(A) * se.inv(A) @ x))
    'x @ adj(A).T'
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    letters = "".join(expr.inputs) + expr.output
    for i, inverse, (p, q) in _inverses(expr):
        for j, (operand, s) in enumerate(zip(expr.operands, expr.inputs, strict=True)):
            if operand != inverse.args[0] or len(set(s)) != 2:
                continue
            for r, t in [s] + ([s[::-1]] if is_symmetric(operand) else []):  # S[a b] = S[b a]
                if q == r and letters.count(q) == 2:
                    return _replace(expr, (i, j), EinsteinProduct(1, "->aa", (operand.shape[0],)), p + t)
                if p == t and letters.count(p) == 2:
                    return _replace(expr, (i, j), EinsteinProduct(1, "->aa", (operand.shape[0],)), r + q)
        for j, operand in enumerate(expr.operands):
            if isinstance(operand, Determinant) and operand.args[0] == inverse.args[0]:
                return _replace(expr, (i, j), Adjugate(inverse.args[0]), p + q)
    for i, (adjugate, s) in enumerate(zip(expr.operands, expr.inputs, strict=True)):
        if not isinstance(adjugate, Adjugate):
            continue
        for j, operand in enumerate(expr.operands):
            if operand == Elementwise(_reciprocal(), Determinant(adjugate.args[0])):
                return _replace(expr, (i, j), Inverse(adjugate.args[0]), s)
    return expr


def _inverses(expr):
    """``[(k, inverse, letters), ...]`` for the inverse operands of a product with two distinct letters."""
    return [(k, op, s) for k, (op, s) in enumerate(zip(expr.operands, expr.inputs, strict=True))
            if isinstance(op, Inverse) and len(set(s)) == 2]


def _replace(expr, positions, operand, letters: str):
    """``expr`` with the operands at ``positions`` removed and ``operand`` (indexed ``letters``) added."""
    keep = [k for k in range(len(expr.operands)) if k not in positions]
    inputs = [expr.inputs[k] for k in keep] + [letters]
    operands = [expr.operands[k] for k in keep] + [operand]
    return EinsteinProduct(expr.coefficient, format_spec(inputs, expr.output), expr.args[2], *operands)


# ---------------------------------------------------------------------------------------------
# log(sum(exp(Z))) -> logsumexp(Z)


# log(sum(exp(Z), axes)) = logsumexp(Z, axes), computed max-shifted
def stable_log_sum_exp(expr):
    """Rewrite ``log(v)`` in an elementwise body, where the operand ``v`` is ``sum(exp(Z), axes)``
    and used nowhere else in the body, as ``logsumexp(Z, axes)``.

    >>> import sympy_einstein as se
    >>> Z = se.matrix("Z", 2, 3)
    >>> print(stable_log_sum_exp(se.log(se.sum(se.exp(Z), axis=1))))
    logsumexp(Z, axis=1)
    """
    if not isinstance(expr, Elementwise):
        return expr
    variables, body = expr.function.variables, expr.function.expr
    for k, (v, operand) in enumerate(zip(variables, expr.operands, strict=True)):
        reduced = _sum_of_exp(operand)
        if reduced is None:
            continue
        placeholder = sp.Dummy()
        new_body = body.xreplace({sp.log(v): placeholder})
        if new_body.has(v):
            continue
        operands = list(expr.operands)
        operands[k] = LogSumExp(*reduced)
        if new_body == placeholder:
            return operands[k]
        return Elementwise(sp.Lambda(variables, new_body.xreplace({placeholder: v})), *operands)
    return expr


def _sum_of_exp(operand):
    """``(Z, axes)`` when ``operand`` is ``sum(exp(Z), axes)`` (an order-keeping sum), else None."""
    if (not isinstance(operand, EinsteinProduct) or operand.coefficient != 1 or len(operand.operands) != 1
            or operand.args[2]):
        return None
    (s,), inner = operand.inputs, operand.operands[0]
    if (len(set(s)) != len(s) or "".join(c for c in s if c in operand.output) != operand.output
            or len(s) == len(operand.output) or not isinstance(inner, Elementwise)
            or not isinstance(inner.function.expr, sp.exp)):
        return None
    exponent = inner.function.expr.args[0]
    if exponent in inner.function.variables:
        z = inner.operands[inner.function.variables.index(exponent)]
    else:
        z = Elementwise(sp.Lambda(inner.function.variables, exponent), *inner.operands)
    return z, tuple(k for k, c in enumerate(s) if c not in operand.output)


# solve(A, 0) = 0,  solve(inv(A), B) = A B,  solve(A, A) = I,  solve(A, c B) = c solve(A, B)
def solve_rules(expr):
    """Simplify a solve with a zero right-hand side, an inverse matrix, the matrix itself, or a scaled
    right-hand side (the scalar moves out).

    >>> import sympy_einstein as se
    >>> A, b = se.matrix("A", 3, 3), se.vector("b", 3)
    >>> solve_rules(se.solve(A, se.zeros(3))) == se.zeros(3), str(solve_rules(se.solve(se.inv(A), b)))
    (True, 'A @ b')
    """
    if not isinstance(expr, Solve):
        return expr
    a, b = expr.args
    if isinstance(b, ZeroTensor):
        return b
    if isinstance(a, Inverse):
        rest = LETTERS[2:1 + b.rank]
        return EinsteinProduct(1, f"ab,b{rest}->a{rest}", (), a.args[0], b)
    if a == b:
        return EinsteinProduct(1, "->aa", (a.shape[0],))
    if (isinstance(b, EinsteinProduct) and b.coefficient != 1 and len(b.operands) == 1
            and b.inputs[0] == b.output and len(set(b.output)) == len(b.output)):
        letters = b.output
        return EinsteinProduct(b.coefficient, f"{letters}->{letters}", (), Solve(a, b.operands[0]))
    return expr


LINALG_RULES = (inverse_rules, determinant_rules, cancel_inverses, solve_rules, stable_log_sum_exp)
"""The algebraic rules of the matrix functions, in the order the ``default`` rule set tries them."""

"""Rules for the matrix functions: inverses cancel, transposes and scalars move out, determinants of
products split, ``det(A) inv(A)`` is ``adj(A)``, symmetric operands are oriented one way, and
``log(sum(exp(Z)))`` becomes the stable ``logsumexp(Z)``.

Each rule is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged when it
does not apply. Canonical forms: ``inv(A.T)`` is written ``inv(A).T`` (the transpose outside, so
``inv(A)`` is shared), and a symmetric operand of a product has its two letters in alphabetical order.
"""
from __future__ import annotations

import itertools
import math

import sympy as sp

from ..ir.indices import LETTERS, canonical_renaming, format_spec, rename, unique
from ..ir.linalg import Adjugate, Determinant, Inverse, LogDeterminant, LogSumExp, Solve, SymmetricMatrix
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, ZeroTensor, canonical_variables


def _constant(value):
    """The order-0 tensor with the value ``value``."""
    return EinsteinProduct(value, "->", ())


def _single_matrix(expr):
    """``(c, A, transposed)`` when ``expr`` is ``c * A`` or ``c * A.T`` for a matrix ``A``, else None."""
    if (isinstance(expr, EinsteinProduct) and len(expr.operands) == 1 and expr.operands[0].rank == 2
            and len(set(expr.inputs[0])) == 2 and sorted(expr.output) == sorted(expr.inputs[0])):
        return expr.coefficient, expr.operands[0], expr.output != expr.inputs[0]
    return None


# inv(inv(A)) = A;  adj(inv(A)) = A / det(A);  inv(c A.T) = inv(A).T / c;  adj(c A.T) = c^(n-1) adj(A).T
def inverse_rules(expr):
    """Cancel a double inverse and move scalars and transposes out of ``inv`` and ``adj``.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 3, 3)
    >>> inverse_rules(se.inv(se.inv(A))) == A, str(inverse_rules(se.inv(2 * A.T)))
    (True, 'inv(A).T/2')
    """
    if not isinstance(expr, (Inverse, Adjugate)):
        return expr
    inner = expr.args[0]
    if isinstance(expr, Inverse) and isinstance(inner, Inverse):
        return inner.args[0]
    if isinstance(inner, Inverse):  # adj(inv(A)) = det(inv(A)) A = A / det(A)
        return EinsteinProduct(1, ",ab->ab", (), Elementwise(_reciprocal(), Determinant(inner.args[0])), inner.args[0])
    single = _single_matrix(inner)
    if single is None or (single[0] == 1 and not single[2]):
        return expr
    coeff, matrix, transposed = single
    scale = 1 / coeff if isinstance(expr, Inverse) else coeff ** (matrix.shape[0] - 1)
    return EinsteinProduct(scale, "ab->ba" if transposed else "ab->ab", (), type(expr)(matrix))


# det(c A1 A2..) = c^n det(A1) det(A2)..;  log|det(c A1 A2..)| = n log|c| + sum_k log|det(Ak)| (square Ak)
# det(inv(A)) = 1/det(A),  logdet(inv(A)) = -logdet(A),  logdet(adj(A)) = (n-1) logdet(A)
def determinant_rules(expr):
    """Split determinants and log-determinants of products of square matrices, scalars, transposes,
    inverses, adjugates and the identity.

    >>> import sympy_einstein as se
    >>> A, B = se.matrix("A", 3, 3), se.matrix("B", 3, 3)
    >>> print(se.simplify(se.logdet(2 * A @ B.T)))
    3*log(2) + logdet(A) + logdet(B)
    >>> print(determinant_rules(se.logdet(se.inv(A))), determinant_rules(se.det(se.inv(A))))
    -logdet(A) 1/det(A)
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
    chain = _square_chain(inner)
    if chain is None or (chain[0] == 1 and chain[1] == [inner]):
        return expr
    coeff, factors = chain
    if log:
        terms = [LogDeterminant(f) for f in factors]
        if coeff != 1:
            terms.insert(0, _constant(n * sp.log(sp.Abs(coeff))))
        return terms[0] if len(terms) == 1 else TensorAdd(*terms)
    return EinsteinProduct(coeff ** n, format_spec([""] * len(factors), ""), (), *map(Determinant, factors))


def _reciprocal() -> sp.Lambda:
    (t,) = canonical_variables(1)
    return sp.Lambda((t,), 1 / t)


def _square_chain(expr):
    """``(c, [A1, A2, ...])`` when ``expr`` is ``c`` times a matrix chain of square factors (each
    possibly transposed, the identity as no factor), else None."""
    if not isinstance(expr, EinsteinProduct) or len(expr.output) != 2:
        return None
    if not expr.operands:  # c * I
        return (expr.coefficient, []) if expr.output[0] == expr.output[1] and not expr.inputs else None
    if expr.args[2] or len(unique(expr.output)) != 2:
        return None
    if any(op.rank != 2 or op.shape[0] != op.shape[1] or len(set(s)) != 2
           for op, s in zip(expr.operands, expr.inputs, strict=True)):
        return None
    if not _is_path(expr.inputs, expr.output):
        return None
    return expr.coefficient, list(expr.operands)


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
            if q == s[0] and letters.count(q) == 2:
                return _replace(expr, (i, j), EinsteinProduct(1, "->aa", (operand.shape[0],)), p + s[1])
            if p == s[1] and letters.count(p) == 2:
                return _replace(expr, (i, j), EinsteinProduct(1, "->aa", (operand.shape[0],)), s[0] + q)
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
# symmetric operands


def is_symmetric(expr) -> bool:
    """Whether a matrix expression is known to be symmetric: a symmetric symbol, the identity, inverses,
    adjugates, sums, scalings and entrywise functions of symmetric matrices, and products equal to
    their own transpose (such as ``X.T @ X``). Iterative; each node is examined once per call.

    >>> import sympy_einstein as se
    >>> S, X = se.matrix("S", 3, 3, symmetric=True), se.matrix("X", 4, 3)
    >>> is_symmetric(se.inv(S) + 2 * S), is_symmetric(se.simplify(X.T @ X)), is_symmetric(se.simplify(X.T @ X @ S))
    (True, True, False)
    """
    if id(expr) in _SYMMETRIC:
        return _SYMMETRIC[id(expr)][1]
    if len(_SYMMETRIC) > _CACHE_LIMIT:
        _SYMMETRIC.clear()
    stack = [expr]
    while stack:
        node = stack[-1]
        pending = [c for c in _symmetry_children(node) if id(c) not in _SYMMETRIC]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        _SYMMETRIC[id(node)] = (node, _own_symmetry(node))
    return _SYMMETRIC[id(expr)][1]


_SYMMETRIC: dict = {}  # id(node) -> (node, symmetric?); holding the node keeps its id unique
_CACHE_LIMIT = 100_000


def _known(node) -> bool:
    return _SYMMETRIC[id(node)][1]


def _symmetry_children(node) -> list:
    if not isinstance(node, TensorExpr) or node.rank != 2:
        return []
    if isinstance(node, (Inverse, Adjugate, TensorAdd, Elementwise)):
        return list(node.args[1:] if isinstance(node, Elementwise) else node.args)
    single = _single_matrix(node)
    return [single[1]] if single is not None else []


def _own_symmetry(node) -> bool:
    if not isinstance(node, TensorExpr) or node.rank != 2 or node.shape[0] != node.shape[1]:
        return False
    if isinstance(node, SymmetricMatrix):
        return True
    if isinstance(node, TensorAdd):
        return _symmetric_sum(node.terms)
    if isinstance(node, (Inverse, Adjugate, Elementwise)):
        return all(_known(c) for c in _symmetry_children(node))
    if _single_matrix(node) is not None:
        return _known(_single_matrix(node)[1])
    if isinstance(node, EinsteinProduct):
        return _equals_own_transpose(node)
    return False


def _symmetric_sum(terms) -> bool:
    """Whether a sum is symmetric: each term is, or its transpose is another term (``B + B.T``)."""
    unmatched = [t for t in terms if not _known(t)]
    while unmatched:
        term = unmatched.pop()
        if not isinstance(term, EinsteinProduct) or len(set(term.output)) != 2:
            return False
        flipped = _swapped_last(term)
        partner = next((k for k, u in enumerate(unmatched) if same_product(u, flipped)), None)
        if partner is None:
            return False
        unmatched.pop(partner)
    return True


def _equals_own_transpose(node: EinsteinProduct) -> bool:
    if len(unique(node.output)) != 2:
        return not node.operands and not node.inputs  # the unit tensor c * I
    return same_product(node, _swapped_last(node))


def _swapped_last(node: EinsteinProduct) -> EinsteinProduct:
    """The product with its last two output axes swapped."""
    output = node.output[:-2] + node.output[-1] + node.output[-2]
    return EinsteinProduct(node.coefficient, format_spec(node.inputs, output), node.args[2], *node.operands)


MAX_MATCHINGS = 120
MAX_OPERANDS = 8


def same_product(p: EinsteinProduct, q: EinsteinProduct) -> bool:
    """Whether two products are equal up to renaming letters, reordering operands (equal operands
    matched in every way, if there are at most ``MAX_MATCHINGS`` ways and ``MAX_OPERANDS`` operands;
    otherwise the answer is False, "not known to be equal") and the orientation of symmetric operands.

    >>> import sympy_einstein as se
    >>> y, S = se.vector("y", 3), se.matrix("S", 3, 3, symmetric=True)
    >>> P = se.einsum("c,d,ac,bd->ab", y, y, S, S)
    >>> same_product(P, se.einsum("c,d,ad,bc->ab", y, y, S, S))
    True
    >>> same_product(P, se.einsum("c,d,ac,bd->ab", y, y, S, S.T @ S))
    False
    """
    if p == q:
        return True
    if (not isinstance(p, EinsteinProduct) or not isinstance(q, EinsteinProduct) or p.coefficient != q.coefficient
            or p.args[2] != q.args[2] or len(p.operands) != len(q.operands) or len(p.operands) > MAX_OPERANDS):
        return False
    groups: dict = {}
    for k, operand in enumerate(q.operands):
        groups.setdefault(operand, []).append(k)
    if sorted(map(len, groups.values())) != sorted(len([o for o in p.operands if o == g]) for g in groups):
        return False
    if math.prod(math.factorial(len(g)) for g in groups.values()) > MAX_MATCHINGS:
        return False  # too many ways to match equal operands: not known to be equal
    target = _normal_spec(p.inputs, p.output, p.operands)
    for order in _matchings(p.operands, groups):
        if _normal_spec([q.inputs[k] for k in order], q.output, p.operands) == target:
            return True
    return False


def _matchings(operands, groups):
    """Every assignment of positions of ``groups`` (operand -> positions) to the sequence ``operands``."""
    keys = list(dict.fromkeys(operands))
    slots = {key: [k for k, o in enumerate(operands) if o == key] for key in keys}
    choices = [list(itertools.permutations(groups.get(key, []))) for key in keys]
    for picked in itertools.product(*choices):
        order = [0] * len(operands)
        for key, positions in zip(keys, picked, strict=True):
            for slot, position in zip(slots[key], positions, strict=True):
                order[slot] = position
        yield order


def _normal_spec(inputs, output: str, operands) -> str:
    """The least spec, with letters named by first occurrence, over both orientations of each
    symmetric operand (of the first ``MAX_FLIPS``)."""
    flippable = [k for k, (s, op) in enumerate(zip(inputs, operands, strict=True))
                 if len(s) == 2 and s[0] != s[1] and is_symmetric(op)][:MAX_FLIPS]
    best = None
    for flips in itertools.product((False, True), repeat=len(flippable)):
        strings = list(inputs)
        for k, flip in zip(flippable, flips, strict=True):
            strings[k] = strings[k][::-1] if flip else strings[k]
        mapping = canonical_renaming(strings, output)
        spec = format_spec(rename(tuple(strings), mapping), rename(output, mapping))
        best = spec if best is None else min(best, spec)
    return best


MAX_FLIPS = 4


def symmetric_in_last_axes(expr) -> bool:
    """Whether ``expr`` is known to be symmetric in its last two axes (see :func:`is_symmetric`).

    >>> import sympy_einstein as se
    >>> S, x = se.matrix("S", 3, 3, symmetric=True), se.vector("x", 2)
    >>> symmetric_in_last_axes(se.outer(x, S)), symmetric_in_last_axes(se.outer(S, x))
    (True, False)
    """
    if expr.rank == 2:
        return is_symmetric(expr)
    stack = [expr]
    while stack:  # the terms of (nested) sums, without recursion
        node = stack.pop()
        if isinstance(node, TensorAdd):
            stack.extend(node.terms)
        elif not (node.rank > 2 and isinstance(node, EinsteinProduct) and len(set(node.output[-2:])) == 2
                  and same_product(node, _swapped_last(node))):
            return False
    return True


# S[b a] = S[a b] for a symmetric S
def orient_symmetric(expr):
    """Write each symmetric matrix operand of a product with its letters in alphabetical order, so a
    product and its transpose of symmetric factors become equal.

    >>> import sympy_einstein as se
    >>> S = se.matrix("S", 3, 3, symmetric=True)
    >>> orient_symmetric(se.einsum("ba->ab", S)).spec, se.simplify(se.inv(S).T) == se.inv(S)
    ('ab->ab', True)
    """
    if not isinstance(expr, EinsteinProduct):
        return expr
    inputs = list(expr.inputs)
    for k, (operand, s) in enumerate(zip(expr.operands, inputs, strict=True)):
        if len(s) == 2 and s[0] > s[1] and is_symmetric(operand):
            inputs[k] = s[::-1]
    if inputs == list(expr.inputs):
        return expr
    return EinsteinProduct(expr.coefficient, format_spec(inputs, expr.output), expr.args[2], *expr.operands)


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


# solve(A, 0) = 0,  solve(inv(A), B) = A B,  solve(A, A) = I
def solve_rules(expr):
    """Simplify a solve with a zero right-hand side, an inverse matrix, or the matrix itself.

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
    return expr


LINALG_RULES = (inverse_rules, determinant_rules, cancel_inverses, solve_rules, stable_log_sum_exp)
"""The algebraic rules of the matrix functions, in the order the ``default`` rule set tries them."""

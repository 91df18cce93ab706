"""Conversion between tensor expressions and SymPy matrix expressions.

Conventions: a vector ``x`` of size ``n`` is the ``n x 1`` column ``MatrixSymbol('x', n, 1)``; an
order-0 result is a ``1 x 1`` matrix expression such as ``x.T*A*x``, or a scalar (``Trace``, a
symbol); a ``1 x 1`` matrix used as a factor of a larger matrix is written ``Trace(...)``. An order-0
tensor symbol ``c`` is the SymPy ``Symbol('c')``.

:func:`to_matrix` reads every Einstein product of order <= 2 with
:func:`~sympy_einstein.matrix_products.product_matrix` (matrix chains, traces, Hadamard products,
``DiagMatrix``, ``DiagonalOf``). Elementwise nodes become Hadamard products and powers and
:class:`~sympy_einstein.entrywise.Entrywise` functions (``exp.(X*w)``). With ``vec=True`` a derivative of
order 4 by a matrix becomes the matrix of its derivative by ``vec(X)`` (column-major), as Kronecker
products (:mod:`sympy_einstein.matrix_products`).

>>> import sympy as sp, sympy_einstein as se
>>> f = se.parse("x'*A*x")
>>> to_matrix(f)
x.T*A*x
>>> from_sympy(to_matrix(f)).shape
()
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from . import build
from .entrywise import ENTRY, Entrywise, is_named
from .ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor, _label
from .matrix_products import MatrixFormError, as_scalar, product_matrix, scale, vec_matrix

__all__ = ["to_matrix", "from_sympy", "MatrixFormError"]


# ---------------------------------------------------------------------------------------------
# tensor -> matrix


def to_matrix(expr, simplify: bool = True, vec: bool = False):
    """The SymPy matrix expression of a tensor expression of order 0, 1 or 2 (simplified first, which
    merges nested products into the chains read here).

    With ``vec=True`` a tensor of order 4, the derivative of an ``m x n`` result by a ``p x q`` matrix
    ``X`` (a Hessian by a matrix), becomes the ``mn x pq`` matrix of the derivative by ``vec(X)``
    (columns stacked, column-major) as Kronecker products; a term without one raises
    :class:`MatrixFormError`. Orders up to 2 are converted as without ``vec``.

    >>> import sympy_einstein as se
    >>> to_matrix(se.parse("A*x - b"))
    A*x - b
    >>> to_matrix(se.parse("diag(s)*X"))
    DiagMatrix(s)*X
    >>> T, U, V = se.matrix("T", 4, 3), se.matrix("U", 4, 2), se.matrix("V", 3, 2)
    >>> to_matrix(se.hessian(se.sum((T - U @ V.T) ** 2), U), vec=True)
    2*(KroneckerProduct(V.T*V, I))
    """
    if not isinstance(expr, TensorExpr):
        return _scalar_to_matrix(sp.sympify(expr))
    if simplify:
        from .simplification import simplify as canonical
        expr = canonical(expr)
    if vec and expr.rank == 4:
        return _vec(expr)
    if expr.rank > 2:
        hint = " (a derivative of order 4 by a matrix: vec=True)" if expr.rank == 4 and not vec else ""
        raise MatrixFormError(f"{_label(expr)} has order {expr.rank}; matrix notation covers orders 0, 1 and 2"
                              + hint)
    return _CONVERTERS[type(expr)](expr)


def _vec(expr):
    """The vec form of an order-4 sum of products (see :func:`to_matrix`)."""
    terms = expr.terms if isinstance(expr, TensorAdd) else (expr,)
    pieces = []
    for term in terms:
        if isinstance(term, ZeroTensor):
            continue
        if not isinstance(term, EinsteinProduct):
            raise MatrixFormError(f"vec form: {_label(term)} is not a product; it has no Kronecker form")
        pieces.append(vec_matrix(term.coefficient, term.inputs, term.operands, term.output, term.index_sizes,
                                 lambda e: to_matrix(e, False)))
    if not pieces:
        rows = expr.shape[0] * expr.shape[1]
        return sp.ZeroMatrix(rows, expr.shape[2] * expr.shape[3])
    return pieces[0] if len(pieces) == 1 else sp.MatAdd(*pieces)


def _matrix_shape(shape) -> tuple:
    if len(shape) == 0:
        return (1, 1)
    return (shape[0], 1) if len(shape) == 1 else tuple(shape)


def _symbol(expr: TensorSymbol):
    if expr.rank == 0:
        return sp.Symbol(expr.name)
    return sp.MatrixSymbol(expr.name, *_matrix_shape(expr.shape))


def _zero(expr: ZeroTensor):
    return sp.Integer(0) if expr.rank == 0 else sp.ZeroMatrix(*_matrix_shape(expr.shape))


def _scalar_to_matrix(expr):
    """A SymPy scalar with order-0 tensors inside: convert the tensors, keep the tree."""
    if isinstance(expr, TensorExpr):
        return as_scalar(to_matrix(expr, False))
    if not expr.args or not expr.has(TensorExpr):
        return expr
    return expr.func(*(_scalar_to_matrix(a) for a in expr.args))


def _add(expr: TensorAdd):
    return _sum([to_matrix(t, False) for t in expr.terms], expr.rank)


def _sum(terms, rank: int):
    if rank == 0 and not all(isinstance(t, sp.MatrixExpr) for t in terms):
        return sp.Add(*(as_scalar(t) for t in terms))
    return sp.MatAdd(*terms)


def _product(expr: EinsteinProduct):
    wide = [k for k, o in enumerate(expr.operands) if o.rank > 2 and isinstance(o, TensorAdd)]
    if wide:  # read the diagonal of a sum of order 3 or more term by term
        return _distributed(expr, wide[0])
    matrices = [to_matrix(o, False) for o in expr.operands]
    return scale(expr.coefficient, product_matrix(expr.inputs, matrices, expr.output, expr.index_sizes))


def _distributed(expr: EinsteinProduct, k: int):
    """The product with operand ``k`` (a sum) replaced by each of its terms, each simplified and converted."""
    from .simplification import simplify
    terms = []
    for term in expr.operands[k].terms:
        operands = expr.operands[:k] + (term,) + expr.operands[k + 1:]
        terms.append(to_matrix(simplify(EinsteinProduct(expr.coefficient, expr.spec, expr.args[2], *operands)), False))
    return _sum(terms, expr.rank)


def _elementwise(expr: Elementwise):
    operands = {v: to_matrix(o, False) for v, o in zip(expr.function.variables, expr.operands, strict=True)}
    if expr.rank == 0:  # a scalar function of scalars
        return expr.function.expr.xreplace({v: as_scalar(m) for v, m in operands.items()})
    return _body(expr.function.expr, operands, _matrix_shape(expr.shape))


def _body(body, operands: dict, shape):
    """An elementwise body as Hadamard products, sums, powers and :class:`Entrywise` functions."""
    if body in operands:
        return operands[body]
    depends = body.free_symbols & set(operands)
    if not depends:
        return scale(body, sp.OneMatrix(*shape))
    if isinstance(body, sp.Add):
        return sp.MatAdd(*(_body(a, operands, shape) for a in body.args))
    if isinstance(body, sp.Mul):
        constant = sp.Mul(*(a for a in body.args if not a.free_symbols & set(operands)))
        parts = [_body(a, operands, shape) for a in body.args if a.free_symbols & set(operands)]
        product = parts[0] if len(parts) == 1 else sp.HadamardProduct(*parts)
        return scale(constant, product)
    if isinstance(body, sp.Pow) and not body.exp.free_symbols & set(operands):
        return sp.HadamardPower(_body(body.base, operands, shape), body.exp)
    if isinstance(body, sp.Pow) and not body.base.free_symbols & set(operands):  # c**t = exp(log(c) t)
        return _body(sp.exp(sp.log(body.base) * body.exp, evaluate=False), operands, shape)
    return _apply(body, operands, shape)


def _apply(body, operands, shape):
    """``f(g, params...)`` with ``g`` the only argument that depends on the operands: ``Entrywise``."""
    named = isinstance(body, sp.Function) and body.args and not any(a.free_symbols & set(operands)
                                                                    for a in body.args[1:])
    try:
        template = body.func(ENTRY, *body.args[1:]) if named else None
    except (TypeError, ValueError):  # a function that cannot take a symbol there (Piecewise)
        template = None
    if template is None or not is_named(template):
        raise MatrixFormError(f"the elementwise function {body} has no matrix form")
    return Entrywise(template, _body(body.args[0], operands, shape))


_CONVERTERS = {TensorSymbol: _symbol, ZeroTensor: _zero, TensorAdd: _add, EinsteinProduct: _product,
               Elementwise: _elementwise}


# ---------------------------------------------------------------------------------------------
# matrix -> tensor


def from_sympy(expr):
    """The tensor expression of a SymPy matrix expression.

    An ``n x 1`` MatrixSymbol becomes a vector (order 1), a ``1 x n`` one a vector used as a row,
    a ``1 x 1`` result an order-0 tensor; sizes become positive integer symbols of the same name.
    Supported: MatrixSymbol, ``+``, scalar ``*``, matrix ``*``, ``.T``, Trace, HadamardProduct,
    HadamardPower, DiagMatrix, DiagonalOf, Identity, ZeroMatrix, OneMatrix, positive integer MatPow,
    ElementwiseApplyFunction, Entrywise, and SymPy functions of 1 x 1 results. Plain SymPy symbols stay scalars.

    >>> n = sp.Symbol("n")
    >>> x, A = sp.MatrixSymbol("x", n, 1), sp.MatrixSymbol("A", n, n)
    >>> f = from_sympy(x.T * A * x)
    >>> f.shape, sorted(s.name for s in f.atoms(TensorSymbol))
    ((), ['A', 'x'])
    >>> from_sympy(sp.Trace(A) * x).shape
    (n,)
    >>> from_sympy(sp.HadamardProduct(x, x)).shape
    (n,)
    """
    return _tensor(sp.sympify(expr))[0]


def _size(size):
    size = sp.sympify(size)
    if size.is_Symbol and not (size.is_integer and size.is_positive):
        return sp.Symbol(size.name, integer=True, positive=True)
    return size.xreplace({s: _size(s) for s in size.free_symbols if s is not size}) if size.free_symbols else size


def _kind_of(shape) -> str:
    rows, cols = shape
    if rows == 1 and cols == 1:
        return "scalar"
    return "col" if cols == 1 else "row" if rows == 1 else "mat"


def _tensor(expr):
    """``(tensor, kind)`` with kind 'scalar', 'col', 'row' or 'mat' (from the SymPy shape)."""
    handler = _FROM.get(type(expr))
    if handler is not None:
        return handler(expr), _kind_of(expr.shape) if isinstance(expr, sp.MatrixExpr) else "scalar"
    if isinstance(expr, sp.MatrixExpr):
        raise MatrixFormError(f"{type(expr).__name__} ({expr}) has no tensor equivalent here")
    if not expr.has(sp.MatrixExpr):
        return expr, "scalar"
    if not isinstance(expr, (sp.Add, sp.Mul, sp.Pow, sp.Function)):
        raise MatrixFormError(f"{type(expr).__name__} ({expr}) has no tensor equivalent here")
    return build.as_operand(expr.func(*(_tensor(a)[0] for a in expr.args))), "scalar"


def _from_symbol(m):
    kind, shape = _kind_of(m.shape), [_size(s) for s in m.shape]
    if kind == "scalar":
        return build.scalar(m.name)
    if kind in ("col", "row"):
        return build.vector(m.name, shape[0] if kind == "col" else shape[1])
    return build.matrix(m.name, *shape)


def _from_transpose(m):
    inner, kind = _tensor(m.arg)
    return build.transpose(inner) if kind == "mat" else inner


def _from_matmul(m):
    coeff, factors = sp.Integer(1), []
    for arg in m.args:
        if isinstance(arg, sp.MatrixExpr):
            factors.append(_tensor(arg))
        else:
            coeff *= _tensor(arg)[0] if arg.has(sp.MatrixExpr) else arg
    value, kind = factors[0]
    for other, other_kind in factors[1:]:
        value, kind = _times_kind(value, kind, other, other_kind)
    return build.multiply(coeff, value)


def _times_kind(a, ka, b, kb):
    if "scalar" in (ka, kb):
        return build.multiply(a, b), kb if ka == "scalar" else ka
    if (ka, kb) == ("col", "row"):
        return build.outer(a, b), "mat"
    result = {("mat", "mat"): "mat", ("mat", "col"): "col", ("row", "mat"): "row", ("row", "col"): "scalar"}
    if (ka, kb) not in result:
        raise MatrixFormError(f"cannot multiply a {ka} by a {kb}")
    return build.matmul(a, b), result[ka, kb]


def _from_matpow(m):
    if not (m.exp.is_Integer and m.exp > 0):
        raise MatrixFormError(f"{m}: only positive integer matrix powers have a tensor form")
    base = _tensor(m.base)[0]
    value = base
    for _ in range(int(m.exp) - 1):
        value = build.matmul(value, base)
    return value


def _from_add(m):
    terms = [_tensor(a)[0] for a in m.args]
    value = terms[0]
    for term in terms[1:]:
        value = build.add(value, term)
    return value


def _from_hadamard(m):
    factors = [_tensor(a)[0] for a in m.args]
    value = factors[0]
    for factor in factors[1:]:
        value = build.multiply(value, factor)
    return value


def _from_trace(m):
    inner, kind = _tensor(m.arg)
    return inner if kind == "scalar" else build.trace(inner)


def _from_ones(m):
    shape = [_size(s) for s in m.shape]
    kind = _kind_of(m.shape)
    dims = {"scalar": (), "col": (shape[0],), "row": (shape[1],), "mat": tuple(shape)}[kind]
    return build.broadcast_to(sp.Integer(1), dims) if dims else sp.Integer(1)


def _from_zero(m):
    kind, shape = _kind_of(m.shape), [_size(s) for s in m.shape]
    return build.zeros({"scalar": (), "col": (shape[0],), "row": (shape[1],), "mat": tuple(shape)}[kind])


_FROM = {
    sp.MatrixSymbol: _from_symbol, sp.Transpose: _from_transpose, sp.MatMul: _from_matmul,
    sp.MatAdd: _from_add, sp.MatPow: _from_matpow, sp.HadamardProduct: _from_hadamard,
    sp.HadamardPower: lambda m: build.power(_tensor(m.base)[0], m.exp), sp.Trace: _from_trace,
    sp.DiagMatrix: lambda m: build.diag(_tensor(m.args[0])[0]), sp.DiagonalOf: lambda m: build.diag(_tensor(m.arg)[0]),
    sp.Identity: lambda m: EinsteinProduct(1, "->aa", (_size(m.shape[0]),)),
    sp.ZeroMatrix: _from_zero, sp.OneMatrix: _from_ones,
    ElementwiseApplyFunction: lambda m: build.elementwise(m.function, _tensor(m.expr)[0]),
    Entrywise: lambda m: build.elementwise(sp.Lambda(ENTRY, m.body), _tensor(m.arg)[0]),
    sp.KroneckerProduct: lambda m: _no_tensor_form(m, "a Kronecker product (a vec form)"),
}


def _no_tensor_form(m, what: str):
    raise MatrixFormError(f"{m} is {what}; it has no tensor equivalent here")


from .convert_linalg import FROM_SYMPY, TO_MATRIX  # noqa: E402 -- matrix functions: more entries of both tables

_CONVERTERS.update(TO_MATRIX)
_FROM.update(FROM_SYMPY)

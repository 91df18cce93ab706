"""Conversion between tensor expressions and SymPy matrix expressions.

Conventions: a vector ``x`` of size ``n`` is the ``n x 1`` column ``MatrixSymbol('x', n, 1)``; an
order-0 result is a ``1 x 1`` matrix expression such as ``x.T*A*x``, or a scalar (``Trace``, a
symbol); a ``1 x 1`` matrix used as a factor of a larger matrix is written ``Trace(...)``. An order-0
tensor symbol ``c`` is the SymPy ``Symbol('c')``.

:func:`to_matrix` reads every Einstein product of order <= 2 as a matrix chain: each matrix operand
is an edge between its two letters, each vector an edge between its letter and the outside ("1"); a
vector on a letter shared by more factors becomes ``DiagMatrix(v)``, a summed letter with a single
factor is closed with a ones vector, and the chain is read by walking the edges (letter-only cycles
become traces). Elementwise nodes become Hadamard products and powers and ``ElementwiseApplyFunction``.

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
from .errors import EinsteinError
from .ir.indices import unique
from .ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor, _label

__all__ = ["to_matrix", "from_sympy", "MatrixFormError"]

_ONE = "1"  # the outside node of the chain graph


class MatrixFormError(EinsteinError):
    """A tensor expression without a matrix equivalent (order 3 or more, or an index pattern that is
    not a matrix chain), or a SymPy matrix expression with no tensor equivalent.

    >>> import sympy_einstein as se
    >>> to_matrix(se.tensor("T", (2, 2, 2)))
    Traceback (most recent call last):
    ...
    sympy_einstein.convert.MatrixFormError: T has order 3; matrix notation covers orders 0, 1 and 2
    """


# ---------------------------------------------------------------------------------------------
# tensor -> matrix


def to_matrix(expr, simplify: bool = True):
    """The SymPy matrix expression of a tensor expression of order 0, 1 or 2 (simplified first, which
    merges nested products into the chains read here).

    >>> import sympy_einstein as se
    >>> to_matrix(se.parse("A*x - b"))
    A*x - b
    >>> to_matrix(se.parse("diag(s)*X"))
    DiagMatrix(s)*X
    """
    if not isinstance(expr, TensorExpr):
        return _scalar_to_matrix(sp.sympify(expr))
    if expr.rank > 2:
        raise MatrixFormError(f"{_label(expr)} has order {expr.rank}; matrix notation covers orders 0, 1 and 2")
    if simplify:
        from .simplification import simplify as canonical
        expr = canonical(expr)
    return _CONVERTERS[type(expr)](expr)


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


def as_scalar(m):
    """A scalar from a ``1 x 1`` matrix expression (as its trace); scalars pass through.

    >>> n = sp.Symbol("n")
    >>> x = sp.MatrixSymbol("x", n, 1)
    >>> as_scalar(x.T * x)
    Trace(x.T*x)
    """
    if isinstance(m, sp.MatrixExpr):
        if m.shape != (1, 1):
            raise MatrixFormError(f"{m} of shape {m.shape} is not a scalar")
        return sp.Trace(m)
    return m


def _add(expr: TensorAdd):
    terms = [to_matrix(t, False) for t in expr.terms]
    if expr.rank == 0 and not all(isinstance(t, sp.MatrixExpr) for t in terms):
        return sp.Add(*(as_scalar(t) for t in terms))
    return sp.MatAdd(*terms)


def _scale(coeff, m):
    if coeff == 1:
        return m
    return sp.MatMul(coeff, m) if isinstance(m, sp.MatrixExpr) else coeff * m


def _product(expr: EinsteinProduct):
    scalars = [as_scalar(to_matrix(o, False)) for o in expr.operands if o.rank == 0]
    kept = [(s, o) for s, o in zip(expr.inputs, expr.operands, strict=True) if o.rank > 0]
    inputs, matrices, output = [s for s, _ in kept], [to_matrix(o, False) for _, o in kept], expr.output
    if len(inputs) > 1 and len(set(output)) == len(output) and all(set(s) == set(output) and len(s) == len(output)
                                                                   for s in inputs):
        result = sp.HadamardProduct(*(m if s == output else m.T for s, m in zip(inputs, matrices, strict=True)))
    elif len(output) == 2 and output[0] == output[1]:
        result = _diagonal_matrix(_chain(inputs, matrices, output[0], expr.index_sizes))
    else:
        result = _chain(inputs, matrices, output, expr.index_sizes)
    return _scale(expr.coefficient * sp.Mul(*scalars), result)


def _diagonal_matrix(v):
    """``DiagMatrix(v)``, or ``c*Identity`` when ``v`` is ``c`` times the ones vector."""
    coeff, core = (v.args[0], v.args[1]) if isinstance(v, sp.MatMul) and len(v.args) == 2 else (1, v)
    if isinstance(core, sp.OneMatrix):
        return _scale(coeff, sp.Identity(core.shape[0]))
    return sp.DiagMatrix(v)


def _chain(inputs, matrices, output: str, sizes: dict):
    """The matrix product (and traces) of operands with index strings ``inputs``, per the module doc."""
    edges, loops, factors = _edges(inputs, matrices, output, sizes)
    start = output[0] if output else _ONE
    end = output[1] if len(output) == 2 else _ONE
    used = [False] * len(edges)
    has_start = start != _ONE or any(_ONE in e[:2] for e in edges)
    main = _walk(start, end, edges, loops, used) if has_start else None
    while not all(used):  # what is left: ONE -> ONE chains (1 x 1) and letter cycles (traces)
        k = used.index(False)
        first = _ONE if _ONE in edges[k][:2] else edges[k][0]
        piece = _walk(first, first, edges, loops, used)
        factors.append(piece if first == _ONE else sp.Trace(piece))
    if main is None:
        return sp.Mul(*factors)
    if main.shape != (1, 1):
        return _scale(sp.Mul(*(as_scalar(f) for f in factors)), main)
    matrices = [f for f in factors if isinstance(f, sp.MatrixExpr)]
    scalars = [f for f in factors if not isinstance(f, sp.MatrixExpr)]
    return _scale(sp.Mul(*scalars), sp.MatMul(main, *matrices) if matrices else main)


def _edges(inputs, matrices, output, sizes):
    """Edges ``(u, v, M)`` (walking u->v reads M, v->u reads M.T) and diagonal loops per letter."""
    edges, loops, traces, traced = [], {}, [], set()
    everything = "".join(inputs) + output
    for letters, m in zip(inputs, matrices, strict=True):
        if len(letters) == 2 and letters[0] == letters[1] and everything.count(letters[0]) == 2:
            traces.append(sp.Trace(m))
            traced.add(letters[0])
        elif len(letters) == 2 and letters[0] == letters[1]:
            edges.append((letters[0], _ONE, sp.DiagonalOf(m)))
        elif len(letters) == 2:
            edges.append((letters[0], letters[1], m))
        else:
            edges.append((letters, _ONE, m))
    for letter in unique("".join(inputs) + output):
        if letter in traced:
            continue
        needed = 2 - output.count(letter)
        at = [k for k, e in enumerate(edges) if e is not None and letter in e[:2]]
        vectors = [k for k in at if edges[k][1] == _ONE]
        while len(at) > needed and vectors:  # extra vectors on a shared letter scale it: diag(v)
            k = vectors.pop()
            loops.setdefault(letter, []).append(sp.DiagMatrix(edges[k][2]))
            edges[k] = None
            at.remove(k)
        if len(at) > needed:
            raise MatrixFormError(f"index '{letter}' joins {len(at)} matrix factors; this product has no matrix form")
        if len(at) < needed:  # a summed or broadcast letter with one factor: close it with ones
            edges.append((letter, _ONE, sp.OneMatrix(sizes[letter], 1)))
    return [e for e in edges if e is not None], loops, traces


def _other(edge, node):
    return edge[1] if edge[0] == node else edge[0]


def _segment_end(k, edges, used, node):
    """Where the walk that leaves ``node`` by edge ``k`` stops (at the outside or an output letter)."""
    previous, node = k, _other(edges[k], node)
    while node != _ONE:
        following = [j for j, e in enumerate(edges) if j != previous and not used[j] and node in e[:2]]
        if not following:
            break
        previous = following[0]
        node = _other(edges[previous], node)
    return node


def _walk(node, end, edges, loops, used):
    """Follow unused edges from ``node`` until ``end``; the product of what is read on the way."""
    pieces = list(loops.pop(node, [])) if node != _ONE else []
    first = True
    while first or node != end:
        first = False
        options = [k for k, e in enumerate(edges) if not used[k] and node in e[:2]]
        if node == _ONE and end != _ONE:
            options = [k for k in options if _segment_end(k, edges, used, node) == end]
        if node == _ONE:  # read 1.T*A rather than (A.T*1).T
            options.sort(key=lambda k: not isinstance(edges[k][2], sp.OneMatrix))
        if not options:
            raise MatrixFormError("this product has no matrix chain form")
        k = options[0]
        used[k] = True
        u, v, m = edges[k]
        pieces.append(m if u == node else m.T)
        node = v if u == node else u
        if node != _ONE:
            pieces.extend(loops.pop(node, []))
    return pieces[0] if len(pieces) == 1 else sp.MatMul(*pieces)


def _elementwise(expr: Elementwise):
    operands = {v: to_matrix(o, False) for v, o in zip(expr.function.variables, expr.operands, strict=True)}
    if expr.rank == 0:  # a scalar function of scalars
        return expr.function.expr.xreplace({v: as_scalar(m) for v, m in operands.items()})
    return _body(expr.function.expr, operands, _matrix_shape(expr.shape))


def _body(body, operands: dict, shape):
    """An elementwise body as Hadamard products, sums, powers and applied functions of matrices."""
    if body in operands:
        return operands[body]
    if not body.free_symbols & set(operands):
        return body * sp.OneMatrix(*shape) if shape != (1, 1) else body * sp.OneMatrix(1, 1)
    if isinstance(body, sp.Add):
        return sp.MatAdd(*(_body(a, operands, shape) for a in body.args))
    if isinstance(body, sp.Mul):
        constant = sp.Mul(*(a for a in body.args if not a.free_symbols & set(operands)))
        parts = [_body(a, operands, shape) for a in body.args if a.free_symbols & set(operands)]
        product = parts[0] if len(parts) == 1 else sp.HadamardProduct(*parts)
        return _scale(constant, product)
    if isinstance(body, sp.Pow) and body.exp.is_Integer:
        return sp.HadamardPower(_body(body.base, operands, shape), body.exp)
    return _apply(body, operands, shape)


def _apply(body, operands, shape):
    """``f(g)`` for one inner argument ``g`` that depends on the operands: ElementwiseApplyFunction."""
    inner = [a for a in body.args if a.free_symbols & set(operands)]
    if len(inner) != 1:
        raise MatrixFormError(f"the elementwise function {body} has no matrix form")
    t = sp.Dummy("t")
    outer = sp.Lambda(t, body.xreplace({inner[0]: t}))
    return ElementwiseApplyFunction(outer, _body(inner[0], operands, shape))


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
    ElementwiseApplyFunction, and SymPy functions of 1 x 1 results. Plain SymPy symbols stay scalars.

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
}


from .convert_linalg import FROM_SYMPY, TO_MATRIX  # noqa: E402 -- matrix functions: more entries of both tables

_CONVERTERS.update(TO_MATRIX)
_FROM.update(FROM_SYMPY)

"""What users call to build tensor expressions, with NumPy's conventions.

Builders check shapes, broadcast by the declared shapes (only an axis declared of size 1 stretches)
and return IR nodes. SymPy scalars (numbers, symbols, expressions) mix in as constants; a SymPy
expression that contains order-0 tensors, such as ``sympy.exp(f)``, becomes an elementwise node.

>>> import sympy as sp, sympy_einstein as se
>>> n, m = sp.symbols("n m", integer=True, positive=True)
>>> X, w = se.matrix("X", m, n), se.vector("w", n)
>>> (X @ w).shape, se.sum(se.exp(X @ w)).shape
((m,), ())
"""
from __future__ import annotations

import builtins
import cmath

import sympy as sp
from sympy.codegen.cfunctions import log1p as _log1p

from .errors import DomainError, ShapeError, SpecError
from .functions import relu as _relu
from .functions import sigmoid as _sigmoid
from .functions import softplus as _softplus
from .ir.indices import LETTERS, fresh_letters, parse_spec, unique
from .ir.nodes import (
    EinsteinProduct,
    Elementwise,
    TensorAdd,
    TensorExpr,
    TensorSymbol,
    ZeroTensor,
    _label,
    canonical_variables,
)
from .ir.shapes import as_shape, broadcast_shapes, format_shape

# ---------------------------------------------------------------------------------------------
# leaves


def tensor(name: str, shape) -> TensorSymbol:
    """A tensor symbol of any order.

    >>> tensor("T", (2, 3, 4)).shape
    (2, 3, 4)
    """
    return TensorSymbol(name, shape)


def vector(name: str, n) -> TensorSymbol:
    """A vector symbol of size ``n``.

    >>> vector("x", 3).shape
    (3,)
    """
    return TensorSymbol(name, (n,))


def matrix(name: str, m, n, symmetric: bool = False) -> TensorSymbol:
    """An ``m x n`` matrix symbol; ``symmetric=True`` declares a square symmetric matrix
    (a :class:`~sympy_einstein.ir.linalg.SymmetricMatrix`).

    >>> matrix("A", 2, 3).shape, type(matrix("S", 2, 2, symmetric=True)).__name__
    ((2, 3), 'SymmetricMatrix')
    """
    if symmetric:
        from .ir.linalg import SymmetricMatrix
        return SymmetricMatrix(name, (m, n))
    return TensorSymbol(name, (m, n))


def scalar(name: str) -> TensorSymbol:
    """An order-0 tensor symbol: a scalar one can differentiate by.

    >>> scalar("c").rank
    0
    """
    return TensorSymbol(name, ())


def zeros(shape) -> ZeroTensor:
    """The symbolic zero tensor of a shape.

    >>> zeros((2, 3)).shape
    (2, 3)
    """
    return ZeroTensor(shape)


# ---------------------------------------------------------------------------------------------
# operands


def _is_scalar(x) -> bool:
    return isinstance(x, sp.Basic) and not isinstance(x, TensorExpr) and not x.has(TensorExpr)


def _finite(value, what):
    """``value``, or a DomainError naming ``what`` (a string or a callable giving it) when the scalar
    ``value`` is or contains ``zoo`` (1/0), ``nan`` (0/0) or an infinity."""
    if isinstance(value, sp.Basic) and value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise DomainError(f"{what() if callable(what) else what} is not a finite number (it is {value})")
    return value


def _bounded(make, what):
    """``make()``, a constant SymPy computes exactly, once its numeric value is known to fit a 64-bit
    float: ``2^1e300`` or ``exp(log(2)*1e300)`` would be exact integers of 10^300 bits."""
    with sp.evaluate(False):
        unevaluated = make()
    if isinstance(unevaluated, sp.Expr) and unevaluated.is_number:
        number = sp.N(unevaluated)
        try:  # 1/0 and log(0) evaluate to zoo, oo and nan, which _finite reports; relu(...) has no evalf
            value = 0j if number.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else complex(number)
        except (TypeError, ValueError):
            value = 0j
        if not cmath.isfinite(value):
            text = what() if callable(what) else what
            text = text if len(text) <= 60 else text[:45] + "..." + text[-12:]
            raise DomainError(f"{text} is too large for a 64-bit float")
    return make()


def as_operand(x):
    """A tensor expression, or a SymPy scalar free of tensors; reject anything else clearly.

    A SymPy expression built around tensors (``sympy.exp(f)`` for an order-0 ``f``) becomes an
    :class:`Elementwise` node.

    >>> import sympy as sp
    >>> f = scalar("f")
    >>> type(as_operand(sp.exp(f))).__name__, as_operand(2)
    ('Elementwise', 2)
    """
    if isinstance(x, TensorExpr):
        return x
    if isinstance(x, (list, tuple)) or type(x).__module__.startswith("numpy"):
        if type(x).__module__.startswith("numpy") and getattr(x, "ndim", 1) == 0:
            return sp.sympify(x.item())
        raise ShapeError(f"cannot use {type(x).__name__} {_label(x)} in a tensor expression: "
                         "declare a tensor symbol and bind the array when evaluating")
    try:
        x = sp.sympify(x, strict=True)
    except (sp.SympifyError, TypeError):
        raise ShapeError(f"cannot use {type(x).__name__} {_label(x)} in a tensor expression") from None
    if _is_scalar(x):
        return _finite(x, "the constant")
    return _from_scalar_tree(x)


def _from_scalar_tree(expr: sp.Expr) -> TensorExpr:
    """``g(T1, ..., Tk)`` for a SymPy tree whose maximal tensor subtrees are ``T1 .. Tk``."""
    tensors = []

    def cut(node):
        if isinstance(node, TensorExpr):
            if node not in tensors:
                tensors.append(node)
            return variables[tensors.index(node)]
        if not node.args or not node.has(TensorExpr):
            return node
        return node.func(*(cut(a) for a in node.args))

    variables = [sp.Dummy(f"t{k}", real=True) for k in range(len(expr.atoms(TensorExpr)))]
    body = cut(expr)
    variables = variables[:len(tensors)]
    return elementwise(sp.Lambda(tuple(variables), body), *tensors)


def broadcast_to(x, shape) -> TensorExpr:
    """``x`` stretched to ``shape`` by NumPy's rules (an einsum with broadcast output letters).

    >>> broadcast_to(vector("x", 3), (2, 3)).spec
    'b->ab'
    """
    shape = tuple(as_shape(shape))
    x = as_operand(x)
    if isinstance(x, TensorExpr) and x.shape == shape:
        return x
    if _is_scalar(x):
        return EinsteinProduct(x, "->" + LETTERS[:len(shape)], shape)
    broadcast_shapes((x, x.shape), ("the target", shape))
    if x.rank > len(shape):
        raise ShapeError(f"cannot broadcast {_label(x)} of shape {format_shape(x.shape)} "
                         f"to the lower order shape {format_shape(shape)}")
    output = LETTERS[:len(shape)]
    letters = _aligned_letters(x.shape, shape, output)
    free = [size for c, size in zip(output, shape) if c not in letters]
    return EinsteinProduct(1, letters + "->" + output, free, x)


def _aligned_letters(own_shape, full_shape, output: str) -> str:
    """Right-aligned letters of an operand in a broadcast; a stretched size-1 axis gets its own."""
    offset = len(full_shape) - len(own_shape)
    spare = iter(fresh_letters(output, len(own_shape)))
    return "".join(output[offset + k] if size == full_shape[offset + k] else next(spare)
                   for k, size in enumerate(own_shape))


def _broadcast_all(operands):
    """Broadcast tensor operands (and scalars) to one shape; return the shape and the operands."""
    tensors = [x for x in operands if isinstance(x, TensorExpr)]
    shape = broadcast_shapes(*((x, x.shape) for x in tensors))
    return shape, [broadcast_to(x, shape) for x in operands]


# ---------------------------------------------------------------------------------------------
# einsum


def einsum(spec: str, *operands, sizes=None) -> TensorExpr:
    """The generalized Einstein product, with numpy's ``einsum`` spec language.

    Letters may repeat inside an operand (read a diagonal) and in the output (write a diagonal);
    an output letter that occurs in no operand broadcasts, its size given in ``sizes``. A spec
    without ``->`` follows numpy's implicit rule. SymPy scalars are operands with an empty string.

    >>> A, B = matrix("A", 2, 3), matrix("B", 3, 4)
    >>> einsum("ij,jk->ik", A, B).shape
    (2, 4)
    >>> einsum("i->ii", vector("v", 3)).shape
    (3, 3)
    >>> einsum("->ij", 1, sizes={"i": 2, "j": 5}).shape
    (2, 5)
    """
    inputs, output = parse_spec(spec, len(operands))
    sizes = dict(sizes or {})
    for letter in sizes:
        if not isinstance(letter, str) or len(letter) != 1:
            raise SpecError(f"einsum '{spec}': the keys of sizes must be single letters, not {letter!r}")
    coeff, kept_inputs, tensors = sp.Integer(1), [], []
    for k, (letters, x) in enumerate(zip(inputs, operands)):
        x = as_operand(x)
        if isinstance(x, TensorExpr):
            kept_inputs.append(letters)
            tensors.append(x)
        elif letters:
            raise ShapeError(f"einsum '{spec}': operand {k} is the scalar {x} but has index string '{letters}'")
        else:
            coeff *= x
    known = {}
    for letters, x in zip(kept_inputs, tensors):
        known.update(zip(letters, x.shape))
    for letter, size in sizes.items():
        if letter in known and known[letter] != size:
            raise ShapeError(f"einsum '{spec}': sizes gives index '{letter}' size {size}, "
                             f"but the operands give {known[letter]}")
    free = [c for c in unique(output) if c not in known]
    missing = [c for c in free if c not in sizes]
    if missing:
        raise SpecError(f"einsum '{spec}': output index '{missing[0]}' occurs in no operand; "
                        f"give its size, e.g. sizes={{'{missing[0]}': n}}")
    return EinsteinProduct(coeff, ",".join(kept_inputs) + "->" + output, [sizes[c] for c in free], *tensors)


# ---------------------------------------------------------------------------------------------
# arithmetic (the operators of TensorExpr call these)


def add(a, b):
    """``a + b`` with NumPy broadcasting; scalars broadcast to the tensor's shape.

    >>> (vector("x", 3) + 1).shape
    (3,)
    """
    a, b = as_operand(a), as_operand(b)
    if _is_scalar(a) and _is_scalar(b):
        return a + b
    _, (a, b) = _broadcast_all([a, b])
    terms = [t for x in (a, b) for t in (x.terms if isinstance(x, TensorAdd) else (x,))]
    return TensorAdd(*terms)


def subtract(a, b):
    """``a - b`` with NumPy broadcasting.

    >>> (matrix("A", 2, 2) - matrix("B", 2, 2)).shape
    (2, 2)
    """
    return add(a, multiply(sp.Integer(-1), b))


def multiply(a, b):
    """``a * b`` entry by entry (Hadamard) with NumPy broadcasting; a scalar scales.

    >>> multiply(vector("x", 3), matrix("A", 2, 3)).spec
    'b,ab->ab'
    """
    a, b = as_operand(a), as_operand(b)
    if _is_scalar(a) and _is_scalar(b):
        return a * b
    if _is_scalar(a) or _is_scalar(b):
        c, x = (a, b) if _is_scalar(a) else (b, a)
        if isinstance(x, EinsteinProduct):
            return EinsteinProduct(c * x.coefficient, x.args[1], x.args[2], *x.operands)
        if isinstance(x, ZeroTensor):
            return x
        letters = LETTERS[:x.rank]
        return EinsteinProduct(c, letters + "->" + letters, (), x)
    shape = broadcast_shapes((a, a.shape), (b, b.shape))
    output = LETTERS[:len(shape)]
    la = _aligned_letters(a.shape, shape, output)
    lb = _aligned_letters(b.shape, shape, output + la)
    return EinsteinProduct(1, f"{la},{lb}->{output}", (), a, b)


def divide(a, b):
    """``a / b`` entry by entry: ``a * (1/b)``.

    >>> (vector("x", 3) / 2).coefficient
    1/2
    """
    b = as_operand(b)
    if _is_scalar(b):
        return multiply(a, _finite(1 / b, lambda: f"{_label(as_operand(a))} / {b}"))
    return multiply(a, elementwise(lambda t: 1 / t, b))


def power(a, b):
    """``a ** b`` entry by entry (either side may be a scalar).

    >>> (vector("x", 3) ** 2).function.expr.is_Pow
    True
    """
    a, b = as_operand(a), as_operand(b)
    if _is_scalar(a) and _is_scalar(b):
        return _finite(_bounded(lambda: a ** b, lambda: f"{a}^{b}"), lambda: f"{a}^{b}")
    return elementwise(lambda s, t: s ** t, a, b)


def matmul(a, b) -> TensorExpr:
    """``a @ b``: NumPy's matmul for orders 1 and 2; for higher orders the last axis of ``a`` is
    contracted with the first of ``b``.

    >>> (matrix("A", 2, 3) @ vector("x", 3)).spec
    'ab,b->a'
    >>> (tensor("T", (2, 3, 4)) @ matrix("B", 4, 5)).shape
    (2, 3, 5)
    """
    a, b = as_operand(a), as_operand(b)
    for side, x in (("left", a), ("right", b)):
        if _is_scalar(x) or x.rank == 0:
            raise ShapeError(f"matmul: the {side} operand {_label(x)} is a scalar; use * to scale")
    if a.shape[-1] != b.shape[0]:
        raise ShapeError(
            f"matmul: {_label(a)} (shape {format_shape(a.shape)}) and {_label(b)} (shape "
            f"{format_shape(b.shape)}) do not fit: last axis of the left has size {a.shape[-1]}, "
            f"first axis of the right has size {b.shape[0]}")
    left = LETTERS[:a.rank]
    right = left[-1] + LETTERS[a.rank:a.rank + b.rank - 1]
    output = left[:-1] + right[1:]
    return EinsteinProduct(1, f"{left},{right}->{output}", (), a, b)


# ---------------------------------------------------------------------------------------------
# reshaping and reductions


def _axis(axis, rank: int, x) -> int:
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise ShapeError(f"axis {axis!r} is out of range for {_label(x)} of order {rank}")
    return axis % rank


def expand_dims(x, axis) -> TensorExpr:
    """``x`` with new axes of size 1 at the positions ``axis`` (an int or a tuple) of the result, as
    ``numpy.expand_dims``; a size-1 axis stretches in broadcasting, so ``W @ X + expand_dims(b, 1)`` adds
    ``b`` to every column (``b[:, None]`` is the same).

    >>> b, c = vector("b", 3), scalar("c")
    >>> expand_dims(b, 1).shape, expand_dims(b, 0).shape, expand_dims(b, (0, -1)).shape, expand_dims(c, 0).shape
    ((3, 1), (1, 3), (1, 3, 1), (1,))
    >>> (matrix("A", 3, 4) + expand_dims(b, 1)).shape
    (3, 4)
    """
    x = as_operand(x)
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    rank = (x.rank if isinstance(x, TensorExpr) else 0) + len(axes)
    positions = []
    for a in axes:
        if not isinstance(a, int) or isinstance(a, bool) or not -rank <= a < rank:
            raise ShapeError(f"expand_dims of {_label(x)}: axis {a!r} is not an integer in [{-rank}, {rank})")
        positions.append(a % rank)
    if len(set(positions)) != len(positions):
        raise ShapeError(f"expand_dims of {_label(x)}: repeated axis in {axes}")
    if not isinstance(x, TensorExpr):
        return broadcast_to(x, (1,) * rank)
    output = LETTERS[:rank]
    letters = "".join(c for k, c in enumerate(output) if k not in positions)
    return EinsteinProduct(1, letters + "->" + output, [1] * len(positions), x)


def index(x, key) -> TensorExpr:
    """``x[key]`` for keys made of ``:`` (keep an axis), ``None`` (a new axis of size 1) and one ``...``:
    NumPy's spelling of broadcasting, as in ``W @ X + b[:, None]``.

    >>> b = vector("b", 3)
    >>> b[:, None].shape, b[None].shape, matrix("A", 2, 3)[..., None].shape
    ((3, 1), (1, 3), (2, 3, 1))
    >>> b[0]
    Traceback (most recent call last):
    ...
    sympy_einstein.errors.ShapeError: b[0]: a tensor expression takes ':' (keep an axis), None (a new axis) ...
    """
    x = as_operand(x)
    items = key if isinstance(key, tuple) else (key,)
    for item in items:
        if not (item is None or item is Ellipsis or item == slice(None)):
            raise ShapeError(f"{_label(x)}[{item!r}]: a tensor expression takes ':' (keep an axis), None (a new "
                             f"axis) and '...' as indices, not {item!r}; to read entries, evaluate it first")
    kept = builtins.sum(item == slice(None) for item in items if item is not None and item is not Ellipsis)
    rank = x.rank if isinstance(x, TensorExpr) else 0
    if items.count(Ellipsis) > 1 or kept > rank:
        raise ShapeError(f"{_label(x)}[...]: an expression of order {rank} takes {rank} ':' and one '...' at most, "
                         f"not {len(items)} indices")
    rest = [slice(None)] * (rank - kept)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items = items[:at] + tuple(rest) + items[at + 1:]
    else:
        items = items + tuple(rest)
    return expand_dims(x, tuple(k for k, item in enumerate(items) if item is None))


def transpose(x, axes=None) -> TensorExpr:
    """Permute axes as ``numpy.transpose`` (reverse them by default).

    >>> transpose(tensor("T", (2, 3, 4)), (1, 2, 0)).shape
    (3, 4, 2)
    """
    x = as_operand(x)
    if _is_scalar(x):
        return x
    axes = tuple(reversed(range(x.rank))) if axes is None else tuple(_axis(a, x.rank, x) for a in axes)
    if sorted(axes) != list(range(x.rank)):
        raise ShapeError(f"transpose: axes {axes} are not a permutation of the {x.rank} axes of {_label(x)}")
    letters = LETTERS[:x.rank]
    return EinsteinProduct(1, letters + "->" + "".join(letters[a] for a in axes), (), x)


def sum(x, axis=None) -> TensorExpr:  # noqa: A001 -- numpy's name
    """Sum over all entries, or over ``axis`` (an int or a tuple of ints), as ``numpy.sum``.

    >>> sum(matrix("A", 2, 3)).shape, sum(matrix("A", 2, 3), axis=0).shape
    ((), (3,))
    """
    x = as_operand(x)
    if _is_scalar(x):
        return x
    if axis is None:
        axes = set(range(x.rank))
    else:
        axes = {_axis(a, x.rank, x) for a in (axis if isinstance(axis, (tuple, list)) else (axis,))}
    letters = LETTERS[:x.rank]
    return EinsteinProduct(1, letters + "->" + "".join(c for k, c in enumerate(letters) if k not in axes), (), x)


def trace(x, axis1: int = 0, axis2: int = 1) -> TensorExpr:
    """The sum of the diagonal over two axes of equal size, as ``numpy.trace``.

    >>> trace(matrix("A", 3, 3)).shape
    ()
    """
    x = as_operand(x)
    if _is_scalar(x) or x.rank < 2:
        raise ShapeError(f"trace needs an operand of order 2 or more, not {_label(x)}")
    a1, a2 = _axis(axis1, x.rank, x), _axis(axis2, x.rank, x)
    if a1 == a2 or x.shape[a1] != x.shape[a2]:
        raise ShapeError(f"trace: axes {a1} and {a2} of {_label(x)} (shape {format_shape(x.shape)}) "
                         "must be two different axes of one size")
    letters = list(LETTERS[:x.rank])
    letters[a2] = letters[a1]
    rest = "".join(c for k, c in enumerate(letters) if k not in (a1, a2))
    return EinsteinProduct(1, "".join(letters) + "->" + rest, (), x)


def diag(x) -> TensorExpr:
    """A vector to its diagonal matrix, a square matrix to its diagonal, as ``numpy.diag``.

    >>> diag(vector("v", 3)).spec, diag(matrix("A", 3, 3)).spec
    ('a->aa', 'aa->a')
    """
    x = as_operand(x)
    if isinstance(x, TensorExpr) and x.rank == 1:
        return EinsteinProduct(1, "a->aa", (), x)
    if isinstance(x, TensorExpr) and x.rank == 2 and x.shape[0] == x.shape[1]:
        return EinsteinProduct(1, "aa->a", (), x)
    shape = format_shape(x.shape) if isinstance(x, TensorExpr) else "()"
    raise ShapeError(f"diag needs a vector or a square matrix, not {_label(x)} of shape {shape}")


def outer(a, b) -> TensorExpr:
    """The tensor product: ``outer(A, B)[i.., j..] = A[i..] * B[j..]`` for any orders.

    >>> outer(vector("x", 2), matrix("B", 3, 4)).shape
    (2, 3, 4)
    """
    a, b = as_operand(a), as_operand(b)
    if _is_scalar(a) or _is_scalar(b):
        return multiply(a, b)
    la, lb = LETTERS[:a.rank], LETTERS[a.rank:a.rank + b.rank]
    return EinsteinProduct(1, f"{la},{lb}->{la}{lb}", (), a, b)


# ---------------------------------------------------------------------------------------------
# elementwise functions


def _as_lambda(f, arity: int) -> sp.Lambda:
    """A SymPy ``Lambda`` of ``arity`` real variables from a Lambda, a SymPy function or a callable."""
    variables = canonical_variables(arity)
    if isinstance(f, sp.Lambda):
        if len(f.variables) != arity:
            raise ShapeError(f"the function {f} takes {len(f.variables)} argument(s), not {arity}")
        return sp.Lambda(variables, f.expr.xreplace(dict(zip(f.variables, variables))))
    if not callable(f):
        raise ShapeError(f"{f!r} is not a function")
    try:
        body = sp.sympify(f(*variables))
    except Exception as error:  # a user callable may raise anything: report it as ours
        raise ShapeError(f"cannot apply {f!r} to SymPy symbols: {error}") from error
    if body.has(TensorExpr):
        raise ShapeError(f"the function {f!r} must return a scalar expression")
    return sp.Lambda(variables, body)


def elementwise(f, *operands) -> TensorExpr:
    """Apply ``f`` entry by entry; ``f`` a SymPy function, a ``Lambda`` or a Python callable of SymPy
    scalars, with one argument per operand (operands broadcast together).

    >>> import sympy as sp
    >>> e = elementwise(sp.exp, vector("x", 3))
    >>> e.shape, e.function.expr.func
    ((3,), exp)
    >>> elementwise(lambda s, t: s * sp.sin(t), vector("x", 3), 2).shape
    (3,)
    """
    operands = [as_operand(x) for x in operands]
    function = _as_lambda(f, len(operands))
    if builtins.all(_is_scalar(x) for x in operands):
        what = lambda: _unevaluated(function, operands)  # noqa: E731
        return _finite(_bounded(lambda: function(*operands), what), what)
    tensors = [x for x in operands if isinstance(x, TensorExpr)]
    if len(tensors) < len(operands):
        constants = {v: x for v, x in zip(function.variables, operands) if _is_scalar(x)}
        kept = [v for v, x in zip(function.variables, operands) if not _is_scalar(x)]
        renaming = dict(zip(kept, canonical_variables(len(kept))))
        function = sp.Lambda(tuple(renaming.values()), function.expr.xreplace(constants).xreplace(renaming))
    _finite(function.expr, lambda: f"the function {function}")
    _, tensors = _broadcast_all(tensors)
    return Elementwise(function, *tensors)


def _unevaluated(function: sp.Lambda, operands) -> str:
    with sp.evaluate(False):
        return str(function.expr.xreplace(dict(zip(function.variables, operands))))


def _unary(sympy_function, name: str, doc: str):
    def apply(x):
        return elementwise(sympy_function, x)
    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = doc
    return apply


exp = _unary(sp.exp, "exp", "Entrywise exponential.\n\n>>> exp(vector('x', 3)).shape\n(3,)\n")
log = _unary(sp.log, "log", "Entrywise natural logarithm.\n\n>>> log(vector('x', 3)).shape\n(3,)\n")
log1p = _unary(_log1p, "log1p", "Entrywise ``log(1 + x)``.\n\n>>> log1p(vector('x', 3)).shape\n(3,)\n")
sin = _unary(sp.sin, "sin", "Entrywise sine.\n\n>>> sin(vector('x', 3)).shape\n(3,)\n")
cos = _unary(sp.cos, "cos", "Entrywise cosine.\n\n>>> cos(vector('x', 3)).shape\n(3,)\n")
tan = _unary(sp.tan, "tan", "Entrywise tangent.\n\n>>> tan(vector('x', 3)).shape\n(3,)\n")
tanh = _unary(sp.tanh, "tanh", "Entrywise hyperbolic tangent.\n\n>>> tanh(vector('x', 3)).shape\n(3,)\n")
sqrt = _unary(sp.sqrt, "sqrt", "Entrywise square root.\n\n>>> sqrt(vector('x', 3)).shape\n(3,)\n")
abs = _unary(sp.Abs, "abs", "Entrywise absolute value.\n\n>>> abs(vector('x', 3)).shape\n(3,)\n")  # noqa: A001
sign = _unary(sp.sign, "sign", "Entrywise sign (-1, 0 or 1).\n\n>>> sign(vector('x', 3)).shape\n(3,)\n")
sigmoid = _unary(_sigmoid, "sigmoid", "Entrywise logistic function.\n\n>>> sigmoid(vector('x', 3)).shape\n(3,)\n")
relu = _unary(_relu, "relu", "Entrywise ``max(x, 0)``.\n\n>>> relu(vector('x', 3)).shape\n(3,)\n")
softplus = _unary(_softplus, "softplus",
                  "Entrywise ``log(1 + exp(x))``.\n\n>>> softplus(vector('x', 3)).shape\n(3,)\n")

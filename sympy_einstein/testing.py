"""Helpers for testing tensor expressions: random bindings, finite differences, invariant checks.

Shipped with the package so that users can check their own expressions the way our tests do.

>>> import numpy as np, sympy as sp, sympy_einstein as se
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> x = se.vector("x", n)
>>> bindings = random_bindings(x)
>>> bindings[n], bindings[x].shape
(2, (2,))
>>> np.allclose(numeric_derivative(se.sum(x * x), x, bindings), 2 * bindings[x])
True
"""
from __future__ import annotations

import pickle

import numpy as np
import sympy as sp

from .evaluation import distinct_subexpressions, evaluate
from .ir.linalg import SymmetricMatrix
from .ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor

__all__ = ["dot_product_test", "numeric_derivative", "random_bindings", "validate"]


def _by_name(symbols):
    return sorted(symbols, key=lambda s: (str(s), sp.default_sort_key(s)))


def _all_nodes(items) -> list[sp.Basic]:
    return list(dict.fromkeys(node for item in items for node in distinct_subexpressions(item)))


def _tensor_symbols(items) -> list[TensorSymbol]:
    return _by_name({node for node in _all_nodes(items) if isinstance(node, TensorSymbol)})


def _size_symbols(items) -> list[sp.Symbol]:
    """Symbols in shapes, and any other positive integer symbol (say in a coefficient ``1/n``)."""
    found = set()
    for node in _all_nodes(items):
        if isinstance(node, TensorExpr):
            for size in node.shape:
                found |= sp.sympify(size).free_symbols
        elif isinstance(node, sp.Symbol) and node.is_integer and node.is_positive:
            found.add(node)
    return _by_name(found)


def _scalar_symbols(items, sizes) -> list[sp.Symbol]:
    bound = set()  # variables of Lambdas are not free
    for node in _all_nodes(items):
        if isinstance(node, sp.Lambda):
            bound |= set(node.variables)
    found = {node for node in _all_nodes(items) if isinstance(node, sp.Symbol)}
    return _by_name(found - set(sizes) - bound)


def random_bindings(expr_or_symbols, sizes=None, seed=0, positive=False) -> dict:
    """Random float64 arrays for every tensor symbol in an expression (or a list of symbols or expressions).

    The k-th size symbol (by name) gets size ``2 + k`` so that different sizes differ; ``sizes``
    overrides them (``{n: 5}``). Scalar symbols get random numbers too. Entries are standard normal,
    or uniform in ``[0.5, 2]`` with ``positive=True`` (for ``log`` and ``sqrt``).

    >>> import sympy as sp, sympy_einstein as se
    >>> n, m = sp.symbols("n m", integer=True, positive=True)
    >>> A = se.matrix("A", m, n)
    >>> b = random_bindings(A, sizes={n: 5}, positive=True)
    >>> b[m], b[n], b[A].shape, bool((b[A] >= 0.5).all())
    (2, 5, (2, 5), True)
    """
    items = [expr_or_symbols] if isinstance(expr_or_symbols, sp.Basic) else list(expr_or_symbols)
    items = [sp.sympify(item) for item in items]
    rng = np.random.default_rng(seed)
    size_symbols = _size_symbols(items)
    bindings = {s: 2 + k for k, s in enumerate(size_symbols)}
    bindings.update({sp.sympify(s): int(v) for s, v in (sizes or {}).items()})
    values = {s: sp.Integer(v) for s, v in bindings.items()}

    def draw(shape):
        return rng.uniform(0.5, 2.0, size=shape) if positive else rng.standard_normal(shape)

    for symbol in _tensor_symbols(items):
        bindings[symbol] = draw(tuple(int(sp.sympify(s).xreplace(values)) for s in symbol.shape))
        if isinstance(symbol, SymmetricMatrix):
            bindings[symbol] = (bindings[symbol] + bindings[symbol].T) / 2
    for symbol in _scalar_symbols(items, size_symbols):
        bindings[symbol] = float(draw(()))
    return bindings


def numeric_derivative(expr, wrt: TensorSymbol, bindings: dict, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of ``evaluate(expr)`` with respect to every entry of ``wrt``.

    The result has shape ``expr.shape + wrt.shape`` (the layout of ``jax.jacobian``). For a symmetric
    matrix ``wrt`` the entry ``(i, j)`` is the derivative along ``(E_ij + E_ji) / 2`` (the data stay
    symmetric), which is the convention of derivatives by symmetric matrices.

    >>> import numpy as np, sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> b = random_bindings([A, x])
    >>> np.allclose(numeric_derivative(A @ x, x, b), b[A])
    True
    """
    point = np.asarray(bindings[wrt], dtype=float)
    out_shape = np.shape(evaluate(expr, bindings))
    columns = [_directional(expr, wrt, bindings, _unit(wrt, unit.reshape(point.shape)), eps)
               for unit in np.eye(point.size)]
    if not columns:
        return np.zeros(out_shape + point.shape)
    return np.stack(columns, axis=-1).reshape(out_shape + point.shape)


def _unit(wrt, direction: np.ndarray) -> np.ndarray:
    """A direction in the space of ``wrt``: symmetrized for a symmetric matrix, so that the entry
    ``(i, j)`` of a derivative by it is the derivative along ``(E_ij + E_ji) / 2``."""
    return (direction + direction.T) / 2 if isinstance(wrt, SymmetricMatrix) else direction


def _directional(expr, wrt, bindings, direction, eps) -> np.ndarray:
    """``(f(x + eps d) - f(x - eps d)) / (2 eps)``: the derivative of ``expr`` along ``d`` at ``x``."""
    point = np.asarray(bindings[wrt], dtype=float)
    plus = np.asarray(evaluate(expr, {**bindings, wrt: point + eps * direction}))
    minus = np.asarray(evaluate(expr, {**bindings, wrt: point - eps * direction}))
    return (plus - minus) / (2 * eps)


def dot_product_test(expr, wrt: TensorSymbol, derivative, bindings: dict, seed: int = 0, eps: float = 1e-6,
                     rtol: float = 1e-5, atol: float = 1e-7) -> tuple[float, float]:
    """Check a derivative ``D`` (shape ``expr.shape + wrt.shape``) without forming a numeric Jacobian.

    With random ``u`` (shape of ``expr``) and ``v`` (shape of ``wrt``) it compares
    ``<u, D v>`` (contract ``D`` with ``v`` over the ``wrt`` axes and with ``u`` over the output axes)
    with ``<u, (f(x + eps v) - f(x - eps v)) / (2 eps)>``, the directional derivative by central
    differences. This one number tests every entry of a reverse-mode result at once (it is the
    "dot-product test" of adjoint codes). ``derivative`` is an expression or an array. Returns the two
    numbers; raises ``AssertionError`` when they differ.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> b = random_bindings([A, x])
    >>> lhs, rhs = dot_product_test(A @ x, x, A, b)
    >>> abs(lhs - rhs) < 1e-6
    True
    """
    values = np.asarray(evaluate(derivative, bindings) if isinstance(derivative, sp.Basic) else derivative)
    point = np.asarray(bindings[wrt], dtype=float)
    out_shape = np.shape(evaluate(expr, bindings))
    if values.shape != out_shape + point.shape:
        raise AssertionError(f"the derivative has shape {values.shape}, expected {out_shape + point.shape} "
                             f"(shape of the expression + shape of {wrt})")
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(out_shape), _unit(wrt, rng.standard_normal(point.shape))
    jvp = values.reshape(int(np.prod(out_shape)), point.size) @ v.reshape(-1)
    lhs = float(u.reshape(-1) @ jvp)
    rhs = float(np.sum(u * _directional(expr, wrt, bindings, v, eps)))
    if not np.isclose(lhs, rhs, rtol=rtol, atol=atol):
        raise AssertionError(f"dot-product test failed for d/d{wrt}: <u, D v> = {lhs!r} but the finite "
                             f"difference gives {rhs!r}")
    return lhs, rhs


# ---------------------------------------------------------------------------------------------
# invariants


def validate(expr) -> None:
    """Check the IR invariants of every node: rebuild from args, stable hash, pickle, shapes.

    For each node: ``node.func(*node.args) == node`` with the same hash, a pickle round trip gives an
    equal node, and the shape agrees with the children (sums and elementwise operands share one shape;
    a product's output sizes come from its operands' axes). Raises ``AssertionError`` naming the node.

    >>> import sympy_einstein as se
    >>> validate(se.matrix("A", 2, 3) @ se.vector("x", 3) + 1)
    """
    for node in distinct_subexpressions(expr):
        if isinstance(node, TensorExpr):
            _check_node(node)


def _check_node(node: TensorExpr) -> None:
    name = type(node).__name__
    rebuilt = node.func(*node.args)
    _require(rebuilt == node and hash(rebuilt) == hash(node), node, f"{name}.func(*args) differs from it")
    _require(hash(node) == hash(node.func(*node.args)), node, "its hash is not stable")
    try:
        unpickled = pickle.loads(pickle.dumps(node))
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        raise AssertionError(f"invariant broken for {name}: it cannot be pickled ({error})") from error
    _require(unpickled == node, node, "a pickle round trip changes it")
    _require(isinstance(node.shape, tuple) and node.rank == len(node.shape), node, "shape/rank disagree")
    for cls in type(node).__mro__:  # subclasses keep their base class's invariants
        if cls in _SHAPE_CHECKS:
            _SHAPE_CHECKS[cls](node)
            break


def _require(condition: bool, node, message: str) -> None:
    if not condition:
        raise AssertionError(f"invariant broken for {type(node).__name__} {sp.srepr(node)[:200]}: {message}")


def _check_product(node: EinsteinProduct) -> None:
    _require(len(node.inputs) == len(node.operands), node, "one index string per operand")
    sizes = {}
    for letters, operand in zip(node.inputs, node.operands, strict=True):
        _require(len(letters) == operand.rank, node, f"index string '{letters}' does not fit {operand.shape}")
        for letter, size in zip(letters, operand.shape, strict=True):
            _require(sizes.setdefault(letter, size) == size, node, f"index '{letter}' has two sizes")
    _require(not node.coefficient.has(TensorExpr), node, "the coefficient contains a tensor")
    _require(node.shape == tuple(node.index_sizes[c] for c in node.output), node, "shape != output sizes")
    for letter, size in sizes.items():
        _require(node.index_sizes[letter] == size, node, f"index_sizes['{letter}'] disagrees with the operands")


def _check_terms(node) -> None:
    children = node.args if isinstance(node, TensorAdd) else node.operands
    for child in children:
        _require(child.shape == node.shape, node, f"child of shape {child.shape} in a node of shape {node.shape}")


def _check_elementwise(node: Elementwise) -> None:
    _check_terms(node)
    _require(len(node.function.variables) == len(node.operands), node, "arity of the function != operand count")


def _check_symbol(node) -> None:
    _require(all(s.is_integer and s.is_positive for s in node.shape), node, "a size is not a positive integer")


_SHAPE_CHECKS = {
    EinsteinProduct: _check_product,
    TensorAdd: _check_terms,
    Elementwise: _check_elementwise,
    TensorSymbol: _check_symbol,
    ZeroTensor: _check_symbol,
}

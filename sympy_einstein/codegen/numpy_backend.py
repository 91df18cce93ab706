"""Printing a :class:`~sympy_einstein.codegen.program.Program` as plain NumPy code.

One line per distinct node: ``numpy.einsum`` with a contraction path precomputed by opt_einsum (from
representative sizes), vectorized NumPy for elementwise bodies, ``+`` for sums. Diagonal writes and
broadcast output letters go through the ``_embed`` helper. Needs no Numba: this backend is the
reference the compiled one is tested against.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> X, w = se.matrix("X", 4, 3), se.vector("w", 3)
>>> print(kernel_source(build_program([X, w], se.exp(X @ w)), "f").rstrip())
def f_kernel(X, w):
    dtype = X.dtype
    t0 = np.einsum('ab,b->a', X, w, optimize=['einsum_path', (0, 1)])
    t1 = numpy.exp(t0)
    return t1
"""
from __future__ import annotations

from ..ir.indices import unique
from ..ir.nodes import EinsteinProduct, Elementwise, TensorAdd, ZeroTensor
from .numba_backend import _dtype, _returns, _shape
from .plan import einsum_path, representative_sizes
from .scalars import print_array


def kernel_source(program, name: str, cache: bool = True, parallel: bool = False, hints=None) -> str:
    """The source of ``<name>_kernel`` (``cache`` and ``parallel`` concern Numba only)."""
    names = {s: program.names[s] for s in program.args + program.sizes}
    values = {a: program.names[a] for a in program.tensor_args}
    lines = []
    for node in program.nodes:
        if node in values:
            continue
        values[node] = f"t{len(lines)}"
        lines.append(f"    {values[node]} = {_expression(node, values, names, hints)}")
    params = [program.names[a] for a in program.args] + [program.names[s] for s in program.sizes]
    header = [f"def {name}_kernel({', '.join(params)}):", f"    dtype = {_dtype(program)}"]
    outputs = [values[out] for out in program.outputs]
    return "\n".join(header + lines + ["    return " + _returns(program, outputs)]) + "\n"


def _expression(node, values, names, hints) -> str:
    if isinstance(node, ZeroTensor):
        return f"np.zeros({_shape_text(node.shape, names)}, dtype)" if node.rank else "0.0"
    if isinstance(node, TensorAdd):
        return " + ".join(values[t] for t in node.terms)
    if isinstance(node, Elementwise):
        operands = {v: values[op] for v, op in zip(node.function.variables, node.operands, strict=False)}
        body = print_array(node.function.expr, {**names, **operands})
        if node.function.expr.free_symbols & set(node.function.variables):
            return body
        return f"np.full({_shape_text(node.shape, names)}, {body}, dtype)" if node.rank else body
    if isinstance(node, EinsteinProduct):
        return _product(node, values, names, hints)
    raise TypeError(f"no NumPy printing rule for {type(node).__name__}")  # Program rejects these earlier


def _shape_text(shape, names) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"[:len(shape)]
    return _shape(letters, dict(zip(letters, shape, strict=False)), names)


def _product(node: EinsteinProduct, values, names, hints) -> str:
    """``np.einsum`` over the array operands; order-0 operands multiply the coefficient."""
    pairs = [(s, op) for s, op in zip(node.inputs, node.operands, strict=False) if op.rank]
    factors = [values[op] for op in node.operands if not op.rank]
    inputs = [s for s, _ in pairs]
    core = "".join(c for c in unique(node.output) if c in "".join(inputs))
    if node.coefficient != 1:
        factors.insert(0, print_array(node.coefficient, names))
    if not pairs:
        text = " * ".join(factors) or "1.0"
    else:
        path = ""
        if len(pairs) > 1:
            sizes = representative_sizes(node.index_sizes, hints)
            path = f", optimize={['einsum_path'] + einsum_path(inputs, core, sizes)}"
        operands = ", ".join(values[op] for _, op in pairs)
        text = f"np.einsum('{','.join(inputs)}->{core}', {operands}{path})"
        text = " * ".join(factors + [text])
    if core == node.output:
        return text
    return f"_embed({text}, '{core}', '{node.output}', {_shape(node.output, node.index_sizes, names)}, dtype)"

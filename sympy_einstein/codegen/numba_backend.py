"""Printing kernel operations (:mod:`~sympy_einstein.codegen.loops`) as a ``@numba.njit`` function.

Loops become explicit ``for`` nests (``prange`` over the first output index only with
``parallel=True`` and a big loop), matrix products become ``@`` on 2-D views, which Numba sends to
BLAS; a symmetric ``X^T diag(s) X`` is computed one triangle at a time by blocks (below).

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> X, s = se.matrix("X", 4, 3), se.vector("s", 4)
>>> print(kernel_source(build_program([X, s], se.einsum("ij,i,ik->jk", X, s, X)), "hessian"))
@numba.njit(cache=True)
def hessian_kernel(X, s):
    dtype = X.dtype
    # einsum('ij,i,ik->jk', X, s, X) (symmetric: upper triangle by blocks, mirrored)
    t0 = np.zeros((3, 3), dtype)
    for r0 in range(0, 4, 256):
        r1 = min(r0 + 256, 4)
        t0_xt = np.ascontiguousarray(X[r0:r1].T)
        t0_wt = np.empty_like(t0_xt)
        for i_q in range(3):
            for i_r in range(r1 - r0):
                t0_wt[i_q, i_r] = t0_xt[i_q, i_r] * s[r0 + i_r]
        for j0 in range(0, 3, 256):
            j1 = min(j0 + 256, 3)
            t0[:j1, j0:j1] += t0_xt[:j1] @ t0_wt[j0:j1].T
    for i_p in range(3):
        for i_q in range(i_p):
            t0[i_p, i_q] = t0[i_q, i_p]
    return t0
<BLANKLINE>
"""
from __future__ import annotations

import math

import sympy as sp

from ..ir.indices import unique
from .loops import Blas, Gram, Loop, Scale, Sliced, lower
from .pairgram import BlockGram
from .plan import representative_sizes
from .scalars import print_scalar
from .tiles import TILE, tiled_lines, transposed_read
from .vectorize import vectorize

PARALLEL_WORK = 200_000


def kernel_source(program, name: str, cache: bool = True, parallel: bool = False, hints=None) -> str:
    """The source of ``<name>_kernel``, taking the arguments then the size symbols.

    Arrays written only on a diagonal (the rest zero) are allocated outside the compiled code with
    ``numpy.zeros``, whose pages the operating system zeroes lazily: ``<name>_kernel`` is then a plain
    Python function allocating them and calling the compiled ``<name>_core``.
    """
    ops, outputs = lower(program, hints)
    names = {s: program.names[s] for s in program.args + program.sizes}
    params = [program.names[a] for a in program.args] + [program.names[s] for s in program.sizes]
    buffers = _zero_buffers(ops, names)
    lines, uses_prange, arrays = [], False, {}
    for op in ops:
        text, threaded = _print_op(op, names, parallel, hints, buffers, arrays)
        lines += text
        uses_prange |= threaded
    flags = "cache=True" if cache else "cache=False"
    if uses_prange:
        flags += ", parallel=True"
    compiled = f"{name}_core" if buffers else f"{name}_kernel"
    header = [f"@numba.njit({flags})", f"def {compiled}({', '.join(params + list(buffers))}):",
              f"    dtype = {_dtype(program)}"]
    body = ["    " + line for line in lines]
    text = "\n".join(header + body + ["    return " + _returns(program, outputs)]) + "\n"
    return text + (_allocating_caller(program, name, params, buffers) if buffers else "")


def _zero_buffers(ops, names) -> dict:
    """``{target: shape text}`` of the loops that write a diagonal into zeros."""
    return {op.target: _shape(op.out, op.sizes, names) for op in ops
            if isinstance(op, Loop) and len(unique(op.out)) < len(op.out)}


def _allocating_caller(program, name, params, buffers) -> str:
    allocations = [f"numpy.zeros({shape}, dtype)" for shape in buffers.values()]
    return (f"\n\ndef {name}_kernel({', '.join(params)}):\n"
            f'    """Allocate the zero-filled arrays (lazily zeroed pages), then run {name}_core."""\n'
            f"    dtype = {_dtype(program).replace('np.', 'numpy.')}\n"
            f"    return {name}_core({', '.join(params + allocations)})\n")


def _dtype(program) -> str:
    arrays = [a for a in program.tensor_args if a.rank]
    return f"{program.names[arrays[0]]}.dtype" if arrays else "np.float64"


def _returns(program, outputs) -> str:
    texts, seen = [], set()
    for node, name in zip(program.outputs, outputs, strict=False):
        fresh = name.startswith("t") and name[1:].isdigit() and name not in seen
        texts.append(name if fresh or node.rank == 0 else f"{name}.copy()")
        seen.add(name)
    return texts[0] if program.single else "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"


def _print_op(op, names, parallel, hints, buffers, arrays) -> tuple[list, bool]:
    if isinstance(op, Loop):
        return _print_loop(op, names, parallel, hints, op.target in buffers, arrays)
    if isinstance(op, Blas):
        return _print_blas(op, names), False
    if isinstance(op, Sliced):
        return _print_sliced(op, names, hints, arrays), False
    if isinstance(op, Gram):
        return _print_gram(op, names), False
    if isinstance(op, BlockGram):
        return _print_block_gram(op, names), False
    return _print_scale(op, names), False


ROW_BLOCK, COLUMN_BLOCK = 256, 256


def _print_gram(op: Gram, names) -> list:
    """Upper triangle of ``X^T diag(w) X`` block by block: for each block of rows, copies of
    ``X[rows].T`` and ``(w X)[rows].T`` (small, contiguous) and one GEMM per column block for the
    rows above the diagonal; then the lower triangle is mirrored. Half the flops of ``X.T @ (w X)``
    and no temporary of the size of ``X``."""
    t, x, n, m = op.target, op.x, _size(op.sizes[op.out[0]], names), _size(op.sizes[op.summed], names)
    xt, wt = f"{t}_xt", f"{t}_wt"
    weight = "".join(f" * {w}[r0 + i_r]" for w in op.weights)
    return ([f"# {op.comment}"] if op.comment else []) + [
        f"{t} = np.zeros(({n}, {n}), dtype)",
        f"for r0 in range(0, {m}, {ROW_BLOCK}):",
        f"    r1 = min(r0 + {ROW_BLOCK}, {m})",
        f"    {xt} = np.ascontiguousarray({x}[r0:r1].T)",
        f"    {wt} = np.empty_like({xt})",
        f"    for i_q in range({n}):",
        "        for i_r in range(r1 - r0):",
        f"            {wt}[i_q, i_r] = {xt}[i_q, i_r]{weight}",
        f"    for j0 in range(0, {n}, {COLUMN_BLOCK}):",
        f"        j1 = min(j0 + {COLUMN_BLOCK}, {n})",
        f"        {t}[:j1, j0:j1] += {xt}[:j1] @ {wt}[j0:j1].T",
        f"for i_p in range({n}):",
        "    for i_q in range(i_p):",
        f"        {t}[i_p, i_q] = {t}[i_q, i_p]",
    ]


def _print_block_gram(op: BlockGram, names) -> list:
    """``x x^T`` for ``x`` viewed as ``rows x inner``: the upper triangle by about eight column blocks
    (each one GEMM over the whole inner size), the lower one mirrored by tiles, then reshaped."""
    t, x, half = op.target, op.x, op.out[:len(op.out) // 2]
    rows = _size(sp.Mul(*(op.sizes[c] for c in half)), names)
    inner = _size(sp.Mul(*(op.sizes[c] for c in op.summed)), names)
    return ([f"# {op.comment}"] if op.comment else []) + [
        f"{t}_x = {x}.reshape(({rows}, {inner}))",
        f"{t}_g = np.empty(({rows}, {rows}), dtype)",
        f"{t}_b = max({COLUMN_BLOCK}, ({rows} + 7) // 8)",
        f"for j0 in range(0, {rows}, {t}_b):",
        f"    j1 = min(j0 + {t}_b, {rows})",
        f"    {t}_g[:j1, j0:j1] = {t}_x[:j1] @ {t}_x[j0:j1].T",
        f"for i_p0 in range(0, {rows}, {TILE}):",
        f"    for i_q0 in range(0, i_p0 + 1, {TILE}):",
        f"        for i_p in range(i_p0, min(i_p0 + {TILE}, {rows})):",
        f"            for i_q in range(i_q0, min(i_q0 + {TILE}, i_p)):",
        f"                {t}_g[i_p, i_q] = {t}_g[i_q, i_p]",
        f"{t} = {t}_g.reshape({_shape(op.out, op.sizes, names)})",
    ]


def _print_sliced(op: Sliced, names, hints, arrays) -> list:
    variable = f"i_{op.out[0]}"
    lines = [f"# {op.comment}"] if op.comment else []
    lines += [f"{op.target} = np.empty({_shape(op.out, op.sizes, names)}, dtype)",
              f"for {variable} in range({_size(op.sizes[op.out[0]], names)}):",
              f"    {op.view} = {op.array}[{variable}]"]
    known = dict(arrays)  # arrays computed inside the loop are not reused after it
    for inner in op.ops:
        lines += ["    " + line for line in _print_op(inner, names, False, hints, {}, known)[0]]
    return lines + [f"    {op.target}[{variable}] = {op.inner}"]


def _size(size, names) -> str:
    return print_scalar(sp.sympify(size), names)


def _shape(letters: str, sizes: dict, names) -> str:
    texts = [_size(sizes[c], names) for c in letters]
    return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"


def _print_loop(op: Loop, names, parallel, hints, preallocated=False, arrays=None) -> tuple[list, bool]:
    """``arrays``: the NumPy-computed arrays of the kernel so far (see :func:`vectorize`)."""
    distinct = unique(op.out)
    variables = {c: f"i_{c}" for c in distinct + op.summed}
    reads = {symbol: _indexed(array, letters, variables) for symbol, (array, letters) in op.reads.items()}
    lines = [f"# {op.comment}"] if op.comment else []
    body = op.body
    if arrays is not None and op.out and not op.summed and distinct == op.out:
        body, computed, blocks = vectorize(body, op.reads, op.out, arrays)
        lines += [line for block in blocks for line in block.lines]
        reads.update({symbol: _indexed(array, op.out, variables) for symbol, array in computed.items()})
    common, body = _common_subexpressions(body, {**names, **reads})
    scale = "" if op.scale == 1 else print_scalar(op.scale, {**names, **reads}) + " * "
    if distinct and op.allocate and not preallocated:
        alloc = "np.zeros" if len(distinct) < len(op.out) else "np.empty"
        lines.append(f"{op.target} = {alloc}({_shape(op.out, op.sizes, names)}, dtype)")
    work = math.prod(representative_sizes(op.sizes, hints).values())
    threaded = bool(parallel and distinct and work >= PARALLEL_WORK)
    if transposed_read(op) and not threaded:
        sizes = tuple(_size(op.sizes[c], names) for c in op.out)
        return lines + tiled_lines(op, variables, sizes, common, scale + body), False
    depth = 0
    for k, c in enumerate(distinct):
        loop_range = "numba.prange" if threaded and k == 0 else "range"
        lines.append("    " * depth + f"for {variables[c]} in {loop_range}({_size(op.sizes[c], names)}):")
        depth += 1
    store = _indexed(op.target, op.out, variables)
    if not op.summed:
        lines += ["    " * depth + line for line in common]
        lines.append("    " * depth + f"{store} = {scale}{body}")
        return lines, threaded
    lines.append("    " * depth + "acc = 0.0")
    for k, c in enumerate(op.summed):
        lines.append("    " * (depth + k) + f"for {variables[c]} in range({_size(op.sizes[c], names)}):")
    lines += ["    " * (depth + len(op.summed)) + line for line in common]
    lines.append("    " * (depth + len(op.summed)) + f"acc += {body}")
    lines.append("    " * depth + f"{store} = {scale}acc")
    return lines, threaded


def _common_subexpressions(body, names) -> tuple[list, str]:
    """Assignments ``_c0 = ...`` of the subexpressions ``body`` repeats, and the remaining body.

    >>> x = sp.Symbol("x", real=True)
    >>> _common_subexpressions(sp.tanh(x) * (1 - sp.tanh(x) ** 2), {x: "t0[i_a]"})
    (['_c0 = math.tanh(t0[i_a])'], '_c0*(1 - _c0**2)')
    """
    replacements, (reduced,) = sp.cse(body, symbols=sp.numbered_symbols("_c", real=True))
    names = dict(names)
    lines = []
    for symbol, value in replacements:
        lines.append(f"{symbol.name} = {print_scalar(value, names)}")
        names[symbol] = symbol.name
    return lines, print_scalar(reduced, names)


def _indexed(array: str, letters: str, variables: dict) -> str:
    if not letters:
        return array
    return f"{array}[{', '.join(variables[c] for c in letters)}]"


def _matrix(array: str, letters: str, first: str, second: str, sizes: dict, names) -> str:
    """``array`` (indexed by ``letters``) viewed as a matrix ``[first, second]`` (a vector if one is empty)."""
    groups = [g for g in (first, second) if g]

    def grouped(text, order):
        if len(order) == len(letters):
            return text
        sizes_text = [_group_size(g, sizes, names) for g in order]
        return f"{text}.reshape(({', '.join(sizes_text)}{',' if len(order) == 1 else ''}))"

    if letters == first + second:
        return grouped(array, groups)
    if letters == second + first:
        return grouped(array, [second, first]) + ".T"
    permutation = ", ".join(str(letters.index(c)) for c in first + second)
    return grouped(f"np.ascontiguousarray({array}.transpose(({permutation})))", groups)


def _group_size(group: str, sizes: dict, names) -> str:
    return _size(sp.Mul(*(sp.sympify(sizes[c]) for c in group)), names)


def _print_blas(op: Blas, names) -> list:
    a = _matrix(op.a[0], op.a[1], op.rows, op.inner, op.sizes, names)
    b = _matrix(op.b[0], op.b[1], op.inner, op.cols, op.sizes, names)
    product = f"np.dot({a}, {b})" if not op.rows and not op.cols else f"{a} @ {b}"
    if len(op.rows) > 1 or len(op.cols) > 1:
        product = f"({product}).reshape({_shape(op.rows + op.cols, op.sizes, names)})"
    lines = [f"# {op.comment}"] if op.comment else []
    return lines + [f"{op.target} = {product}"]


def _print_scale(op: Scale, names) -> list:
    scale = print_scalar(op.scale, {**names, **{s: array for s, (array, _) in op.reads.items()}})
    if op.rank == 0:
        return [f"{op.target} = {scale} * {op.target}"]
    return [f"{op.target} *= {scale}"]

"""The Numba printer: a named kernel as one ``@numba.njit`` function.

Loops become explicit ``for`` nests (``numba.prange`` over the first letter when the layout pass set
``parallel``), matrix products calls of ``_mat_mat``, ``_mat_vec``, ``_vec_mat``, ``_vec_vec`` on 2-D
or 1-D views (NumPy's BLAS, :mod:`~sympy_einstein.codegen.numba_blas`), library calls a ``numba.objmode`` block
calling NumPy (elementwise ones: a loop when small, else a function of the module around the block),
Gram products one triangle by BLAS's SYRK (``_syrk_upper``, ``_gram_upper``). Arrays allocated ``lazy`` are made by
``np.zeros`` in a plain Python function around the compiled ``<name>_core``.

>>> import sympy as sp, sympy_einstein as se
>>> from sympy_einstein.codegen.program import build_program
>>> from sympy_einstein.codegen.lower import lower
>>> from sympy_einstein.codegen.passes import run
>>> x = se.vector("x", sp.Symbol("n", integer=True, positive=True))
>>> print(NumbaPrinter(run(lower(build_program([x], se.exp(x) * x)), "f")).doprint().rstrip())
@numba.njit(cache=_CACHE)
def _exp_f(x):
    'exp of a whole 1-D array by NumPy.'
    with numba.objmode(y="float64[::1]"):
        y = np.ascontiguousarray(np.exp(x), dtype=np.float64)
    return y
<BLANKLINE>
<BLANKLINE>
@numba.njit(cache=_CACHE)
def f(x, n):
    dtype = x.dtype
    result = np.empty((n,), dtype)
    # exp of a whole array
    if x.size <= 256:
        exp0 = np.empty(x.shape, np.float64)
        xf, tf = x.ravel(), exp0.ravel()
        for p in range(x.size):
            tf[p] = math.exp(xf[p])
    else:
        exp0 = _exp_f(x.ravel()).reshape(x.shape)
    # einsum('a,a->a', exp(x), x)
    for i_a in range(n):
        result[i_a] = x[i_a]*exp0[i_a]
    return result
"""
from __future__ import annotations

import sympy as sp

from ...ir.indices import unique
from ..calls import ELEMENTWISE, LIBRARY, call_text
from ..kernel import Allocate, Call, all_steps
from .base import KernelPrinter, indent, product_text, triangle_parts
from .scalar import print_scalar

TILE = 32
# An elementwise library call of at most SMALL_CALL entries runs as a loop of scalar functions, a larger one
# by NumPy (SIMD) in an objmode block, whose fixed cost is about 3 us (measured, 1 thread: exp / tanh of
# 200 entries 2.8 / 3.7 us by a loop, 4.4 / 4.1 us by NumPy in objmode; of 1000 entries 8.3 / 19 vs 4.7 / 6.4 us).
# The block sits in a small function of the module: Numba 0.68 miscompiles a kernel with an objmode block in
# a branch next to another objmode block ("Instruction does not dominate all uses").
SMALL_CALL = 256
SCALAR_FORMS = {key: function for function, key in ELEMENTWISE.items()}  # library key -> SymPy function
_ENTRY = sp.Dummy("entry", real=True)
# the matrix products of the kernels (sympy_einstein.codegen.numba_blas: NumPy's BLAS, one thread pool)
PRODUCTS = {"mat_mat": "_mat_mat", "mat_vec": "_mat_vec", "vec_mat": "_vec_mat", "vec_vec": "_vec_vec",
            "syrk_upper": "_syrk_upper", "gram_upper": "_gram_upper"}
MAT_MAT, SYRK, GRAM = PRODUCTS["mat_mat"], PRODUCTS["syrk_upper"], PRODUCTS["gram_upper"]


class NumbaPrinter(KernelPrinter):
    """``cache``: the text of the ``cache=`` flag (a module constant by default)."""

    def __init__(self, kernel, cache: str = "_CACHE"):
        super().__init__(kernel)
        self.cache = cache

    # the function ------------------------------------------------------------------------------
    def _print_Kernel(self, kernel) -> list:  # noqa: N802 -- printer method names
        lazy = [s.target for s in kernel.steps if isinstance(s, Allocate) and s.fill == "lazy"]
        params = [self.name(v) for v in kernel.parameters]
        compiled = self.names[("function", "core")] if lazy else kernel.function
        flags = f"cache={self.cache}"
        if any(getattr(s, "parallel", False) for s in all_steps(kernel.steps)):
            flags += ", parallel=True"
        lines = self.whole_array_functions(kernel)
        lines += [f"@numba.njit({flags})", f"def {compiled}({', '.join(params + [self.name(v) for v in lazy])}):"]
        lines += indent([f"{self.local('dtype')} = {self.dtype_text()}"] + self._print(kernel.steps))
        lines += indent([f"return {self.returns()}"])
        if lazy:
            lines += ["", "", f"def {kernel.function}({', '.join(params)}):",
                      '    """Allocate the zero-filled arrays (lazily zeroed pages), then run the compiled core."""']
            lines += indent([f"{self.local('dtype')} = {self.dtype_text()}"])
            zeros = [f"np.zeros({self.shape(v.shape)}, {self.local('dtype')})" for v in lazy]
            lines += indent([f"return {compiled}({', '.join(params + zeros)})"])
        return lines

    # steps -------------------------------------------------------------------------------------
    def _print_Allocate(self, step) -> list:  # noqa: N802
        if step.fill == "lazy":
            return []
        function = "np.zeros" if step.fill == "zeros" else "np.empty"
        return [f"{self.name(step.target)} = {function}({self.shape(step.target.shape)}, {self.local('dtype')})"]

    def _print_Contract(self, step) -> list:  # noqa: N802
        """The product by BLAS; a scale of a matrix-matrix or matrix-vector product is BLAS's ``alpha`` (no
        extra pass over the result), of a dot product a multiplication after it."""
        target = self.name(step.target)
        folded = step.scale is not None and bool(step.a.first or step.b.second)
        alpha = self.formula(step.scale, {})[1] if folded else None
        if folded and step.scale.expr.is_Number and not step.scale.lets:
            alpha = repr(float(step.scale.expr))  # a float literal: one compiled product for every constant
        lines = self.comment(step.note) + [f"{target} = {product_text(self, step, PRODUCTS, alpha)}"]
        return lines + ([] if folded else self.scale_lines(target, step.scale, step.target.value.rank))

    def _print_Call(self, step) -> list:  # noqa: N802
        """NumPy in a ``numba.objmode`` block; an elementwise function by a loop up to :data:`SMALL_CALL`
        entries, else by the module's whole-array function (:meth:`whole_array_functions`)."""
        target = self.name(step.target)
        if _small_call(step):
            return self.comment(step.note) + self.small_call(step, target)
        call = call_text(step.function, [self.name(a) for a in step.arguments], step.options)
        rank = step.target.rank
        kind = "float64" if not rank else "float64[" + ", ".join([":"] * (rank - 1) + ["::1"]) + "]"
        value = f"float({call})" if not rank else f"np.ascontiguousarray({call}, dtype=np.float64)"
        return self.comment(step.note) + [f'with numba.objmode({target}="{kind}"):', f"    {target} = {value}"]

    def small_call(self, step, target) -> list:
        argument, flat, entries, p = (self.name(step.arguments[0]), self.local("xf"), self.local("tf"),
                                      self.local("p"))
        entry = print_scalar(SCALAR_FORMS[step.function](_ENTRY), {_ENTRY: f"{flat}[{p}]"})
        loop = [f"{target} = np.empty({argument}.shape, np.float64)",
                f"{flat}, {entries} = {argument}.ravel(), {target}.ravel()",
                f"for {p} in range({argument}.size):",
                f"    {entries}[{p}] = {entry}"]
        whole = [f"{target} = {self.whole_array_name(step.function)}({argument}.ravel()).reshape({argument}.shape)"]
        size = sp.Mul(*step.target.shape)
        if size.is_Integer:  # known when printing
            return loop if size <= SMALL_CALL else whole
        return [f"if {argument}.size <= {SMALL_CALL}:", *indent(loop), "else:", *indent(whole)]

    def whole_array_name(self, function: str) -> str:
        """``_<function>_<kernel>``: unique in the module (a user's name never starts with ``_``)."""
        return f"_{function}_{self.kernel.function}"

    def whole_array_functions(self, kernel) -> list:
        """One compiled function per elementwise library function of the kernel: NumPy of a 1-D array in
        an objmode block."""
        lines = []
        used = {s.function for s in all_steps(kernel.steps) if _small_call(s)
                and not (sp.Mul(*s.target.shape).is_Integer and sp.Mul(*s.target.shape) <= SMALL_CALL)}
        for function in sorted(used):
            call = LIBRARY[function].numpy.format("x")
            lines += [f"@numba.njit(cache={self.cache})", f"def {self.whole_array_name(function)}(x):",
                      f"    '{function} of a whole 1-D array by NumPy.'",
                      '    with numba.objmode(y="float64[::1]"):',
                      f"        y = np.ascontiguousarray({call}, dtype=np.float64)", "    return y", "", ""]
        return lines

    def _print_Loop(self, step) -> list:  # noqa: N802
        variables = {c: self.loop_variable(c) for c, _ in step.ranges}
        lets, body = self.formula(step.body, variables)
        if step.scale is not None:
            body = f"{self.formula(step.scale, variables)[1]} * ({body})" if not step.summed else body
        store = self.indexed(step.target, variables)
        lines = self.comment(step.note)
        if step.tile:
            return lines + self.tiled(step, variables, lets, body, store)
        distinct = unique(step.out)
        for k, c in enumerate(distinct):
            loop_range = "numba.prange" if step.parallel and k == 0 else "range"
            lines += indent([f"for {variables[c]} in {loop_range}({self.size(step.size(c))}):"], k)
        depth = len(distinct)
        assign = "+=" if step.accumulate else "="
        if not step.summed:
            return lines + indent(lets + [f"{store} {assign} {body}"], depth)
        acc = self.local("acc")
        lines += indent([f"{acc} = 0.0"], depth)
        for k, c in enumerate(step.summed):
            lines += indent([f"for {variables[c]} in range({self.size(step.size(c))}):"], depth + k)
        lines += indent(lets + [f"{acc} += {body}"], depth + len(step.summed))
        total = acc if step.scale is None else f"{self.formula(step.scale, variables)[1]} * {acc}"
        return lines + indent([f"{store} {assign} {total}"], depth)

    def tiled(self, step, variables, lets, body, store) -> list:
        """The 2-D loop over ``TILE x TILE`` tiles; with ``triangle``, tiles on and above the diagonal
        and each value stored to both halves."""
        (a, b), tile = step.out, step.tile
        i, j = variables[a], variables[b]
        i0, j0 = self.names[("tile", a)], self.names[("tile", b)]
        size_a, size_b = self.size(step.size(a)), self.size(step.size(b))
        first = i0 if step.triangle else "0"
        start = f"max({j0}, {i})" if step.triangle else j0
        assign = "+=" if step.accumulate else "="
        lines = [f"for {i0} in range(0, {size_a}, {tile}):",
                 f"    for {j0} in range({first}, {size_b}, {tile}):",
                 f"        for {i} in range({i0}, min({i0} + {tile}, {size_a})):",
                 f"            for {j} in range({start}, min({j0} + {tile}, {size_b})):"]
        lines += indent(lets + [f"{store} {assign} {body}"], 4)
        if step.triangle:
            lines += indent([f"{self.name(step.target)}[{j}, {i}] = {store}"], 4)
        return lines

    def _print_Mirror(self, step) -> list:  # noqa: N802
        g, size = self.local("g"), self.size(step.size)
        p, q, p0, q0 = (self.local(w) for w in ("p", "q", "p0", "q0"))
        return self.comment(step.note) + [
            f"{g} = {self.name(step.target)}.reshape(({size}, {size}))",
            f"for {p0} in range(0, {size}, {TILE}):",
            f"    for {q0} in range(0, {p0} + 1, {TILE}):",
            f"        for {p} in range({p0}, min({p0} + {TILE}, {size})):",
            f"            for {q} in range({q0}, min({q0} + {TILE}, {p})):",
            f"                {g}[{p}, {q}] = {g}[{q}, {p}]"]

    def _print_Gram(self, step) -> list:  # noqa: N802
        """``X^T diag(w) X``, the upper triangle by BLAS's symmetric rank-k update (a Mirror follows):
        unweighted ``_syrk_upper`` of ``X^T`` (no copy), weighted ``_gram_upper`` (rows scaled by
        ``sqrt(|w|)``, weights of each sign their own update); several weights multiplied first."""
        t, x, n = self.name(step.target), self.name(step.x), self.size(step.x.shape[1])
        lines = self.comment(step.note) + [f"{t} = np.empty(({n}, {n}), {self.local('dtype')})"]
        if not step.weights:
            return lines + [f"{SYRK}({x}.T, 1.0, 0.0, {t})"]
        if len(step.weights) == 1:
            return lines + [f"{GRAM}({x}, {self.name(step.weights[0])}, {t})"]
        wp, r, m = self.local("wp"), self.local("r"), self.size(step.x.shape[0])
        product = " * ".join(f"{self.name(w)}[{r}]" for w in step.weights)
        return lines + [f"{wp} = np.empty({m}, {self.local('dtype')})",
                        f"for {r} in range({m}):",
                        f"    {wp}[{r}] = {product}",
                        f"{GRAM}({x}, {wp}, {t})"]

    def _print_BlockGram(self, step) -> list:  # noqa: N802
        """The upper triangle of ``q q^T`` by BLAS's symmetric rank-k update (a Mirror follows)."""
        t, qx, g = self.name(step.target), self.local("qx"), self.local("g")
        rows, inner = self.size(step.size), self.size(step.inner)
        return self.comment(step.note) + [
            f"{qx} = {self.name(step.q)}.reshape(({rows}, {inner}))",
            f"{g} = np.empty(({rows}, {rows}), {self.local('dtype')})",
            f"{SYRK}({qx}, 1.0, 0.0, {g})",
            f"{t} = {g}.reshape({self.shape(step.target.shape)})"]

    def _print_BatchedGram(self, step) -> list:  # noqa: N802
        """Grams of at most ``columns`` columns, fewer than the weights' rows: the pairs ``x[s, p] x[s, q]``
        (``p <= q``) and one product with all weights. Else, for each row ``k`` of the weights, the upper
        triangle by ``_gram_upper`` (BLAS's symmetric rank-k updates; ``transposed``: ``x`` is ``x^T``, copied
        once to rows of ``x``), then copied to the lower one. Copies and stores are loops (no slice assignment)."""
        t, x, w, qx, xt, b, k, p, q, r, row, p0, q0 = (
            [self.name(step.target), self.name(step.x), self.name(step.weights)]
            + [self.local(v) for v in ("qx", "xt", "b", "k", "p", "q", "r", "row", "p0", "q0")])
        m, n = (self.size(e) for e in step.x.shape[::-1 if step.transposed else 1])
        size, dtype, cols = self.size(step.weights.shape[0]), self.local("dtype"), step.columns
        rows = xt if step.transposed else x
        copy = [] if not step.transposed else [  # x^T copied once, by tiles: each Gram reads whole rows
            f"    {xt} = np.empty(({m}, {n}), {dtype})",
            f"    for {p0} in range(0, {m}, {TILE}):",
            f"        for {q0} in range(0, {n}, {TILE}):",
            f"            for {p} in range({p0}, min({p0} + {TILE}, {m})):",
            f"                for {q} in range({q0}, min({q0} + {TILE}, {n})):",
            f"                    {xt}[{p}, {q}] = {x}[{q}, {p}]"]
        return self.comment(step.note) + [
            f"{t} = np.empty(({size}, {n}, {n}), {dtype})",
            f"if {n} <= {cols} and {n} < {size}:",
            *indent(self.pairs(step, qx, m, n, (p, q, r, row))),
            f"    for {k} in range({size}):",
            f"        {row} = 0",
            f"        for {p} in range({n}):",
            f"            for {q} in range({p}, {n}):",
            f"                {t}[{k}, {p}, {q}] = {b}[{k}, {row}]",
            f"                {t}[{k}, {q}, {p}] = {b}[{k}, {row}]",
            f"                {row} += 1",
            "else:",
            *copy,
            f"    for {k} in range({size}):",
            f"        {GRAM}({rows}, {w}[{k}], {t}[{k}])",
            f"        for {p} in range({n}):",
            f"            for {q} in range({p} + 1, {n}):",
            f"                {t}[{k}, {q}, {p}] = {t}[{k}, {p}, {q}]"]

    def pairs(self, step, qx, m, n, variables) -> list:
        """``qx`` = the pairs ``x[s, p] x[s, q]`` (``p <= q``), rows ``s`` (``[pair, s]`` when ``x`` is stored
        transposed, so both walk ``x`` contiguously), and ``b`` = the weights times them."""
        p, q, r, row = variables
        x, w, b, dtype = self.name(step.x), self.name(step.weights), self.local("b"), self.local("dtype")
        if step.transposed:
            return [f"{qx} = np.empty(({n} * ({n} + 1) // 2, {m}), {dtype})",
                    f"{row} = 0",
                    f"for {p} in range({n}):",
                    f"    for {q} in range({p}, {n}):",
                    f"        for {r} in range({m}):",
                    f"            {qx}[{row}, {r}] = {x}[{p}, {r}] * {x}[{q}, {r}]",
                    f"        {row} += 1",
                    f"{b} = {MAT_MAT}({w}, {qx}.T)"]
        return [f"{qx} = np.empty(({m}, {n} * ({n} + 1) // 2), {dtype})",
                f"for {r} in range({m}):",
                f"    {row} = 0",
                f"    for {p} in range({n}):",
                f"        for {q} in range({p}, {n}):",
                f"            {qx}[{r}, {row}] = {x}[{r}, {p}] * {x}[{r}, {q}]",
                f"            {row} += 1",
                f"{b} = {MAT_MAT}({w}, {qx})"]

    def _print_TriangleContract(self, step) -> list:  # noqa: N802
        """The pairs ``(p, q >= p)`` packed into a buffer of at least ``step.block`` rows (whole rows ``p``),
        one product per buffer (B is read once per block, not once per row), each result row stored at
        ``[p, q]`` and ``[q, p]``; copies and stores are loops (no slice assignment)."""
        t, qx, xt, g, b, p, q, r, size, inner, cols = triangle_parts(self, step)
        p0, p1, count, row = (self.local(w) for w in ("p0", "p1", "count", "row"))
        dtype = self.local("dtype")
        shape = (step.block + step.size,) + self.inner_shape(step)
        reshape = f".reshape(({count}, {inner}))" if len(shape) > 2 else ""
        return self.comment(step.note) + [
            f"{qx} = np.empty({self.shape(shape)}, {dtype})",
            f"{xt} = {self.b_text(step)}",
            f"{t} = np.empty({self.shape(step.target.shape)}, {dtype})",
            f"{g} = {t}.reshape(({size}, {size}, {cols}))",
            f"{p0} = 0",
            f"while {p0} < {size}:",
            f"    {count} = 0",
            f"    {p1} = {p0}",
            f"    while {p1} < {size} and {count} < {step.block}:",
            *indent(self.block_rows(step, qx, p1, q, count), 2),
            f"        {count} += {size} - {p1}",
            f"        {p1} += 1",
            f"    {b} = {MAT_MAT}({qx}[:{count}]{reshape}, {xt})",
            f"    {row} = 0",
            f"    for {p} in range({p0}, {p1}):",
            f"        for {q} in range({size} - {p}):",
            f"            for {r} in range({cols}):",
            f"                {g}[{p}, {p} + {q}, {r}] = {b}[{row} + {q}, {r}]",
            f"                {g}[{p} + {q}, {p}, {r}] = {b}[{row} + {q}, {r}]",
            f"        {row} += {size} - {p}",
            f"    {p0} = {p1}",
            *self.scale_lines(t, step.contract.scale, step.target.rank)]

    def inner_shape(self, step) -> tuple:
        """The sizes of the rows operand's inner axes."""
        return step.contract.a.access.value.shape[2:]

    def block_rows(self, step, buffer, p, q, count) -> list:
        """``buffer[count + q, ..] = A[p, p + q, ..]`` for ``q < size - p`` from the fused loop's body."""
        loop = step.rows
        first, second, inner = loop.out[0], loop.out[1], loop.out[2:]
        variables = {c: self.loop_variable(c) for c in inner}
        variables.update({first: p, second: f"{p} + {q}"})
        lets, body = self.formula(loop.body, variables)
        if loop.scale is not None:
            body = f"{self.formula(loop.scale, variables)[1]} * ({body})"
        lines = [f"for {q} in range({self.size(step.size)} - {p}):"]
        for k, c in enumerate(inner):
            lines += indent([f"for {variables[c]} in range({self.size(loop.size(c))}):"], k + 1)
        store = f"{buffer}[{', '.join([f'{count} + {q}'] + [variables[c] for c in inner])}]"
        return lines + indent(lets + [f"{store} = {body}"], len(inner) + 1)

    def block_update(self, target, product, col0, col1, assign) -> list:
        """``target[:col1, col0:col1] (assign) product`` written as loops (no slice assignment)."""
        b, p, q = self.local("b"), self.local("p"), self.local("q")
        return [f"{b} = {product}",
                f"for {p} in range({col1}):",
                f"    for {q} in range({col1} - {col0}):",
                f"        {target}[{p}, {col0} + {q}] {assign} {b}[{p}, {q}]"]

    # formulas ----------------------------------------------------------------------------------
    def indexed(self, access, variables) -> str:
        if not access.letters:
            return self.name(access)
        return f"{self.name(access)}[{', '.join(variables[c] for c in access.letters)}]"

    def formula(self, formula, variables) -> tuple[list, str]:
        """``(let lines, expression text)`` of ``formula`` with reads indexed by the loop variables."""
        names = {symbol: self.indexed(access, variables) for symbol, access in formula.reads}
        lines = []
        for k, (symbol, expr) in enumerate(formula.lets):
            lines.append(f"{self.names[('let', k)]} = {print_scalar(expr, names)}")
            names[symbol] = self.names[("let", k)]
        return lines, print_scalar(formula.expr, names)


def _small_call(step) -> bool:
    """An elementwise library call of an array (printed as a loop when small)."""
    return isinstance(step, Call) and step.function in SCALAR_FORMS and step.target.rank > 0

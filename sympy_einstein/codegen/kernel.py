"""The kernel IR: what one generated function computes, between the tensor DAG and the printers.

A :class:`Kernel` is a list of steps over values. Every class here is a plain frozen dataclass: passes
(:mod:`~sympy_einstein.codegen.passes`) build new kernels with :func:`dataclasses.replace`, printers
(:mod:`~sympy_einstein.codegen.printers`) only format them.

Values (:class:`Value`): the user's arguments (arrays and order-0 scalars), the size symbols bound
from their shapes, and temporaries. Each has a shape (SymPy expressions over the size symbols; ``()``
for order 0 -- an order-0 value can be read anywhere an array can), a dtype (``"float"``: the
kernel's floating type; ``"int"``: sizes) and a layout (``"C"``: contiguous row-major). A value is
named by the naming pass only (``Kernel.names``); ``hint`` is the text it starts from.

Reads: an :class:`Access` is a value read with one index letter per axis (``""`` for order 0); a
letter repeated in a read walks a diagonal. Scalar code (elementwise bodies, scales) is a
:class:`Formula`: a SymPy expression whose free symbols are all bound to accesses.

Steps (one generated statement or loop nest each; ``note`` is a one-line comment in einsum notation):

- :class:`Allocate` a temporary (``empty``, ``zeros``, or ``lazy`` zeros allocated outside compiled code);
- :class:`Einsum` ``target[out] = scale * sum(prod(operands))``, the n-ary product before planning;
- :class:`Contract` a BLAS-shaped product ``target[rows cols] = scale * A[rows, inner] @ B[inner, cols]``
  with each operand's :class:`Matrix` layout (as is, transposed view, or copied);
- :class:`Loop` a fused loop nest: ranges, reductions, scale and an elementwise body;
- :class:`Call` a whole-array library call from the table in :mod:`~sympy_einstein.codegen.calls`
  (NumPy ufuncs such as ``tanh``; ``numpy.linalg`` calls such as ``solve``, ``inv``, ``slogdet``);
- :class:`Scale` in place; :class:`Mirror` the lower triangle of a symmetric result from its upper one;
- :class:`Gram` ``X^T diag(w) X`` and :class:`BlockGram` ``Q Q^T``, one triangle each;
- :class:`BatchedGram` ``X^T diag(w[b]) X`` for every row ``b`` of a weight matrix (one triangle, by column
  blocks, mirrored);
- :class:`Sliced` a contraction computed one slice of its leading output letter at a time;
- :class:`TriangleContract` a :class:`Contract` whose rows operand is symmetric in its two row letters,
  computed on the rows on and above the diagonal and mirrored.

Outputs (:class:`Output`): the values returned, with their names (``value``, ``gradient``, ... or the
user's) and whether the returned array must be a copy (an argument or an array returned twice).

Adding a backend: write a printer and nothing else. Subclass
:class:`~sympy_einstein.codegen.printers.base.KernelPrinter`, give it one ``_print_<Step>`` method per
step class above (each returns the lines of that step), ``_print_Kernel`` for the function around them,
and the scalar printer for :class:`Formula` bodies; register it in ``codegen/lambdify.py``'s
``BACKENDS``. Library calls print from the table in ``codegen/calls.py`` (one entry per function: a
new node class, e.g. a matrix inverse, lowers to a :class:`Call` by adding an entry there, and every
printer that prints :class:`Call` from the table supports it). A printer decides nothing: planning,
fusion, layouts and names are the passes'.

>>> import sympy as sp
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> x = Value(0, "argument", (n,), hint="x")
>>> y = Value(1, "temporary", (n,), hint="t")
>>> r = sp.Dummy("r")
>>> step = Loop(Access(y, "a"), (("a", n),), "", Formula(sp.exp(r), ((r, Access(x, "a")),)))
>>> step.reads_values(), step.writes
((Value(key=0, role='argument', shape=(n,), hint='x'),), Value(key=1, role='temporary', shape=(n,), hint='t'))
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import sympy as sp

ONE = None  # a Formula field left at None means the factor 1


@dataclass(frozen=True)
class Value:
    """An argument, a size or a temporary; identified by ``key`` (unique in its kernel).

    ``role``: ``"argument"``, ``"size"`` or ``"temporary"``; ``symbol``: the user's tensor symbol or
    SymPy symbol (arguments and sizes); ``hint``: the text the naming pass starts from.
    """

    key: int
    role: str
    shape: tuple = ()
    hint: str = ""
    symbol: object = field(default=None, repr=False, compare=False)
    dtype: str = field(default="float", repr=False)
    layout: str = field(default="C", repr=False)

    @property
    def rank(self) -> int:
        return len(self.shape)

    def __hash__(self) -> int:  # the key identifies a value; hashing its SymPy shape would be slow
        return hash(self.key)


@dataclass(frozen=True)
class Access:
    """``value`` read (or written) at ``letters``: one letter per axis, ``""`` for order 0."""

    value: Value
    letters: str = ""


@dataclass(frozen=True)
class Formula:
    """A scalar SymPy expression; ``reads`` binds each of its free symbols to an :class:`Access`;
    ``lets``: ``(symbol, expression)`` pairs computed first, in order (common subexpressions)."""

    expr: sp.Expr
    reads: tuple = ()
    lets: tuple = ()

    def values(self) -> tuple:
        return tuple(access.value for _, access in self.reads)


@dataclass(frozen=True)
class Step:
    """Base of the step kinds: ``writes`` is the value a step defines or updates, ``note`` its comment."""

    @property
    def writes(self) -> Value:
        return self.target.value if isinstance(self.target, Access) else self.target

    def reads_values(self) -> tuple:
        """Every value the step reads (order of first appearance, no repeats)."""
        found = []
        for f in fields(self):
            if f.name == "target":
                continue
            found += _values_in(getattr(self, f.name))
        if getattr(self, "accumulate", False):
            found.append(self.writes)
        return tuple(dict.fromkeys(found))


def _values_in(item) -> list:
    if isinstance(item, Value):
        return [item]
    if isinstance(item, Access):
        return [item.value]
    if isinstance(item, (Formula, Matrix)):
        return list(item.values())
    if isinstance(item, tuple):
        return [v for entry in item for v in _values_in(entry)]
    if isinstance(item, Step):
        return list(item.reads_values())
    return []


@dataclass(frozen=True)
class Allocate(Step):
    """A fresh temporary: ``fill`` is ``"empty"``, ``"zeros"`` or ``"lazy"`` (zeros allocated outside the
    compiled code, whose pages the operating system zeroes on first touch)."""

    target: Value
    fill: str = "empty"
    note: str = ""


@dataclass(frozen=True)
class Einsum(Step):
    """``target[out] = scale * einsum(operands -> out)``; ``sizes`` gives every letter's size
    (broadcast letters of ``out`` included). Planning replaces it by pairwise steps."""

    target: Access
    operands: tuple
    sizes: tuple
    scale: Formula | None = ONE
    note: str = ""


@dataclass(frozen=True)
class Matrix:
    """An operand of a :class:`Contract` viewed as a matrix ``[first, second]`` (letter groups; one of
    them may be empty: a vector). ``how`` (the layout pass): ``"view"`` (reshape of the array as it
    is), ``"transposed"`` (reshape of ``[second, first]``, then ``.T``) or ``"copy"`` (a permuted
    contiguous copy)."""

    access: Access
    first: str
    second: str
    how: str = "view"

    def values(self) -> tuple:
        return (self.access.value,)


@dataclass(frozen=True)
class Contract(Step):
    """``target[rows + cols] = scale * a[rows, inner] @ b[inner, cols]`` (GEMM, GEMV or a dot product):
    ``a.first == rows``, ``a.second == b.first == inner``, ``b.second == cols``."""

    target: Access
    a: Matrix
    b: Matrix
    sizes: tuple
    scale: Formula | None = ONE
    note: str = ""


@dataclass(frozen=True)
class Loop(Step):
    """``target[out] (+)= scale * sum over summed of body`` for every letter of ``ranges``.

    ``ranges``: ``(letter, size)`` for the distinct letters of ``target`` then ``summed``. A letter
    repeated in ``target.letters`` writes a diagonal (of a zeroed array). ``accumulate``: add into
    ``target`` (which then holds a term already). Layout pass flags: ``tile`` (walk 2-D in square tiles:
    a transposed read), ``triangle`` (the result is symmetric: compute tiles on and above the diagonal
    and write each value to both halves); ``parallel``: threads over the first letter.
    """

    target: Access
    ranges: tuple
    summed: str
    body: Formula
    scale: Formula | None = ONE
    accumulate: bool = False
    tile: int = 0
    triangle: bool = False
    parallel: bool = False
    note: str = ""

    @property
    def out(self) -> str:
        return self.target.letters

    def size(self, letter: str):
        return dict(self.ranges)[letter]


@dataclass(frozen=True)
class Call(Step):
    """``target = function(*arguments)`` for a whole array, ``function`` a key of
    :data:`sympy_einstein.codegen.calls.LIBRARY`; ``options``: ``(name, value)`` pairs it needs
    (``axes``)."""

    target: Value
    function: str
    arguments: tuple
    options: tuple = ()
    note: str = ""


@dataclass(frozen=True)
class Scale(Step):
    """``target *= factor`` in place."""

    target: Value
    factor: Formula
    note: str = ""


@dataclass(frozen=True)
class Mirror(Step):
    """Copy the upper triangle of ``target`` (viewed as ``size x size``) to the lower one."""

    target: Value
    size: object
    note: str = ""


@dataclass(frozen=True)
class Gram(Step):
    """``target[a, b] = sum_c x[c, a] w1[c] w2[c] .. x[c, b]`` (``weights``: order-1 values, maybe none),
    the upper triangle (Numba: BLAS's SYRK on blocks of scaled rows; Dask: blocks of ``columns`` columns;
    ``rows`` is unused); a :class:`Mirror` follows."""

    target: Value
    x: Value
    weights: tuple
    rows: int = 256
    columns: int = 256
    note: str = ""


@dataclass(frozen=True)
class BlockGram(Step):
    """``target = (q q^T).reshape(target.shape)`` for ``q`` viewed as ``size x inner``: the upper
    triangle (BLAS's SYRK; ``columns`` is unused); a :class:`Mirror` follows."""

    target: Value
    q: Value
    size: object
    inner: object
    columns: int = 256
    note: str = ""


@dataclass(frozen=True)
class BatchedGram(Step):
    """``target[b, p, q] = sum_s x[s, p] weights[b, s] x[s, q]`` (``weights``: order 2; ``transposed``:
    ``x`` is stored as ``[p, s]``), each entry computed once for ``p <= q`` and written to both halves.
    With at most ``columns`` columns in ``x`` and fewer than rows in ``weights`` (known at run time):
    the pairs ``x[s, p] x[s, q]`` and one product of all weights with them; else ``x^T`` copied once
    and, for each ``b`` and block of ``columns`` columns, one product of the columns up to the block's
    last with the weighted block (the triangle, block by block)."""

    target: Value
    x: Value
    weights: Value
    transposed: bool = False
    columns: int = 64
    note: str = ""


@dataclass(frozen=True)
class Sliced(Step):
    """``for i in range(size): view = source[i]; steps; target[i] = inner``: a contraction computed one
    slice of its leading output letter at a time (``steps`` read ``view``, write ``inner``)."""

    target: Value
    source: Value
    view: Value
    size: object
    steps: tuple
    inner: Value
    note: str = ""


@dataclass(frozen=True)
class TriangleContract(Step):
    """``contract`` with ``a`` read as it is, ``[p, q, inner]``, symmetric in ``p, q`` (``size`` the size
    of each) and computed by the loop ``rows``, fused: the pairs ``(p, q >= p)`` are computed into a
    buffer of at least ``block`` rows, one product per buffer, each result row written to
    ``target[p, q]`` and ``target[q, p]`` (half the multiplications; ``a`` is never stored whole).
    ``target`` is ``contract``'s."""

    target: Value
    contract: Contract
    size: object
    rows: Loop
    block: int = 256
    note: str = ""

    def reads_values(self) -> tuple:
        """The reads of ``rows`` and of ``contract`` but its fused operand."""
        return tuple(v for v in super().reads_values() if v != self.rows.writes)


@dataclass(frozen=True)
class Output:
    """A returned value: ``name`` (``value``, ``gradient``, ``hessian`` or the user's), ``copy`` when the
    array is an argument or returned more than once."""

    name: str
    value: Value
    copy: bool = False


@dataclass(frozen=True)
class Kernel:
    """One generated function: ``arguments`` (the user's order), ``sizes`` (bound from shapes),
    ``steps``, ``outputs``; ``single``: return one value, not a tuple; ``names``: identifier of every
    value (the naming pass), ``function``: the kernel function's identifier."""

    arguments: tuple
    sizes: tuple
    steps: tuple
    outputs: tuple
    single: bool = False
    names: dict = field(default_factory=dict, compare=False)
    function: str = "kernel"

    @property
    def parameters(self) -> tuple:
        return self.arguments + self.sizes

    def symbols(self) -> dict:
        """``{SymPy symbol: value}`` of the size symbols and scalar arguments (for shapes and ranges)."""
        return {v.symbol: v for v in self.parameters if v.rank == 0 and v.symbol is not None}


def all_steps(steps) -> list:
    """``steps`` with the steps nested in :class:`Sliced` ones and the loops fused into
    :class:`TriangleContract` ones, in order (iterative)."""
    found, stack = [], list(reversed(steps))
    while stack:
        step = stack.pop()
        found.append(step)
        if isinstance(step, Sliced):
            stack += reversed(step.steps)
        if isinstance(step, TriangleContract):
            stack.append(step.rows)
    return found


def all_values(kernel: Kernel) -> list:
    """Every value of ``kernel`` (parameters, then the ones steps write or read), no repeats."""
    found = list(kernel.parameters)
    for step in all_steps(kernel.steps):
        found += step.reads_values() + (step.writes,)
        if isinstance(step, Sliced):
            found += [step.view, step.inner]
        if isinstance(step, TriangleContract):
            found.append(step.rows.writes)
    found += [out.value for out in kernel.outputs]
    return list(dict.fromkeys(found))


def substitute(item, mapping: dict):
    """``item`` (a step, formula, access, matrix, tuple or value) with values replaced by ``mapping``."""
    if isinstance(item, Value):
        return mapping.get(item, item)
    if isinstance(item, tuple):
        return tuple(substitute(entry, mapping) for entry in item)
    if isinstance(item, (Access, Formula, Matrix, Output, Step)):
        changes = {f.name: substitute(getattr(item, f.name), mapping) for f in fields(item)}
        return replace(item, **changes)
    return item


def drop_unread(steps, outputs) -> tuple:
    """``steps`` without those whose value nothing (no later step, no output) reads, last first."""
    kept, needed = [], set(outputs)
    for step in reversed(steps):
        if step.writes in needed:
            kept.append(step)
            needed |= set(step.reads_values())
    return tuple(reversed(kept))

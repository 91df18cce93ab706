"""The expression classes of the tensor calculus.

Every node is an immutable SymPy ``Expr`` whose ``args`` hold its whole state, so
``expr.func(*expr.args) == expr``, hashing, pickling, ``subs`` and ``xreplace`` work as in SymPy.
Constructors validate and build; they never rewrite (canonical forms are the simplifier's job).

- :class:`TensorSymbol` -- a named tensor of a given shape (a leaf one can differentiate by).
- :class:`EinsteinProduct` -- ``coeff * einsum(spec, *operands)`` in the generalized einsum language.
- :class:`TensorAdd` -- a sum of tensors of equal shape.
- :class:`Elementwise` -- ``f(A1, ..., Ak)`` entry by entry, ``f`` a SymPy ``Lambda``.
- :class:`ZeroTensor` -- a symbolic zero that keeps its shape.
"""
from __future__ import annotations

from functools import cached_property

import sympy as sp
from sympy.core.symbol import Str

from ..errors import DomainError, ShapeError, SpecError
from .indices import format_spec, parse_spec, unique
from .shapes import as_shape, format_shape, short_label

_VARIABLES: list = []


def canonical_variables(count: int) -> tuple:
    """The first ``count`` bound variables of elementwise functions: real Dummies, the same objects on
    every call, so that ``exp`` built twice gives equal ``Lambda`` objects and equal nodes.

    >>> canonical_variables(2) == canonical_variables(2)
    True
    """
    while len(_VARIABLES) < count:
        _VARIABLES.append(sp.Dummy(f"t{len(_VARIABLES)}", real=True))
    return tuple(_VARIABLES[:count])


def _operator(builder: str):
    """The method pair ``(__op__, __rop__)`` that calls ``sympy_einstein.build.<builder>``."""
    def forward(self, other):
        from .. import build
        return getattr(build, builder)(self, other)

    def backward(self, other):
        from .. import build
        return getattr(build, builder)(other, self)
    return forward, backward


class TensorExpr(sp.Expr):
    """Base class of all tensor expressions: a shape, NumPy operators, ``diff`` through our engine.

    >>> import sympy_einstein as se
    >>> A = se.matrix("A", 2, 3)
    >>> (A.shape, A.rank, A.T.shape)
    ((2, 3), 2, (3, 2))
    """

    _op_priority = 20.0
    is_number = False
    is_commutative = True
    is_Matrix = False  # noqa: N815 -- SymPy's flag names

    @property
    def shape(self) -> tuple:
        """The sizes of the axes, SymPy integers or positive integer symbols."""
        raise NotImplementedError(f"{type(self).__name__} does not define its shape")

    @property
    def rank(self) -> int:
        """The number of axes (the order of the tensor)."""
        return len(self.shape)

    ndim = rank

    @property
    def T(self):  # noqa: N802 -- numpy's name
        """The tensor with its axes reversed (numpy's ``.T``)."""
        from ..build import transpose
        return transpose(self)

    def transpose(self, axes=None):
        """Permute the axes, as ``numpy.transpose``."""
        from ..build import transpose
        return transpose(self, axes)

    def __getitem__(self, key):
        """``b[:, None]``: new axes of size 1 (NumPy's broadcasting spelling); see ``build.index``."""
        from ..build import index
        return index(self, key)

    __iter__ = None  # indexing does not make a tensor a sequence (SymPy and NumPy test iter())

    def applyfunc(self, f):
        """Apply a univariate SymPy function or ``Lambda`` to every entry."""
        from ..build import elementwise
        return elementwise(f, self)

    def diff(self, *symbols, **kwargs):
        """The derivative, as ``sympy.diff``; layout ``self.shape + X.shape``."""
        from ..derivatives import diff
        return diff(self, *symbols, **kwargs)

    def _eval_derivative(self, symbol):
        from ..derivatives import diff
        return diff(self, symbol)

    def doit(self, **hints):
        return self

    def _repr_latex_(self):
        from ..printing import latex
        return "$\\displaystyle " + latex(self) + "$"

    def _sympystr(self, printer):
        from ..printing import str_form
        return str_form(self, printer)

    def _latex(self, printer):
        from ..printing import latex_form
        return latex_form(self, printer)

    def _pretty(self, printer):
        from ..printing import pretty_form
        return pretty_form(self, printer)

    __add__, __radd__ = _operator("add")
    __sub__, __rsub__ = _operator("subtract")
    __mul__, __rmul__ = _operator("multiply")
    __truediv__, __rtruediv__ = _operator("divide")
    __pow__, __rpow__ = _operator("power")
    __matmul__, __rmatmul__ = _operator("matmul")

    def __neg__(self):
        from ..build import multiply
        return multiply(sp.Integer(-1), self)

    def __pos__(self):
        return self

    def __abs__(self):
        from ..build import abs as abs_
        return abs_(self)


def _label(expr) -> str:
    """A short name of an operand for error messages."""
    return short_label(expr)


class TensorSymbol(TensorExpr):
    """A named tensor with a shape; create it with :func:`sympy_einstein.tensor` and friends.

    >>> import sympy as sp
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> X = TensorSymbol("X", (n, 3))
    >>> X, X.shape, X.func(*X.args) == X
    (X, (n, 3), True)
    """

    is_symbol = True
    is_Symbol = False  # noqa: N815
    _diff_wrt = True

    def __new__(cls, name, shape):
        if isinstance(name, str):
            name = Str(name)
        if not isinstance(name, Str) or not name.name:
            raise ShapeError(f"a tensor name must be a non-empty string, not {name!r}")
        shape = as_shape(shape, f"shape of {name.name}")
        return super().__new__(cls, name, shape)

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def shape(self) -> tuple:
        return tuple(self.args[1])

    @property
    def free_symbols(self):
        return {self}

    def _hashable_content(self):
        return (self.args[0], self.args[1])


class ZeroTensor(TensorExpr):
    """The zero tensor of a shape; symbolic, so derivatives keep their shape.

    ``is_zero`` stays ``None`` on purpose: SymPy drops terms whose ``is_zero`` is true and replaces
    them by a shapeless 0.

    >>> ZeroTensor((2, 3)).shape
    (2, 3)
    """

    def __new__(cls, shape):
        return super().__new__(cls, as_shape(shape))

    @property
    def shape(self) -> tuple:
        return tuple(self.args[0])


class EinsteinProduct(TensorExpr):
    """``coeff * einsum(spec, *operands)`` in the generalized Einstein notation.

    ``args = (coeff, spec, sizes, *operands)``: ``coeff`` a SymPy scalar free of tensors, ``spec`` a
    ``Str`` such as ``"ij,j->i"``, ``sizes`` a ``Tuple`` with the size of each output letter that occurs
    in no operand (in order of first occurrence in the output). Letters may repeat in an operand
    (diagonal read) and in the output (diagonal write); an empty operand list with output ``"ijij"``
    is the unit tensor.

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 3), se.vector("x", 3)
    >>> p = EinsteinProduct(1, "ij,j->i", (), A, x)
    >>> p.shape, p.inputs, p.output
    ((2,), ('ij', 'j'), 'i')
    >>> EinsteinProduct(1, "->ijij", (2, 3)).shape
    (2, 3, 2, 3)
    """

    def __new__(cls, coeff, spec, sizes, *operands):
        coeff = sp.sympify(coeff)
        spec_text = spec.name if isinstance(spec, Str) else spec
        inputs, output = parse_spec(spec_text, len(operands))
        spec = Str(format_spec(inputs, output))
        sizes = sp.Tuple(*sizes)
        obj = super().__new__(cls, coeff, spec, sizes, *operands)
        obj._validate(inputs, output)
        return obj

    def _validate(self, inputs, output):
        if self.coefficient.has(TensorExpr) or not self.coefficient.is_commutative:
            raise ShapeError(f"the coefficient {self.coefficient} of a product must be a scalar free of tensors")
        if _beyond_float64(self.coefficient):
            raise DomainError(f"the coefficient {short_label(self.coefficient)} of einsum '{self.spec}' is too large "
                              "for a 64-bit float")
        for k, (letters, operand) in enumerate(zip(inputs, self.operands)):
            if not isinstance(operand, TensorExpr):
                raise ShapeError(f"operand {k} of einsum '{self.spec}' is {_label(operand)}, not a tensor expression")
            if len(letters) != operand.rank:
                raise ShapeError(
                    f"einsum '{self.spec}': operand {k} ({_label(operand)}) has order {operand.rank} "
                    f"but its index string '{letters}' has {len(letters)} letters")
        known = {}
        for k, (letters, operand) in enumerate(zip(inputs, self.operands)):
            for axis, (letter, size) in enumerate(zip(letters, operand.shape)):
                if letter in known and known[letter][0] != size:
                    size0, k0, axis0 = known[letter]
                    raise ShapeError(
                        f"einsum '{self.spec}': index '{letter}' has size {size0} in operand {k0} "
                        f"(axis {axis0}) but {size} in operand {k} ({_label(operand)}, axis {axis})")
                known.setdefault(letter, (size, k, axis))
        free = [c for c in unique(output) if c not in known]
        if len(free) != len(self.args[2]):
            raise SpecError(
                f"einsum '{self.spec}': output indices {free} occur in no operand, so their sizes are "
                f"needed, but {len(self.args[2])} size(s) were given")
        as_shape(self.args[2], f"einsum '{self.spec}' sizes")

    @property
    def coefficient(self) -> sp.Expr:
        """The scalar factor (a SymPy expression free of tensors)."""
        return self.args[0]

    @property
    def spec(self) -> str:
        """The index spec, e.g. ``'ij,j->i'``."""
        return self.args[1].name

    @property
    def operands(self) -> tuple:
        return self.args[3:]

    @cached_property
    def _parsed(self):
        return parse_spec(self.spec, len(self.operands))

    @property
    def inputs(self) -> tuple[str, ...]:
        """The index string of each operand."""
        return self._parsed[0]

    @property
    def output(self) -> str:
        """The output index string."""
        return self._parsed[1]

    @cached_property
    def index_sizes(self) -> dict[str, sp.Expr]:
        """The size of every letter of the spec."""
        sizes = {}
        for letters, operand in zip(self.inputs, self.operands):
            sizes.update(zip(letters, operand.shape))
        free = [c for c in unique(self.output) if c not in sizes]
        sizes.update(zip(free, self.args[2]))
        return sizes

    @property
    def shape(self) -> tuple:
        return tuple(self.index_sizes[c] for c in self.output)


class TensorAdd(TensorExpr):
    """A sum of two or more tensors of one shape (build it with ``+``, which also broadcasts).

    >>> import sympy_einstein as se
    >>> x, y = se.vector("x", 3), se.vector("y", 3)
    >>> TensorAdd(x, y).shape
    (3,)
    """

    def __new__(cls, *terms):
        if len(terms) < 2:
            raise ShapeError("a TensorAdd needs at least two terms")
        for k, term in enumerate(terms):
            if not isinstance(term, TensorExpr):
                raise ShapeError(f"term {k} of a sum is {_label(term)}, not a tensor expression")
            if term.shape != terms[0].shape:
                raise ShapeError(
                    f"cannot add {_label(terms[0])} (shape {format_shape(terms[0].shape)}) and "
                    f"{_label(term)} (shape {format_shape(term.shape)}) as term {k}")
        return super().__new__(cls, *terms)

    @property
    def terms(self) -> tuple:
        return self.args

    @property
    def shape(self) -> tuple:
        return self.args[0].shape


class Elementwise(TensorExpr):
    """``f(A1, ..., Ak)`` applied entry by entry to tensors of one shape; ``f`` is a SymPy ``Lambda``.

    The body of ``f`` is any SymPy expression of its variables that SymPy can differentiate; it may
    contain scalar symbols but no tensors.

    >>> import sympy as sp, sympy_einstein as se
    >>> t = sp.Dummy("t", real=True)
    >>> e = Elementwise(sp.Lambda(t, sp.exp(t)), se.vector("x", 3))
    >>> e.shape, e.function.expr == sp.exp(e.function.variables[0])
    ((3,), True)
    """

    def __new__(cls, function, *operands):
        if not isinstance(function, sp.Lambda):
            raise ShapeError(f"the function of an Elementwise must be a sympy.Lambda, not {function!r}")
        if len(function.variables) != len(operands) or not operands:
            raise ShapeError(
                f"the function {function} takes {len(function.variables)} argument(s) but "
                f"{len(operands)} operand(s) were given")
        if function.expr.has(TensorExpr):
            raise ShapeError(f"the body of {function} must not contain tensors")
        for k, operand in enumerate(operands):
            if not isinstance(operand, TensorExpr):
                raise ShapeError(f"operand {k} of {function} is {_label(operand)}, not a tensor expression")
            if operand.shape != operands[0].shape:
                raise ShapeError(
                    f"operands of {function} must have one shape: {_label(operands[0])} has shape "
                    f"{format_shape(operands[0].shape)}, operand {k} ({_label(operand)}) has "
                    f"{format_shape(operand.shape)}")
        return super().__new__(cls, function, *operands)

    @property
    def function(self) -> sp.Lambda:
        return self.args[0]

    @property
    def operands(self) -> tuple:
        return self.args[1:]

    @property
    def shape(self) -> tuple:
        return self.args[1].shape


def _beyond_float64(number) -> bool:
    """Whether an exact rational ``number`` (a product of constants such as 1e308 * 2) overflows float64;
    a cheap bound on the bit lengths, exact enough: float64 holds magnitudes below 2**1024."""
    if not isinstance(number, sp.Rational):
        return False
    p, q = abs(int(number.p)), int(number.q)
    return p.bit_length() - q.bit_length() > 1024 or (p.bit_length() - q.bit_length() == 1024 and p // q >= 2**1024)

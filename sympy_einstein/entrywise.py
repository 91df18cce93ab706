"""``Entrywise``: a scalar function applied to every entry of a SymPy matrix expression, printed by name.

The matrix form of ``exp(X @ w)`` is ``Entrywise(exp(t), X*w)``: ``str`` gives ``exp.(X*w)`` (Julia's dot
for "applied entrywise"), LaTeX ``\\exp_{\\odot}\\left(X w\\right)`` (``f_{\\odot}``: f entry by entry, as
``\\odot`` is the entry-by-entry product), pretty printing ``exp.(X⋅w)``. The function is stored applied
to the placeholder :data:`ENTRY` (``exp(t)``, ``Heaviside(t, 0)``), so equal functions give equal
expressions, substitution works, and ``as_explicit`` / ``doit`` evaluate explicit matrices.

>>> import sympy as sp
>>> X = sp.MatrixSymbol("X", 2, 2)
>>> e = Entrywise(sp.tanh(ENTRY), X)
>>> print(e, sp.latex(e), e.shape)
tanh.(X) \\tanh_{\\odot}\\left(X\\right) (2, 2)
>>> Entrywise(sp.exp(ENTRY), sp.ImmutableMatrix([[0, 1]])).doit()
Matrix([[1, E]])
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm

#: the placeholder for "the entry" in the stored function
ENTRY = sp.Symbol("_entry")

#: functions whose LaTeX name is a command (others print as \operatorname{name})
_LATEX_NAMES = {"exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan"}


def is_named(body) -> bool:
    """Whether ``body`` (a function of :data:`ENTRY`) is a named function with the entry as its first
    argument and constant further arguments, so it can print as ``name.(X, params)``.

    >>> is_named(sp.exp(ENTRY)), is_named(sp.Heaviside(ENTRY, 0)), is_named(sp.exp(2 * ENTRY))
    (True, True, False)
    """
    return (isinstance(body, sp.Function) and bool(body.args) and body.args[0] == ENTRY
            and not any(a.has(ENTRY) for a in body.args[1:]))


class Entrywise(sp.MatrixExpr):
    """``body`` (a named function of :data:`ENTRY`, see :func:`is_named`) applied to every entry of ``arg``.

    >>> x = sp.MatrixSymbol("x", 3, 1)
    >>> Entrywise(sp.Heaviside(ENTRY, 0), x)
    Heaviside.(x, 0)
    >>> Entrywise(sp.exp(ENTRY), x).T
    exp.(x.T)
    """

    def __new__(cls, body, arg):
        body, arg = sp.sympify(body), sp.sympify(arg)
        if not is_named(body):
            raise ValueError(f"Entrywise needs a named function of the entry, such as exp(ENTRY); got {body}")
        if not isinstance(arg, sp.MatrixExpr):
            raise ValueError(f"Entrywise applies to a matrix expression, not {arg}")
        return super().__new__(cls, body, arg)

    @property
    def body(self):
        return self.args[0]

    @property
    def arg(self):
        return self.args[1]

    @property
    def shape(self):
        return self.arg.shape

    @property
    def params(self) -> tuple:
        return self.body.args[1:]

    def apply(self, value):
        """The function at one entry value."""
        return self.body.xreplace({ENTRY: value})

    def _entry(self, i, j, **kwargs):
        return self.apply(self.arg._entry(i, j, **kwargs))

    def _eval_transpose(self):
        return Entrywise(self.body, self.arg.T)

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sp.MatrixBase):
            return arg.applyfunc(self.apply)
        return Entrywise(self.body, arg)

    # printing ---------------------------------------------------------------------------------

    def _sympystr(self, printer):
        extra = "".join(", " + printer._print(p) for p in self.params)
        return f"{self.body.func.__name__}.({printer._print(self.arg)}{extra})"

    def _latex(self, printer):
        name = self.body.func.__name__
        head = f"\\{name}" if name in _LATEX_NAMES else f"\\operatorname{{{name}}}"
        extra = "".join(", " + printer._print(p) for p in self.params)
        return f"{head}_{{\\odot}}\\left({printer._print(self.arg)}{extra}\\right)"

    def _pretty(self, printer):
        parts = [printer._print(self.arg)] + [printer._print(p) for p in self.params]
        inside = parts[0]
        for part in parts[1:]:
            inside = prettyForm(*inside.right(", ", part))
        return prettyForm(*prettyForm(*inside.parens()).left(self.body.func.__name__ + "."))

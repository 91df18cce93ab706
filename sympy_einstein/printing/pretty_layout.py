"""Two layout rules of pretty printing: ``⊙`` between tensor factors of elementwise bodies, and equations whose
label shares the expression's baseline.

Inside an elementwise body SymPy writes a product of two operands as ``y⋅sigmoid(...)``, while the same
entrywise product outside a body prints as ``y⊙sigmoid(...)``. :func:`hadamard_tree` rewrites the body's
products of two or more tensor factors (factors that contain a slot) into one slot that joins them with
``⊙`` (``*`` in ASCII), so the entrywise product has one symbol wherever it appears; scalar factors and
fractions stay SymPy's.

>>> import sympy as sp, sympy_einstein as se
>>> X, w, y = se.matrix("X", 3, 2), se.vector("w", 2), se.vector("y", 3)
>>> print(sp.pretty(sp.diff(se.sum(se.softplus(-y * (X @ w))), w), use_unicode=True))
Xᵀ⋅(-y⊙sigmoid(-y⊙(X⋅w)))
>>> print(pretty_equation("f(w)", se.sum(se.exp(X @ w)) / 2))
          ⎛ X⋅w⎞
       sum⎝ℯ   ⎠
f(w) = ─────────
           2
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from .slots import Slot

MUL = PRECEDENCE["Mul"]


def _has_slot(node) -> bool:
    return any(isinstance(atom, Slot) for atom in node.atoms(sp.Symbol))


def _joined(factors) -> Slot:
    """One slot printing ``factors`` joined by the entrywise-product symbol."""
    def render(printer):
        forms = []
        for factor in factors:
            form = printer._print(factor)
            forms.append(prettyForm(*form.parens()) if precedence(factor) < MUL else form)
        result = forms[0]
        for form in forms[1:]:
            result = prettyForm(*result.right("⊙" if printer._use_unicode else "*", form))
        return result
    return Slot(render, MUL, last=False)


def _merged(mul):
    factors = sp.Mul.make_args(mul)
    below = [a for a in factors if _has_slot(a) and a.is_Pow and a.exp.is_negative]
    above = [a for a in factors if _has_slot(a) and a not in below]
    if len(above) < 2 and len(below) < 2:
        return mul
    rest = [a for a in factors if not _has_slot(a)]
    if len(above) >= 2:
        above = [_joined(above)]
    if len(below) >= 2:
        below = [sp.Pow(_joined([sp.Pow(a.base, -a.exp) for a in below]), -1, evaluate=False)]
    return sp.Mul(*rest, *above, *below, evaluate=False)


def hadamard_tree(tree):
    """``tree`` (a SymPy scalar tree whose slots are tensors of one shape) with every product of two or more
    tensor factors written as one ``⊙``-joined slot. Iterative, children before parents."""
    done: dict = {}
    stack = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        if not node.args or isinstance(node, Slot):
            done[node] = node
        elif not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args)
        else:
            args = [done[arg] for arg in node.args]
            new = node if all(a is b for a, b in zip(args, node.args, strict=True)) else node.func(*args)
            done[node] = _merged(new) if new.is_Mul else new
    return done[tree]


def pretty_equation(label: str, expr, **settings) -> str:
    """``label = expr`` in pretty printing with the label on the expression's baseline (SymPy's
    ``pretty`` settings; unicode by default).

    >>> import sympy_einstein as se
    >>> print(pretty_equation("g", se.vector("x", 2) + 1))
    g = x + 1
    """
    printer = PrettyPrinter({"use_unicode": True, **settings})
    form = printer._print(expr)
    return prettyForm(*form.left(label + " = ")).render(**printer._settings)

"""Printing deep expressions without deep recursion: every node printed once, children first.

SymPy's printers recurse: printing a node prints its operands through ``printer._print`` and their
hooks. :func:`bottom_up` wraps a node printer ``form(expr, printer)``: the first (outermost) call
hashes the DAG and prints every node below ``expr`` in postorder, keeping the results in a memo on
the printer, which every later call consults first. So each call recurses one level only, and a
chain of thousands of layers prints at Python's default recursion limit; shared subexpressions are
laid out once. The output is what the unwrapped printer gives.
"""
from __future__ import annotations

import copy
import functools

from ..ir.walk import hash_bottom_up


def bottom_up(form, precedence=None):
    """``form`` printing the DAG bottom-up with a memo per printer (``precedence``, a cached function
    of a node, is computed bottom-up too, so that it never recurses either).

    >>> import sympy as sp, sympy_einstein as se
    >>> from sympy.printing.str import StrPrinter
    >>> from sympy_einstein.printing.strings import str_form
    >>> x = se.vector("x", 3)
    >>> bottom_up(str_form)(se.exp(x) + x, StrPrinter())
    'exp(x) + x'
    """
    attribute = f"_bottom_up_{form.__module__}.{form.__name__}"

    @functools.wraps(form)
    def print_node(expr, printer):
        memo = getattr(printer, attribute, None)
        if memo is None:
            memo = {}
            setattr(printer, attribute, memo)
            fresh_caches(precedence)
            for node in hash_bottom_up(expr)[:-1]:
                if precedence is not None:
                    precedence(node)
                printer._print(node)  # through the node's hook, back here: stored in the memo
            if precedence is not None:
                precedence(expr)
        if expr not in memo:
            memo[expr] = form(expr, printer)
        return copy.copy(memo[expr])  # pretty forms are objects: a caller may change its copy

    return print_node


def fresh_caches(*functions) -> None:
    """Empty the printers' node caches (and those of ``functions``) before printing an expression.

    A cache lookup compares a node with an equal one cached earlier, and SymPy compares two equal
    trees built apart by recursing over their whole depth; within one expression, nodes are hashed
    bottom-up and equal subtrees are mostly the same object, which compares at once.

    >>> fresh_caches()
    """
    from .forms import classify
    for function in (classify, *functions):
        if hasattr(function, "cache_clear"):
            function.cache_clear()

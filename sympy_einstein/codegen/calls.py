"""The table of whole-array library calls (:class:`~sympy_einstein.codegen.kernel.Call` steps).

One entry per function: its NumPy form (a template over the argument texts ``{0}``, ``{1}``, ...),
whether it is elementwise (a ufunc: the fusion pass may take it out of a loop body and compute it for a
whole array; the result has the argument's shape) and the rank of its result otherwise. Printers
format a :class:`Call` from this table alone, so a new function needs an entry here and nothing in
any printer. Node classes of the tensor DAG that are whole-array calls map to their entry in
:data:`NODE_CALLS` (class name -> key); the lowering turns such a node into one :class:`Call`.

>>> LIBRARY["tanh"].numpy.format("t0")
'np.tanh(t0)'
>>> LIBRARY["inv"].numpy.format("A"), LIBRARY["slogdet"].rank
('np.linalg.inv(A)', 0)
>>> ELEMENTWISE[__import__("sympy").exp]
'exp'
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.codegen.cfunctions import log1p

from ..functions import sigmoid, softplus


@dataclass(frozen=True)
class Library:
    """``numpy``: the call as a format template over the arguments ``{0}, {1}, ..`` and the
    ``options`` (attributes of the node, e.g. ``axes``, or set by a pass, e.g. ``label``: the node as
    text for error messages; formatted with ``repr``, so user text is a literal); ``elementwise``: a
    ufunc; ``rank``: the result's rank when not elementwise (``None``: the rank of the node)."""

    numpy: str
    elementwise: bool = False
    rank: int | None = None
    options: tuple = ()


LIBRARY = {
    "tanh": Library("np.tanh({0})", elementwise=True),
    "exp": Library("np.exp({0})", elementwise=True),
    "log": Library("np.log({0})", elementwise=True),
    "sin": Library("np.sin({0})", elementwise=True),
    "cos": Library("np.cos({0})", elementwise=True),
    "log1p": Library("np.log1p({0})", elementwise=True),
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow
    "softplus": Library("(np.maximum({0}, 0.0) + np.log1p(np.exp(-np.abs({0}))))", elementwise=True),
    # exp(min(x, 0)) / (1 + exp(-|x|)): 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) otherwise (no overflow,
    # full accuracy); six whole-array passes (1.5-2x faster than np.where of one exp, measured at 10^3-10^5)
    "sigmoid": Library("(np.exp(np.minimum({0}, 0.0)) / (1.0 + np.exp(-np.abs({0}))))", elementwise=True),
    # solve(A, B) over the first axis of B, whatever its order
    "solve": Library("np.linalg.solve({0}, {1}.reshape(({1}.shape[0], -1))).reshape({1}.shape)"),
    "inv": Library("np.linalg.inv({0})", rank=2),
    "adjugate": Library("_adjugate({0}, {label})", rank=2, options=("label",)),
    "det": Library("np.linalg.det({0})", rank=0),
    "slogdet": Library("np.linalg.slogdet({0})[1]", rank=0),
    "cholesky": Library("np.linalg.cholesky({0})", rank=2),
    # one checked factorization per distinct matrix (passes/factor.py; helpers in linalg_runtime.py)
    "factor": Library("_factor({0}, {symmetric}, {label})", rank=2, options=("symmetric", "label")),
    "factor_solve": Library("_factor_solve({0}, {1}, {transpose}, {label})", options=("transpose", "label")),
    "factor_inverse": Library("_factor_inverse({0}, {transpose}, {label})", rank=2, options=("transpose", "label")),
    "factor_logdet": Library("_factor_logdet({0})", rank=0),
    "factor_det": Library("_factor_det({0})", rank=0),
    # log sum exp over axes, shifted by the largest entry (no overflow)
    "logsumexp": Library("(np.log(np.sum(np.exp({0} - np.max({0}, axis={axes}, keepdims=True)), axis={axes}))"
                         " + np.max({0}, axis={axes}))", options=("axes",)),
    "softmax": Library("(np.exp({0} - np.max({0}, axis={axes}, keepdims=True))"
                       " / np.sum(np.exp({0} - np.max({0}, axis={axes}, keepdims=True)), axis={axes}, keepdims=True))",
                       options=("axes",)),
}

ELEMENTWISE = {sp.tanh: "tanh", sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", log1p: "log1p",
               softplus: "softplus", sigmoid: "sigmoid"}

NODE_CALLS = {
    "Inverse": "inv",
    "Adjugate": "adjugate",
    "Determinant": "det",
    "LogDeterminant": "slogdet",
    "Solve": "solve",
    "Cholesky": "cholesky",
    "LogSumExp": "logsumexp",
    "Softmax": "softmax",
}


def call_of(node) -> str | None:
    """The :data:`LIBRARY` key computing ``node`` (a DAG node), or ``None``."""
    return NODE_CALLS.get(type(node).__name__)


def call_text(function: str, arguments, options=()) -> str:
    """The NumPy text of a call: ``arguments`` are source texts, ``options`` ``(name, value)`` pairs.

    >>> call_text("logsumexp", ["Z"], (("axes", (0, 1)),))[:50]
    '(np.log(np.sum(np.exp(Z - np.max(Z, axis=(0, 1), k'
    """
    return LIBRARY[function].numpy.format(*arguments, **{name: repr(value) for name, value in options})

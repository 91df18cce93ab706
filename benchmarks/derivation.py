"""Derivation speed: time to differentiate (and simplify) symbolic tensor expressions.

Run ``python benchmarks/derivation.py`` (add ``--quick`` for fewer repeats). Prints markdown tables:
gradient and Hessian of a 3-layer network loss ``sum((W3 @ tanh(W2 @ tanh(W1 @ X)) - Y)**2)`` by W1,
and gradients of chains ``x_{k+1} = tanh(A @ x_k) + x_k`` of 10 to 500 operations, in both modes,
with and without simplification, and the size of the simplified gradient.
Times are medians over repeats; SymPy's cache and our partial-derivative cache are cleared before each
repeat, so every repeat derives from scratch.
"""
from __future__ import annotations

import signal
import statistics
import sys
import time

import sympy as sp

import sympy_einstein as se
from sympy_einstein.derivatives import derivative, gradient, hessian
from sympy_einstein.derivatives.graph import _partial_body, postorder
from sympy_einstein.ir import Elementwise


def median_seconds(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        sp.core.cache.clear_cache()
        _partial_body.cache_clear()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def network_loss():
    n, m, h, o = sp.symbols("n m h o", integer=True, positive=True)
    w1, w2, w3 = se.matrix("W1", h, n), se.matrix("W2", h, h), se.matrix("W3", o, h)
    x, y = se.matrix("X", n, m), se.matrix("Y", o, m)
    return se.sum((w3 @ se.tanh(w2 @ se.tanh(w1 @ x)) - y) ** 2), w1


def chain(operations: int):
    """``sum(x_K)`` with ``x_{k+1} = tanh(A @ x_k) + x_k``, three operations per step, built with the
    operators (``+`` flattens, so x_K is one sum of K + 1 terms; the simplifier shares the partial sums)."""
    n = sp.Symbol("n", integer=True, positive=True)
    a, x0 = se.matrix("A", n, n), se.vector("x", n)
    x = x0
    for _ in range(max(1, operations // 3)):
        x = se.tanh(a @ x) + x
    return se.sum(x), a, x0


def result_shape(expr) -> str:
    """``distinct nodes / largest elementwise operand count / largest body (SymPy count_ops)``."""
    nodes = postorder(expr)
    fused = [node for node in nodes if isinstance(node, Elementwise)]
    operands = max((len(node.operands) for node in fused), default=0)
    body = max((sp.count_ops(node.function.expr) for node in fused), default=0)
    return f"{len(nodes)} / {operands} / {body}"


def network_table(repeats: int) -> str:
    f, w1 = network_loss()
    rows = [
        ("gradient, derive only", lambda: gradient(f, w1, simplify=False)),
        ("gradient, derive + simplify", lambda: gradient(f, w1)),
        ("Hessian, derive only", lambda: hessian(f, w1, simplify=False)),
        ("Hessian, derive + simplify", lambda: hessian(f, w1)),
    ]
    lines = ["| 3-layer network, by W1 | median ms | nodes in result |", "|---|---:|---:|"]
    for label, work in rows:
        seconds = median_seconds(work, repeats)
        lines.append(f"| {label} | {seconds * 1e3:.1f} | {len(postorder(work()))} |")
    return "\n".join(lines)


class _OverBudgetError(Exception):
    pass


def within_budget(work, seconds: float):
    """``work()``, or None when it takes longer than ``seconds`` (SIGALRM; Unix only)."""
    def stop(signum, frame):
        raise _OverBudgetError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    except _OverBudgetError:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def chain_table(repeats: int, lengths, budget: float = 30.0) -> str:
    """One row per chain length; a derive + simplify over ``budget`` seconds is reported as such."""
    lines = ["| operations | nodes | reverse by x: derive ms | reverse by x: derive + simplify ms "
             "| forward by x: derive ms | forward by x: derive + simplify ms | reverse by A: derive ms "
             "| reverse by A: derive + simplify ms | simplified gradient by x: nodes / max fused operands / "
             "max body ops |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for length in lengths:
        f, a, x = chain(length)
        cells = [str(length), str(len(postorder(f)))]
        for wrt, mode in ((x, "reverse"), (x, "forward"), (a, "reverse")):
            derive = median_seconds(lambda f=f, w=wrt, m=mode: derivative(f, w, mode=m, simplify=False), repeats)
            full = within_budget(
                lambda f=f, w=wrt, m=mode: median_seconds(lambda: derivative(f, w, mode=m), repeats), budget)
            cells += [f"{derive * 1e3:.1f}", f"> {budget * 1e3:.0f}" if full is None else f"{full * 1e3:.1f}"]
        cells.append(result_shape(derivative(f, x, mode="reverse")))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv) -> None:
    quick = "--quick" in argv
    repeats = 3 if quick else 7
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    warm_f, warm_w = network_loss()
    hessian(warm_f, warm_w)  # import-time and first-call costs of SymPy stay out of the table
    print(network_table(repeats))
    print()
    print(chain_table(max(1, repeats // 2), (10, 30, 60, 100, 200, 300, 500) if not quick else (10, 60)))


if __name__ == "__main__":
    main(sys.argv[1:])

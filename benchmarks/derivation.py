"""Derivation speed: time to differentiate (and simplify) symbolic tensor expressions.

Run ``python benchmarks/derivation.py`` (add ``--quick`` for fewer repeats). Prints markdown tables:
gradient and Hessian of a 3-layer network loss ``sum((W3 @ tanh(W2 @ tanh(W1 @ X)) - Y)**2)`` by W1,
and gradients of chains ``x_{k+1} = tanh(A @ x_k) + x_k`` of 10 to 500 operations, in both modes.
Times are medians over repeats; SymPy's cache and our partial-derivative cache are cleared before each
repeat, so every repeat derives from scratch.
"""
from __future__ import annotations

import statistics
import sys
import time

import sympy as sp

import sympy_einstein as se
from sympy_einstein.diff import derivative, gradient, hessian
from sympy_einstein.diff.graph import _partial_body, postorder
from sympy_einstein.simplify import simplify


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
    W1, W2, W3 = se.matrix("W1", h, n), se.matrix("W2", h, h), se.matrix("W3", o, h)
    X, Y = se.matrix("X", n, m), se.matrix("Y", o, m)
    return se.sum((W3 @ se.tanh(W2 @ se.tanh(W1 @ X)) - Y) ** 2), W1


def chain(operations: int):
    n = sp.Symbol("n", integer=True, positive=True)
    A, x0 = se.matrix("A", n, n), se.vector("x", n)
    x = x0
    for _ in range(max(1, operations // 3)):  # three operations per step: @, tanh, +
        x = se.tanh(A @ x) + x
    return se.sum(x), A, x0


def network_table(repeats: int) -> str:
    f, W1 = network_loss()
    rows = [
        ("gradient, derive only", lambda: gradient(f, W1, simplify=False)),
        ("gradient, derive + simplify", lambda: gradient(f, W1)),
        ("Hessian, derive + simplify", lambda: hessian(f, W1)),
    ]
    lines = ["| 3-layer network, by W1 | median ms | nodes in result |", "|---|---:|---:|"]
    for label, work in rows:
        seconds = median_seconds(work, repeats)
        lines.append(f"| {label} | {seconds * 1e3:.1f} | {len(postorder(work()))} |")
    return "\n".join(lines)


def chain_table(repeats: int, lengths) -> str:
    lines = ["| operations | nodes | reverse by x: derive ms | + simplify ms | forward by x: derive ms "
             "| reverse by A: derive + simplify ms | ms per node (reverse + simplify, by x) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for length in lengths:
        f, A, x = chain(length)
        nodes = len(postorder(f))
        derive = median_seconds(lambda: derivative(f, x, mode="reverse", simplify=False), repeats)
        full = median_seconds(lambda: derivative(f, x, mode="reverse"), repeats)
        forward = median_seconds(lambda: derivative(f, x, mode="forward", simplify=False), repeats)
        by_a = median_seconds(lambda: derivative(f, A, mode="reverse"), repeats)
        lines.append(f"| {length} | {nodes} | {derive * 1e3:.1f} | {full * 1e3:.1f} | {forward * 1e3:.1f} "
                     f"| {by_a * 1e3:.1f} | {full * 1e3 / nodes:.2f} |")
    return "\n".join(lines)


def main(argv) -> None:
    quick = "--quick" in argv
    repeats = 3 if quick else 7
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    print(network_table(repeats))
    print()
    print(chain_table(max(1, repeats // 2), (10, 30, 100, 300, 500) if not quick else (10, 100)))


if __name__ == "__main__":
    main(sys.argv[1:])

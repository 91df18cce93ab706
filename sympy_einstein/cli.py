"""The command line ``sympy-einstein`` (also ``python -m sympy_einstein``): derive, print, generate code,
check against finite differences and time.

>>> main(["x'*A*x", "--wrt", "x", "--format", "einsum", "--check"])
f(A, x) = einsum('ab,a,b->', A, x, x)
  A: matrix (n, n)
  x: vector (n,)
df/dx = ...
max relative error: ...
0

Errors exit with status 2 and one message on stderr; ``--check`` exits with status 1 when the
error exceeds ``--tol``. See ``docs/cli.md``.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import time
import warnings

import numpy as np
import sympy as sp

from .cli_options import MAX_ORDER, OneLineArgumentParser, integer_option, tolerance_option
from .codegen.tiered import compile_messages
from .errors import EinsteinError
from .ir.nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor
from .optimize import command as minimize_command

FORMATS = ("text", "pretty", "latex", "matrix", "einsum")
MODES = ("forward", "reverse", "auto")
MAX_BENCH_ENTRIES = 2 ** 27
"""The most array entries ``--bench`` may allocate for one variable or derivative (1 GiB of float64)."""
CHECK_ATTEMPTS = 5
"""Random points ``--check`` tries before it gives up on a function that is not finite and real."""


class UsageError(EinsteinError):
    """A command line argument that cannot be used (unknown variable, bad option value).

    >>> main(["x'*x", "--wrt", "y"])
    2
    """


class CheckError(EinsteinError):
    """``--check`` found no random point where the function and its derivatives are finite and real.

    >>> main(["sum(log(-exp(x)))", "--check"])
    f(x) = sum(log(-exp(x)))
    ...
    1
    """


def argument_parser() -> argparse.ArgumentParser:
    """The ``argparse`` parser of the command line.

    >>> argument_parser().parse_args(["x'*x", "--wrt", "x"]).order
    1
    """
    parser = OneLineArgumentParser(
        prog="sympy-einstein",
        description="Differentiate a matrix or tensor formula (MatrixCalculus.org / einsum.org syntax).")
    parser.add_argument("formula", help="e.g. \"x'*A*x\" or \"sum((X - #('ij,jk->ik', U, V))^2)\"")
    parser.add_argument("--wrt", action="append", default=[], metavar="NAME[,NAME...]",
                        help="variable(s) to differentiate by (repeatable or a comma list; default: all)")
    parser.add_argument("--order", type=integer_option(1, MAX_ORDER), default=1,
                        help=f"order of the derivative, 1 to {MAX_ORDER} (default 1)")
    parser.add_argument("--mode", choices=MODES, default="auto", help="forward, reverse or auto (default)")
    parser.add_argument("--declare", default=None, metavar="DECLS",
                        help="types, e.g. \"w: vector(n); X: matrix(m,n); c: scalar; T: tensor(a,b,c)\"")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output notation (default text)")
    parser.add_argument("--code", choices=("numba", "numpy"), default=None,
                        help="print a runnable Python module defining value(...) and derivative(...)")
    parser.add_argument("--check", action="store_true",
                        help="compare with central finite differences on random data")
    parser.add_argument("--tol", type=tolerance_option, default=1e-6, help="tolerance of --check (default 1e-6)")
    parser.add_argument("--bench", type=integer_option(1), default=None, metavar="SIZE",
                        help="time the compiled derivative against se.evaluate with every size = SIZE")
    parser.add_argument("--seed", type=integer_option(0), default=0, help="random seed of --check and --bench")
    minimize_command.add_arguments(parser)
    return parser


# ---------------------------------------------------------------------------------------------
# the pipeline


def derive(formula: str, wrt=(), order: int = 1, mode: str = "auto", declare=None):
    """Parse and differentiate: ``(f, symbols, {name: [first, second, ...] derivatives})``.

    >>> f, symbols, derivatives = derive("sum(exp(x))", ["x"], order=2)
    >>> [d.shape for d in derivatives["x"]]
    [(n,), (n, n)]
    """
    from .derivatives import derivative
    from .parsing import parse
    if not 1 <= order <= MAX_ORDER:
        raise UsageError(f"--order must be from 1 to {MAX_ORDER}, not {order}")
    expr, symbols = parse(formula, declare, return_symbols=True)
    if not isinstance(expr, TensorExpr):
        raise UsageError(f"the formula {formula!r} has no variables to differentiate by (it is {expr})")
    names = _wrt_names(wrt, symbols)
    derivatives = {}
    for name in names:
        chain, current = [], expr
        for _ in range(order):
            current = derivative(current, symbols[name], mode=mode)
            chain.append(current)
        derivatives[name] = chain
    return expr, symbols, derivatives


def _wrt_names(wrt, symbols) -> list[str]:
    names = [n.strip() for item in wrt for n in item.split(",") if n.strip()] or list(symbols)
    for name in names:
        if name not in symbols:
            raise UsageError(f"--wrt {name}: {name} is not a variable of the formula; "
                             f"its variables are {', '.join(symbols)}")
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------------------------------------
# printing


def _kind(symbol: TensorSymbol) -> str:
    return {0: "scalar", 1: "vector", 2: "matrix"}.get(symbol.rank, f"tensor of order {symbol.rank}")


def _shape_text(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def einsum_form(expr) -> str:
    """Every product written as an explicit ``einsum`` call (the ``--format einsum`` notation).

    >>> import sympy_einstein as se
    >>> einsum_form(se.parse("A*x + 1"))
    "einsum('ab,b->a', A, x) + einsum('->a', 1, sizes=(m,))"
    """
    if isinstance(expr, TensorSymbol):
        return expr.name
    if isinstance(expr, ZeroTensor):
        return f"zeros({_shape_text(expr.shape)})"
    if isinstance(expr, TensorAdd):
        text = " + ".join(einsum_form(term) for term in expr.terms)
        return text.replace(" + -", " - ")
    if isinstance(expr, Elementwise):
        names = {v: sp.Symbol(einsum_form(o)) for v, o in zip(expr.function.variables, expr.operands, strict=True)}
        return sp.sstr(expr.function.expr.xreplace(names))
    if isinstance(expr, EinsteinProduct):
        args = [einsum_form(o) for o in expr.operands]
        if not args:
            args = [sp.sstr(expr.coefficient)]
        text = f"einsum('{expr.spec}', {', '.join(args)}"
        if expr.args[2]:
            text += f", sizes={_shape_text(expr.args[2])}"
        text += ")"
        if expr.coefficient == 1 or not expr.operands:
            return text
        return "-" + text if expr.coefficient == -1 else f"{sp.sstr(expr.coefficient)}*{text}"
    return sp.sstr(expr)


def render(expr, fmt: str) -> str:
    """``expr`` in one of :data:`FORMATS`.

    >>> import sympy_einstein as se
    >>> render(se.parse("x'*A*x"), "einsum")
    "einsum('ab,a,b->', A, x, x)"
    """
    if fmt == "text":
        return sp.sstr(expr)
    if fmt == "pretty":
        return sp.pretty(expr, use_unicode=True)
    if fmt == "einsum":
        from .simplification import simplify
        return einsum_form(simplify(expr) if isinstance(expr, TensorExpr) else expr)
    from .printing import latex
    if fmt == "latex":
        return latex(expr)
    return matrix_latex(expr)


def matrix_latex(expr) -> str:
    """LaTeX of the matrix form (:func:`sympy_einstein.to_matrix`); index notation when there is none.

    >>> import sympy_einstein as se
    >>> matrix_latex(se.parse("x'*A*x"))
    'x^{T} A x'
    """
    from .convert import to_matrix
    from .printing import NOTATIONS, latex
    try:
        return latex(to_matrix(expr))
    except EinsteinError:
        return latex(expr, notation="index") if "index" in NOTATIONS else latex(expr)


def _derivative_label(name: str, k: int, fmt: str) -> str:
    if fmt in ("latex", "matrix"):
        power = "" if k == 1 else f"^{{{k}}}"
        return rf"\frac{{\partial{power} f}}{{\partial {name}{power}}}"
    return f"df/d{name}" if k == 1 else f"d{k}f/d{name}{k}"


def report(expr, symbols, derivatives, fmt: str) -> str:
    """The function, its variables and its derivatives, one block per item."""
    arguments = ", ".join(symbols)
    lines = [_equation(f"f({arguments})" if fmt not in ("latex", "matrix") else "f", expr, fmt)]
    lines += [f"  {name}: {_kind(s)} {_shape_text(s.shape)}" for name, s in symbols.items()]
    for name, chain in derivatives.items():
        for k, d in enumerate(chain, start=1):
            lines.append(_equation(_derivative_label(name, k, fmt), d, fmt))
    return "\n".join(lines)


def _equation(label: str, value, fmt: str) -> str:
    """``label = value``; in pretty printing the label sits on the expression's baseline."""
    if fmt == "pretty":
        from .printing.pretty_layout import pretty_equation
        return pretty_equation(label, value)
    text = render(value, fmt)
    return f"{label} ={chr(10) if chr(10) in text else ' '}{text}"


# ---------------------------------------------------------------------------------------------
# checking and timing


def check_bindings(expr, symbols, seed: int = 0) -> dict:
    """Random data for ``--check``: standard normal, or positive when the formula is not finite there.

    >>> import sympy_einstein as se
    >>> f, symbols = se.parse("sum(log(x))", return_symbols=True)
    >>> bool((check_bindings(f, symbols)[symbols["x"]] > 0).all())
    True
    """
    from .evaluation import evaluate
    from .testing import random_bindings
    bindings = random_bindings(list(symbols.values()), seed=seed)
    with np.errstate(all="ignore"):
        finite = np.all(np.isfinite(np.asarray(evaluate(expr, bindings))))
    return bindings if finite else random_bindings(list(symbols.values()), seed=seed, positive=True)


def relative_error(computed, reference) -> float:
    """``max |computed - reference| / max |reference|`` (absolute when the reference is 0).

    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.002]))
    0.000999000999000...
    """
    computed, reference = np.asarray(computed, dtype=float), np.asarray(reference, dtype=float)
    if computed.shape != reference.shape:
        raise EinsteinError(f"the derivative has shape {computed.shape}, the finite differences {reference.shape}")
    if computed.size == 0:
        return 0.0
    scale = float(np.max(np.abs(reference)))
    return float(np.max(np.abs(computed - reference))) / (scale if scale > 0 else 1.0)


def check(expr, symbols, derivatives, seed: int = 0) -> float:
    """The largest relative error of the derivatives against central finite differences (each order
    against the finite differences of the order below), at the first of :data:`CHECK_ATTEMPTS` random
    points (seeds ``seed``, ``seed + 1``, ...) where the function and every derivative are finite and
    real; :class:`CheckError` when there is none.

    >>> f, symbols, derivatives = derive("x'*A*x", ["x"], order=2)
    >>> check(f, symbols, derivatives) < 1e-6
    True
    """
    for attempt in range(CHECK_ATTEMPTS):
        try:
            return _check_at(expr, symbols, derivatives, check_bindings(expr, symbols, seed + attempt))
        except CheckError as failure:
            problem = failure
    raise CheckError(f"{problem} at each of {CHECK_ATTEMPTS} random points (seeds {seed} to "
                       f"{seed + CHECK_ATTEMPTS - 1}), so finite differences cannot check the derivatives")


def _check_at(expr, symbols, derivatives, bindings) -> float:
    from .evaluation import evaluate
    from .testing import numeric_derivative
    with np.errstate(all="ignore"):
        _finite_real(evaluate(expr, bindings), "the value f")
        worst = 0.0
        for name, chain in derivatives.items():
            below = expr
            for k, d in enumerate(chain, start=1):
                computed = _finite_real(evaluate(d, bindings), _derivative_label(name, k, "text"))
                reference = numeric_derivative(below, symbols[name], bindings)
                _finite_real(reference, "the finite differences of " + _derivative_label(name, k, "text"))
                worst = max(worst, relative_error(computed, reference))
                below = d
    return worst


def _finite_real(value, what: str):
    array = np.asarray(value)
    if np.iscomplexobj(array) and np.any(array.imag != 0):
        raise CheckError(f"{what} is not real")
    if not np.all(np.isfinite(array)):
        raise CheckError(f"{what} is not finite")
    return array.real


def _best_time(function, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _size_symbols(symbols) -> list:
    return sorted({s for t in symbols.values() for size in t.shape for s in sp.sympify(size).free_symbols}, key=str)


def bench(symbols, derivatives, size: int, backend: str = "numba", seed: int = 0) -> list[str]:
    """Lines comparing the compiled derivatives with :func:`sympy_einstein.evaluation`, every size = ``size``."""
    from .codegen import lambdify
    from .evaluation import evaluate
    from .testing import random_bindings
    if size < 1:
        raise UsageError(f"--bench needs a positive size, not {size}")
    _check_bench_memory(symbols, derivatives, size)
    bindings = random_bindings(list(symbols.values()), sizes={s: size for s in _size_symbols(symbols)}, seed=seed,
                               positive=True)
    arrays = [bindings[s] for s in symbols.values()]
    lines = []
    for name, chain in derivatives.items():
        d = chain[-1]
        compiled = lambdify(list(symbols.values()), d, backend=backend)
        compiled(*arrays)  # compile once before timing (NumPy answers while Numba compiles)
        getattr(compiled, "wait", lambda: None)()
        fast = _best_time(lambda compiled=compiled: compiled(*arrays))
        slow = _best_time(lambda d=d: evaluate(d, bindings))
        label = _derivative_label(name, len(chain), "text")
        lines.append(f"{label} (size {size}): {backend} {fast * 1e3:.3f} ms, se.evaluate {slow * 1e3:.3f} ms "
                     f"({slow / fast:.1f}x)")
    return lines


def _check_bench_memory(symbols, derivatives, size: int) -> None:
    """A UsageError, before anything is allocated, when an array of ``--bench`` would be too large."""
    arrays = [(name, s.rank) for name, s in symbols.items()]
    arrays += [(_derivative_label(name, len(chain), "text"), len(chain[-1].shape))
               for name, chain in derivatives.items()]
    for name, rank in arrays:
        if size ** rank > MAX_BENCH_ENTRIES:
            raise UsageError(f"--bench {size}: {name} would have {size}^{rank} entries, more than "
                             f"{MAX_BENCH_ENTRIES} (1 GiB); choose a smaller size")


# ---------------------------------------------------------------------------------------------
# code


def code_functions(expr, symbols, derivatives) -> dict:
    """The functions of a ``--code`` module, ``{name: (args, exprs)}`` for :func:`sympy_einstein.export`:
    ``value``, ``gradient``, ``hessian``, ``derivative_3`` ... up to the order derived, and
    ``value_and_derivatives``, which returns all of them from one kernel (shared work computed once).
    With several ``--wrt`` variables each derivative function returns a tuple in ``--wrt`` order.

    >>> f, symbols, derivatives = derive("x'*A*x", ["x"], order=3)
    >>> list(code_functions(f, symbols, derivatives))
    ['value', 'gradient', 'hessian', 'derivative_3', 'value_and_derivatives']
    """
    args = list(symbols.values())
    order = max(len(chain) for chain in derivatives.values())
    functions, everything = {"value": (args, expr)}, [expr]
    for k in range(1, order + 1):
        exprs = [chain[k - 1] for chain in derivatives.values()]
        everything += exprs
        functions[_function_name(k)] = (args, exprs[0] if len(exprs) == 1 else exprs)
    functions["value_and_derivatives"] = (args, everything)
    return functions


def _function_name(k: int) -> str:
    return {1: "gradient", 2: "hessian"}.get(k, f"derivative_{k}")


def _one_line(text: str) -> str:
    """``text`` safe inside a ``#`` comment: one line, no control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def code_header(formula: str, expr, symbols, derivatives) -> str:
    """The comment that opens a ``--code`` module: the formula, the arguments in order with their types and
    shapes, and what each function returns with its shape.

    >>> f, symbols, derivatives = derive("x'*A*x", ["x"], order=2)
    >>> print(code_header("x'*A*x", f, symbols, derivatives))
    # Generated by sympy-einstein from f(A, x) = x'*A*x
    # Every function takes the arguments A, x positionally, in this order:
    #   A: matrix (n, n)
    #   x: vector (n,)
    # value(A, x) -> f, shape ()
    # gradient(A, x) -> df/dx, shape (n,)
    # hessian(A, x) -> d2f/dx2, shape (n, n)
    # value_and_derivatives(A, x) -> (f, df/dx, d2f/dx2) computed by one kernel
    """
    names = ", ".join(symbols)
    lines = [f"Generated by sympy-einstein from f({names}) = {_one_line(formula)}",
             f"Every function takes the arguments {names} positionally, in this order:"]
    lines += [f"  {name}: {_kind(s)} {_shape_text(s.shape)}" for name, s in symbols.items()]
    lines.append(f"value({names}) -> f, shape {_shape_text(getattr(expr, 'shape', ()))}")
    labels = ["f"]
    order = max(len(chain) for chain in derivatives.values())
    for k in range(1, order + 1):
        parts = [f"{_derivative_label(name, k, 'text')}, shape {_shape_text(chain[k - 1].shape)}"
                 for name, chain in derivatives.items()]
        labels += [_derivative_label(name, k, "text") for name in derivatives]
        returns = parts[0] if len(parts) == 1 else "(" + "; ".join(parts) + ")"
        lines.append(f"{_function_name(k)}({names}) -> {returns}")
    lines.append(f"value_and_derivatives({names}) -> ({', '.join(labels)}) computed by one kernel")
    return "\n".join("# " + _one_line(line) if not line.startswith("  ") else "#   " + _one_line(line)
                     for line in lines)


def module_source(formula: str, symbols, derivatives, backend: str, expr) -> str:
    """A standalone Python module (``--code``): :func:`code_header`, then the module that
    :func:`sympy_einstein.export` generates for :func:`code_functions` (argument names and checks come
    from the code generator, so any variable name is safe).

    >>> f, symbols, derivatives = derive("x'*x", ["x"])
    >>> source = module_source("x'*x", symbols, derivatives, "numpy", f)
    >>> namespace = {}
    >>> exec(source, namespace)
    >>> float(namespace["gradient"](np.array([1.0, 2.0]))[1])
    4.0
    """
    import os
    import tempfile

    from .codegen import export
    with tempfile.TemporaryDirectory() as folder:
        source = export(os.path.join(folder, "generated.py"), code_functions(expr, symbols, derivatives),
                        backend=backend)
    return code_header(formula, expr, symbols, derivatives) + "\n" + source.rstrip("\n") + "\n"


# ---------------------------------------------------------------------------------------------
# notes


@contextlib.contextmanager
def naming_notes(stream=None):
    """Show each :class:`~sympy_einstein.parsing.NamingWarning` raised inside as one note on ``stream``
    (default stderr) with the ``--declare`` option that changes the type.

    >>> with naming_notes(sys.stdout):
    ...     f, symbols, derivatives = derive("norm2(X*w - y)^2 + lambda*norm2(w)^2", ["w"])
    sympy-einstein: note: lambda is a vector only by the naming default (lower-case names from h to z are \
vectors), so f is a vector, not a scalar, and its derivatives are Jacobians; if lambda is a scalar, add \
--declare "lambda: scalar"
    """
    from .parsing import NamingWarning
    with warnings.catch_warnings():
        warnings.simplefilter("always", NamingWarning)
        show = warnings.showwarning

        def note(message, category, *args, **kwargs):
            if not issubclass(category, NamingWarning):
                return show(message, category, *args, **kwargs)
            print(f"sympy-einstein: note: {_note_text(message)}", file=stream or sys.stderr)

        warnings.showwarning = note
        yield


def _note_text(warning) -> str:
    from .parsing.notes import DEFAULT_RULE, default_order
    name = warning.name
    return (f"{name} is a {warning.kind} only by the naming default ({DEFAULT_RULE[default_order(name)]}), so f is a "
            f"{warning.result}, not a scalar, and its derivatives are Jacobians; if {name} is a scalar, add "
            f'--declare "{warning.declaration}"')


# ---------------------------------------------------------------------------------------------
# entry point


def run(options, out=None) -> int:
    """Carry out parsed command line options; returns the exit status."""
    out = out or sys.stdout
    if options.minimize is not None:
        return minimize_command.run(options, out)
    expr, symbols, derivatives = derive(options.formula, options.wrt, options.order, options.mode, options.declare)
    if options.bench is not None:
        _check_bench_memory(symbols, derivatives, options.bench)
    if options.code:
        print(module_source(options.formula, symbols, derivatives, options.code, expr), file=out, end="")
        return 0
    print(report(expr, symbols, derivatives, options.format), file=out)
    status = 0
    if options.check:
        try:
            error = check(expr, symbols, derivatives, options.seed)
        except CheckError as failure:
            print(f"check failed: {failure}", file=out)
            return 1
        print(f"max relative error: {error:.3g}", file=out)
        status = 1 if not error <= options.tol else 0
    if options.bench is not None:
        for line in bench(symbols, derivatives, options.bench, seed=options.seed):
            print(line, file=out)
    return status


def main(argv=None) -> int:
    """The console script: parse ``argv`` (default ``sys.argv[1:]``), run, return the exit status."""
    try:
        options = argument_parser().parse_args(argv)
    except SystemExit as stop:  # argparse has printed its message
        return int(stop.code or 0)
    try:
        with naming_notes(), compile_messages():
            return run(options)
    except EinsteinError as error:
        print(f"sympy-einstein: error: {error}", file=sys.stderr)
    except MemoryError:
        print("sympy-einstein: error: out of memory (the formula's arrays or results are too large)", file=sys.stderr)
    except ImportError as error:
        print(f"sympy-einstein: error: this feature needs a component that is not available: {error}",
              file=sys.stderr)
    except Exception as error:  # noqa: BLE001 -- a command line reports, never shows a traceback
        print(f"sympy-einstein: internal error ({type(error).__name__}): {error}", file=sys.stderr)
    return 2

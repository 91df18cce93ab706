"""The generated argument binder of a NumPy or Numba module: the common case checked in straight-line code.

``runtime._bind_arguments`` checks any input (dtype conversion, every shape, clear errors) by loops over
the signature: about 5-10 us per call for three arrays, as much as a small kernel. The binder printed
here, ``_args_<function>(args)``, first checks the common case inline: the right argument count,
C-contiguous ``numpy.ndarray`` arguments of the declared orders, all float64 or all float32 (the dtype
``_bind_arguments`` would choose and keep), Python floats for scalars,
every size bound and every axis checked as ``_bind_arguments`` does (first binding wins, sizes
positive, literal and expression axes equal). Then it returns the same tuple ``_bind_arguments``
would, without a copy; anything else (mixed or integer arrays, lists, non-contiguous arrays, integer
scalars, and every error) goes to ``_bind_arguments``, which converts or raises its message. The
names in the code are the kernel's (safe identifiers, distinct from builtins and module globals);
the shape temporaries start with ``_axis``, which no user name can (names never start with ``_``).

>>> sig = (("X", ("m", "n"), False), ("w", ("n",), False), ("c", None, False))
>>> print(binder_source("f", sig, ("m", "n"), "f"))
def _args_f(args):
    'Checked kernel arguments: float64 or float32 C-contiguous arrays inline, anything else by _bind_arguments.'
    if len(args) == 3:
        X, w, c = args
        if (type(X) is np.ndarray and X.ndim == 2 and (X.dtype is _FLOAT64 or X.dtype is _FLOAT32)
                and type(w) is np.ndarray and w.ndim == 1 and w.dtype is X.dtype
                and type(c) is float):
            m, n = X.shape
            _axis1_0, = w.shape
            if (m >= 1 and n >= 1
                    and _axis1_0 == n
                    and X.flags.c_contiguous and w.flags.c_contiguous):
                return X, w, c, m, n
    return _bind_arguments(args, _SIGNATURE_f, _SIZES_f, 'f')
<BLANKLINE>
"""
from __future__ import annotations

import ast


def binder_source(public: str, signature: tuple, size_names: tuple, requested: str) -> str:
    """The source of ``_args_<public>``; without a fast path (size expressions it cannot print, integer
    scalars only) just the call of ``_bind_arguments``."""
    fallback = f"    return _bind_arguments(args, _SIGNATURE_{public}, _SIZES_{public}, {requested!r})\n"
    head = (f"def _args_{public}(args):\n"
            "    'Checked kernel arguments: float64 or float32 C-contiguous arrays inline, anything else by "
            "_bind_arguments.'\n")
    fast = _fast_path(signature, size_names)
    return head + ("" if fast is None else "\n".join("    " + line for line in fast) + "\n") + fallback


def _fast_path(signature, size_names):
    """The lines of the inline check, or None when a shape cannot be checked inline."""
    types, shapes, checks, contiguous, returned, bound = [], [], [], [], [], set()
    arrays = [name for name, shape, _ in signature if shape]
    dtype = f"{arrays[0]}.dtype" if arrays else "_FLOAT64"  # every array of order >= 1 float64, or every one float32
    for name, shape, integer in signature:
        if shape is None:  # a scalar symbol: a Python float as it is (integers go the general way)
            if integer:
                return None
            types.append(f"type({name}) is float")
            bound.add(name)
            returned.append(name)
        elif not shape:  # an order-0 array: a Python float, passed on as a NumPy scalar of the common dtype
            types.append(f"type({name}) is float")
            returned.append(f"{dtype}.type({name})")
        else:
            same = f"({dtype} is _FLOAT64 or {dtype} is _FLOAT32)" if name == arrays[0] else f"{name}.dtype is {dtype}"
            types.append(f"type({name}) is np.ndarray and {name}.ndim == {len(shape)} and {same}")
            targets, terms = _axes(shape, bound, len(shapes))
            if targets is None:
                return None
            shapes.append(f"{', '.join(targets)}{',' if len(targets) == 1 else ''} = {name}.shape")
            checks.append(" and ".join(terms))
            contiguous.append(f"{name}.flags.c_contiguous")
            returned.append(name)
    if not signature or any(s not in bound for s in size_names):
        return None
    names = ", ".join(entry[0] for entry in signature)
    result = ", ".join(returned + list(size_names)) + ("," if len(returned) + len(size_names) == 1 else "")
    inner = [*shapes, *_condition(checks + [" and ".join(contiguous)]), f"    return {result}"] if shapes else \
        [f"return {result}"]
    return [f"if len(args) == {len(signature)}:", f"    {names}{',' if len(signature) == 1 else ''} = args",
            *_indent(_condition(types) + _indent(inner))]


def _axes(shape, bound, array):
    """The unpacking targets of one array's shape (temporaries ``_axis<array>_<axis>``) and its checks,
    in ``_bind_axes``'s order: sizes bound or compared axis by axis, then the size expressions."""
    targets, terms, expressions = [], [], []
    for axis, declared in enumerate(shape):
        if type(declared) is str and declared.isidentifier() and declared not in bound:
            bound.add(declared)
            targets.append(declared)
            terms.append(f"{declared} >= 1")
            continue
        targets.append(f"_axis{array}_{axis}")
        if type(declared) is int or declared.isidentifier():
            terms.append(f"{targets[-1]} == {declared}")
        else:
            expressions.append((targets[-1], declared))
    for temporary, declared in expressions:
        if not _arithmetic(declared, bound):
            return None, None
        terms.append(f"{temporary} == {declared}")
    return targets, terms


def _arithmetic(text: str, bound: set) -> bool:
    """Whether ``text`` is integer arithmetic of sizes already bound (what ``_bind_axes`` evaluates)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.operator, ast.unaryop)
    return all(isinstance(node, allowed) for node in ast.walk(tree)) and all(
        node.id in bound for node in ast.walk(tree) if isinstance(node, ast.Name)) and all(
        type(node.value) is int for node in ast.walk(tree) if isinstance(node, ast.Constant))


def _condition(terms) -> list:
    """``if (a and b ...):`` over lines, one argument's terms per line."""
    if len(terms) == 1:
        return [f"if {terms[0]}:"]
    lines = [f"if ({terms[0]}"] + [f"        and {term}" for term in terms[1:]]
    return lines[:-1] + [lines[-1] + "):"]


def _indent(lines, depth: int = 1) -> list:
    return ["    " * depth + line for line in lines]

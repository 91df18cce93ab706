"""Printers of the kernel IR: ``base`` (the visitor), ``numba`` and ``numpy`` (one per backend).

Each printer turns a named :class:`~sympy_einstein.codegen.kernel.Kernel` into source text and
decides nothing; the passes have made every decision. Fed by :mod:`sympy_einstein.codegen.passes`,
feeds :mod:`sympy_einstein.codegen.modules`.
"""

"""Code generation: tensor expressions -> kernel IR -> passes -> printed source -> Numba or NumPy.

Owns ``lambdify`` and ``export``. Reads the tensor DAG (after differentiation and simplification);
feeds users' numerical code. The pipeline, one place per stage: ``program`` (the checked DAG),
``lower`` (DAG -> kernel IR, ``kernel``), ``passes`` (IR -> IR, in a fixed order), ``printers``
(IR -> source: ``numba``, ``numpy``), ``modules`` (prelude, cache, loading), ``runtime`` (argument
checks and helpers the generated code calls; ``linalg_runtime`` the checked factorizations), ``bind`` (the
generated inline argument check of the common case), ``blas`` and ``numba_blas`` (the Numba kernels' matrix
products on NumPy's own BLAS: one thread pool), ``lambdify`` and ``export`` (the public API).
Tables: ``calls`` (whole-array library calls), ``contraction`` (pairwise order), ``pairgram``
(symmetric order-4 Gram products).
"""
from .export import export
from .lambdify import lambdify

__all__ = ["export", "lambdify"]

"""Code generation: tensor expressions -> readable Python source -> Numba kernels or NumPy calls.

Owns ``lambdify`` and ``export``. Reads the IR (after differentiation and simplification); feeds
users' numerical code. The stages, one per module: ``program`` (the DAG of distinct nodes),
``plan`` (contraction order and pairwise step kinds), ``loops`` (fused loop nests for Numba),
``scalars`` (printing scalar bodies), ``numba_backend`` / ``numpy_backend`` (source text),
``runtime`` (argument checking shipped inside generated modules), ``modules`` (cache directory and
import), ``lambdify`` and ``export`` (the public API).
"""
from .export import export
from .lambdify import lambdify

__all__ = ["export", "lambdify"]

"""Passes over the kernel IR, one per module, run by :func:`run` in this fixed order:

1. :mod:`.number` -- value numbering across all outputs (equal steps become one);
2. :mod:`.plan` -- contraction planning: each ``Einsum`` becomes BLAS-shaped ``Contract`` steps and
   loops (opt_einsum's order), or a ``Gram`` / ``BlockGram`` / ``Sliced`` step; value numbering
   runs again on the planned steps (two contractions may share a pairwise product);
   :mod:`.merge` then computes the matrix products of one sum that share an operand as one product;
3. :mod:`.factor` -- one factorization per distinct matrix (LU, or Cholesky for a declared symmetric
   one) shared by its solves, inverses and determinants; an inverse only multiplied becomes solves;
4. :mod:`.fuse` -- elementwise loops read once are fused into their reader; ``cse`` of loop bodies;
5. :mod:`.ufuncs` -- library functions of whole arrays become one ``Call`` each per kernel;
6. :mod:`.layout` -- operand layouts of matrix products, tiles for transposed reads, threads;
7. :mod:`.symmetric` -- symmetric loops computed on one triangle, ``Mirror`` after Gram products;
8. :mod:`.reuse` -- sums accumulated in place, lazily zeroed diagonal arrays, unread steps dropped;
9. :mod:`.name` -- every identifier, from one allocator.

Each pass is a function ``Kernel -> Kernel`` (pure; testable alone). Fed by
:mod:`sympy_einstein.codegen.lower`, feeds :mod:`sympy_einstein.codegen.printers`.
"""
from __future__ import annotations

from . import factor, fuse, layout, merge, name, number, plan, reuse, symmetric, ufuncs


def run(kernel, function: str = "kernel", taken=(), hints: dict | None = None, parallel: bool = False):
    """All passes in order (module docstring); ``function`` and ``taken`` go to :func:`.name.name`."""
    kernel = number.number(kernel)
    kernel = merge.merge(number.number(plan.plan(kernel, hints)), hints)
    kernel = factor.factor(kernel)
    kernel = fuse.fuse(kernel)
    kernel = ufuncs.ufuncs(kernel)
    kernel = layout.layout(kernel, parallel, hints)
    kernel = symmetric.symmetric(kernel)
    kernel = reuse.reuse(kernel)
    return name.name(kernel, function, taken)


__all__ = ["run", "number", "plan", "merge", "factor", "fuse", "ufuncs", "layout", "symmetric", "reuse", "name"]

"""Named rule sets: tuples of rules applied bottom-up to a fixed point by :func:`simplify`.

- ``"basic"``: flattening (with unit tensors, diagonals, broadcast-then-sum), distributing products
  over diagonal/unit/broadcast terms of sum operands, zeros, scalars, sums.
- ``"canonical"``: basic plus canonical index names and operand order, like terms, factoring of
  products that differ in one operand, sorted terms.
- ``"default"``: canonical plus elementwise fusion (constants, duplicates, identity, clusters,
  operands of a product that share one index string) and the rules of the matrix functions
  (:mod:`~sympy_einstein.simplification.linalg`: inverses cancel, determinants of products split,
  ``log(sum(exp(Z)))`` becomes ``logsumexp(Z)``).
- ``"canonical"`` also orients symmetric matrix operands one way.
"""
from __future__ import annotations

from .elementwise import canonical_elementwise, fuse_elementwise, fuse_hadamard_groups
from .linalg import LINALG_RULES
from .products import canonical_product, flatten_product, split_structured_terms, unwrap_identity, zero_product
from .sums import combine_like_terms, drop_zero_terms, factor_common_operands, flatten_sum, sort_terms
from .symmetry import orient_symmetric

BASIC = (zero_product, split_structured_terms, flatten_product, zero_product, unwrap_identity, flatten_sum,
         drop_zero_terms)
CANONICAL = BASIC + (orient_symmetric, canonical_product, combine_like_terms, factor_common_operands, sort_terms)
DEFAULT = LINALG_RULES + (canonical_elementwise, fuse_elementwise, fuse_hadamard_groups) + CANONICAL

RULESETS = {"basic": BASIC, "canonical": CANONICAL, "default": DEFAULT}

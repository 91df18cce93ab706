"""Named rule sets: tuples of rules applied bottom-up to a fixed point by :func:`simplify`.

- ``"basic"``: flattening (with unit tensors, diagonals, broadcast-then-sum), distributing products
  over diagonal/unit/broadcast terms of sum operands, zeros, scalars, sums.
- ``"canonical"``: basic plus canonical index names and operand order, like terms, factoring of
  products that differ in one operand, sorted terms.
- ``"default"``: canonical plus elementwise fusion (constants, duplicates, identity, clusters,
  operands of a product that share one index string).
"""
from __future__ import annotations

from .elementwise import canonical_elementwise, fuse_elementwise, fuse_hadamard_groups
from .products import canonical_product, flatten_product, split_structured_terms, unwrap_identity, zero_product
from .sums import combine_like_terms, drop_zero_terms, factor_common_operands, flatten_sum, sort_terms

BASIC = (zero_product, split_structured_terms, flatten_product, zero_product, unwrap_identity, flatten_sum,
         drop_zero_terms)
CANONICAL = BASIC + (canonical_product, combine_like_terms, factor_common_operands, sort_terms)
DEFAULT = (canonical_elementwise, fuse_elementwise, fuse_hadamard_groups) + CANONICAL

RULESETS = {"basic": BASIC, "canonical": CANONICAL, "default": DEFAULT}

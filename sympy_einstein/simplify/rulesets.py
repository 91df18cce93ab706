"""Named rule sets: tuples of rules applied bottom-up to a fixed point by :func:`simplify`.

- ``"basic"``: flattening (with unit tensors, diagonals, broadcast-then-sum), zeros, scalars, sums.
- ``"canonical"``: basic plus canonical index names and operand order, like terms, sorted terms.
- ``"default"``: canonical plus elementwise fusion (constants, duplicates, identity, clusters).
"""
from __future__ import annotations

from .elementwise import canonical_elementwise, fuse_elementwise
from .products import canonical_product, flatten_product, unwrap_identity, zero_product
from .sums import combine_like_terms, drop_zero_terms, flatten_sum, sort_terms

BASIC = (zero_product, flatten_product, zero_product, unwrap_identity, flatten_sum, drop_zero_terms)
CANONICAL = BASIC + (canonical_product, combine_like_terms, sort_terms)
DEFAULT = (canonical_elementwise, fuse_elementwise) + CANONICAL

RULESETS = {"basic": BASIC, "canonical": CANONICAL, "default": DEFAULT}

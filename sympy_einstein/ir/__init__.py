"""The intermediate representation: expression classes, index strings and shapes.

Owns the data model of sympy_einstein; imports nothing else of the package except its errors.
Feeds every later stage: builders create these nodes, ``diff`` and ``simplify`` rewrite them, the
printers and code generators read them.
"""
from .nodes import EinsteinProduct, Elementwise, TensorAdd, TensorExpr, TensorSymbol, ZeroTensor

__all__ = ["EinsteinProduct", "Elementwise", "TensorAdd", "TensorExpr", "TensorSymbol", "ZeroTensor"]

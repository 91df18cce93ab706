"""Bottom-up rewriting to a fixed point, memoized by node (expressions are DAGs).

A *rule* is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged (the same
object) when it does not apply. A *rule set* is a tuple of rules. :func:`rewrite` simplifies every
distinct subexpression once: children first, then the rules are applied to the node until none
changes it; a node a rule creates is itself simplified the same way.
"""
from __future__ import annotations

from ..ir.nodes import TensorExpr

MAX_ROUNDS = 64


def rewrite(expr: TensorExpr, rules) -> TensorExpr:
    """Apply ``rules`` bottom-up to a fixed point.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.simplify.products import unwrap_identity
    >>> x = se.vector("x", 3)
    >>> rewrite(se.einsum("a->a", x) + x, (unwrap_identity,)).terms
    (x, x)
    """
    return _Rewriter(tuple(rules)).run(expr)


def _children(node) -> list:
    return [a for a in node.args if isinstance(a, TensorExpr)]


class _Rewriter:
    def __init__(self, rules):
        self.rules = rules
        self.memo: dict = {}

    def run(self, root: TensorExpr) -> TensorExpr:
        memo = self.memo
        stack = [root]
        while stack:  # iterative post-order: long chains must not hit the recursion limit
            node = stack[-1]
            if node in memo:
                stack.pop()
                continue
            pending = [a for a in _children(node) if a not in memo]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            result = self._settle(self._rebuild(node))
            memo[node] = result
            memo[result] = result
        return memo[root]

    def _rebuild(self, node: TensorExpr) -> TensorExpr:
        """The node with its (already simplified) children substituted."""
        args = [self.memo[a] if isinstance(a, TensorExpr) else a for a in node.args]
        if all(new is old for new, old in zip(args, node.args, strict=True)):
            return node
        return node.func(*args)

    def _settle(self, node: TensorExpr) -> TensorExpr:
        """Apply the rules to a node whose children are simplified, until nothing changes."""
        for _ in range(MAX_ROUNDS):
            new = node
            for rule in self.rules:
                new = rule(new)
            if new is node or new == node:
                return node
            for child in _children(new):
                self.run(child)
            node = self._rebuild(new)
        return node

"""Bottom-up rewriting to a fixed point, memoized by node (expressions are DAGs).

A *rule* is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged (the same
object) when it does not apply. A *rule set* is a tuple of rules. :func:`rewrite` simplifies every
distinct subexpression once: children first, then the rules are applied to the node until none
changes it; a node a rule creates is itself simplified the same way.

Nodes are *hash-consed*: every node the rewriter builds is looked up by its class, its non-tensor
args and the identities of its (already unique) children, so equal subexpressions become one object.
This keeps every equality test shallow; SymPy's structural ``==`` on two distinct but equal DAGs
would walk the whole tree, which is exponential in the depth of the sharing.
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
        self.done: dict = {}       # id(input node) -> (input node, simplified node)
        self.unique: dict = {}     # shallow key -> the one node with that structure
        self.settled: set = set()  # ids of unique nodes that no rule changes

    def run(self, root: TensorExpr) -> TensorExpr:
        done = self.done
        stack = [root]
        while stack:  # iterative post-order: long chains must not hit the recursion limit
            node = stack[-1]
            if id(node) in done:
                stack.pop()
                continue
            pending = [a for a in _children(node) if id(a) not in done]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            result = self._settle(self._rebuild(node))
            done[id(node)] = (node, result)
            done[id(result)] = (result, result)
        return done[id(root)][1]

    def _intern(self, node: TensorExpr) -> TensorExpr:
        """The unique node equal to ``node`` (whose children are unique already)."""
        key = (type(node), tuple(id(a) if isinstance(a, TensorExpr) else a for a in node.args))
        return self.unique.setdefault(key, node)

    def _rebuild(self, node: TensorExpr) -> TensorExpr:
        """The unique node with the (already simplified) children of ``node`` substituted."""
        args = [self.done[id(a)][1] if isinstance(a, TensorExpr) else a for a in node.args]
        if not all(new is old for new, old in zip(args, node.args, strict=True)):
            node = node.func(*args)
        return self._intern(node)

    def _settle(self, node: TensorExpr) -> TensorExpr:
        """Apply the rules to a unique node with simplified children, until nothing changes."""
        for _ in range(MAX_ROUNDS):
            if id(node) in self.settled:
                return node
            new = node
            for rule in self.rules:  # the first rule that applies; its result's children first
                new = rule(node)
                if new is not node:
                    break
            if new is not node:
                for child in _children(new):
                    self.run(child)
                new = self._rebuild(new)
            if new is node:
                break
            node = new
        self.settled.add(id(node))
        return node

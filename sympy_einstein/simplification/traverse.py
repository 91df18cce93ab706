"""Bottom-up rewriting to a fixed point, memoized by node (expressions are DAGs).

A *rule* is a pure function ``TensorExpr -> TensorExpr`` that returns its input unchanged (the same
object) when it does not apply. A *rule set* is a tuple of rules. :func:`rewrite` simplifies every
distinct subexpression once: children first, then the rules are applied to the node until none
changes it; a node a rule creates is itself simplified the same way.

Nodes are *hash-consed*: every node the rewriter builds is looked up by its class, its non-tensor
args and the identities of its (already unique) children, so equal subexpressions become one object.
This keeps every equality test shallow; SymPy's structural ``==`` on two distinct but equal DAGs
would walk the whole tree, which is exponential in the depth of the sharing.

Consumers are counted once per call (:func:`shared_nodes`, a linear walk): a rule marked with
:func:`uses_sharing` is also given the :class:`Sharing` of the call, so fusion can leave a node that
several nodes consume as a leaf (computed once) instead of copying it into each consumer. The
rewritten image of a shared node stays shared.
"""
from __future__ import annotations

from ..ir.nodes import TensorExpr

MAX_ROUNDS = 64
MAX_PASSES = 4


class Sharing:
    """The nodes of one rewrite that have two or more distinct consumers (by identity), with their
    numbers of consumers.

    >>> import sympy_einstein as se
    >>> x = se.vector("x", 2)
    >>> y = se.exp(x)
    >>> sharing = shared_nodes(se.TensorAdd(y, se.sin(y)))
    >>> y in sharing, x in sharing, sharing.consumers(y), sharing.consumers(x)
    (True, False, 2, 1)
    """

    def __init__(self, counts=()):
        self._nodes = {id(node): (node, count) for node, count in counts}  # the node keeps its id unique

    def __contains__(self, node) -> bool:
        return id(node) in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def consumers(self, node) -> int:
        """The number of distinct consumers of ``node`` (1 for a node not recorded as shared)."""
        entry = self._nodes.get(id(node))
        return 1 if entry is None else entry[1]

    def add(self, node, count: int) -> None:
        self._nodes[id(node)] = (node, count)


NOTHING_SHARED = Sharing()


def shared_nodes(root: TensorExpr) -> Sharing:
    """The nodes of ``root``'s DAG with two or more distinct consumers; structurally equal nodes
    count as one node (hash-consed bottom-up by the identities of their children: linear time).

    >>> import sympy_einstein as se
    >>> A, x = se.matrix("A", 2, 2), se.vector("x", 2)
    >>> len(shared_nodes(se.tanh(A @ x) + x)), len(shared_nodes(se.tanh(A @ x)))
    (1, 0)
    """
    klass: dict = {}      # id(node) -> structural class number
    numbers: dict = {}    # structural key -> class number
    parents: list = []    # class number -> set of consumer class numbers
    members: list = []    # class number -> the nodes of that class
    stack = [root]
    while stack:
        node = stack[-1]
        if id(node) in klass:
            stack.pop()
            continue
        pending = [a for a in _children(node) if id(a) not in klass]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        key = (type(node), tuple(("#", klass[id(a)]) if isinstance(a, TensorExpr) else a for a in node.args))
        number = numbers.setdefault(key, len(numbers))
        if number == len(parents):
            parents.append(set())
            members.append([])
        members[number].append(node)
        klass[id(node)] = number
        for child in _children(node):
            parents[klass[id(child)]].add(number)
    return Sharing((node, len(consumers)) for number, consumers in enumerate(parents) if len(consumers) >= 2
                   for node in members[number])


def uses_sharing(rule):
    """Mark ``rule`` as taking the :class:`Sharing` of the rewrite as a second argument.

    >>> uses_sharing(lambda expr, shared: expr).uses_sharing
    True
    """
    rule.uses_sharing = True
    return rule


def rewrite(expr: TensorExpr, rules) -> TensorExpr:
    """Apply ``rules`` bottom-up to a fixed point; passes repeat (at most ``MAX_PASSES``) while a
    pass changes the expression, each with the consumers counted on its input.

    >>> import sympy_einstein as se
    >>> from sympy_einstein.simplification.products import unwrap_identity
    >>> x = se.vector("x", 3)
    >>> rewrite(se.einsum("a->a", x) + x, (unwrap_identity,)).terms
    (x, x)
    """
    rules = tuple(rules)
    for _ in range(MAX_PASSES):  # consumers are counted again on the result: rewriting may merge
        result = _Rewriter(rules, shared_nodes(expr)).run(expr)  # or drop some of them
        if result is expr:
            break
        expr = result
    return expr


def _children(node) -> list:
    return [a for a in node.args if isinstance(a, TensorExpr)]


class _Rewriter:
    def __init__(self, rules, shared: Sharing):
        self.rules = rules
        self.shared = shared
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
            if node in self.shared:
                self.shared.add(result, self.shared.consumers(node))
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
                new = rule(node, self.shared) if getattr(rule, "uses_sharing", False) else rule(node)
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

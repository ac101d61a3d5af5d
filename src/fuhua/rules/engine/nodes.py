"""The engine's own expression tree (never Python's ``ast`` objects).

The parser builds these nodes from whitelisted syntax; the binder then fills
``type`` (one of bool/int/float/date/str/list/table) and, for names, ``ref``
(what the name resolves to).  Both evaluators walk the bound tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    text: str  # source text of this sub-expression, shown in explanations
    col: int  # 1-based column in the expression
    type: str = field(default="", init=False)


@dataclass(eq=False)
class Const(Node):
    value: object = None  # int | float | str | bool | numpy.datetime64


@dataclass(eq=False)
class Name(Node):
    """``x`` or ``base.x``; ``ref`` is set by the binder."""

    name: str = ""
    base: str | None = None
    ref: tuple = field(default=(), init=False)
    # ref forms: ("attr", entity, attr) | ("var", entity, var) | ("param", name)
    #   | ("as_of",) | ("relation", entity, relation)
    #   | ("via", entity, relation, inner_ref)   # to-one relation, e.g. firm.founded


@dataclass(eq=False)
class Unary(Node):
    op: str = ""  # "-", "+", "not"
    operand: Node | None = None


@dataclass(eq=False)
class BinOp(Node):
    op: str = ""  # + - * / // % **
    left: Node | None = None
    right: Node | None = None


@dataclass(eq=False)
class Compare(Node):
    left: Node | None = None
    ops: list[str] = field(default_factory=list)  # == != < <= > >=
    comparators: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class BoolOp(Node):
    op: str = ""  # "and" | "or"
    values: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class IfExp(Node):
    test: Node | None = None
    body: Node | None = None
    orelse: Node | None = None


@dataclass(eq=False)
class In(Node):
    """``x in ("a", "b")`` or ``x in param.list``; ``negate`` for ``not in``."""

    left: Node | None = None
    options: list[Node] | Name | None = None
    negate: bool = False


@dataclass(eq=False)
class Call(Node):
    func: str = ""
    args: list[Node] = field(default_factory=list)
    # collection functions: entity kind that args[1:] are evaluated over
    inner_entity: str = field(default="", init=False)


def children(node: Node) -> list[Node]:
    """Direct sub-nodes, in source order."""
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, BinOp):
        return [node.left, node.right]
    if isinstance(node, Compare):
        return [node.left, *node.comparators]
    if isinstance(node, BoolOp):
        return list(node.values)
    if isinstance(node, IfExp):
        return [node.test, node.body, node.orelse]
    if isinstance(node, In):
        opts = node.options if isinstance(node.options, list) else [node.options]
        return [node.left, *opts]
    if isinstance(node, Call):
        return list(node.args)
    return []


def walk(node: Node):
    yield node
    for child in children(node):
        yield from walk(child)

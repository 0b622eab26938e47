"""Apply a rule set to one statement's AST in a single bottom-up pass.

Each node of the input tree is visited once, after all of its descendants, and offered to the
rules registered for its type (in rule-set order) until one returns a replacement.  Nodes a
user template wrote (``--functions``) are the user's Flink SQL and are not offered.  Nodes that
a rule produced are Flink already and are not visited again, so rules never re-apply to their
own output (``arr[0]`` → ``arr[1]`` must not become ``arr[2]``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from itertools import compress

from sqlglot import exp

from shiftleft.dialects.user_functions import USER_TEMPLATE
from shiftleft.models import Severity
from shiftleft.rewrite.context import SCOPE_NODES, RuleContext
from shiftleft.rewrite.registry import RuleSet
from shiftleft.rewrite.rule import Rule

logger = logging.getLogger(__name__)


def _post_order(root: exp.Expr) -> list[exp.Expr]:
    """Every node after all of its descendants, siblings left to right.

    A pre-order walk that visits the right-most child first, reversed.  (The children are
    read from ``args`` directly: ``iter_expressions``' generator per node was most of the
    walk's cost.)"""
    order: list[exp.Expr] = []
    stack = [root]
    pop, push, expr = stack.pop, stack.append, exp.Expr
    while stack:
        node = pop()
        order.append(node)
        for value in node.args.values():
            if type(value) is list:
                for item in value:
                    if isinstance(item, expr):
                        push(item)
            elif isinstance(value, expr):
                push(value)
    order.reverse()
    return order


def _offered(
    order: list[exp.Expr], rules: RuleSet, ctx: RuleContext, phase: str
) -> Iterator[tuple[exp.Expr, tuple[Rule, ...]]]:
    """The nodes of ``order`` that some rule of ``phase`` looks at, with those rules, in order.

    The dispatch table is completed for the node types first, so the selection runs in C
    (``map`` / ``compress``): no Python step for the many nodes no rule looks at."""
    table = rules.dispatch(ctx.target, ctx.mode, phase)
    kinds = list(map(type, order))
    for kind in set(kinds).difference(table):
        rules.active_for(kind, ctx.target, ctx.mode, phase)
    candidates = list(map(table.__getitem__, kinds))
    return compress(zip(order, candidates), candidates)


#: a stage between the rewrite and the check passes (the LLM fallback): it may replace what
#: no rule translated, before the checks report what is left
BeforeChecks = Callable[[exp.Expr, RuleContext], exp.Expr]


def rewrite(
    tree: exp.Expr, rules: RuleSet, ctx: RuleContext, before_checks: BeforeChecks | None = None
) -> tuple[exp.Expr, list[str]]:
    """Rewrite ``tree`` in place; return the (possibly new) root and the ids of applied rules.

    Two passes: the rewrite rules over the input tree, then the check rules over the final
    tree, so a check sees exactly what will be generated (including what a rule produced,
    and not what a parent-level rule replaced after the child was visited).
    """
    applied: dict[str, None] = {}
    root = tree
    order = _post_order(tree)
    unchanged = ctx.changes
    for node, candidates in _offered(order, rules, ctx, "rewrite"):
        if node._meta and node._meta.get(USER_TEMPLATE):
            continue  # the user's own Flink SQL (a --functions template): final
        for rule in candidates:
            reported = len(ctx.diagnostics)
            replacement = _apply(rule, node, ctx)
            if replacement is None:
                if len(ctx.diagnostics) > reported:
                    applied[rule.id] = None
                continue
            applied[rule.id] = None
            ctx.changes += 1
            if isinstance(node, SCOPE_NODES) or isinstance(replacement, SCOPE_NODES):
                ctx.forget_scopes()
            if replacement is node:  # changed in place: the next rules see the new shape
                continue
            if node.comments:
                replacement.add_comments(node.comments)
            if node is root:
                root = replacement
            else:
                node.replace(replacement)
            break
    if before_checks is not None:
        root = before_checks(root, ctx)
        ctx.changes += 1
        ctx.forget_scopes()
    if ctx.changes != unchanged:  # else the tree is the one walked above: same order
        order = _post_order(root)
    for node, candidates in _offered(order, rules, ctx, "check"):
        if node._meta and node._meta.get(USER_TEMPLATE):
            continue
        for rule in candidates:
            if _apply(rule, node, ctx) is not None:  # a check that changed the node in place
                applied[rule.id] = None
                ctx.changes += 1
    ctx.rule_id = ""
    return root, list(applied)


def _apply(rule: Rule, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
    """Run one rule on one node; a failing rule becomes an SL9000 diagnostic, not a crash."""
    ctx.rule_id = rule.id
    try:
        return rule.apply(node, ctx)
    except Exception as e:  # a failing rule must not lose the statement
        logger.debug("rule %s failed", rule.id, exc_info=True)
        ctx.report(
            node,
            f"internal error in rule {rule.id} ({type(e).__name__}: {e}); "
            "the construct was left untranslated",
            severity=Severity.ERROR,
            suggestion="please report this as a shiftleft bug, with the statement",
            rule_id="SL9000",
        )
        return None

"""Spark's temporary views dropped or replaced: Flink names them TEMPORARY in DROP, and does
not replace one that exists."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

_VIEWS = "CREATE TEMPORARY VIEW v AS SELECT 1 AS a; "


def _named(node: exp.Expr) -> exp.Table | None:
    target = node.this.this if isinstance(node.this, exp.Schema) else node.this
    return target if isinstance(target, exp.Table) and not target.args.get("db") else None


class DropTemporaryView(Rule):
    """Spark's ``DROP VIEW v`` drops the temporary view ``v`` when there is one.  Flink keeps
    temporary and catalog views apart: its ``DROP VIEW v`` looks for a catalog view only and
    fails on a temporary one ("Temporary view with identifier ... exists. Drop it first before
    removing the permanent view").  A DROP VIEW of a temporary view the script created
    earlier becomes ``DROP TEMPORARY VIEW``."""

    id = "SL1120"
    name = "drop-temporary-view"
    title = "DROP VIEW of a temporary view the script created becomes DROP TEMPORARY VIEW"
    node_types = (exp.Drop,)
    examples = (
        Example(before=_VIEWS + "DROP VIEW v", after="CREATE TEMPORARY VIEW v AS SELECT 1 AS a;\nDROP TEMPORARY VIEW v"),
        Example(
            before=_VIEWS + "DROP VIEW IF EXISTS V",
            after="CREATE TEMPORARY VIEW v AS SELECT 1 AS a;\nDROP TEMPORARY VIEW IF EXISTS v",
        ),
        Example(before="DROP VIEW w", after="DROP VIEW w"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Drop)
        if (node.kind or "").upper() != "VIEW" or node.args.get("temporary"):
            return None
        tables = node.args.get("tables") or []
        if len(tables) != 1 or not isinstance(tables[0], exp.Table) or tables[0].args.get("db"):
            return None
        if tables[0].name.lower() not in ctx.temporary_views:
            return None
        node.set("temporary", True)
        return node


class ReplaceTemporaryView(Rule):
    """Spark's ``CREATE OR REPLACE TEMPORARY VIEW v`` replaces the temporary view ``v`` when
    one exists.  Flink 2.3 accepts the words but refuses to replace ("Temporary table ...
    already exists"), so the statement failed and the old view stayed: every later query read
    the old rows.  When the script created ``v`` before, it is dropped first (``DROP
    TEMPORARY VIEW IF EXISTS v``, written just before the statement) and created anew."""

    id = "SL1121"
    name = "replace-temporary-view"
    title = "CREATE OR REPLACE TEMPORARY VIEW of a view the script created drops it first"
    node_types = (exp.Create,)
    examples = (
        Example(
            before=_VIEWS + "CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 2 AS a",
            after="CREATE TEMPORARY VIEW v AS SELECT 1 AS a;\nDROP TEMPORARY VIEW IF EXISTS v;\n"
            "CREATE TEMPORARY VIEW v AS SELECT 2 AS a",
        ),
        Example(
            before="CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 2 AS a",
            after="CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 2 AS a",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Create)
        if (node.kind or "").upper() != "VIEW" or not node.args.get("replace") or not node.find(exp.TemporaryProperty):
            return None
        table = _named(node)
        if table is None or table.name.lower() not in ctx.temporary_views:
            return None
        drop = exp.Drop(this=None, kind="VIEW", temporary=True, exists=True, tables=[table.copy()])
        ctx.preamble.append(drop)
        node.set("replace", False)
        return node

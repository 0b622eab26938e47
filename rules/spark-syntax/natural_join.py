"""NATURAL JOIN written as the USING join it stands for."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.streaming.catalog import input_columns

_VIEWS = (
    "CREATE TEMPORARY VIEW l AS SELECT * FROM VALUES ('a', 1) AS l(k, x); "
    "CREATE TEMPORARY VIEW r AS SELECT * FROM VALUES ('a', 2) AS r(k, y); "
)
_VIEWS_OUT = (
    "CREATE TEMPORARY VIEW l AS SELECT * FROM (VALUES ('a', 1)) AS l(k, x);\n"
    "CREATE TEMPORARY VIEW r AS SELECT * FROM (VALUES ('a', 2)) AS r(k, y);\n"
)


class NaturalJoinUsing(Rule):
    """Spark's ``NATURAL JOIN`` joins on every column name the two sides share and merges each
    into one column, so ``k`` (unqualified) names the merged column.  Flink 2.3 plans the
    NATURAL JOIN but keeps both columns: an unqualified ``k`` is "Column 'k' is ambiguous".
    When the columns of both sides are known (views of the script, schema= tables,
    subqueries), the join becomes ``USING (k, ...)``, whose merged columns Flink resolves as
    Spark does (with no shared column, a NATURAL JOIN is a cross join: ``ON TRUE``).  When a
    side's columns are not known, an error says so."""

    id = "SL1124"
    name = "natural-join-using"
    title = "NATURAL JOIN becomes a USING join on the columns both sides share"
    node_types = (exp.Select,)
    examples = (
        Example(
            before=_VIEWS + "SELECT k FROM l NATURAL JOIN r",
            after=_VIEWS_OUT + "SELECT k FROM l JOIN r USING (k)",
        ),
        Example(
            before=_VIEWS + "SELECT * FROM l NATURAL FULL JOIN r WHERE k = 'a'",
            after=_VIEWS_OUT + "SELECT * FROM l FULL JOIN r USING (k) WHERE COALESCE(l.k, r.k) = 'a'",
        ),
        Example(
            before=_VIEWS + "SELECT * FROM l NATURAL LEFT JOIN r",
            after=_VIEWS_OUT + "SELECT * FROM l LEFT JOIN r USING (k)",
        ),
        Example(before="SELECT k FROM a NATURAL JOIN b", after="SELECT k FROM a NATURAL JOIN b", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        joins = node.args.get("joins") or []
        from_ = node.args.get("from_")
        if from_ is None or not any((j.method or "").upper() == "NATURAL" for j in joins):
            return None
        seen = input_columns(from_.this, ctx)
        owner = {c.lower(): from_.this.alias_or_name for c in seen or []}  # column -> the input it came from
        merged: dict[str, exp.Expr] = {}  # shared column -> the value Spark's merged column has
        changed = False
        for join in joins:
            right = input_columns(join.this, ctx)
            if (join.method or "").upper() == "NATURAL":
                if seen is None or right is None:
                    ctx.report(
                        join,
                        "NATURAL JOIN: the columns of "
                        + ("the left side" if seen is None else join.this.alias_or_name or "the right side")
                        + " are not known, so the shared columns cannot be named (Flink keeps both "
                        "copies of each: an unqualified shared column is ambiguous there)",
                        severity=Severity.ERROR,
                        suggestion="write the join as JOIN ... USING (the shared columns), or pass the tables' columns (schema=)",
                    )
                    return node if changed else None
                lower = {c.lower() for c in seen}
                shared = [c for c in right if c.lower() in lower]
                join.set("method", None)
                if shared:
                    join.set("using", [exp.to_identifier(c) for c in shared])
                    merged.update((c.lower(), _merged(c, owner[c.lower()], join)) for c in shared)
                else:
                    join.set("on", exp.true())
                changed = True
            if seen is not None and right is not None:
                seen = seen + [c for c in right if c.lower() not in {s.lower() for s in seen}]
                for c in right:
                    owner.setdefault(c.lower(), join.this.alias_or_name)
            else:
                seen = None
        _qualify_where(node, merged)
        return node if changed else None


def _merged(name: str, left: str, join: exp.Join) -> exp.Expr:
    """Spark's merged column of a NATURAL join: the left side's value, the right side's for a
    RIGHT join, the first not NULL for a FULL join."""
    right = join.this.alias_or_name
    side = (join.side or "").upper()
    if side == "RIGHT":
        return exp.column(name, table=right)
    if side == "FULL":
        return exp.Coalesce(this=exp.column(name, table=left), expressions=[exp.column(name, table=right)])
    return exp.column(name, table=left)


def _qualify_where(select: exp.Select, merged: dict[str, exp.Expr]) -> None:
    """Flink resolves a USING join's merged column in the SELECT list but finds it ambiguous in
    WHERE: there it is written as the value it has."""
    where = select.args.get("where")
    if where is None or not merged:
        return
    for column in list(where.find_all(exp.Column)):
        if not column.table and column.name.lower() in merged and column.parent_select is select:
            column.replace(merged[column.name.lower()].copy())

"""QUALIFY becomes a subquery with its window columns and an outer WHERE (Flink 2.3's planner
fails on a QUALIFY over six or more select items)."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.helper import find_new_name

from shiftleft.derive import derive
from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import own_nodes
from shiftleft.streaming.catalog import column_catalog

#: the clauses evaluated after QUALIFY: they move to the outer query
_AFTER = ("distinct", "order", "limit", "offset", "fetch")


def _is_star(projection: exp.Expr) -> bool:
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def _name(projection: exp.Expr, index: int) -> exp.Identifier:
    """The identifier naming a (not star) projection; Flink's own ``EXPR$n`` when none does."""
    named = projection.args.get("alias") if isinstance(projection, exp.Alias) else projection
    if isinstance(named, exp.Column):
        named = named.this
    if isinstance(named, exp.Identifier) and named.name:
        return named.copy()
    return exp.to_identifier(f"EXPR${index}")


def _output_names(select: exp.Select, ctx: RuleContext) -> list[exp.Identifier] | None:
    """The names of ``select``'s output columns, stars expanded; None when a star's columns
    are unknown."""
    if not any(_is_star(p) for p in select.expressions):
        return [_name(p, i) for i, p in enumerate(select.expressions)]
    columns = derive(select, column_catalog(ctx)).columns
    if columns is None or "*" in columns:
        return None
    return [exp.to_identifier(c) for c in columns]


class _Lifter:
    """Moves what an outer condition reads into the inner query's SELECT list: windows and
    aggregates as new columns, source columns the output does not have by name as well."""

    def __init__(self, inner: list[exp.Expr], outputs: dict[str, exp.Identifier], taken: set[str]) -> None:
        self.inner = inner
        self.outputs = outputs  # lower-case output name -> its spelling (unique names only)
        self.taken = taken
        #: (table, column) of the items that are a qualified column -> the inner item's name
        self.sources = {
            (item.this.table.lower(), item.this.name.lower()): exp.to_identifier(item.alias_or_name)
            for item in inner
            if isinstance(item, exp.Alias) and isinstance(item.this, exp.Column) and item.this.table
        }
        self.sources.update({
            (item.table.lower(), item.name.lower()): item.this.copy()
            for item in inner
            if isinstance(item, exp.Column) and item.table and isinstance(item.this, exp.Identifier)
        })

    def _project(self, node: exp.Expr, base: str) -> exp.Column:
        name = find_new_name(self.taken, base)
        self.taken.add(name.lower())
        self.inner.append(exp.alias_(node, name))
        return exp.column(name)

    def lift(self, condition: exp.Expr) -> exp.Expr:
        """``condition`` rewritten over the inner query's output (the nodes it moved are now
        inner SELECT items)."""
        holder = exp.Paren(this=condition)  # a parent, so the root itself can be replaced
        windows = own_nodes(condition, exp.Window)
        aggregates = [a for a in own_nodes(condition, exp.AggFunc) if a.find_ancestor(exp.AggFunc, exp.Window) is None]
        columns = [c for c in own_nodes(condition, exp.Column) if c.find_ancestor(exp.AggFunc, exp.Window) is None]
        for moved, base in [*((w, "_w") for w in windows), *((a, "_a") for a in aggregates)]:
            moved.replace(self._project(moved.copy(), base))
        for column in columns:
            if column.table:
                name = self.sources.get((column.table.lower(), column.name.lower()))
            else:
                name = self.outputs.get(column.name.lower())
            if name is not None:
                column.replace(exp.column(name.copy()))
            else:
                column.replace(self._project(column.copy(), "_c"))
        return holder.this


class QualifySubquery(Rule):
    """Snowflake's, Databricks' and DuckDB's ``QUALIFY cond`` filters rows after the windows
    are computed.  Flink 2.3 parses QUALIFY, but its planner fails with a ClassCastException
    (``RexInputRef cannot be cast to Comparable``) as soon as the SELECT list has six or more
    items, in batch and streaming alike (checked on the engine).  Every QUALIFY therefore
    becomes the form Flink plans and recognises as a deduplication / Top-N: the query without
    its QUALIFY as a subquery whose SELECT list also carries each window of the condition as a
    column (``ROW_NUMBER() OVER (...) AS _w``), filtered by an outer ``WHERE _w = 1`` that
    selects exactly the original output columns.  Source columns the condition reads that are
    not output columns, and aggregates, are carried the same way; DISTINCT, ORDER BY and LIMIT
    (evaluated after QUALIFY) move to the outer query.

    A ``SELECT *`` is listed in the outer query by the columns the derivation knows; when they
    are unknown (an undeclared source), or two output columns share a name through a ``*``,
    the QUALIFY is left as it is, with an error (it plans only under six columns).  It runs in the check phase, after every
    rewrite: the QUALIFY rules (deduplication, whole-partition windows) see the QUALIFY, and
    this is the one place that changes its shape.
    """

    id = "SL3027"
    name = "qualify-subquery"
    title = "QUALIFY becomes a subquery with the window as a column and an outer WHERE"
    phase = "check"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, b FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b DESC) = 1",
            after="SELECT a, b FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS _w "
            "FROM t) AS _q WHERE _w = 1",
        ),
        Example(
            before="SELECT a, row_number() OVER (PARTITION BY a ORDER BY b) AS rn, upper(s) FROM t "
            "QUALIFY rn <= 2 AND t.i > 0 ORDER BY a",
            after="SELECT a, rn, `EXPR$2` FROM (SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS rn, "
            "UPPER(s) AS `EXPR$2`, t.i AS _c FROM t) AS _q WHERE rn <= 2 AND _c > 0 ORDER BY a",
            mode=Mode.BATCH,
        ),
        Example(
            before="SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",
            after="SELECT a, b FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS _w FROM t) AS _q "
            "WHERE _w = 1",
            types={"t": {"a": "INT", "b": "INT"}},
        ),
        Example(
            before="SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",
            after="SELECT * FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) = 1",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        qualify = node.args.get("qualify")
        if qualify is None:
            return None
        names = _output_names(node, ctx)
        lowered = [n.name.lower() for n in names or []]
        star = any(_is_star(p) for p in node.expressions)
        if names is None or (star and len(set(lowered)) < len(lowered)):
            why = "its columns are unknown" if names is None else "two of its columns share a name"
            ctx.report(
                qualify,
                f"QUALIFY over a SELECT * is left as it is ({why}): Flink 2.3's planner fails on a "
                "QUALIFY over six or more columns",
                severity=Severity.ERROR,
                suggestion="list the columns, or declare the source's columns (--catalog, sources YAML)",
            )
            return None
        inner_items = [p.pop() for p in list(node.expressions)]
        for i, item in enumerate(inner_items):  # Flink's own name for an unnamed item
            if not _is_star(item) and not item.alias_or_name:
                inner_items[i] = exp.alias_(item, _name(item, i))
        duplicated = len(set(lowered)) < len(lowered)
        taken = set(lowered) | {c.name.lower() for c in own_nodes(node, exp.Column)}
        outer: list[exp.Expr] = []
        #: output names given once -> the inner item's name (a condition naming one reads it)
        unique: dict[str, exp.Identifier] = {}
        for i, name in enumerate(names):
            once = lowered.count(name.name.lower()) == 1
            if not duplicated:
                outer.append(exp.column(name.copy()))
                unique[name.name.lower()] = name
                continue
            fresh = find_new_name(taken, "_c")  # two items of one name: the outer query renames them back
            taken.add(fresh)
            inner_items[i] = exp.alias_(inner_items[i].unalias(), fresh)
            outer.append(exp.alias_(exp.column(fresh), name.copy()))
            if once:
                unique[name.name.lower()] = exp.to_identifier(fresh)
        lifter = _Lifter(inner_items, unique, taken)
        condition = lifter.lift(qualify.pop().this)
        order = node.args.get("order")
        if order is not None:
            for ordered in order.expressions:
                ordered.set("this", lifter.lift(ordered.this))
        inner = exp.Select(expressions=inner_items)
        for key, value in list(node.args.items()):
            if key in ("expressions", "with_", *_AFTER) or value is None:
                continue
            node.set(key, None)
            inner.set(key, value)
        alias = find_new_name(taken, "_q")
        node.set("expressions", outer)
        node.set("from_", exp.From(this=exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias)))))
        node.set("where", exp.Where(this=condition))
        return node

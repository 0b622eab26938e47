"""``SELECT * EXCEPT (...)`` (BigQuery, Databricks), ``* EXCLUDE`` / ``RENAME`` (Snowflake)
and ``* REPLACE`` (BigQuery) become the column list they stand for: Flink has none of them."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.derive import derive
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import select_inputs
from shiftleft.streaming.catalog import column_catalog

#: the Star arguments that change which columns ``*`` stands for, or their values / names
_MODIFIERS = ("except_", "replace", "rename")


def _star(projection: exp.Expr) -> exp.Star | None:
    """The star of ``*`` / ``t.*`` when it carries a modifier."""
    star = projection.this if isinstance(projection, exp.Column) else projection
    if isinstance(star, exp.Star) and any(star.args.get(m) for m in _MODIFIERS):
        return star
    return None


def _sources(select: exp.Select) -> list[exp.Expr] | None:
    """The FROM / JOIN inputs a ``*`` reads, in order; None when the star cannot be written
    out input by input (a USING / NATURAL join merges columns, a LATERAL adds some)."""
    if select.args.get("from_") is None or select.args.get("laterals"):
        return None
    if any(j.args.get("using") or j.method for j in select.args.get("joins") or []):
        return None
    return select_inputs(select)


class _Unknown(Exception):
    """The columns of an input are not known (the message names it)."""


def _columns(source: exp.Expr, ctx: RuleContext) -> list[str]:
    columns = derive(source, column_catalog(ctx)).columns
    if columns is None or "*" in columns:
        raise _Unknown(source.alias_or_name or source.sql())
    return list(columns)


def _expanded(select: exp.Select, projection: exp.Expr, star: exp.Star, ctx: RuleContext) -> list[exp.Expr]:
    """The column list ``projection`` stands for; raises :class:`_Unknown` or ValueError."""
    sources = _sources(select)
    if sources is None:
        raise ValueError("its FROM has a USING / NATURAL join or a LATERAL, whose merged columns are not written out")
    qualifier = projection.table if isinstance(projection, exp.Column) else ""
    if qualifier:
        sources = [s for s in sources if s.alias_or_name.lower() == qualifier.lower()]
        if not sources:
            raise ValueError(f"no input of the SELECT is named {qualifier}")
    qualify = len(sources) > 1 or bool(qualifier)
    items: list[tuple[str, str]] = []  # (input name, column)
    for source in sources:
        items.extend((source.alias_or_name, c) for c in _columns(source, ctx))
    dropped = {c.name.lower() for c in star.args.get("except_") or []}
    replaced = {a.alias.lower(): a.this for a in star.args.get("replace") or []}
    renamed = {a.this.name.lower(): a.alias for a in star.args.get("rename") or []}
    known = {c.lower() for _, c in items}
    missing = sorted((dropped | set(replaced) | set(renamed)) - known)
    if missing:
        raise ValueError(f"{', '.join(missing)} is not a column it stands for")
    out: list[exp.Expr] = []
    for table, name in items:
        key = name.lower()
        if key in dropped:
            continue
        column = exp.column(name, table=table if qualify and table else None)
        if key in replaced:
            out.append(exp.alias_(replaced[key], name))
        elif key in renamed:
            out.append(exp.alias_(column, renamed[key]))
        else:
            out.append(column)
    if not out:
        raise ValueError("it leaves no column")
    return out


class ExpandStarModifiers(Rule):
    """BigQuery and Databricks write ``SELECT * EXCEPT (a, b)``, Snowflake ``* EXCLUDE (a, b)``
    and ``* RENAME (a AS z)``, BigQuery ``* REPLACE (expr AS a)``.  Flink 2.3's parser has
    none of them ("Non-query expression encountered in illegal context", checked), so the rule
    writes out the columns the star stands for, in the inputs' order: all but the excepted,
    a replaced column as its new expression under its name, a renamed one under its new name.
    It needs the columns of the inputs (the ``schema``, a source's declared columns, or a
    parent model's output): when one is not known, or the FROM has a USING / NATURAL join
    whose merged columns would have to be reproduced, the statement is reported, not
    guessed.  Over several inputs the columns are qualified with their input's name.
    """

    id = "SL3030"
    name = "expand-star-modifiers"
    title = "SELECT * EXCEPT / EXCLUDE / REPLACE / RENAME becomes the column list it stands for"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT * EXCEPT (b) FROM t",
            after="SELECT a, s FROM t",
            types={"t": {"a": "INT", "b": "STRING", "s": "STRING"}},
            read="databricks",
        ),
        Example(
            before="SELECT * EXCLUDE (b) RENAME (a AS z) FROM t",
            after="SELECT a AS z, s FROM t",
            types={"t": {"a": "INT", "b": "STRING", "s": "STRING"}},
            read="snowflake",
        ),
        Example(
            before="SELECT t.* REPLACE (t.a + 1 AS a), dim.v FROM t JOIN dim ON t.a = dim.k",
            after="SELECT t.a + 1 AS a, t.b, dim.v FROM t JOIN dim ON t.a = dim.k",
            types={"t": {"a": "INT", "b": "INT"}, "dim": {"k": "INT", "v": "STRING"}},
            read="bigquery",
        ),
        Example(
            before="SELECT * EXCEPT (b) FROM t",
            after="SELECT * EXCEPT (b) FROM t",
            read="databricks",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if not any(_star(p) is not None for p in node.expressions):
            return None
        projections: list[exp.Expr] = []
        for projection in node.expressions:
            star = _star(projection)
            if star is None:
                projections.append(projection)
                continue
            try:
                projections.extend(_expanded(node, projection, star, ctx))
            except _Unknown as e:
                ctx.report(
                    projection,
                    f"{projection.sql(ctx.read)} has no Flink SQL form and the columns of {e} are not "
                    "known, so it cannot be written out as a column list",
                    severity=Severity.ERROR,
                    suggestion="declare the columns (schema=, or columns: with data_type in the "
                    "schema.yml of the source / model), or list the columns yourself",
                )
                return None
            except ValueError as e:
                ctx.report(
                    projection,
                    f"{projection.sql(ctx.read)} has no Flink SQL form and is not written out: {e}",
                    severity=Severity.ERROR,
                    suggestion="list the columns yourself",
                )
                return None
        node.set("expressions", projections)
        return node

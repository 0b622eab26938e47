"""Spark generators (explode, posexplode, LATERAL VIEW) become Flink UNNEST joins."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.helper import find_new_name

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.tree import find_all

O = pack_module(__file__, "_ordinality")

_GENERATORS = (exp.Explode, exp.ExplodeOuter)  # Posexplode(Outer) derive from Explode


def _is_outer(lateral: exp.Lateral, fn: exp.Expr) -> bool:
    return bool(lateral.args.get("outer")) or isinstance(fn, (exp.ExplodeOuter, exp.PosexplodeOuter))


def _in_projection(node: exp.Expr, select: exp.Select) -> bool:
    """``node`` (of ``select``'s own scope) is inside one of its projections."""
    while node.parent is not select:
        node = node.parent
    return node.arg_key == "expressions"


def _own_columns(select: exp.Select, name: str, alias: str) -> list[exp.Column]:
    """Columns of ``select`` itself (not of nested queries) that refer to ``alias.name``."""
    found = []
    for col in find_all(select, exp.Column):
        if col.name.lower() != name.lower() or (col.table and col.table.lower() != alias.lower()):
            continue
        if col.find_ancestor(exp.Select) is select:
            found.append(col)
    return found


def _qualify(select: exp.Select, names: list[str], alias: str) -> None:
    """Name the UNNEST alias on ``select``'s own unqualified references to its columns: Flink
    also resolves a bare name against the fields of ROW columns, so a generated ``v`` next to a
    ``struct<..., v>`` column is "ambiguous" unless qualified (checked on Flink 2.3)."""
    for name in names:
        for col in _own_columns(select, name, alias):
            if not col.table:
                col.set("table", exp.to_identifier(alias))


def _extra_arguments(fn: exp.Expr, ctx: RuleContext) -> bool:
    """Report a generator called with more than its one array / map argument (Spark rejects
    it; UNNEST would silently leave the extra arguments out)."""
    extra = [e for e in fn.args.get("expressions") or [] if isinstance(e, exp.Expr)]
    if not extra:
        return False
    ctx.report(
        fn,
        f"{fn.sql_name().lower()} takes one argument; the extra "
        f"{', '.join(e.sql(ctx.read) for e in extra)} would be left out",
        severity=Severity.ERROR,
        suggestion="remove the extra arguments (explode one array or map per call)",
    )
    return True


class LateralViewToUnnest(Rule):
    """Spark's ``LATERAL VIEW [OUTER] explode|posexplode(x) e AS cols`` joins each row with the
    elements of an array (or entries of a map).  Flink writes that as a join with ``UNNEST``:

    * ``explode`` → ``CROSS JOIN UNNEST(x) AS e(cols)``;
    * ``OUTER`` / ``explode_outer`` keep rows whose array is empty or NULL: Flink's
      ``LEFT JOIN UNNEST(x) AS e(cols) ON TRUE`` does the same (a CROSS JOIN would drop them);
    * ``posexplode`` adds a position that is 0-based in Spark; Flink's ``WITH ORDINALITY``
      counts from 1 and comes last, so references to the position become ``pos - 1``;
    * references to the generated columns are qualified with the UNNEST's alias: Flink also
      resolves a bare name against the fields of ROW columns, so ``elem`` beside a
      ``struct<..., elem>`` column would be "ambiguous" (checked on Flink 2.3).

    Other table generators (``inline``, ``stack``, ``json_tuple``, UDTFs) have no direct
    Flink form and are reported.
    """

    id = "SL3010"
    name = "lateral-view-to-unnest"
    title = "LATERAL VIEW explode / posexplode becomes a join with UNNEST"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, elem FROM t LATERAL VIEW explode(arr) e AS elem",
            after="SELECT a, e.elem FROM t CROSS JOIN UNNEST(arr) AS e(elem)",
        ),
        Example(
            before="SELECT a, elem FROM t LATERAL VIEW OUTER explode(arr) e AS elem",
            after="SELECT a, e.elem FROM t LEFT JOIN UNNEST(arr) AS e(elem) ON TRUE",
        ),
        Example(
            before="SELECT a, p, elem FROM t LATERAL VIEW posexplode(arr) e AS p, elem WHERE p > 0",
            after="SELECT a, e.p - 1 AS p, e.elem FROM t CROSS JOIN UNNEST(arr) WITH ORDINALITY AS e(elem, p) WHERE (e.p - 1) > 0",
        ),
        Example(
            before="SELECT a, k, v FROM t LATERAL VIEW explode(m) e AS k, v",
            after="SELECT a, e.k, e.v FROM t CROSS JOIN UNNEST(m) AS e(k, v)",
        ),
        Example(
            before="SELECT a, elem FROM t LATERAL VIEW inline(arr) e AS elem",
            after="SELECT a, elem FROM t LATERAL VIEW INLINE(arr) e AS elem",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        laterals = [lat for lat in node.args.get("laterals") or [] if lat.args.get("view")]
        changed = False
        for lateral in laterals:
            fn = lateral.this
            if not isinstance(fn, _GENERATORS):
                ctx.report(
                    lateral,
                    f"LATERAL VIEW {fn.sql(ctx.read) if fn else ''} has no Flink translation",
                    severity=Severity.ERROR,
                    suggestion="rewrite it as CROSS JOIN UNNEST(...) over an array, or a Flink "
                    "table function (UDTF) with LATERAL TABLE(...)",
                )
                continue
            if _extra_arguments(fn, ctx):
                continue
            self._rewrite(node, lateral, fn, ctx)
            changed = True
        return node if changed else None

    def _rewrite(self, select: exp.Select, lateral: exp.Lateral, fn: exp.Expr, ctx: RuleContext) -> None:
        alias = lateral.args.get("alias")
        alias_name = alias.name if alias and alias.name else "u"
        columns = [c.copy() for c in (alias.columns if alias else [])]
        with_position = isinstance(fn, exp.Posexplode)
        position = None
        if with_position:
            position = columns.pop(0) if columns else exp.to_identifier("pos")
        if not columns:
            columns = [exp.to_identifier("col")]
            ctx.report(
                lateral,
                "the generated column has no alias; named it `col` as Spark does (a MAP gives "
                "`key` and `value` in Spark)",
                severity=Severity.WARNING,
                suggestion="name the columns: LATERAL VIEW explode(x) e AS c",
            )
        unnest = exp.Unnest(
            expressions=[fn.this.copy()],
            alias=exp.TableAlias(this=exp.to_identifier(alias_name), columns=[*columns]),
            offset=position.copy() if position is not None else False,
        )
        if _is_outer(lateral, fn):
            join = exp.Join(this=unnest, side="LEFT", on=exp.true())
        else:
            join = exp.Join(this=unnest, kind="CROSS")
        lateral.pop()
        select.append("joins", join)
        if position is not None:
            self._shift_positions(select, position.name, alias_name)
        _qualify(select, [c.name for c in columns] + ([position.name] if position is not None else []), alias_name)

    @staticmethod
    def _shift_positions(select: exp.Select, name: str, alias: str) -> None:
        """Spark positions are 0-based, Flink ordinality 1-based: ``pos`` becomes ``pos - 1``."""
        for col in _own_columns(select, name, alias):
            if col.parent_select is not select or col.find_ancestor(exp.Join):
                continue
            O.zero_based(col, select)


class ExplodeInSelect(Rule):
    """Spark allows a generator in the SELECT list (``SELECT explode(arr) AS x FROM t``); Flink
    does not.  A single generator in a plain projection becomes a join with ``UNNEST`` (as
    LATERAL VIEW does); other shapes (several generators, aggregates, nested calls) are
    reported with the rewrite to apply by hand.
    """

    id = "SL3011"
    name = "explode-in-select"
    title = "explode() in the SELECT list becomes a join with UNNEST"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, explode(arr) AS elem FROM t",
            after="SELECT a, u.elem FROM t CROSS JOIN UNNEST(arr) AS u(elem)",
        ),
        Example(
            before="SELECT explode_outer(arr) FROM t",
            after="SELECT u.col FROM t LEFT JOIN UNNEST(arr) AS u(col) ON TRUE",
        ),
        Example(
            before="SELECT count(explode(arr)) FROM t",
            after="SELECT COUNT(EXPLODE(arr)) FROM t",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        generators = [g for g in ctx.own_nodes(node, _GENERATORS) if _in_projection(g, node)]
        if not generators or any([_extra_arguments(g, ctx) for g in generators]):
            return None
        projection = generators[0].parent if isinstance(generators[0].parent, exp.Alias) else generators[0]
        simple = (
            len(generators) == 1
            and projection.parent is node
            and projection.arg_key == "expressions"
            and not isinstance(generators[0], exp.Posexplode)
            and not node.args.get("group")
            and not node.args.get("distinct")
            and node.args.get("from_") is not None
        )
        if not simple:
            for g in generators:
                ctx.report(
                    g,
                    f"{g.sql_name()} in this position has no Flink equivalent",
                    severity=Severity.ERROR,
                    suggestion="move it to the FROM clause: FROM t CROSS JOIN UNNEST(arr) AS u(x) "
                    "(WITH ORDINALITY for a position, LEFT JOIN ... ON TRUE for the outer form)",
                )
            return None
        gen = generators[0]
        name = projection.alias if isinstance(projection, exp.Alias) else "col"
        column = exp.to_identifier(name)
        taken = {t.alias_or_name.lower() for t in find_all(node, exp.Table)}
        alias = find_new_name(taken, "u")
        unnest = exp.Unnest(
            expressions=[gen.this.copy()],
            alias=exp.TableAlias(this=exp.to_identifier(alias), columns=[column]),
            offset=False,
        )
        if isinstance(gen, exp.ExplodeOuter):
            join = exp.Join(this=unnest, side="LEFT", on=exp.true())
        else:
            join = exp.Join(this=unnest, kind="CROSS")
        projection.replace(exp.column(name, table=alias))
        node.append("joins", join)
        return node

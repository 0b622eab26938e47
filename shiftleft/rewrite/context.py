"""What a rule sees besides the node: target, mode, schema, and a place to report findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.generator import Generator

from shiftleft.models import Diagnostic, Mode, Severity, Target
from shiftleft.sqlglot_objects import data_type, dialect
from shiftleft.rewrite.walk import bare_copy, own_nodes, preorder, size_at_most
from shiftleft.tree import find_all
from shiftleft.streaming.options import StreamingOptions

_SNIPPET_NODES = 40

# Families of declared types that rules ask about (``ctx.declared_as(node, DATE_TYPES)``).
DATE_TYPES = frozenset({exp.DType.DATE, exp.DType.DATE32})
#: functions whose value is a DATE whatever their arguments' types
_DATE_VALUED = (exp.CurrentDate, exp.TsOrDsToDate, exp.StrToDate, exp.DateStrToDate, exp.DateFromParts, exp.LastDay, exp.Date)
TIMESTAMP_TYPES = frozenset(
    {exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.TIMESTAMPLTZ, exp.DType.TIMESTAMPTZ, exp.DType.DATETIME}
)
FRACTIONAL_TYPES = frozenset({exp.DType.DOUBLE, exp.DType.FLOAT, exp.DType.DECIMAL, exp.DType.BIGDECIMAL})
INTEGER_TYPES = frozenset(exp.DataType.INTEGER_TYPES)
TEXT_TYPES = frozenset(exp.DataType.TEXT_TYPES)

#: nodes whose change may change which tables a SELECT reads: the engine then drops the
#: context's cached table maps
SCOPE_NODES = (exp.Query, exp.Subquery, exp.Table, exp.Join, exp.From, exp.Lateral, exp.Unnest, exp.With, exp.CTE)

#: user schema: ``{"table": {"column": "TYPE"}}`` (types in Spark or Flink spelling)
Schema = Mapping[str, Mapping[str, str]]


def node_position(node: exp.Expr) -> tuple[int | None, int | None]:
    """Best-known 1-based (line, column) of ``node`` in the input script.

    sqlglot records positions on identifiers, literals and function names; for other nodes we
    use the first descendant that has one.
    """
    for candidate in preorder(node):  # depth-first: the leftmost token comes first
        meta = candidate.meta if candidate._meta else None  # avoid creating dicts
        if meta and "line" in meta:
            line, col = meta["line"], meta.get("col")
            # sqlglot's col is the column of the token's *last* character; report its first.
            start, end = meta.get("start"), meta.get("end")
            if col is not None and start is not None and end is not None:
                col = col - (end - start)
            return line, col
    return None, None


_WHOLE_DAY_UNITS = frozenset({"DAY", "DAYS", "WEEK", "WEEKS", "MONTH", "MONTHS", "YEAR", "YEARS"})


def _interval_operand(node: exp.Add | exp.Sub) -> tuple[exp.Expr | None, bool]:
    """(the operand of ``x + INTERVAL ...`` / ``x - INTERVAL ...`` that is not the interval,
    whether the interval counts whole days), or (None, False) when no side is an interval."""
    sides = [node.this, node.expression] if isinstance(node, exp.Add) else [node.expression]
    for k, side in enumerate(sides):
        if isinstance(side, exp.Interval):
            unit = side.args.get("unit")
            whole = isinstance(unit, exp.Var) and unit.name.upper() in _WHOLE_DAY_UNITS
            return (node.expression if k == 0 and isinstance(node, exp.Add) else node.this), whole
    return None, False


def _literal_type(node: exp.Literal) -> exp.DataType:
    if node.is_string:
        return exp.DataType(this=exp.DType.TEXT, nested=False)
    fractional = "." in node.this or "e" in node.this.lower()
    return exp.DataType(this=exp.DType.DECIMAL if fractional else exp.DType.INT, nested=False)


@dataclass
class RuleContext:
    """Per-statement state handed to every rule.  Not shared between statements or threads."""

    target: Target
    mode: Mode
    read: str
    statement: int
    schema: Schema = field(default_factory=dict)
    #: column types of source tables the schema does not declare, inferred from their use
    #: (``sources=True``: the arrays the script unnests); read where the schema says nothing
    inferred: Schema = field(default_factory=dict)
    #: event-time column per source table: ``{"orders": "order_ts"}``
    event_time: Mapping[str, str] = field(default_factory=dict)
    #: the user's streaming policies (state TTL, current-time handling)
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    #: views of the script (before this statement) that read no table: name -> column names
    #: (lower case; empty when unknown), see :mod:`shiftleft.rewrite.constants`
    constant_relations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: tables and views the script created before this statement: lower-case name -> the
    #: name as the script wrote it (Flink names are case-sensitive, Spark's are not)
    script_relations: Mapping[str, str] = field(default_factory=dict)
    #: the temporary views the script created before this statement (lower case)
    temporary_views: frozenset[str] = frozenset()
    #: statements a rule needs run just before this one (e.g. a DROP before a re-creation)
    preamble: list[exp.Expr] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: id of the rule being applied; set by the engine
    rule_id: str = ""
    #: per-statement cache for rules (key it by rule id and node id); dropped with the context
    memo: dict[Any, Any] = field(default_factory=dict)
    #: table maps of SELECTs, cached for rules (see :meth:`forget_scopes`)
    scopes: dict[Any, Any] = field(default_factory=dict, repr=False)
    #: changes rules made to the tree so far (the engine counts them): a cached walk of a
    #: SELECT (:meth:`own_nodes`) is used only while no change was made since it
    changes: int = 0
    walks: dict[int, Any] = field(default_factory=dict, repr=False)
    #: facts about single nodes that several rules ask for (see :meth:`fact`)
    facts: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    def report(
        self,
        node: exp.Expr,
        message: str,
        *,
        severity: Severity = Severity.WARNING,
        suggestion: str | None = None,
        rule_id: str | None = None,
    ) -> None:
        """Record a diagnostic about ``node`` (position taken from the node)."""
        line, column = node_position(node)
        snippet = None
        # A snippet is a nicety: only for constructs small enough to show (and cheap to print).
        if size_at_most(node, _SNIPPET_NODES):
            try:
                snippet = self._snippet_generator().generate(bare_copy(node), copy=False)
            except Exception:  # noqa: BLE001 - never a failure
                snippet = None
        if snippet and len(snippet) > 200:
            snippet = snippet[:197] + "..."
        self.diagnostics.append(
            Diagnostic.of(
                rule_id or self.rule_id,
                message,
                severity=severity,
                statement=self.statement,
                line=line,
                column=column,
                suggestion=suggestion,
                snippet=snippet,
            )
        )

    def _snippet_generator(self) -> Generator:
        """One generator of the input dialect per statement, for diagnostic snippets."""
        return self._generator(self.read)

    def _generator(self, name: str) -> Generator:
        key = ("generator", name)
        generator = self.memo.get(key)
        if generator is None:
            generator = dialect(name).generator(unsupported_level=ErrorLevel.IGNORE)
            self.memo[key] = generator
        return generator

    def sql(self, node: exp.Expr, dialect: str = "flink") -> str:
        """The text of ``node`` in ``dialect``, as ``node.sql(dialect)`` gives it, for messages
        and comparisons; without ``node.sql``'s deep copy (positions included) and new dialect
        and generator per call: one generator per statement, on a copy without positions."""
        return self._generator(dialect).generate(bare_copy(node), copy=False)

    def declared_type(self, node: exp.Expr) -> exp.DataType | None:
        """The type ``node`` is known to have without type inference: the target of a CAST,
        a literal's type, a column's type from the schema, or the DATE of a function that
        always returns one (``current_date()``, ``to_date(s)``, ``make_date``); None when unknown."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return node.to
        if isinstance(node, _DATE_VALUED):
            return exp.DataType(this=exp.DType.DATE)
        if isinstance(node, exp.TimestampAdd):  # (a rule's output) the type of its operand
            return self.declared_type(node.this)
        if isinstance(node, exp.Anonymous) and node.name.upper() == "TIMESTAMPADD" and len(node.expressions) == 3:
            return self.declared_type(node.expressions[2])
        if isinstance(node, (exp.Add, exp.Sub)):  # d - INTERVAL '7' DAY: the type of d
            operand, whole_days = _interval_operand(node)
            declared = self.declared_type(operand) if operand is not None else None
            if declared is not None and (declared.this in TIMESTAMP_TYPES or (declared.this in DATE_TYPES and whole_days)):
                return declared
            return None  # (Spark: DATE + INTERVAL '2' HOUR is a TIMESTAMP)
        if isinstance(node, exp.Column):
            return self.column_type(node)
        if isinstance(node, exp.Literal):
            return _literal_type(node)
        return None

    def event_time_column(self, table: str) -> str | None:
        """The declared event-time column of source ``table`` (case-insensitive), if any."""
        wanted = table.lower()
        return next((c for t, c in self.event_time.items() if t.lower() == wanted), None)

    def is_event_time(self, column: exp.Column) -> bool:
        """True when ``column`` is the event-time column of the table it comes from."""
        if not self.event_time:
            return False
        select = column.find_ancestor(exp.Select)
        tables = self._tables_below(select) if select is not None else {}
        if column.table:
            candidates = [tables.get(column.table.lower(), column.table)]
        else:
            candidates = list(tables.values()) or list(self.event_time)
        return any(
            (self.event_time_column(t) or "").lower() == column.name.lower() for t in candidates
        )

    def declared_as(self, node: exp.Expr, kinds: frozenset[exp.DType] | set[exp.DType]) -> bool:
        """True when ``node``'s declared type (see :meth:`declared_type`) is one of ``kinds``."""
        declared = self.declared_type(node)
        return declared is not None and declared.this in kinds

    def column_type(self, column: exp.Column) -> exp.DataType | None:
        """The declared type of ``column`` from the user's schema, when it can be resolved.

        Resolution is by the column's table qualifier (alias or name) within its SELECT, or,
        for an unqualified column, the only schema table of that SELECT that has the column.
        """
        if not self.schema and not self.inferred:
            return None
        select = column.find_ancestor(exp.Select)
        tables = self._own_tables(select) if select is not None else {}
        lowered = self._lowered_schema()
        name = column.name.lower()
        if column.table:
            table = tables.get(column.table.lower(), column.table.lower())
            candidates = [table]
        else:
            candidates = [t for t in tables.values() if name in lowered.get(t, {})]
            if not tables:
                candidates = [t for t, cols in lowered.items() if name in cols]
        found = [lowered[t][name] for t in dict.fromkeys(candidates) if name in lowered.get(t, {})]
        if len(found) != 1:
            return None
        key = ("declared-type", found[0])
        if key not in self.memo:
            try:
                # a Flink ROW (migrate's parents, the types inferred for sources) reads as Flink
                dialect = "flink" if "ROW<" in found[0].upper() else self.read
                self.memo[key] = data_type(found[0], dialect)
            except Exception:  # noqa: BLE001 - an unreadable type is an unknown type
                self.memo[key] = None
        built = self.memo[key]
        return None if built is None else bare_copy(built)

    # Per-statement caches of what rules ask about the same SELECT for each of its columns (a
    # wide SELECT must not cost a walk of the SELECT per column).  A cached map is keyed by
    # the SELECT and holds it, so the key cannot be reused; the engine drops them all when a
    # rule changed a query, table or join (see :data:`SCOPE_NODES`).

    def own_nodes(self, select: exp.Select, types: type[exp.Expr] | tuple[type[exp.Expr], ...]) -> list[exp.Expr]:
        """:func:`~shiftleft.rewrite.walk.own_nodes` of ``select``: the rules on one SELECT
        share one walk of its scope while none of them changed the tree."""
        cached = self.walks.get(id(select))
        if cached is None or cached[0] is not select or cached[1] != self.changes:
            cached = self.walks[id(select)] = (select, self.changes, own_nodes(select, exp.Expr), {})
        by_type: dict[Any, list[exp.Expr]] = cached[3]  # one filter per type asked for
        found = by_type.get(types)
        if found is None:
            found = by_type[types] = [n for n in cached[2] if isinstance(n, types)]
        return list(found)

    def fact(self, name: str, node: exp.Expr, compute: Callable[[exp.Expr], Any]) -> Any:
        """``compute(node)``, computed once for the rules that ask for the fact ``name`` about
        the same node while no rule changed the tree since (the checks on one function call
        share whether it is theirs to check)."""
        key = (name, id(node))
        cached = self.facts.get(key)
        if cached is None or cached[0] is not node or cached[1] != self.changes:
            cached = self.facts[key] = (node, self.changes, compute(node))
        return cached[2]

    def forget_scopes(self) -> None:
        """Drop the cached table maps (the engine calls this after a structural change)."""
        self.scopes.clear()

    def _tables_below(self, select: exp.Select) -> dict[str, str]:
        """Every table in ``select``'s tree: alias or name (lower case) -> table name."""
        key = ("tables-below", id(select))
        cached = self.scopes.get(key)
        if cached is None or cached[0] is not select:
            tables = {t.alias_or_name.lower(): t.name for t in find_all(select, exp.Table)}
            cached = self.scopes[key] = (select, tables)
        return cached[1]

    def _own_tables(self, select: exp.Select) -> dict[str, str]:
        """The tables whose nearest SELECT is ``select``: alias or name -> name, lower case."""
        key = ("own-tables", id(select))
        cached = self.scopes.get(key)
        if cached is None or cached[0] is not select:
            tables = {
                t.alias_or_name.lower(): t.name.lower()
                for t in find_all(select, exp.Table)
                if t.find_ancestor(exp.Select) is select
            }
            cached = self.scopes[key] = (select, tables)
        return cached[1]

    def _lowered_schema(self) -> dict[str, dict[str, str]]:
        lowered = self.memo.get("lowered-schema")
        if lowered is None:
            lowered = {
                t.lower(): {c.lower(): ty for c, ty in cols.items()}
                for t, cols in (*self.inferred.items(), *self.schema.items())  # the schema wins
            }
            self.memo["lowered-schema"] = lowered
        return lowered

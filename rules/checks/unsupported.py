"""Constructs Flink SQL has no counterpart for: reported (or, where the meaning is kept,
removed with a warning), never passed through as if they were Flink.

Each rule here looks at one kind of construct the Spark / Hive reader understands but the
Flink dialect would print back unchanged (or worse, silently drop a part of).
"""

from __future__ import annotations

import math
import re

from sqlglot import exp

from shiftleft.models import Severity, Target
from shiftleft.rewrite import Example, Rule, RuleContext

_NUMBER = re.compile(r"^\d*\.?\d*([eE][-+]?\d+)?$")


class Placeholder(Rule):
    """A bind placeholder (``?``, ``:name``) or a variable reference (``${var}``, Spark's
    variable substitution) is not SQL yet: its value is filled in by a driver or a template
    engine at run time.  Flink SQL has no such substitution, so the statement is reported;
    substitute the value before translating (for dbt, shiftleft renders Jinja itself)."""

    id = "SL9201"
    name = "placeholder"
    title = "Bind placeholder or ${variable} that must be substituted before translation"
    phase = "check"
    node_types = (exp.Placeholder, exp.Parameter)
    examples = (
        Example(before="SELECT a FROM t WHERE b = ?", after="SELECT a FROM t WHERE b = ?", diagnoses=True),
        Example(before="SELECT a FROM t WHERE b = ${x}", after="SELECT a FROM t WHERE b = @x", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        text = node.sql(dialect=ctx.read)
        ctx.report(
            node,
            f"placeholder {text} has no value: Flink SQL has no parameter substitution",
            severity=Severity.ERROR,
            suggestion="substitute the value (or template variable) before translating",
        )
        return None


class NumberOutOfRange(Rule):
    """A numeric literal no Flink type can hold: a floating literal that overflows DOUBLE
    (``1e999999`` is infinity) or an exact number with more than 38 digits (Flink's largest
    DECIMAL).  Flink rejects such a literal, Spark would read it as infinity or NULL."""

    id = "SL9202"
    name = "number-out-of-range"
    title = "Numeric literal too large for any Flink numeric type"
    phase = "check"
    node_types = (exp.Literal,)
    examples = (
        Example(before="SELECT 1e999999 AS x FROM t", after="SELECT 1e999999 AS x FROM t", diagnoses=True),
        Example(before="SELECT 1e300 AS x FROM t", after="SELECT 1e300 AS x FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Literal)
        text = str(node.this)
        if node.is_string or (len(text) <= 38 and "e" not in text and "E" not in text) or not _NUMBER.match(text):
            return None
        mantissa = text.lower().split("e")[0]
        try:
            overflow = "e" in text.lower() and math.isinf(float(text))
        except (ValueError, OverflowError):
            overflow = True
        digits = len(mantissa.replace(".", "").lstrip("0"))
        if not overflow and digits <= 38:
            return None
        ctx.report(
            node,
            f"numeric literal {text[:40]} is out of range for every Flink numeric type",
            severity=Severity.ERROR,
            suggestion="use a value within DOUBLE range, or at most 38 digits",
        )
        return None


class DistributionClauses(Rule):
    """Spark's ``DISTRIBUTE BY`` / ``SORT BY`` / ``CLUSTER BY`` (on a query) only say how rows
    are spread over and ordered within Spark's reducers; they change neither which rows a
    query returns nor any global order.  Flink SQL has no such clauses (the planner
    distributes by itself), so they are removed, with a warning naming them."""

    id = "SL9203"
    name = "distribution-clauses"
    title = "DISTRIBUTE BY / SORT BY / CLUSTER BY removed (no effect on the result rows)"
    node_types = (exp.Select,)
    examples = (
        Example(before="SELECT a FROM t DISTRIBUTE BY a", after="SELECT a FROM t", diagnoses=True),
        Example(before="SELECT a FROM t CLUSTER BY a", after="SELECT a FROM t", diagnoses=True),
        Example(before="SELECT a, b FROM t DISTRIBUTE BY a SORT BY b", after="SELECT a, b FROM t", diagnoses=True),
    )

    _CLAUSES = (("distribute", "DISTRIBUTE BY"), ("sort", "SORT BY"), ("cluster", "CLUSTER BY"))

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        found = [label for arg, label in self._CLAUSES if node.args.get(arg) is not None]
        if not found:
            return None
        for arg, _ in self._CLAUSES:
            node.set(arg, None)
        ctx.report(
            node,
            f"{' / '.join(found)} removed: Flink distributes rows itself and the clause does not "
            "change the query's result rows",
            severity=Severity.WARNING,
            suggestion="if a global order was meant, Flink can order only by a time attribute in streaming",
        )
        return node


class LambdaFunction(Rule):
    """Spark's higher-order functions (``transform``, ``filter``, ``aggregate``, ``exists``,
    ``forall``, ``zip_with``, ``map_filter``, ...) take a lambda (``x -> x + 1``).  Flink SQL
    has no lambdas, and sqlglot's Flink output would drop or garble them (``exists(arr, x ->
    ...)`` prints as ``EXISTS(arr)``).  The statement is reported: unnest the array and
    aggregate (``CROSS JOIN UNNEST(arr) AS u(x)`` + ``ARRAY_AGG`` / ``BOOL_OR``), or
    register a Flink UDF."""

    id = "SL9204"
    name = "lambda-function"
    title = "Higher-order function with a lambda (transform, filter, aggregate, exists, ...)"
    phase = "check"
    node_types = (exp.Lambda,)
    examples = (
        Example(
            before="SELECT transform(arr, x -> x + 1) AS y FROM t",
            after="SELECT TRANSFORM(arr, x -> x + 1) AS y FROM t",
            diagnoses=True,
        ),
        Example(before="SELECT exists(arr, x -> x > 1) AS y FROM t", after="SELECT EXISTS(arr) AS y FROM t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        call = node.parent
        name = call.sql_name() if isinstance(call, exp.Func) else "a higher-order function"
        if isinstance(call, exp.Anonymous):
            name = str(call.this).upper()
        ctx.report(
            call if isinstance(call, exp.Expr) else node,
            f"{name} takes a lambda ({node.sql(dialect=ctx.read)[:60]}); Flink SQL has no lambda functions",
            severity=Severity.ERROR,
            suggestion="unnest the array (CROSS JOIN UNNEST) and aggregate it back (ARRAY_AGG, "
            "BOOL_OR, SUM), or register a Flink UDF",
        )
        return None


class AtTimeZone(Rule):
    """``ts AT TIME ZONE 'zone'`` has no Flink form.  Flink's ``CONVERT_TZ`` converts a
    *string* between zones and ``TIMESTAMP_LTZ`` follows the session time zone, neither of
    which keeps the type and meaning in general, so the expression is reported; so is
    Snowflake's ``CONVERT_TIMEZONE(tz, ts)`` / ``CONVERT_TIMEZONE(from, to, ts)``, which the
    generator would write as AT TIME ZONE (it was not reported when it wrapped a rule's output),
    and Spark's ``to_utc_timestamp`` (sqlglot's FromTimeZone, written the same way; it passed
    silently).  A conversion from UTC to UTC is SL1130's."""

    id = "SL9205"
    name = "at-time-zone"
    title = "AT TIME ZONE has no Flink SQL equivalent"
    phase = "check"
    node_types = (exp.AtTimeZone, exp.FromTimeZone, exp.ConvertTimezone)
    examples = (
        Example(
            before="SELECT ts AT TIME ZONE 'America/New_York' AS u FROM t",
            after="SELECT ts AT TIME ZONE 'America/New_York' AS u FROM t",
            diagnoses=True,
        ),
        Example(  # Spark's to_utc_timestamp: it passed silently
            before="SELECT to_utc_timestamp(ts, 'Asia/Kolkata') AS u FROM t",
            after="SELECT TRY_CAST(ts AS TIMESTAMP) AT TIME ZONE 'Asia/Kolkata' AT TIME ZONE 'UTC' AS u FROM t",
            types={"t": {"ts": "TIMESTAMP"}},
            diagnoses=True,
        ),
        Example(  # Snowflake's two-argument CONVERT_TIMEZONE is written AT TIME ZONE
            before="SELECT CONVERT_TIMEZONE('UTC', ts) AS u FROM t", read="snowflake",
            after="SELECT ts AT TIME ZONE 'UTC' AS u FROM t",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        ctx.report(
            node,
            "AT TIME ZONE has no Flink SQL equivalent",
            severity=Severity.ERROR,
            suggestion="use CONVERT_TZ(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss'), 'UTC', zone) for a "
            "string result, or a TIMESTAMP_LTZ column with table.local-time-zone",
        )
        return None


class Pivot(Rule):
    """``PIVOT`` / ``UNPIVOT`` do not exist in Flink SQL.  ``PIVOT (agg FOR k IN (v1, v2))``
    is ``agg(CASE WHEN k = v1 THEN ... END) AS v1, ...`` grouped by the table's other
    columns, which only the table's full column list determines; ``UNPIVOT`` is a
    ``CROSS JOIN UNNEST`` of an array of rows.  The construct is reported with that recipe."""

    id = "SL9206"
    name = "pivot"
    title = "PIVOT / UNPIVOT has no Flink SQL form"
    phase = "check"
    node_types = (exp.Pivot,)
    examples = (
        Example(
            before="SELECT * FROM t PIVOT (SUM(v) FOR k IN ('a', 'b'))",
            after="SELECT * FROM t PIVOT(SUM(v) FOR k IN ('a', 'b'))",
            diagnoses=True,
        ),
        Example(
            before="SELECT * FROM t UNPIVOT (v FOR k IN (a, b))",
            after="SELECT * FROM t UNPIVOT(v FOR k IN (a, b))",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Pivot)
        kind = "UNPIVOT" if node.args.get("unpivot") else "PIVOT"
        recipe = (
            "CROSS JOIN UNNEST(ARRAY[ROW('a', a), ROW('b', b)]) AS u(k, v)"
            if kind == "UNPIVOT"
            else "agg(CASE WHEN k = 'v1' THEN x END) AS v1, ... GROUP BY the other columns"
        )
        ctx.report(node, f"{kind} has no Flink SQL form", severity=Severity.ERROR, suggestion=f"rewrite it as {recipe}")
        return None


class UnsupportedStatement(Rule):
    """Statements that manage a Spark / Hive warehouse rather than compute data (``ALTER
    TABLE``, ``CACHE TABLE``, ``UNCACHE``, ``REFRESH``, ``ANALYZE``, ``GRANT``, ``COMMENT
    ON``, ``LOAD DATA``) have no Flink streaming counterpart in this form; they are
    reported instead of being copied as if they were Flink."""

    id = "SL9207"
    name = "unsupported-statement"
    title = "Warehouse-management statement (ALTER, CACHE, REFRESH, ANALYZE, ...) not translated"
    phase = "check"
    node_types = tuple(
        getattr(exp, n)
        for n in ("Alter", "Cache", "Uncache", "Refresh", "Analyze", "Grant", "Revoke", "Comment", "LoadData")
        if hasattr(exp, n)
    )
    examples = (
        Example(before="CACHE TABLE t", after="CACHE TABLE t", diagnoses=True),
        Example(before="ALTER TABLE t ADD COLUMNS (c INT)", after="ALTER TABLE t ADD COLUMNS (c INT)", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if node.parent is not None:
            return None
        words = " ".join(node.sql(dialect=ctx.read).split()[:2]).upper()
        ctx.report(
            node,
            f"{words} is a {ctx.read} warehouse statement with no Flink counterpart in this form",
            severity=Severity.ERROR,
            suggestion="remove it from the Flink job, or write the Flink DDL (e.g. ALTER TABLE ... SET/ADD) by hand",
        )
        return None


class TableStorage(Rule):
    """``USING delta`` / ``USING parquet``, ``LOCATION '...'`` describe Spark storage.  Flink
    tables are defined by a connector in ``WITH (...)``: printed as Flink, the clause would
    become ``WITH ('format' = 'delta')`` with no connector, which Flink rejects.  A plain
    ``CREATE TABLE`` with a storage clause is reported; for ``CREATE TABLE ... AS SELECT``,
    whose sink table shiftleft writes itself, the dropped clause is a warning."""

    id = "SL9208"
    name = "table-storage"
    title = "Spark storage clause (USING format, LOCATION) has no Flink meaning"
    phase = "check"
    node_types = (exp.FileFormatProperty, exp.LocationProperty)
    examples = (
        Example(
            before="CREATE TABLE t (a INT) USING delta LOCATION '/data/t'",
            after="CREATE TABLE t (a INT) WITH ('format' = 'delta')",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        create = node.find_ancestor(exp.Create)
        what = node.sql(dialect=ctx.read)[:60]
        if create is not None and create.args.get("expression") is not None:
            ctx.report(
                node,
                f"storage clause {what} dropped: the sink table gets a Flink connector instead",
                severity=Severity.WARNING,
            )
            return None
        ctx.report(
            node,
            f"storage clause {what} has no Flink meaning: a Flink table needs a connector",
            severity=Severity.ERROR,
            suggestion="declare the table with WITH ('connector' = ..., ...) for its Flink source or sink",
        )
        return None


class StaticPartitionOverwrite(Rule):
    """``INSERT OVERWRITE t PARTITION (d = '2024-01-01') SELECT ...`` replaces one partition,
    whose value is given in the clause rather than by the query.  A streaming ``INSERT
    INTO`` would lose both the replacement and the static value, so the statement is
    reported; select the partition value as a column into an upsert table instead."""

    id = "SL9209"
    name = "static-partition-overwrite"
    title = "INSERT OVERWRITE with static PARTITION values not translated"
    phase = "check"
    node_types = (exp.Insert,)
    examples = (
        Example(
            before="INSERT OVERWRITE TABLE s PARTITION (d = '1') SELECT a FROM t",
            after="INSERT OVERWRITE s PARTITION (d = '1') SELECT a FROM t",
            mode="batch",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        table = node.this
        partition = table.args.get("partition") if isinstance(table, exp.Expr) else None
        if not node.args.get("overwrite") or partition is None:
            return None
        static = [e for e in partition.expressions if isinstance(e, exp.EQ)]
        if not static:
            return None
        ctx.report(
            node,
            f"INSERT OVERWRITE with static partition values ({', '.join(e.sql(dialect=ctx.read) for e in static)}) "
            "is not translated: the values would be lost",
            severity=Severity.ERROR,
            suggestion="select the partition value as a column (SELECT ..., '2024-01-01' AS d) into a table keyed on it",
        )
        return None


class EmptyConstructor(Rule):
    """``array()``, ``map()``, ``struct()`` / ``named_struct()`` with no elements: Spark builds
    an empty array, map or struct.  Flink SQL has no empty value constructor (the planner
    rejects ``ARRAY[]`` and ``MAP[]``: "at least 1 argument", and cannot parse ``ROW()``), so
    the expression is reported instead of printed as one of those."""

    id = "SL9210"
    name = "empty-constructor"
    title = "Empty array(), map() or struct(): Flink has no empty value constructor"
    phase = "check"
    # (struct() is already ROW() here: an anonymous call, see SL1082)
    node_types = (exp.Array, exp.VarMap, exp.Map, exp.Struct, exp.Anonymous)
    examples = (
        Example(before="SELECT array() AS y FROM t", after="SELECT ARRAY[] AS y FROM t", diagnoses=True),
        Example(before="SELECT map() AS y FROM t", after="SELECT MAP[] AS y FROM t", diagnoses=True),
        Example(before="SELECT array(1) AS y, map('k', 1) AS z FROM t", after="SELECT ARRAY[1] AS y, MAP['k', 1] AS z FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.VarMap):
            keys = node.args.get("keys")
            empty = isinstance(keys, exp.Array) and not keys.expressions
        elif isinstance(node, exp.Array):
            # the keys / values of a map() are arrays too: the map reports itself
            empty = not node.expressions and not isinstance(node.parent, exp.VarMap | exp.Map)
        elif isinstance(node, exp.Anonymous):
            empty = str(node.this).upper() == "ROW" and not node.expressions
        else:
            empty = not node.expressions and not node.args.get("this")
        if not empty:
            return None
        what = {exp.VarMap: "map()", exp.Map: "map()", exp.Struct: "struct()", exp.Anonymous: "struct()"}.get(
            type(node), "array()"
        )
        ctx.report(
            node,
            f"empty {what}: Flink SQL has no empty ARRAY / MAP / ROW constructor",
            severity=Severity.ERROR,
            suggestion="keep a NULL instead of the empty value, or build the value in a Flink UDF",
        )
        return None


class TableWithoutConnector(Rule):
    """A Spark ``CREATE TABLE t (...)`` with no ``USING`` clause is a managed table of the
    warehouse (Parquet / Delta by default).  Printed as Flink it has no ``WITH ('connector' =
    ...)``: open-source Flink creates it in the catalog, then rejects every statement that
    reads or writes it ("Table options do not contain an option key 'connector'").  Reported
    for the ``flink`` target (a Confluent Cloud table without a connector is a Kafka topic, as
    meant); column ``DEFAULT`` values, which Flink tables do not have, are reported with it.
    """

    id = "SL3042"
    name = "table-without-connector"
    title = "CREATE TABLE with no connector (a Spark managed table) is reported for open-source Flink"
    phase = "check"
    node_types = (exp.Create,)
    examples = (
        Example(before="CREATE TABLE s (a INT, b STRING)", after="CREATE TABLE s (a INT, b STRING)", diagnoses=True),
        Example(before="CREATE TABLE s (a INT) USING delta", after="CREATE TABLE s (a INT) WITH ('format' = 'delta')"),
        Example(before="CREATE TABLE s (a INT)", after="CREATE TABLE s (a INT)", target="confluent"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Create)
        if node.kind != "TABLE" or node.expression is not None or not isinstance(node.this, exp.Schema):
            return None
        for default in node.this.find_all(exp.DefaultColumnConstraint):
            ctx.report(default, f"column {default.sql(dialect=ctx.read)}: Flink tables have no column DEFAULT values",
                       severity=Severity.ERROR, suggestion="drop the DEFAULT; write the value in the INSERTs that omit the column")
        properties = node.args.get("properties")
        props = properties.expressions if properties is not None else []
        if ctx.target is Target.CONFLUENT or any(
            isinstance(p, (exp.FileFormatProperty, exp.LocationProperty, exp.LikeProperty))
            or (isinstance(p, exp.Property) and p.name.lower() == "connector")
            for p in props
        ):
            return None
        ctx.report(
            node,
            f"CREATE TABLE {node.this.this.sql(dialect=ctx.read)} has no connector: a Spark managed table, which "
            "open-source Flink cannot read or write",
            severity=Severity.ERROR,
            suggestion="declare the table with WITH ('connector' = ..., ...) for its Flink source or sink",
        )
        return None

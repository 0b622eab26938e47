"""Flink 2.3 as the oracle of the derivation: plan a query into the sink shiftleft would write
for it, and read the changelog mode of the sink's input from ``EXPLAIN CHANGELOG_MODE``.

One Java TableEnvironment (in the session's JVM) holds a fixed catalog:

* ``a``, ``b``: append-only Kafka topics (JSON) with ``ts TIMESTAMP(3)`` watermarked;
* ``u``: an upsert-kafka table with ``PRIMARY KEY (id)`` and a watermark (also a versioned
  table for temporal joins).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from _query_gen import VIEWS
from shiftleft.derive import Relation, append_source, derive, upsert_source
from shiftleft.flink_engine.plan_text import physical_plan

COLUMNS = ["id", "k", "v", "s", "ts"]
_BODY = "id INT, k INT, v INT, s STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND"
_KAFKA = "'properties.bootstrap.servers' = 'localhost:9092'"
CATALOG_DDL = [
    f"CREATE TABLE a ({_BODY}) WITH ('connector' = 'kafka', 'topic' = 'a', {_KAFKA}, 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')",
    f"CREATE TABLE b ({_BODY}) WITH ('connector' = 'kafka', 'topic' = 'b', {_KAFKA}, 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')",
    f"CREATE TABLE u ({_BODY}, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = 'u', {_KAFKA}, 'key.format' = 'json', 'value.format' = 'json')",
]
CATALOG: dict[str, Relation] = {
    "a": append_source(COLUMNS, ["ts"]),
    "b": append_source(COLUMNS, ["ts"]),
    "u": upsert_source(COLUMNS, ["id"], ["ts"]),
}
for _name, (_cols, _body) in VIEWS.items():  # views: derived once, read like tables
    CATALOG_DDL.append(f"CREATE VIEW {_name} AS {_body}")
    CATALOG[_name] = derive(sqlglot.parse_one(_body, read="flink"), CATALOG)


@dataclass
class Verdict:
    """One query: what shiftleft derived, what Flink planned."""

    sql: str
    relation: Relation | None = None
    sink: str = ""  # append | upsert(k) | retract
    valid: bool = True  # Flink plans the query at all
    flink_modes: set[str] = field(default_factory=set)
    error: str = ""  # the planner's refusal of our sink, if any
    flink_time: set[str] = field(default_factory=set)  # output columns Flink types *ROWTIME*

    @property
    def time_mismatch(self) -> str | None:
        """'missing' / 'extra' when our time attributes differ from Flink's rowtime columns."""
        if not self.valid or self.relation is None:
            return None
        ours = set(self.relation.rowtime_columns)
        if self.flink_time - ours:
            return "missing"
        return "extra" if ours - self.flink_time else None

    @property
    def disagreement(self) -> str | None:
        if not self.valid or self.relation is None:
            return None
        if self.error:
            return f"Flink refuses our {self.sink} sink: {self.error}"
        if not self.relation.updating and self.flink_modes - {"I"}:
            return f"we say insert-only, Flink says {sorted(self.flink_modes)}"
        return None

    @property
    def conservative(self) -> bool:
        return self.valid and not self.error and self.relation is not None and self.relation.updating and self.flink_modes <= {"I"}


def _message(exc: Exception) -> str:
    text = str(exc)
    for marker in ("ValidationException:", "TableException:", "SqlParserException:", "Exception:"):
        if marker in text:
            text = text[text.index(marker) + len(marker):]
            break
    return " ".join(text.split())[:400]


class FlinkOracle:
    def __init__(self, planner) -> None:  # a FlinkPlanner with the Kafka connectors
        from shiftleft.flink_engine import jvm

        gateway = jvm.get_gateway()
        self.env = planner.new_environment("streaming")
        api = gateway.jvm.org.apache.flink.table.api
        self._format = api.ExplainFormat.TEXT
        self._details = gateway.new_array(api.ExplainDetail, 1)
        self._details[0] = api.ExplainDetail.CHANGELOG_MODE
        for ddl in CATALOG_DDL:
            self.env.executeSql(ddl)
        self._sinks = 0

    def _columns(self, sql: str) -> tuple[list[tuple[str, str]], set[str]]:
        """(name, type) of each output column, and those Flink types as rowtime."""
        schema = self.env.sqlQuery(sql).getResolvedSchema()
        out, rowtime = [], set()
        for column in schema.getColumns():
            text = str(column.getDataType())
            if "*ROWTIME*" in text:
                rowtime.add(str(column.getName()).lower())
            out.append((str(column.getName()), text.replace(" *ROWTIME*", "").replace(" *PROCTIME*", "")))
        return out, rowtime

    def _explain(self, sql: str) -> str:
        return str(self.env.explainSql(sql, self._format, self._details))

    def _sink(self, columns: list[tuple[str, str]], kind: str, key: list[str] | None) -> str:
        self._sinks += 1
        name = f"sink_{self._sinks}"
        body = ", ".join(f"`{c}` {t}" for c, t in columns)
        if key:
            body += f", PRIMARY KEY ({', '.join(f'`{k}`' for k in key)}) NOT ENFORCED"
            options = f"'connector' = 'upsert-kafka', 'topic' = 't', {_KAFKA}, 'key.format' = 'json', 'value.format' = 'json'"
        else:
            fmt = "json" if kind == "append" else "debezium-json"
            options = f"'connector' = 'kafka', 'topic' = 't', {_KAFKA}, 'format' = '{fmt}'"
        self.env.executeSql(f"CREATE TEMPORARY TABLE {name} ({body}) WITH ({options})")
        return name

    def _insert(
        self, sink: str, sql: str, columns: list[tuple[str, str]], rowtime: frozenset[str], keep: str | None = None
    ) -> str:
        """INSERT wrapping the query; every rowtime column but ``keep`` (else the first) cast
        to a plain timestamp (a sink takes one rowtime column)."""
        keep = keep or next((c.lower() for c, _ in columns if c.lower() in rowtime), None)
        items = []
        for column, kind in columns:
            ref = f"`_q`.`{column}`"
            if column.lower() in rowtime and column.lower() != keep and kind.startswith("TIMESTAMP"):
                ref = f"CAST({ref} AS {kind.replace(' NOT NULL', '')})"
            items.append(ref)
        return f"INSERT INTO {sink} SELECT {', '.join(items)} FROM ({sql}) AS `_q`"

    def check(self, sql: str) -> Verdict:
        verdict = Verdict(sql=sql)
        try:
            columns, verdict.flink_time = self._columns(sql)
        except Exception:  # noqa: BLE001 - Flink rejects the generated query itself
            verdict.valid = False
            return verdict
        relation = verdict.relation = derive(sqlglot.parse_one(sql, read="flink"), CATALOG)
        key = relation.best_key() if relation.updating else None
        kind = "append" if not relation.updating else "upsert" if key else "retract"
        verdict.sink = f"upsert({', '.join(key)})" if key else kind
        sink = self._sink(columns, kind, key)
        try:
            keep = min(relation.time_attributes, default=None)
            plan = self._explain(self._insert(sink, sql, columns, relation.rowtime_columns, keep))
        except Exception as exc:  # noqa: BLE001 - decided below
            message = _message(exc)
            if not self._plans(sql, columns, verdict.flink_time):
                verdict.valid = False  # the query itself does not plan in streaming
            else:
                verdict.error = message
            return verdict
        below_sink = physical_plan(plan).line(1)
        verdict.flink_modes = set((below_sink and below_sink.changelog_mode) or [])
        return verdict

    def _plans(self, sql: str, columns: list[tuple[str, str]], rowtime: set[str]) -> bool:
        """The query plans into a retract sink (that takes any changelog), Flink's own rowtime
        columns but one cast."""
        sink = self._sink([(c, t) for c, t in columns], "retract", None)
        try:
            self._explain(self._insert(sink, sql, columns, frozenset(rowtime)))
        except Exception:  # noqa: BLE001
            return False
        return True


def parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="flink")

"""Confluent Cloud → open-source Flink mapping, for planning and running (:func:`confluent_to_oss`)
---------------------------------------------------------------------------------------------

Confluent Cloud tables are Kafka topics with Confluent-only syntax; the embedded (OSS) Flink
cannot read that DDL, so each ``CREATE TABLE`` is rewritten into the nearest OSS definition
before planning.  Queries and INSERTs are not changed.

* ``DISTRIBUTED BY [HASH](k, ...) [INTO n BUCKETS]`` / ``DISTRIBUTED INTO n BUCKETS`` is
  removed (OSS Flink parses it but the Kafka connectors do not support bucketing).
* A table without ``'connector'`` becomes a Kafka topic named after the table
  (``'properties.bootstrap.servers' = 'localhost:9092'``; no broker is needed to plan):

  - ``'changelog.mode' = 'upsert'``, or no mode and a ``PRIMARY KEY`` (Confluent's default)
    → ``'connector' = 'upsert-kafka'``, ``'key.format' = 'json'``, ``'value.format' = 'json'``;
  - ``'changelog.mode' = 'retract'`` → ``'connector' = 'kafka'``,
    ``'format' = 'debezium-json'`` (a format that carries updates and deletes);
  - ``'changelog.mode' = 'append'``, or no mode and no key → ``'connector' = 'kafka'``,
    ``'format' = 'json'``.
* Confluent-only options are dropped: ``changelog.mode``, ``kafka.*``, the registry formats'
  ``key.avro-registry.*`` / ``value.*-registry.*`` options, ``scan.bounded.mode = 'unbounded'``, ``key.format``,
  ``value.format`` (``avro-registry`` / ``json-registry`` / ``proto-registry``: OSS uses
  ``json``), ``key.fields-prefix``, ``value.fields-include``, ``scan.startup.mode``
  (re-set to ``earliest-offset`` for plain Kafka), ``connector`` = ``confluent``.
* ``$rowtime`` (Confluent's system column, the Kafka record timestamp, watermarked by
  default): when the script mentions ``$rowtime`` and the table does not declare it, the
  table gets ```$rowtime` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL`` and, unless it
  declares a watermark, ``WATERMARK FOR `$rowtime` AS `$rowtime```.

For reconciliation, tables that have seed rows keep their columns, computed columns,
watermark and primary key but read the seed file (``filesystem`` connector, JSON lines);
``METADATA`` columns become plain columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from shiftleft.flink_engine.runner import filesystem_options

DISTRIBUTED_RE = re.compile(
    r"\bDISTRIBUTED\s+(?:BY\s+(?:HASH\s*)?\([^)]*\)\s*)?(?:INTO\s+\d+\s+BUCKETS)?",
    re.IGNORECASE,
)
_OPTION_RE = re.compile(r"'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'")
CREATE_TABLE_RE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>(?:`(?:[^`]|``)+`|[\w$]+)(?:\s*\.\s*(?:`(?:[^`]|``)+`|[\w$]+))*)",
    re.IGNORECASE,
)
_CONFLUENT_ONLY = ("changelog.mode", "key.fields-prefix", "value.fields-include")
#: options of Confluent's schema-registry formats ('key.avro-registry.schema-context', ...)
_REGISTRY_OPTION = re.compile(r"^(?:key\.|value\.)?(?:avro|json|proto)-registry\.")


def _matching_paren(text: str, start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (skips strings and identifiers)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "'`\"":
            end = text.find(ch, i + 1)
            while end != -1 and text[end + 1 : end + 2] == ch:
                end = text.find(ch, end + 2)
            i = len(text) if end == -1 else end + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class TableDDL:
    """A CREATE TABLE statement cut into name / schema / rest / WITH options."""

    def __init__(self, sql: str) -> None:
        match = CREATE_TABLE_RE.match(sql)
        if not match:
            raise ValueError("not a CREATE TABLE")
        self.head = sql[: match.end()]
        self.name = match.group("name").split(".")[-1].strip().strip("`").replace("``", "`")
        rest = sql[match.end() :]
        stripped = rest.lstrip()
        self.schema: str | None = None
        if stripped.startswith("("):
            open_at = len(rest) - len(stripped)
            close_at = _matching_paren(rest, open_at)
            if close_at == -1:
                raise ValueError("unbalanced parentheses")
            self.schema = rest[open_at + 1 : close_at]
            rest = rest[close_at + 1 :]
        with_match = None
        for m in re.finditer(r"\bWITH\s*\(", rest, re.IGNORECASE):
            with_match = m  # the table's WITH is the last one outside the schema
            break
        self.options: dict[str, str] = {}
        self.tail = ""
        if with_match is not None:
            open_at = with_match.end() - 1
            close_at = _matching_paren(rest, open_at)
            body = rest[open_at + 1 : close_at]
            self.options = {
                k.replace("''", "'"): v.replace("''", "'") for k, v in _OPTION_RE.findall(body)
            }
            self.middle = rest[: with_match.start()]
            self.tail = rest[close_at + 1 :]
        else:
            self.middle, self.tail = rest, ""

    def render(self, options: Mapping[str, str]) -> str:
        schema = f" ({self.schema})" if self.schema is not None else ""
        opts = ",\n  ".join(f"'{k}' = '{v.replace(chr(39), chr(39) * 2)}'" for k, v in options.items())
        middle = self.middle.strip()
        middle = f" {middle}" if middle else ""
        return f"{self.head}{schema}{middle} WITH (\n  {opts}\n){self.tail}"


def _has_primary_key(schema: str | None) -> bool:
    return bool(schema and re.search(r"\bPRIMARY\s+KEY\b", schema, re.IGNORECASE))


def confluent_to_oss(statement: str, *, script: str = "") -> str:
    """Map one Confluent Cloud ``CREATE TABLE`` to an OSS Flink one (see the module docs);
    other statements are returned unchanged.  ``script`` (the whole script) tells whether
    ``$rowtime`` is used anywhere."""
    if not CREATE_TABLE_RE.match(statement):
        return statement
    text = DISTRIBUTED_RE.sub(" ", statement)
    try:
        ddl = TableDDL(text)
    except ValueError:
        return text
    options = dict(ddl.options)
    mode = options.pop("changelog.mode", "").lower()
    for key in list(options):
        if key in _CONFLUENT_ONLY or key.startswith("kafka.") or _REGISTRY_OPTION.match(key):
            options.pop(key)
    connector = options.get("connector", "").lower()
    if connector in ("", "confluent"):
        for key in ("connector", "key.format", "value.format", "scan.startup.mode", "topic"):
            options.pop(key, None)
        if options.get("scan.bounded.mode", "").lower() == "unbounded":  # Confluent's default; upsert-kafka has no such option
            options.pop("scan.bounded.mode")
        upsert = mode == "upsert" or (not mode and _has_primary_key(ddl.schema))
        base = {"connector": "upsert-kafka" if upsert else "kafka", "topic": ddl.name}
        base["properties.bootstrap.servers"] = "localhost:9092"
        if upsert:
            base.update({"key.format": "json", "value.format": "json"})
        else:
            base["format"] = "debezium-json" if mode == "retract" else "json"
            base["scan.startup.mode"] = "earliest-offset"
        options = {**base, **options}
    else:
        for key in ("key.format", "value.format", "format"):
            if options.get(key, "").endswith("-registry"):
                options[key] = "json"
    if ddl.schema is not None and "$rowtime" in (script or statement):
        if "$rowtime" not in ddl.schema:
            extra = ",\n  `$rowtime` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL"
            if not re.search(r"\bWATERMARK\b", ddl.schema, re.IGNORECASE):
                extra += ",\n  WATERMARK FOR `$rowtime` AS `$rowtime`"
            ddl.schema = ddl.schema.rstrip() + extra
    return ddl.render(options)


def seeded_ddl(statement: str, path: Path) -> str | None:
    """The user's CREATE TABLE reading the seed file instead (None if it cannot be rewritten)."""
    try:
        ddl = TableDDL(DISTRIBUTED_RE.sub(" ", statement))
    except ValueError:
        return None
    if ddl.schema is None:
        return None
    ddl.schema = re.sub(
        r"\s+METADATA(?:\s+FROM\s+'[^']*')?(?:\s+VIRTUAL)?", "", ddl.schema, flags=re.IGNORECASE
    )
    ddl.middle = re.sub(r"PARTITIONED\s+BY\s*\([^)]*\)", "", ddl.middle, flags=re.IGNORECASE)
    ddl.head = re.sub(r"\bIF\s+NOT\s+EXISTS\b", "", ddl.head, flags=re.IGNORECASE)
    return ddl.render(filesystem_options(path))

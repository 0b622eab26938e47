"""``run_query`` and ``{% call statement(...) %}`` without a database: answered from what the
project itself knows, or reported.

A migration has no warehouse to ask, but some queries have a known answer:

* a query over **seeds** only: their rows are the CSV files, so the query runs on them
  (sqlglot's Python executor, values typed as the seed's columns);
* a query over ``information_schema.tables`` / ``information_schema.columns``: the project's
  relations (sources, seeds, models, snapshots) and the columns known for them.

Any other query reads rows that exist only once the pipeline runs (a model's, a source
topic's): the model is reported with ``SL5020`` naming the relations, never rendered with an
empty result.  The result has the shape of dbt's (an agate table: ``columns[i].values()``,
``rows``, ``column_names``; ``load_result(name)['data']`` / ``['table']``).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.executor import execute

from shiftleft.migration.codes import QUERY_ID
from shiftleft.migration.render_values import RenderError
from shiftleft.migration.translate import seed_columns
from shiftleft.tree import cte_named

if TYPE_CHECKING:
    from shiftleft.migration.project import Node
    from shiftleft.migration.render_context import ModelContext

logger = logging.getLogger(__name__)

#: how sqlglot's executor names the step that failed: ``Step 'Scan: (140313092537104)' failed: ``
_STEP = re.compile(r"Step '[^']*' failed:\s*")
#: the most seed rows a query is answered over (a seed is small by design)
MAX_SEED_ROWS = 200_000
_TABLES_COLUMNS = ("table_catalog", "table_schema", "table_name", "table_type")
_COLUMNS_COLUMNS = (
    "table_catalog",
    "table_schema",
    "table_name",
    "column_name",
    "data_type",
    "ordinal_position",
    "is_nullable",
)


class ResultRow:
    """One row: by position (``row[0]``), by name (``row['x']``, ``row.x``, any case)."""

    def __init__(self, names: tuple[str, ...], values: tuple[Any, ...]) -> None:
        self._names, self._values = names, values
        self._index = {n.lower(): i for i, n in enumerate(names)}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            if key.lower() not in self._index:
                raise KeyError(key)
            return self._values[self._index[key.lower()]]
        return self._values[key]

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr.lower() not in self.__dict__.get("_index", {}):
            raise AttributeError(attr)
        return self._values[self._index[attr.lower()]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._names)

    def values(self) -> list[Any]:
        return list(self._values)

    def items(self) -> list[tuple[str, Any]]:
        return list(zip(self._names, self._values))

    def dict(self) -> dict[str, Any]:
        return dict(zip(self._names, self._values))


class ResultColumn:
    def __init__(self, name: str, values: list[Any]) -> None:
        self.name = name
        self._values = values

    def values(self) -> list[Any]:
        return list(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)


class QueryResult:
    """What ``run_query`` returns in dbt (an agate table), as far as templates use it."""

    def __init__(self, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        self.column_names = list(names)
        self.rows = [ResultRow(names, r) for r in rows]
        self.columns = [ResultColumn(n, [r[i] for r in rows]) for i, n in enumerate(names)]
        self.data = [tuple(r) for r in rows]

    def __iter__(self) -> Iterator[ResultRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> ResultRow:
        return self.rows[index]

    def __bool__(self) -> bool:
        return True  # an agate table is truthy even when empty

    def print_table(self, *args: Any, **kwargs: Any) -> None:
        return None

    def load_result(self) -> dict[str, Any]:
        """The ``load_result(name)`` dict of a statement block."""
        return {"response": f"SELECT {len(self.rows)}", "data": self.data, "table": self}


def _python_value(text: str, flink_type: str) -> Any:
    if text == "":
        return None
    kind = flink_type.upper()
    try:
        if kind in ("INT", "BIGINT", "SMALLINT", "TINYINT"):
            return int(text)
        if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
            return float(text)
    except ValueError:
        return text
    if kind == "BOOLEAN":
        return text.strip().lower() == "true"
    return text


def _seed_rows(state: ModelContext, node: Node) -> list[dict[str, Any]]:
    try:
        columns, rows = seed_columns(Path(node.seed_path or ""), node.config, state.r.read)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise RenderError(f"run_query over seed {node.name}: cannot read it ({e})", name="run_query") from None
    if len(rows) > MAX_SEED_ROWS:
        raise RenderError(
            f"run_query over seed {node.name}: more than {MAX_SEED_ROWS} rows", name="run_query"
        )
    return [
        {
            name: _python_value(row[i] if i < len(row) else "", kind)
            for i, (name, kind) in enumerate(columns)
        }
        for row in rows
    ]


def _catalog(state: ModelContext) -> dict[str, list[dict[str, Any]]]:
    """``information_schema.tables`` / ``.columns`` of the project's relations."""
    tables: list[dict[str, Any]] = []
    columns: list[dict[str, Any]] = []
    project = state.r.project
    for node in project.nodes.values():
        if node.resource_type not in ("source", "seed", "model", "snapshot"):
            continue
        if node.materialized == "ephemeral":
            continue
        schema = node.schema or node.source_name or ""
        base = {
            "table_catalog": node.database or project.name,
            "table_schema": schema,
            "table_name": node.table_name,
        }
        kind = "VIEW" if node.materialized == "view" else "BASE TABLE"
        tables.append({**base, "table_type": kind})
        declared = [(c.name, c.data_type) for c in node.columns.values()]
        # the types as the project spells them, else those the migration found
        known: list[tuple[str, str | None]] = (
            declared if declared and all(t for _, t in declared) else []
        ) or list(state.columns_of(node) or []) or declared
        for k, (name, data_type) in enumerate(known, start=1):
            columns.append(
                {
                    **base,
                    "column_name": name,
                    "data_type": str(data_type or ""),
                    "ordinal_position": k,
                    "is_nullable": "YES",
                }
            )
    return {"tables": tables, "columns": columns}


def _relation_of(state: ModelContext, table: exp.Table) -> Node | None:
    name = table.name.lower()
    for node in state.r.project.nodes.values():
        if node.table_name.lower() == name and node.resource_type != "source":
            return node
    for node in state.r.project.nodes.values():
        if node.table_name.lower() == name:
            return node
    return None


def answer(state: ModelContext, sql: str, *, what: str = "run_query") -> QueryResult:
    """The result of ``sql`` from seeds / the project's catalog; RenderError (``SL5020``)
    when the rows it reads are not known before the pipeline runs."""
    read = state.r.read
    try:
        tree = sqlglot.parse_one(sql, read=read)
    except SqlglotError as e:
        raise _unknown(f"{what}: the query cannot be read ({str(e).splitlines()[0]})") from None
    if not isinstance(tree, exp.Query):
        raise _unknown(
            f"{what} runs {tree.key.upper()}, a statement with effects on the database; "
            "a migration runs none"
        )
    tables: dict[str, list[dict[str, Any]]] = {}
    catalog: dict[str, list[dict[str, Any]]] | None = None
    unknown: list[str] = []
    read_from: dict[str, str] = {}
    for table in list(tree.find_all(exp.Table)):
        if not table.name or cte_named(table) is not None:
            continue
        key: str
        if table.db.lower() == "information_schema" and table.name.lower() in ("tables", "columns"):
            catalog = catalog if catalog is not None else _catalog(state)
            key = f"information_schema_{table.name.lower()}"
            tables[key] = catalog[table.name.lower()]
            read_from[key] = f"information_schema.{table.name.lower()}"
        else:
            node = _relation_of(state, table)
            if node is None or node.resource_type != "seed" or node.seed_path is None:
                what_it_is = f"{node.resource_type} {node.name}" if node is not None else "unknown"
                unknown.append(f"{table.sql(read)} ({what_it_is})")
                continue
            key = f"seed_{node.name.lower()}"
            read_from[key] = f"seed {node.name}"
            if key not in tables:
                tables[key] = _seed_rows(state, node)
        alias = exp.TableAlias(this=exp.to_identifier(table.alias_or_name))
        table.replace(exp.Table(this=exp.to_identifier(key), alias=alias))
    if unknown:
        raise _unknown(
            f"{what} reads {', '.join(unknown)}, whose rows exist only once the pipeline runs; "
            "shiftleft answers queries over seeds and information_schema only"
        )
    try:
        result = execute(tree, dialect=read, tables=tables)
    except Exception as e:  # noqa: BLE001 - the executor's errors are of many kinds
        raise _unknown(f"{what}: cannot answer the query from the project ({_executor_error(e)})") from None
    logger.debug("%s answered from the project: %d rows", what, len(result.rows))
    state.note(
        "info",
        f"{what} answered from the project ({', '.join(sorted(read_from.values())) or 'no table'}): "
        f"{len(result.rows)} rows",
        QUERY_ID,
    )
    return QueryResult(tuple(result.columns), [tuple(r) for r in result.rows])


def _executor_error(error: Exception) -> str:
    """The executor's message without its step's name, which holds an object id (the
    report must not change from one run to the next)."""
    return _STEP.sub("", str(error)).strip()


def _unknown(message: str) -> RenderError:
    return RenderError(message, name="run_query", code=QUERY_ID)

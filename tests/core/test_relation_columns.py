"""``shiftleft.tree.relation_columns`` / ``query_columns``, the one reading of a relation's
output columns from its SQL (SL3044, SL3028, SL9215 and ``sources=True``'s SL4113 use it),
checked against DuckDB's own column names on generated nestings of CTEs, derived tables,
stars, qualified stars, alias column lists, VALUES and UNIONs: whenever it names the columns,
they are the engine's, and it names them whenever every SELECT item has a name."""

from __future__ import annotations

import duckdb
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shiftleft.tree import query_columns, relation_columns

#: the tables the generated queries read, and their columns
TABLES = {"t": ["a", "b"], "u": ["c", "d"]}


class _Names:
    """Fresh names, so no two columns or relations of one query collide."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


@st.composite
def _relation(draw: st.DrawFn, names: _Names, ctes: dict[str, list[str]], depth: int) -> tuple[str, str, list[str]]:
    """(FROM item SQL, its alias, its columns as the generator knows them)."""
    kinds = ["table", "bare table", "values"] + (["cte"] if ctes else []) + (["subquery"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))
    alias = names("r")
    if kind == "table":
        table = draw(st.sampled_from(sorted(TABLES)))
        columns = [f"{c}_{alias}" for c in TABLES[table]]  # renamed, so joins do not collide
        return f"(SELECT {', '.join(f'{c} AS {n}' for c, n in zip(TABLES[table], columns))} FROM {table}) AS {alias}", alias, columns
    if kind == "bare table":
        table = draw(st.sampled_from(sorted(TABLES)))
        return f"{table} AS {alias}", alias, TABLES[table]
    if kind == "values":
        columns = [names("v") for _ in range(draw(st.integers(1, 3)))]
        row = ", ".join(str(i) for i in range(len(columns)))
        return f"(VALUES ({row})) AS {alias}({', '.join(columns)})", alias, columns
    if kind == "cte":
        name = draw(st.sampled_from(sorted(ctes)))
        return f"{name} AS {alias}", alias, ctes[name]
    body, columns = draw(_select(names, ctes, depth + 1))
    if draw(st.booleans()):
        renamed = [names("k") for _ in columns]
        return f"({body}) AS {alias}({', '.join(renamed)})", alias, renamed
    return f"({body}) AS {alias}", alias, columns


@st.composite
def _select(draw: st.DrawFn, names: _Names, ctes: dict[str, list[str]], depth: int) -> tuple[str, list[str]]:
    """A SELECT (or a UNION of two of the same columns) over one or two relations."""
    inputs = [draw(_relation(names, ctes, depth))]
    if draw(st.booleans()):
        inputs.append(draw(_relation(names, ctes, depth)))
    items: list[str] = []
    columns: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        which = draw(st.sampled_from(["star", "qualified", "column", "qualified column", "expression"]))
        _, alias, own = inputs[draw(st.integers(0, len(inputs) - 1))]
        if which == "star":
            every = [c for r in inputs for c in r[2]]
            if len(set(every)) < len(every) or set(columns) & set(every):
                continue
            items.append("*")
            columns += every
        elif which == "qualified" and not set(columns) & set(own):
            items.append(f"{alias}.*")
            columns += own
        elif which in ("column", "qualified column"):
            column = draw(st.sampled_from(own))
            unique = sum(column in r[2] for r in inputs) == 1 and own.count(column) == 1
            if column not in columns:
                items.append(column if which == "column" and unique else f"{alias}.{column}")
                columns.append(column)
        else:
            new = names("e")
            items.append(f"{alias}.{draw(st.sampled_from(own))} + 1 AS {new}")
            columns.append(new)
    if not items:
        items, columns = ["1 AS one"], ["one"]
    joins = f"{inputs[0][0]}" + "".join(f" CROSS JOIN {r[0]}" for r in inputs[1:])
    body = f"SELECT {', '.join(items)} FROM {joins}"
    if draw(st.booleans()):
        body = f"{body} UNION ALL {body}"
    return body, columns


@st.composite
def _statements(draw: st.DrawFn) -> str:
    names = _Names()
    ctes: dict[str, list[str]] = {}
    defined: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        name = names("c")
        body, columns = draw(_select(names, ctes, 1))
        if draw(st.booleans()):
            renamed = [names("k") for _ in columns]
            defined.append(f"{name}({', '.join(renamed)}) AS ({body})")
            columns = renamed
        else:
            defined.append(f"{name} AS ({body})")
        ctes[name] = columns
    body, _ = draw(_select(names, ctes, 0))
    return (f"WITH {', '.join(defined)} " if defined else "") + body


@pytest.fixture(scope="module")
def engine() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for table, columns in TABLES.items():
        connection.execute(f"CREATE TABLE {table} ({', '.join(f'{c} INT' for c in columns)})")
    return connection


def _tables(table: exp.Table) -> list[str] | None:
    return TABLES.get(table.name.lower())


@settings(max_examples=100, deadline=None)
@given(sql=_statements())
def test_columns_are_the_engines(engine: duckdb.DuckDBPyConnection, sql: str) -> None:
    expected = [c.lower() for c in engine.sql(sql).columns]
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert query_columns(tree, _tables) == expected, sql


@settings(max_examples=40, deadline=None)
@given(sql=_statements())
def test_each_input_is_the_engines(engine: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Every FROM / JOIN item of every SELECT, read on its own as ``SELECT * FROM item``."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = tree.args.get("with_")
    prefix = f"{ctes.sql('duckdb')} " if ctes is not None else ""
    for select in tree.find_all(exp.Select):
        for item in [select.args["from_"].this, *(j.this for j in select.args.get("joins") or [])]:
            if item.find_ancestor(exp.CTE) is not None:
                continue  # its CTE names are those before it, not the whole WITH
            found = relation_columns(item, _tables)
            expected = [c.lower() for c in engine.sql(f"{prefix}SELECT * FROM {item.sql('duckdb')}").columns]
            assert found == expected, (sql, item.sql())


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT x FROM (SELECT a FROM t) AS s, UNNEST([1]) AS n(x)",  # an UNNEST's alias: its elements
        "SELECT * EXCLUDE (a) FROM t",
        "SELECT a + 1 FROM t",  # an item without a name
        "SELECT * FROM unknown_table",
    ],
)
def test_unknown_is_none(sql: str) -> None:
    tree = sqlglot.parse_one(sql, read="duckdb")
    if "UNNEST" in sql:
        assert relation_columns(tree.args["joins"][0].this, _tables) is None
    else:
        assert query_columns(tree, _tables) is None

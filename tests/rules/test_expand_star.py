"""SL3030: ``* EXCLUDE / REPLACE`` written out as columns, checked on DuckDB (which has both):
the original query and the translation must give the same column names and rows."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftleft

NAMES = ["a", "b", "c", "d", "e", "f"]


@st.composite
def star_queries(draw: st.DrawFn) -> tuple[dict[str, list[str]], str]:
    t_cols = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    u_cols = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    join = draw(st.booleans())
    tables = {"t": t_cols, **({"u": u_cols} if join else {})}
    stars: list[str] = []
    for table, cols in tables.items():
        excluded = draw(st.lists(st.sampled_from(cols), max_size=len(cols) - 1, unique=True))
        kept = [c for c in cols if c not in excluded]
        replaced = draw(st.lists(st.sampled_from(kept), max_size=2, unique=True))
        prefix = f"{table}." if join or draw(st.booleans()) else ""
        star = f"{prefix}*"
        if excluded:
            star += f" EXCLUDE ({', '.join(excluded)})"
        if replaced:
            star += " REPLACE (" + ", ".join(f"{table}.{c} * 10 + 1 AS {c}" for c in replaced) + ")"
        stars.append(star)
    source = "t JOIN u ON t.{0} = u.{1}".format(t_cols[0], u_cols[0]) if join else "t"
    return tables, f"SELECT {', '.join(stars)} FROM {source}"


def _load(con: duckdb.DuckDBPyConnection, tables: dict[str, list[str]]) -> None:
    for table, cols in tables.items():
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} INT' for c in cols)})")
        for row in range(3):
            values = ", ".join(str(row * 7 + i) for i in range(len(cols)))
            con.execute(f"INSERT INTO {table} VALUES ({values})")


@settings(max_examples=150, deadline=None)
@given(star_queries())
def test_written_out_columns_give_duckdbs_result(case: tuple[dict[str, list[str]], str]) -> None:
    tables, query = case
    schema = {table: {c: "INT" for c in cols} for table, cols in tables.items()}
    result = shiftleft.transpile(query, read="duckdb", schema=schema, mode="batch")
    assert result.ok, (query, result.diagnostics)
    translated = result.statements[0].sql
    assert "EXCLUDE" not in translated and "REPLACE" not in translated
    con = duckdb.connect()
    _load(con, tables)
    expected = con.execute(query)
    names = [d[0] for d in expected.description]
    rows = sorted(expected.fetchall())
    got = con.execute(translated)
    assert [d[0] for d in got.description] == names, (query, translated)
    assert sorted(got.fetchall()) == rows, (query, translated)


def test_unknown_columns_are_reported_not_guessed() -> None:
    result = shiftleft.transpile("SELECT * EXCEPT (b) FROM t", read="bigquery")
    assert not result.ok
    assert {d.rule_id for d in result.errors} >= {"SL3030"}


def test_a_using_join_is_reported() -> None:
    schema = {"t": {"a": "INT", "b": "INT"}, "u": {"a": "INT", "c": "INT"}}
    result = shiftleft.transpile("SELECT * EXCEPT (b) FROM t JOIN u USING (a)", read="bigquery", schema=schema)
    assert not result.ok
    assert "USING" in next(d.message for d in result.errors if d.rule_id == "SL3030")

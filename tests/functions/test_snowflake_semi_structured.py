"""SL3033 / SL3034: Snowflake subscripts into VARIANT values and casts to VARIANT / ARRAY,
translated and run on Flink 2.3 (batch) over JSON text, against PySpark computing what
Snowflake's documentation says: ``v['a']['b']`` is the path ``v:a.b`` (Spark's
``get_json_object(js, '$.a.b')``: a string without its quotes, a number or object as its JSON
text, NULL when missing), ``v[1]`` the second element, ``::ARRAY`` the array's elements
(``from_json(..., 'array<string>')``).  Documents are generated (nested objects, numeric-looking
keys, arrays of scalars, missing keys, NULL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import strategies as st

import shiftleft
from fn_engines import draw_rows
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = [("id", "INT"), ("js", "STRING")]
SCHEMA = {"t": {"id": "INT", "js": "VARIANT"}}

#: (Snowflake expression, the Spark expression of its documented meaning)
CASES = [
    ("js['a']['b']::string", "get_json_object(js, '$.a.b')"),
    ("PARSE_JSON(js)['a']['66']['value']::string", "get_json_object(js, \"$.a['66'].value\")"),
    ("js['tags'][1]::string", "get_json_object(js, '$.tags[1]')"),
    ("js:a['b']::varchar", "get_json_object(js, '$.a.b')"),
    ("js['a']:b::string", "get_json_object(js, '$.a.b')"),
    ("js['n']::int", "CAST(get_json_object(js, '$.n') AS INT)"),
    ("js['a']['66']::string", "get_json_object(js, \"$.a['66']\")"),
    ("js['tags']::ARRAY", "from_json(get_json_object(js, '$.tags'), 'array<string>')"),
    ("ARRAY_SIZE(js['tags']::ARRAY)", "size(from_json(get_json_object(js, '$.tags'), 'array<string>'))"),
    ("js['tags']::ARRAY[0]::string", "get_json_object(js, '$.tags[0]')"),
    ("js['a']::VARIANT['b']::string", "get_json_object(js, '$.a.b')"),
]

_scalar = st.one_of(st.none(), st.text(alphabet="ab é,x1", max_size=4), st.integers(-5, 20))
_inner = st.fixed_dictionaries({}, optional={"b": _scalar, "66": st.fixed_dictionaries({}, optional={"value": _scalar})})
_doc = st.fixed_dictionaries({}, optional={
    "a": _inner,
    "tags": st.lists(st.one_of(st.text(alphabet="abé1", max_size=3), st.integers(0, 9)), max_size=4),
    "n": st.one_of(st.integers(-100, 100), st.sampled_from(["12", "x"])),
    "pairs": st.lists(st.tuples(st.integers(0, 9), st.text(alphabet="abé", max_size=2)).map(list), max_size=3),
})
_row = st.fixed_dictionaries({"js": st.one_of(st.none(), _doc.map(lambda d: json.dumps(d, separators=(",", ":"))))})


def _flink(expr: str) -> str:
    result = shiftleft.transpile(f"SELECT id, {expr} AS c FROM t", read="snowflake", mode="batch", schema=SCHEMA)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors, errors
    return result.statements[0].sql.strip().rstrip(";")


def _text(value: Any) -> str:
    return str(list(value)) if isinstance(value, (list, tuple)) else str(value)


def test_subscripts_and_casts_match_their_documented_meaning(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(_row)
    assert len(rows) >= 200
    spark.createDataFrame([(r["id"], r["js"]) for r in rows], "id INT, js STRING").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", rows)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    flink = [_flink(expr) for expr, _ in CASES]
    assert not any("['" in f for f in flink), flink  # no MAP subscript left on a string
    wide_flink = "SELECT id, " + ", ".join(f"({f.split(' AS c FROM')[0].removeprefix('SELECT id, ')}) AS c{k}"
                                              for k, f in enumerate(flink)) + " FROM t"
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        expected = {r[0]: [_text(v) for v in r[1:]] for r in spark.sql(
            "SELECT id, " + ", ".join(f"{m} AS c{k}" for k, (_, m) in enumerate(CASES)) + " FROM t").collect()}
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")
    found = {r[0]: [_text(v) for v in r[1:]] for r in runner.query(env, wide_flink).rows}
    for k, (expr, _) in enumerate(CASES):
        wrong = [(rows[i]["js"], expected[i][k], found[i][k]) for i in expected if expected[i][k] != found[i][k]]
        # Spark's size(NULL) is -1, Snowflake's ARRAY_SIZE(NULL) NULL
        wrong = [w for w in wrong if not (expr.startswith("ARRAY_SIZE") and w[1] == "-1" and w[2] == "None")]
        assert not wrong, f"{expr} -> {flink[k]}: {wrong[:3]}"
    # a FLATTEN's VALUE is a VARIANT: value[0] is its first element
    flattened = shiftleft.transpile(
        "SELECT t.id, f.value[0]::int AS a, f.value[1]::string AS b, f.index AS i "
        "FROM t, LATERAL FLATTEN(input => t.js['pairs']) f", read="snowflake", mode="batch", schema=SCHEMA)
    meaning = ("SELECT id, CAST(get_json_object(v, '$[0]') AS INT), get_json_object(v, '$[1]'), i FROM t "
               "LATERAL VIEW posexplode(from_json(get_json_object(js, '$.pairs'), 'array<string>')) e AS i, v")
    want = sorted(tuple(str(x) for x in r) for r in spark.sql(meaning).collect())
    got = sorted(tuple(str(x) for x in r) for r in runner.query(env, flattened.sql.strip().rstrip(";")).rows)
    assert len(want) > 20 and got == want, (flattened.sql, set(want) ^ set(got))


def test_a_number_cast_to_variant_is_reported() -> None:
    result = shiftleft.transpile("SELECT 5::VARIANT, d::ARRAY FROM t", read="snowflake", schema={"t": {"d": "DATE"}})
    assert [d.rule_id for d in result.diagnostics if d.severity is Severity.ERROR] == ["SL3034", "SL3034"]


def test_an_array_built_in_sql_keeps_its_type_and_an_untyped_array_is_never_declared() -> None:
    """ARRAY_CONSTRUCT(...)::ARRAY is the array itself; a NULL beside it in an IFF has no Flink
    type (ARRAY_CONSTRUCT's element type is not known here): reported, never CAST(NULL AS ARRAY)."""
    schema = {"t": {"s": "VARCHAR"}}
    built = shiftleft.transpile("SELECT ARRAY_CONSTRUCT(s, 'x')::ARRAY FROM t", read="snowflake", schema=schema)
    assert built.sql.strip().rstrip(";") == "SELECT ARRAY[s, 'x'] FROM t"
    row = shiftleft.transpile("SELECT OBJECT_CONSTRUCT('a', s)['a'], ARRAY_CONSTRUCT(s)[0] FROM t", read="snowflake",
                              schema=schema)
    assert "JSON_" not in row.sql, row.sql  # a value built in SQL is no JSON text
    branch = shiftleft.transpile("SELECT IFF(s IS NULL, NULL, ARRAY_CONSTRUCT(s))::ARRAY FROM t",
                                 read="snowflake", schema=schema)
    assert "AS ARRAY)" not in branch.sql
    assert [d.rule_id for d in branch.diagnostics if d.severity is Severity.ERROR] == ["SL1070"]

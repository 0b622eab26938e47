"""SL3023: Snowflake's LATERAL FLATTEN, translated and run on Flink 2.3 (batch), against PySpark
computing what Snowflake's documentation says: one row per array element, ``VALUE`` the
element (a string without its quotes, an object or a number as its JSON text), ``INDEX``
0-based, no row for a NULL or empty array unless ``OUTER => TRUE`` (then one row of NULLs).
Spark's ``posexplode(from_json(s, 'array<string>'))`` is that meaning for JSON text, and
``posexplode`` for an ARRAY column.  Rows are generated (NULL, empty and nested arrays,
unicode strings, numbers, objects)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines
from shiftleft.models import Severity

COLUMNS = [("id", "INT"), ("js", "STRING"), ("tags", "ARRAY<STRING>")]
SCHEMA = {"t": {"id": "INT", "js": "VARCHAR", "tags": "ARRAY<VARCHAR>"}}

#: (Snowflake query, the Spark query of its documented meaning); both give (id, v, i)
CASES = [
    ("SELECT t.id, f.value::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => t.tags) f",
     "SELECT id, v, i FROM t LATERAL VIEW posexplode(tags) e AS i, v"),
    ("SELECT t.id, f.value::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => t.tags, outer => true) f",
     "SELECT id, v, i FROM t LATERAL VIEW OUTER posexplode(tags) e AS i, v"),
    ("SELECT t.id, f.value::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => PARSE_JSON(t.js)) f",
     "SELECT id, v, i FROM t LATERAL VIEW posexplode(from_json(js, 'array<string>')) e AS i, v"),
    ("SELECT t.id, value::string AS v, index AS i FROM t, LATERAL FLATTEN(input => TRY_PARSE_JSON(t.js), outer => true)",
     "SELECT id, v, i FROM t LATERAL VIEW OUTER posexplode(from_json(js, 'array<string>')) e AS i, v"),
    ("SELECT t.id, f.value:name::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => t.js) f WHERE f.index > 0",
     "SELECT id, get_json_object(v, '$.name') AS v, i FROM t LATERAL VIEW posexplode(from_json(js, 'array<string>')) e AS i, v "
     "WHERE i > 0"),
    # an input cast ::ARRAY (SL3034) is read once: the JSON array's elements
    ("SELECT t.id, f.value::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => PARSE_JSON(t.js)::ARRAY) f",
     "SELECT id, v, i FROM t LATERAL VIEW posexplode(from_json(js, 'array<string>')) e AS i, v"),
    ("SELECT t.id, f.value::string AS v, f.index AS i FROM t, LATERAL FLATTEN(input => split(t.js, ',')) f",
     "SELECT id, v, i FROM t LATERAL VIEW posexplode(split(js, ',', -1)) e AS i, v"),
]

_scalar = st.one_of(st.text(alphabet=st.sampled_from("ab é,x"), max_size=4), st.integers(-5, 20))
_element = st.one_of(_scalar, st.fixed_dictionaries({"name": st.sampled_from(["x", "y", "é"])}))
_row = st.fixed_dictionaries({
    "js": st.one_of(st.none(), st.lists(_element, max_size=4).map(lambda v: json.dumps(v, separators=(",", ":")))),
    "tags": st.one_of(st.none(), st.lists(st.one_of(st.none(), st.text(alphabet="abé", max_size=3)), max_size=4)),
})


def _rows() -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=3, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(_row, min_size=70, max_size=80))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    return [{"id": k, **r} for k, r in enumerate(drawn)]


def _flink(sql: str) -> str:
    result = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=SCHEMA)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors, errors
    assert "SL3023" in result.rules_applied, result.sql
    return result.statements[0].sql.strip().rstrip(";")


@pytest.mark.slow
@pytest.mark.flink
def test_flatten_matches_its_documented_meaning(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = _rows()
    assert len(rows) >= 200
    spark.createDataFrame([(r["id"], r["js"], r["tags"]) for r in rows],
                          "id INT, js STRING, tags ARRAY<STRING>").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", rows)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    for snowflake, meaning in CASES:
        flink = _flink(snowflake)
        expected = sorted((tuple(str(x) for x in r) for r in spark.sql(meaning).collect()))
        found = sorted(tuple(str(x) for x in r) for r in runner.query(env, flink).rows)
        assert found == expected, f"{snowflake}\n{flink}\nmissing {set(expected) - set(found)}\nextra {set(found) - set(expected)}"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT f.value FROM t, LATERAL FLATTEN(input => t.js, recursive => true) f",
        "SELECT f.key, f.value FROM t, LATERAL FLATTEN(input => t.js) f",
        "SELECT f.value FROM t, LATERAL FLATTEN(input => t.js, outer => t.id > 0) f",
    ],
)
def test_forms_without_a_flink_translation_are_reported(sql: str) -> None:
    result = shiftleft.transpile(sql, read="snowflake", schema=SCHEMA)
    assert "SL3023" in {d.rule_id for d in result.diagnostics if d.severity is Severity.ERROR}, result.sql


def test_json_input_warns_that_objects_are_not_expanded() -> None:
    result = shiftleft.transpile(CASES[2][0], read="snowflake", schema=SCHEMA)
    assert any(d.rule_id == "SL3023" and d.severity is Severity.WARNING for d in result.diagnostics)

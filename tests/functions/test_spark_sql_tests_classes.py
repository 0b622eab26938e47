"""Classes of Spark SQL the Flink 2.3 planner rejected while shiftleft reported nothing, found on
Apache Spark's own SQL tests: each translation is run on Flink batch and its rows compared with
local PySpark's over generated data (and planned in streaming where the form differs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

#: no shrinking: each example starts Spark and Flink jobs (a failing example is printed as found)
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

INTS = st.one_of(st.none(), st.integers(min_value=-3, max_value=3))
#: short strings over an alphabet with the key separator and digits (tuples whose texts run together)
TEXTS = st.one_of(st.none(), st.text(alphabet="1:a", max_size=3))


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


def _literal(value: Any, kind: str) -> str:
    if value is None:
        return f"CAST(NULL AS {kind})"
    return "'" + value.replace("'", "''") + "'" if isinstance(value, str) else str(value)


def _view(name: str, columns: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    values = ", ".join("(" + ", ".join(_literal(v, k) for v, k in zip(row, kinds)) + ")" for row in rows)
    return f"CREATE OR REPLACE TEMPORARY VIEW {name} AS SELECT * FROM VALUES {values} AS {name}({', '.join(columns)})"


def _both(runner: Any, spark: Any, script: list[str]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str]:
    """(Flink batch rows, Spark rows, the Flink script) of the script's last statement (a query)."""
    result = shiftleft.transpile(";\n".join(script), read="spark", mode="batch")
    assert result.ok, [d.message for d in result.diagnostics]
    flink = [s.sql for s in result.statements]
    setup = [part for text in flink[:-1] for part in text.split(";\n")]
    env = runner.environment("batch", setup)
    rows = runner.query(env, flink[-1]).rows
    session = spark.newSession()
    # count(t.*) is Spark's legacy spelling (the tests' scripts turn it on)
    session.conf.set("spark.sql.legacy.allowStarWithSingleTableIdentifierInCount", "true")
    for statement in script[:-1]:
        session.sql(statement)
    expected = [tuple(r) for r in session.sql(script[-1]).collect()]
    return sorted(rows, key=repr), sorted(expected, key=repr), "\n".join(flink)


COUNTS = [
    "count(a, b)",
    "count(b, a, c)",
    "count(t.*)",
    "count(DISTINCT a, b)",
    "count(DISTINCT b, c)",
    "count(DISTINCT a, b, c)",
    "count(DISTINCT *)",
    "count(DISTINCT t.*, a)",
    "count(DISTINCT 3, 2)",
    "count(DISTINCT (a, b))",
    "count(DISTINCT (b, c, a))",
    "count(DISTINCT a, b) FILTER (WHERE a > 0)",
]


@SETTINGS
@given(
    st.lists(st.tuples(INTS, TEXTS, TEXTS), min_size=1, max_size=8),
    st.lists(st.sampled_from(COUNTS), min_size=1, max_size=3),
    st.booleans(),
)
def test_count_of_several_values_matches_spark(runner, spark, rows, counts, grouped) -> None:  # type: ignore[no-untyped-def]
    """SL1122: rows with no NULL, distinct tuples with no NULL (texts with ':' and digits:
    tuples whose values run together as text must stay apart)."""
    view = _view("t", ["a", "b", "c"], ["INT", "STRING", "STRING"], rows)
    query = f"SELECT {', '.join(counts)} FROM t" + (" GROUP BY a" if grouped else "")
    flink, expected, out = _both(runner, spark, [view, query])
    assert flink == expected, f"{query}\n -> {out}"
    streaming = shiftleft.transpile(f"{view};\n{query}", read="spark", mode="streaming")
    report = runner.planner.plan(streaming.sql, mode="streaming")
    assert report.ok, f"{streaming.sql}\n{report.errors[0].message}"


@SETTINGS
@given(st.lists(st.sampled_from(["replace", "drop", "drop-if-exists", "read"]), min_size=1, max_size=5), st.booleans())
def test_temporary_views_dropped_and_replaced_as_in_spark(runner, spark, steps, upper) -> None:  # type: ignore[no-untyped-def]
    """SL1120 / SL1121: the view read last is the one Spark reads (Flink refused to replace it and
    the old rows were read; its DROP VIEW refused a temporary view)."""
    name = "V" if upper else "v"
    script = ["CREATE TEMPORARY VIEW v AS SELECT 0 AS n"]
    version, exists = 0, True
    for step in steps:
        if step == "replace":
            version += 1
            script.append(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS SELECT {version} AS n")
            exists = True
        elif step.startswith("drop") and (exists or step == "drop-if-exists"):
            script.append(f"DROP VIEW {'IF EXISTS ' if step == 'drop-if-exists' else ''}{name}")
            exists = False
        elif step == "read" and not exists:
            version += 1
            script.append(f"CREATE TEMPORARY VIEW v AS SELECT {version} AS n")
            exists = True
    if not exists:
        script.append(f"CREATE TEMPORARY VIEW v AS SELECT {version + 1} AS n")
    script.append("SELECT n FROM v")
    flink, expected, out = _both(runner, spark, script)
    assert flink == expected, out


COLUMNS = ["k", "x", "y"]


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", None]), INTS, INTS), min_size=1, max_size=4),
    st.lists(st.tuples(st.sampled_from(["a", "b", None]), INTS, INTS), min_size=1, max_size=4),
    st.sampled_from(["", "LEFT ", "RIGHT ", "FULL OUTER "]),
    st.sampled_from(["SELECT *", "SELECT k", "SELECT k, l.x", "SELECT COUNT(*)"]),
    st.sampled_from(["", " WHERE k = 'a'", " WHERE k IS NULL"]),
    st.booleans(),
)
def test_natural_join_matches_spark(runner, spark, left, right, kind, select, where, share_x) -> None:  # type: ignore[no-untyped-def]
    """SL1124: NATURAL JOIN as USING: the merged column, unqualified in SELECT and WHERE."""
    right_columns = ["k", "x" if share_x else "z", "w"]
    script = [
        _view("l", COLUMNS, ["STRING", "INT", "INT"], left),
        _view("r", right_columns, ["STRING", "INT", "INT"], right),
        f"{select} FROM l NATURAL {kind}JOIN r{where}",
    ]
    flink, expected, out = _both(runner, spark, script)
    assert flink == expected, out


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 9)), min_size=1, max_size=6),
    st.sampled_from(
        [
            "SELECT a, b, SUM(c) FROM t GROUP BY a, b WITH CUBE",
            "SELECT a + b, b, SUM(c) FROM t GROUP BY a + b, b WITH ROLLUP",
            "SELECT a + b AS k, b, SUM(c) FROM t GROUP BY CUBE(k, b)",
            "SELECT a + b AS k, b, SUM(c) FROM t GROUP BY ROLLUP(k, b)",
            "SELECT a AS k, b, SUM(c) FROM t GROUP BY GROUPING SETS ((k), (k, b))",
        ]
    ),
)
def test_cube_rollup_spellings_match_spark(runner, spark, rows, query) -> None:  # type: ignore[no-untyped-def]
    """SL1123 / SL3005: WITH CUBE / WITH ROLLUP and select aliases inside CUBE / ROLLUP."""
    flink, expected, out = _both(runner, spark, [_view("t", ["a", "b", "c"], ["INT", "INT", "INT"], rows), query])
    assert flink == expected, out


def _spelled(name: str, upper: list[bool]) -> str:
    return "".join(c.upper() if u else c for c, u in zip(name, upper))


@SETTINGS
@given(
    st.lists(st.tuples(INTS, INTS), min_size=1, max_size=5),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.sampled_from(["count(null)", "count(DISTINCT null)", "count(*)", "sum(q.a)"]),
)
def test_cte_case_cross_join_on_and_count_null_match_spark(runner, spark, rows, defined, read, aggregate) -> None:  # type: ignore[no-untyped-def]
    """SL1119 (CTE names), SL1125 (CROSS JOIN ... ON), SL1126 (count(NULL)): a CTE read with
    other letter case, shadowing an outer CTE of the same name, joined with CROSS JOIN ON."""
    inner, outer = _spelled("abc", defined), _spelled("abc", read)
    query = (
        f"WITH abc AS (SELECT 1 AS a, 1 AS b), q AS (WITH {inner} AS (SELECT * FROM t) SELECT * FROM {outer}) "
        f"SELECT {aggregate}, count(r.b) FROM q CROSS JOIN t AS r ON (q.a = r.a)"
    )
    flink, expected, out = _both(runner, spark, [_view("t", ["a", "b"], ["INT", "INT"], rows), query])
    assert flink == expected, out


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["SELECT a, b FROM v", "SELECT v.a, w.b FROM v LEFT JOIN w ON v.a = w.a", "SELECT a FROM v UNION ALL SELECT a FROM w"]),
    st.sampled_from(["a", "a DESC", "a, b"]),
)
def test_streaming_order_by_over_written_rows_is_reported(flink_planner, query, order) -> None:  # type: ignore[no-untyped-def]
    """SL4005: rows written in the SQL have no time attribute, so a final ORDER BY over them is
    rejected by the streaming planner: an error, not the warning a table's column gets."""
    if "UNION" in query:
        order = "a"
    views = (
        "CREATE TEMPORARY VIEW v AS SELECT * FROM VALUES (1, 2) AS v(a, b);\n"
        "CREATE TEMPORARY VIEW w AS SELECT * FROM VALUES (1, 3) AS w(a, b);\n"
    )
    result = shiftleft.transpile(f"{views}{query} ORDER BY {order}", read="spark", mode="streaming")
    assert any(d.rule_id == "SL4005" and d.severity.value == "error" for d in result.diagnostics)
    assert not flink_planner.plan(result.sql, mode="streaming").ok


REPORTED = {
    "{d} - {d2}": "SL1127",
    "{d} + null": "SL1127",
    "null - {d}": "SL1127",
    "{d} - null": "SL1127",
    "'2011-11-11' - interval '{n}' day": "SL1127",
    "struct(v.*)": "SL9217",
    "{d} + {n}": None,
    "{d} - {n}": None,
}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(sorted(REPORTED)),
    st.sampled_from(["date '2001-09-28'", "to_date('2020-02-29')", "current_date()"]),
    st.sampled_from(["date '2001-01-01'", "to_date('1999-12-31')"]),
    st.integers(0, 40),
)
def test_reported_forms_are_the_ones_flink_rejects(flink_planner, form, d, d2, n) -> None:  # type: ignore[no-untyped-def]
    """SL1127 / SL9217 report what the planner rejects (their unreported translation fails to
    plan), and leave what it plans alone (date + n days)."""
    expression = form.format(d=d, d2=d2, n=n)
    sql = f"CREATE TEMPORARY VIEW v AS SELECT * FROM VALUES (1, 2) AS v(a, b);\nSELECT {expression} AS x FROM v"
    result = shiftleft.transpile(sql, read="spark", mode="batch")
    code = REPORTED[form]
    codes = {diagnostic.rule_id for diagnostic in result.diagnostics if diagnostic.severity.value == "error"}
    assert codes == ({code} if code else set()), f"{sql}: {codes}"
    assert flink_planner.plan(result.sql, mode="batch").ok is (code is None), result.sql


@SETTINGS
@given(
    st.lists(st.tuples(INTS, INTS), min_size=1, max_size=5),
    st.sampled_from(
        [
            "if(a >= 0, 1, 1 / 0)",
            "CASE WHEN a >= 0 THEN b ELSE b / 0 END",
            "coalesce(a / 0, b)",
            "b div 0",
            "if(a > 1, a / 0, a)",
        ]
    ),
)
def test_division_by_literal_zero_matches_spark(runner, spark, rows, expression) -> None:  # type: ignore[no-untyped-def]
    """SL3002 / SL3003: a literal 0 divisor is a NULL INT, not NULLIF(0, 0) (Flink's constant
    folding failed on it inside IF / CASE); NULL as Spark gives without ANSI mode."""
    view = _view("t", ["a", "b"], ["INT", "INT"], rows)
    query = f"SELECT {expression} AS x FROM t"
    result = shiftleft.transpile(f"{view};\n{query}", read="spark", mode="batch")
    env = runner.environment("batch", [result.statements[0].sql])
    flink = sorted(runner.query(env, result.statements[1].sql).rows, key=repr)
    session = spark.newSession()
    session.conf.set("spark.sql.ansi.enabled", "false")
    session.sql(view)
    expected = sorted((tuple(r) for r in session.sql(query).collect()), key=repr)
    assert flink == expected, result.sql
    assert runner.planner.plan(shiftleft.transpile(f"{view};\n{query}", read="spark").sql, mode="streaming").ok

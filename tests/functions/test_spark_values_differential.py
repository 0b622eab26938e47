"""Spark functions whose Flink namesake returns other values on ordinary input (SL1109-SL1114):
array_contains with NULLs, LIKE's default backslash escape, substr with a negative position or
length, ascii of non-ASCII text, array_size of NULL, logarithms of numbers <= 0 (SL1114).

Generated rows (NULLs, empty strings, non-ASCII text, negative positions, arrays holding
NULLs, patterns with escapes) run on PySpark 4 and on Flink 2.3 in batch mode, all the
expressions in one query per engine: the translation must give Spark's values, and the
translation without the rule (the one before) must not, on the same rows.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = [("id", "INT"), ("s", "STRING"), ("u", "STRING"), ("p", "STRING"), ("a", "ARRAY<INT>"), ("v", "INT"),
           ("n", "INT"), ("x", "DOUBLE")]
SCHEMA = {"t": dict(COLUMNS)}
# (rule, expressions): each rule's own expressions
EXPRS = {
    "SL1109": ["array_contains(a, v)", "array_contains(a, 1)", "NOT array_contains(a, v)",
               "array_contains(array(1, 2), v)"],
    "SL1110": ["s LIKE p", "s LIKE 'a\\\\_%'", "s NOT LIKE '%\\\\%%'", "s ILIKE 'A\\\\_%'",
               "s LIKE ANY ('a\\\\_%', 'b%')"],
    "SL1111": ["substr(s, -2)", "substr(s, -4, 2)", "substr(s, n)", "substring(s, n, 2)", "substr(s, 2, n)",
               "substr(s, 1, instr(s, '_') - 1)"],
    "SL1112": ["ascii(u)", "ascii(s)"],
    "SL1113": ["array_size(a)"],
    "SL1050": ["size(a)"],  # -1 for NULL: Spark with ANSI off, as the comparison runs
    "SL1114": ["ln(x)", "log(x)", "log10(x)", "log2(x)", "log(2.5, x)", "log(n + 9, x)", "ln(n)", "log10(n)"],
}
_texts = st.sampled_from(["", "a", "ab", "a_", "a_b", "a%", "a\\x", "é", "éa", "Ab_c", "b%c", "%", "abcdef"])
_unicode = st.one_of(st.none(), st.text(max_size=3), st.sampled_from(["é", "²x", "😀a", "ﬁ", "İ", "中文", "ß"]))
_patterns = st.sampled_from(["a\\_%", "%\\%%", "a_", "\\\\%", "%", "a%", "_", "é%", "a\\%"])
_arrays = st.one_of(st.none(), st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=3))


def test_spark_values_on_the_engines(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries({
        "s": st.one_of(st.none(), _texts), "u": _unicode, "p": st.one_of(st.none(), _patterns), "a": _arrays,
        "v": st.one_of(st.none(), st.integers(0, 3)), "n": st.one_of(st.none(), st.integers(-7, 7)),
        "x": st.one_of(st.none(), st.sampled_from([0.0, -0.0, -1.5, 0.5, 2.0, 8.0, 1000.0, 1e-300]),
                       st.floats(-1e6, 1e6, allow_nan=False)),
    }))
    assert len(rows) >= 200
    spark.createDataFrame([tuple(r[c] for c, _ in COLUMNS) for r in rows],
                          ", ".join(f"{c} {t}" for c, t in COLUMNS)).createOrReplaceTempView("t")
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, write_json_lines(tmp_path / "t.json", rows))])
    exprs = [e for group in EXPRS.values() for e in group]
    # logarithms rounded: Spark's StrictMath and Flink's Math can differ in the last place
    rounded = [f"round({e}, 9)" if e in EXPRS["SL1114"] else e for e in exprs]
    now = [translate_strict(e, " FROM t", SCHEMA) for e in rounded]
    assert exact_run(spark, runner, env, rounded, now, aggregate=False) == {}
    # the translations before: each rule's expressions differ somewhere without it
    ours = [rule for rule in EXPRS if rule != "SL1050"]  # (SL1050 gives size's -1 before and after)
    before = [translate_strict(e, " FROM t", SCHEMA, disable=ours) for e in exprs]
    differing = exact_run(spark, runner, env, exprs, before, aggregate=False)
    for rule in ours:
        group = EXPRS[rule]
        assert any(e in differing for e in group), f"{rule}: the rows show no difference without the rule"


_STREAM_DDL = ("CREATE TABLE t (id INT, g INT, x INT, s STRING, p STRING, a ARRAY<INT>, ts TIMESTAMP(3), "
               "WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')")
_STREAMED = [
    "SELECT g, first(x) AS f, last(x) AS l, first(x, true) AS fi FROM t GROUP BY g",
    "SELECT id, first_value(x) OVER (PARTITION BY g ORDER BY ts) AS f, "
    "last_value(x) OVER (PARTITION BY g ORDER BY ts) AS l FROM t",
    "SELECT id, array_contains(a, x) AS c, s LIKE p AS m, s ILIKE 'a\\\\_%' AS i, substr(s, x) AS u, "
    "ascii(s) AS o, ln(x) AS n, array_size(a) AS z FROM t",
]


@pytest.mark.parametrize("query", _STREAMED)
def test_translations_plan_in_streaming(flink_planner, query: str) -> None:  # type: ignore[no-untyped-def]
    """The exact forms are accepted by the streaming planner (aggregates, OVER windows on the
    event time, scalar functions)."""
    import shiftleft

    schema = {"t": {"id": "INT", "g": "INT", "x": "INT", "s": "STRING", "p": "STRING", "a": "ARRAY<INT>",
                    "ts": "TIMESTAMP"}}
    result = shiftleft.transpile(query, read="spark", schema=schema, event_time={"t": "ts"})
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    script = f"{_STREAM_DDL};\n{result.sql}"
    report = flink_planner.plan(script, mode="streaming")
    assert report.ok, [s.error.message for s in report.statements if s.error is not None]


def test_from_json_typed_field_warns_where_values_differ(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SL1115: from_json(js, 'a INT').a converts a JSON value of another type in Flink (NULL in
    Spark); the call warns, and values differ only on such documents."""
    import shiftleft
    from shiftleft.flink_engine.runner import FlinkRunner

    other_type = {1: '{"a": "12"}', 2: '{"a": 1.5}', 3: '{"a": 1}'}  # "12" / 1.5 as INT, 1 as BOOLEAN
    docs = {0: '{"a": 12}', **other_type, 4: '{"a": true}', 5: None, 6: "x", 7: "{}"}
    rows = [{"id": k, "js": v} for k, v in docs.items()]
    spark.createDataFrame([(r["id"], r["js"]) for r in rows], "id INT, js STRING").createOrReplaceTempView("j")
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("j", [("id", "INT"), ("js", "STRING")],
                                                      write_json_lines(tmp_path / "j.json", rows))])
    query = "SELECT id, from_json(js, 'a INT').a AS i, from_json(js, 'a BOOLEAN').a AS b FROM j"
    result = shiftleft.transpile(query, read="spark", mode="batch")
    assert {d.rule_id for d in result.diagnostics if d.severity.value == "warning"} == {"SL1115"}
    spark_rows = {r[0]: tuple(r[1:]) for r in spark.sql(query).collect()}
    flink_rows = {r[0]: tuple(r[1:]) for r in runner.query(env, result.sql.strip().rstrip(";")).rows}
    assert {k for k in docs if spark_rows[k] != flink_rows[k]} == set(other_type)

"""Spark functions whose Flink namesake returns other values on ordinary input (SL1109-SL1113):
array_contains with NULLs, LIKE's default backslash escape, substr with a negative position or
length, ascii of non-ASCII text, array_size of NULL.

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
           ("n", "INT")]
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
    }))
    assert len(rows) >= 200
    spark.createDataFrame([tuple(r[c] for c, _ in COLUMNS) for r in rows],
                          ", ".join(f"{c} {t}" for c, t in COLUMNS)).createOrReplaceTempView("t")
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, write_json_lines(tmp_path / "t.json", rows))])
    exprs = [e for group in EXPRS.values() for e in group]
    now = [translate_strict(e, " FROM t", SCHEMA) for e in exprs]
    assert exact_run(spark, runner, env, exprs, now, aggregate=False) == {}
    # the translations before: each rule's expressions differ somewhere without it
    before = [translate_strict(e, " FROM t", SCHEMA, disable=list(EXPRS)) for e in exprs]
    differing = exact_run(spark, runner, env, exprs, before, aggregate=False)
    for rule, group in EXPRS.items():
        assert any(e in differing for e in group), f"{rule}: the rows show no difference without the rule"

"""first_value / last_value and NULLs, on the real engines (SL1080).

Spark's ``first_value(x)`` / ``last_value(x)`` respect NULLs unless told to ignore them; Flink's
FIRST_VALUE / LAST_VALUE always skip NULLs and reject the IGNORE NULLS / RESPECT NULLS syntax.
Over generated partitions (NULLs first, last, everywhere), every form must equal its
translation on Flink 2.3 (batch) row for row, without a warning: the NULL-ignoring forms are
plain FIRST_VALUE / LAST_VALUE, the default ones ask ``FIRST_VALUE(x IS NULL)`` first; the
plain FIRST_VALUE of a default form (the translation before) must differ on these rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, flink_form, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

COLUMNS = [("id", "INT"), ("g", "INT"), ("x", "INT")]
SCHEMA = {"t": {"id": "INT", "g": "INT", "x": "INT"}}
WINDOW = "OVER (PARTITION BY g ORDER BY id)"

EXACT = [
    f"first_value(x) IGNORE NULLS {WINDOW}",
    f"first_value(x, true) {WINDOW}",
    f"last_value(x) IGNORE NULLS {WINDOW}",
    f"first(x, true) {WINDOW}",
    "last_value(x, true) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
]
RESPECTING = [f"first_value(x) {WINDOW}", f"last_value(x) {WINDOW}", f"first_value(x) RESPECT NULLS {WINDOW}",
          f"first(x) {WINDOW}", f"first_value(x + 1) {WINDOW}",
          "last(x) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"]


def _rows() -> list[dict[str, Any]]:
    return draw_rows(st.fixed_dictionaries({"g": st.integers(0, 12),
                                            "x": st.one_of(st.none(), st.none(), st.integers(-5, 5))}))


@pytest.mark.slow
@pytest.mark.flink
def test_first_last_value_nulls_on_the_engines(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = _rows()
    assert len(rows) >= 200
    spark.createDataFrame([tuple(r[n] for n, _ in COLUMNS) for r in rows],
                          ", ".join(f"{n} {t}" for n, t in COLUMNS)).createOrReplaceTempView("t")
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, write_json_lines(tmp_path / "t.json", rows))])

    exprs = EXACT + RESPECTING
    for expr in exprs:
        assert "SL1080" not in flink_form(expr, read="spark", schema=SCHEMA)[1], expr
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in exprs]
    # one Spark and one Flink job for all of them; then the plain FIRST_VALUE (the translation
    # before SL1080 kept the NULLs) must differ on these rows
    old = [f"FIRST_VALUE(x) {WINDOW}", f"LAST_VALUE(x) {WINDOW}"]
    assert exact_run(spark, runner, env, exprs, flink_exprs, aggregate=False) == {}
    assert set(exact_run(spark, runner, env, RESPECTING[:2], old, aggregate=False)) == set(RESPECTING[:2])

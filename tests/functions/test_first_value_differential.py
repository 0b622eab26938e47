"""first_value / last_value and NULLs, on the real engines (SL1080).

Spark's ``first_value(x)`` / ``last_value(x)`` respect NULLs unless told to ignore them; Flink's
FIRST_VALUE / LAST_VALUE always skip NULLs and reject the IGNORE NULLS / RESPECT NULLS syntax.
Over generated partitions (NULLs first, last, everywhere), the NULL-ignoring Spark forms must
equal their translation on Flink 2.3 (batch) row for row; the default forms must differ only
where Spark returns the NULL of the first (last) row, and the translation must warn.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, flink_form
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
WARNED = [f"first_value(x) {WINDOW}", f"last_value(x) {WINDOW}", f"first_value(x) RESPECT NULLS {WINDOW}"]


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

    def both(expr: str) -> tuple[dict[int, Any], dict[int, Any], set[str]]:
        spark_rows = dict(spark.sql(f"SELECT id, {expr} AS c FROM t").collect())
        flink_expr, warnings = flink_form(expr, read="spark", schema=SCHEMA, head="id, ")
        flink_rows = dict(runner.query(env, f"SELECT id, {flink_expr} AS c FROM t").rows)
        return spark_rows, flink_rows, warnings

    for expr in EXACT:
        spark_rows, flink_rows, warnings = both(expr)
        assert spark_rows == flink_rows, expr
        assert "SL1080" not in warnings, expr
    for expr in WARNED:
        spark_rows, flink_rows, warnings = both(expr)
        assert "SL1080" in warnings, expr
        differing = {k for k in spark_rows if spark_rows[k] != flink_rows[k]}
        assert differing, f"{expr}: the generated rows should show Flink skipping a NULL"
        assert all(spark_rows[k] is None for k in differing), expr  # only Spark's NULLs differ

"""Differential test of DECIMAL arithmetic: Spark's result values *and* types on Flink.

Spark expressions over generated DECIMAL / integer columns run on PySpark 4; their shiftleft
translations (rules SL3015, SL1085, SL1086, SL3002) run on Flink 2.3 in batch mode over the
same rows.  Values are compared exactly (``Decimal`` equality: a different scale is a
different value when the digits differ), and the result type must be the same DECIMAL(p, s).
Spark runs with ANSI mode off: the translation follows the NULL-on-error policy (a division
by zero is NULL; under ANSI, Spark raises instead).
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fn_engines import exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

# (name, Spark type, Flink type, strategy)
COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("g", "INT", st.integers(0, 3)),
    ("i", "INT", st.one_of(st.none(), st.integers(-1000, 1000), st.just(0))),
    ("l", "BIGINT", st.one_of(st.none(), st.integers(-(10**12), 10**12), st.just(0))),
    ("a", "DECIMAL(10,2)", st.one_of(st.none(), st.decimals("-99999999.99", "99999999.99", places=2))),
    ("b", "DECIMAL(12,4)", st.one_of(st.none(), st.decimals("-99999999.9999", "99999999.9999", places=4), st.just(Decimal(0)))),
    ("c", "DECIMAL(18,0)", st.one_of(st.none(), st.decimals(-(10**17), 10**17, places=0))),
    ("e", "DECIMAL(30,8)", st.one_of(st.none(), st.decimals("-9999999999.99999999", "9999999999.99999999", places=8))),
)
#: rules to leave out (SHIFTLEFT_DECIMAL_DISABLE=SL3015,SL1086: shows what they fix)
DISABLED = [r for r in os.environ.get("SHIFTLEFT_DECIMAL_DISABLE", "").split(",") if r]
SCHEMA = {"t": {n: ty for n, ty, _ in COLUMNS}}

SCALAR = [
    "a / 3", "a / 7", "a / l", "a * l", "b / a", "i / a", "a + 1", "a - 100", "c / 7", "a * 3",
    "e * b", "e / a", "a % 3", "l / b", "(a * 2) / 7", "a / 0.3", "1 / a", "c / l", "e + a",
    "-a / 3", "a / i", "a * 2 / i", "(a + b) / i", "a * i / l", "(a + b) / 11", "a * 1.5", "12345 / a",
    "avg(a) OVER (PARTITION BY g)",
]
AGGREGATE = [
    "sum(a)", "sum(e)", "avg(a)", "avg(b)", "avg(c)", "avg(e)", "avg(DISTINCT a)",
    "sum(a) / sum(b)", "sum(a) / 3", "sum(c) / count(*)", "avg(a) * 2", "sum(a) / sum(i)",
]


def _rows() -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=5, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(st.fixed_dictionaries({n: s for n, _, s in COLUMNS}), min_size=45, max_size=50))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    fixed = [{"g": k % 4, "i": 3, "l": 7, "a": Decimal("2.00"), "b": Decimal("0.0003"), "c": Decimal(1),
              "e": Decimal("0.00000001")} for k in range(4)]
    return [{"id": k, **r} for k, r in enumerate(drawn + fixed)]


@pytest.fixture(scope="module")
def engines(spark, flink_planner, tmp_path_factory):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = _rows()
    spark.createDataFrame(
        [tuple(r[n] for n in ["id", *[c[0] for c in COLUMNS]]) for r in rows],
        "id INT, " + ", ".join(f"{n} {t}" for n, t, _ in COLUMNS),
    ).createOrReplaceTempView("t")
    path = write_json_lines(tmp_path_factory.mktemp("dec") / "t.json",
                            ({k: str(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows))
    ddl = seed_table_ddl("t", [("id", "INT"), *[(n, t) for n, t, _ in COLUMNS]], path)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    return spark, runner, runner.environment("batch", [ddl]), len(rows)


def _run(engines, exprs: list[str], *, aggregate: bool) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    spark, runner, env, _ = engines
    tail = " FROM t GROUP BY g" if aggregate else " FROM t"
    flink_exprs = [translate_strict(e, tail, SCHEMA, DISABLED) for e in exprs]
    return exact_run(spark, runner, env, exprs, flink_exprs, aggregate=aggregate)


def test_decimal_arithmetic_matches_spark(engines) -> None:  # type: ignore[no-untyped-def]
    assert engines[3] >= 200
    assert _run(engines, SCALAR, aggregate=False) == {}


def test_decimal_aggregates_match_spark(engines) -> None:  # type: ignore[no-untyped-def]
    assert _run(engines, AGGREGATE, aggregate=True) == {}

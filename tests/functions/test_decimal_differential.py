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
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import shiftleft
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


def _translate(expr: str, tail: str) -> str:
    result = shiftleft.transpile(f"SELECT {expr} AS c{tail}", read="spark", mode="batch", schema=SCHEMA,
                                 disable=DISABLED)
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics
    text = result.statements[0].sql.strip().rstrip(";")
    m = re.fullmatch(r"SELECT (.*) AS c" + re.escape(tail), text, re.S)
    assert m, text
    return m.group(1)


def _spark_type(simple: str) -> str:
    return simple.upper().replace(",", ", ")


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
    key, tail = ("g", " GROUP BY g") if aggregate else ("id", "")
    flink_exprs = [_translate(e, " FROM t GROUP BY g" if aggregate else " FROM t") for e in exprs]
    cols = lambda es: ", ".join(f"{e} AS c{k}" for k, e in enumerate(es))  # noqa: E731
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        frame = spark.sql(f"SELECT {key} AS k_, {cols(exprs)} FROM t{tail}")
        spark_rows = sorted(frame.collect(), key=lambda r: r[0])
        spark_types = [_spark_type(f.dataType.simpleString()) for f in frame.schema.fields[1:]]
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")
    flink = runner.query(env, f"SELECT {key} AS k_, {cols(flink_exprs)} FROM t{tail}")
    flink_rows = sorted(flink.rows, key=lambda r: r[0])
    problems: dict[str, list[str]] = {}
    for k, expr in enumerate(exprs):
        found = []
        flink_type = flink.types[k + 1].replace(" NOT NULL", "")
        if spark_types[k].startswith("DECIMAL") and spark_types[k] != flink_type:
            found.append(f"type spark {spark_types[k]} flink {flink_type} ({flink_exprs[k]})")
        for srow, frow in zip(spark_rows, flink_rows):
            a, b = srow[k + 1], frow[k + 1]
            if (a is None) != (b is None) or (a is not None and Decimal(str(a)) != Decimal(str(b))):
                found.append(f"{key}={srow[0]}: spark {a} flink {b} ({flink_exprs[k]})")
        if found:
            problems[expr] = found[:3]
    assert len(spark_rows) == len(flink_rows)
    return problems


def test_decimal_arithmetic_matches_spark(engines) -> None:  # type: ignore[no-untyped-def]
    assert engines[3] >= 200
    assert _run(engines, SCALAR, aggregate=False) == {}


def test_decimal_aggregates_match_spark(engines) -> None:  # type: ignore[no-untyped-def]
    assert _run(engines, AGGREGATE, aggregate=True) == {}

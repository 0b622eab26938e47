"""Every built-in rule example whose output is a query is accepted by the real Flink 2.3 planner."""

from __future__ import annotations

import pytest

import shiftleft
from shiftleft.models import Mode
from shiftleft.rewrite.registry import builtin_rules

pytestmark = [pytest.mark.slow, pytest.mark.flink]

# The table the examples read; column names and types are the ones the examples assume.
DDL = (
    "CREATE TABLE t (a INT, b INT, i INT, n INT, x DOUBLE, amount DECIMAL(10, 2), s STRING, "
    "s2 STRING, re STRING, js STRING, d DATE, d2 DATE, ts TIMESTAMP(3), ts2 TIMESTAMP(3), "
    "arr ARRAY<INT>, m MAP<STRING, INT>, flag BOOLEAN, ev ARRAY<ROW<k INT, v STRING>>, "
    "WATERMARK FOR ts AS ts) "
    "WITH ('connector' = 'datagen', 'number-of-rows' = '10');\n"
    # a versioned table (primary key + watermark) for the temporal-join examples (SL4011)
    "CREATE TABLE dim (k INT, v STRING, vts TIMESTAMP(3), dbt_valid_from TIMESTAMP(3), "
    "dbt_valid_to TIMESTAMP(3), WATERMARK FOR vts AS vts, PRIMARY KEY (k) NOT ENFORCED) "
    "WITH ('connector' = 'datagen', 'number-of-rows' = '10');\n"
    # a sink for the INSERT examples (SL4012: one rowtime column per sink)
    "CREATE TABLE joined (a INT, ts TIMESTAMP(3), rts TIMESTAMP(3)) WITH ('connector' = 'blackhole')"
)


def _cases():  # type: ignore[no-untyped-def]
    for rule in builtin_rules():
        for i, example in enumerate(rule.examples):
            if not example.after.lstrip().upper().startswith(("SELECT", "WITH", "INSERT")):
                continue
            result = shiftleft.transpile(
                example.before,
                read=example.read,
                target=example.target,
                mode=example.mode,
                schema=example.types,
                event_time=example.event_time,
                streaming=example.streaming,
            )
            # Examples that report an untranslatable construct are not expected to plan.
            if any(d.severity.value == "error" for d in result.diagnostics):
                continue
            yield pytest.param(example, id=f"{rule.id}-{i}")


@pytest.mark.parametrize("example", list(_cases()))
def test_example_output_plans(flink_planner, example) -> None:  # type: ignore[no-untyped-def]
    mode = "batch" if example.mode == Mode.BATCH else "streaming"
    report = flink_planner.plan(f"{DDL};\n{example.after};", mode=mode)
    assert report.ok, f"{example.after}\n" + "\n".join(str(e) for e in report.errors)

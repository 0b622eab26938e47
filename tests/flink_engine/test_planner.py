"""Tests of the embedded Flink planner (shiftleft.flink_engine.planner) against real Flink 2.3.

The splitter / Java-check tests need no JVM; the others share the session's single JVM
through the ``flink_planner`` / ``flink_planner_connectors`` fixtures (tests/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from shiftleft.errors import ShiftleftEnvironmentError
from shiftleft.flink_engine import jvm
from shiftleft.flink_engine.connectors import CONNECTOR_JARS, connector_jars
from shiftleft.flink_engine.planner import FlinkPlanner, PlanReport, split_statements

pytestmark = [pytest.mark.slow, pytest.mark.flink]

ORDERS = """\
CREATE TABLE orders (
  order_id BIGINT,
  customer STRING,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
"""

KAFKA_SINKS = """\
CREATE TABLE totals_upsert (
  customer STRING,
  total DECIMAL(38, 2),
  PRIMARY KEY (customer) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'totals',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json'
);
CREATE TABLE totals_append (customer STRING, total DECIMAL(38, 2)) WITH (
  'connector' = 'kafka', 'topic' = 'totals',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'
);
"""


def _errors(report: PlanReport) -> str:
    return "\n".join(str(e) for e in report.errors)


# ---------------------------------------------------------------------------------------------
# Script splitting (no JVM)
# ---------------------------------------------------------------------------------------------


def test_split_ignores_semicolons_in_strings_identifiers_and_comments() -> None:
    script = (
        "-- leading comment; not a statement\n"
        "SELECT 'a;b', `we;ird` FROM t; /* block ; comment */\n"
        "SELECT 'it''s;' AS x -- trailing; comment\n"
        ";\n"
        "  \n"
        "/* only a comment; */\n"
    )
    statements = split_statements(script)
    assert [s.sql for s in statements] == [
        "SELECT 'a;b', `we;ird` FROM t",
        "SELECT 'it''s;' AS x",
    ]
    assert [(s.index, s.line, s.column) for s in statements] == [(1, 2, 1), (2, 3, 1)]
    assert all(s.kind == "query" for s in statements)


def test_split_execute_statement_set_is_one_statement() -> None:
    script = textwrap.dedent(
        """\
        CREATE TABLE a (x INT) WITH ('connector' = 'blackhole');
        EXECUTE STATEMENT SET
        BEGIN
          INSERT INTO a SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END FROM s;
          INSERT INTO a SELECT 2;
        END;
        SELECT 1;
        """
    )
    statements = split_statements(script)
    assert [s.kind for s in statements] == ["ddl", "statement_set", "query"]
    stmt_set = statements[1]
    assert stmt_set.sql.startswith("EXECUTE STATEMENT SET") and stmt_set.sql.endswith("END")
    assert [(p.sql, p.line, p.column) for p in stmt_set.parts] == [
        ("INSERT INTO a SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END FROM s", 4, 3),
        ("INSERT INTO a SELECT 2", 5, 3),
    ]


def test_split_sql_client_statement_set_and_kinds() -> None:
    script = textwrap.dedent(
        """\
        SET 'table.exec.state.ttl' = '1 h';
        BEGIN STATEMENT SET;
        INSERT INTO a SELECT 1;
        INSERT INTO b SELECT 2;
        END;
        EXECUTE INSERT INTO a SELECT 3;
        CREATE TABLE c WITH ('connector' = 'blackhole') AS SELECT 1 AS x;
        CREATE TABLE d (x INT, y AS x + 1) WITH ('connector' = 'blackhole');
        WITH q AS (SELECT 1) SELECT * FROM q;
        SHOW TABLES
        """
    )
    statements = split_statements(script)
    assert [s.kind for s in statements] == [
        "ddl",
        "statement_set",
        "insert",
        "ddl",
        "ddl",
        "query",
        "other",
    ]
    assert [p.sql for p in statements[1].parts] == [
        "INSERT INTO a SELECT 1",
        "INSERT INTO b SELECT 2",
    ]
    assert statements[2].parts[0].sql == "INSERT INTO a SELECT 3"  # EXECUTE stripped
    assert statements[2].parts[0].column == 9
    assert [s.is_ctas for s in statements[3:5]] == [True, False]


def test_split_positions_of_statements_sharing_a_line() -> None:
    statements = split_statements("SELECT 1;  SELECT 2;\r\n\tSELECT 3")
    assert [(s.line, s.column) for s in statements] == [(1, 1), (1, 12), (2, 2)]


# ---------------------------------------------------------------------------------------------
# Environment checks (no JVM start)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('openjdk version "17.0.15" 2025-04-15', ("17.0.15", 17)),
        ('java version "1.8.0_392"', ("1.8.0_392", 8)),
        ('openjdk version "21" 2023-09-19', ("21", 21)),
        ("no version here", None),
    ],
)
def test_parse_java_version(text: str, expected: tuple[str, int] | None) -> None:
    assert jvm.parse_java_version(text) == expected


def test_old_java_is_rejected_with_a_clear_message(tmp_path: Path) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    with pytest.raises(ShiftleftEnvironmentError, match=r"Java 11\.0\.2 .* needs Java 17\+"):
        jvm.check_java({"JAVA_HOME": str(tmp_path), "PATH": os.defpath})


def test_missing_pyflink_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyflink.java_gateway", None)
    with pytest.raises(ShiftleftEnvironmentError, match=r"pip install 'shiftleft\[flink\]'"):
        FlinkPlanner().plan("SELECT 1")


@pytest.mark.parametrize(
    ("java_home", "expected"),
    [(None, "Java was not found"), ("/nonexistent/jdk", "JAVA_HOME is set to")],
)
def test_missing_java_is_a_clear_error(
    tmp_path: Path, java_home: str | None, expected: str
) -> None:
    code = textwrap.dedent(
        """\
        from shiftleft.errors import ShiftleftEnvironmentError
        from shiftleft.flink_engine.planner import FlinkPlanner
        try:
            FlinkPlanner().plan("SELECT 1")
        except ShiftleftEnvironmentError as exc:
            print(f"ENV-ERROR: {exc}")
            raise SystemExit(3)
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYFLINK_GATEWAY_PORT")}
    env["PATH"] = str(tmp_path)  # an empty directory: no java on PATH
    if java_home is not None:
        env["JAVA_HOME"] = java_home
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert expected in proc.stdout
    assert "Java 17+" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


# ---------------------------------------------------------------------------------------------
# The real planner
# ---------------------------------------------------------------------------------------------


def test_accepts_ddl_and_query(flink_planner: FlinkPlanner) -> None:
    script = ORDERS + textwrap.dedent(
        """\
        CREATE VIEW big AS SELECT customer, amount FROM orders WHERE amount > 10;
        SELECT customer, COUNT(*) AS n FROM big GROUP BY customer;
        SET 'table.exec.state.ttl' = '1 h';
        """
    )
    report = flink_planner.plan(script)
    assert report.ok, _errors(report)
    assert [s.kind for s in report.statements] == ["ddl", "ddl", "query", "ddl"]
    assert [s.index for s in report.statements] == [1, 2, 3, 4]
    query = report.statements[2]
    assert query.plan is not None and "GroupAggregate" in query.plan
    assert report.statements[0].plan is None
    assert report.errors == []


def test_syntax_error_position_is_mapped_to_the_script(flink_planner: FlinkPlanner) -> None:
    script = ORDERS + "SELECT 1;  SELECT customer\nFROM orders\nWHERE amount = = 3;\n"
    report = flink_planner.plan(script)
    assert not report.ok
    (error,) = report.errors
    assert error.statement == 3
    assert (error.line, error.column) == (10, 14)  # where "= =" starts, in the script
    assert script.splitlines()[9][13:].startswith("= = 3")
    assert 'Encountered "= ="' in error.message
    assert "line 10, column 14" in error.message  # rewritten to script coordinates
    assert "\tat " not in error.message and "Caused by" not in error.message
    assert error.exception_class == "org.apache.flink.table.api.SqlParserException"

    # A statement that starts mid-line: columns on its first line are shifted.
    line = "SELECT 1;  SELECT customer FROM orders WHERE amount = = 3;"
    (error,) = flink_planner.plan(ORDERS + line).errors
    assert (error.statement, error.line, error.column) == (3, 8, line.index("= =") + 1)

    # Messages without "line X, column Y" text get the position from the Java exception.
    line = "SELECT customer FROM orders WHERE customer != 'x';"
    (error,) = flink_planner.plan(ORDERS + line).errors
    assert "Bang equal '!=' is not allowed" in error.message
    assert (error.line, error.column) == (8, line.index("!=") + 1)


def test_validation_error_has_statement_index_and_later_statements_run(
    flink_planner: FlinkPlanner,
) -> None:
    script = ORDERS + "SELECT customer,\n       totl FROM orders;\nSELECT customer FROM orders;\n"
    report = flink_planner.plan(script)
    assert [s.ok for s in report.statements] == [True, False, True]
    (error,) = report.errors
    assert error.statement == 2
    assert error.message == "Column 'totl' not found in any table"
    assert (error.line, error.column, error.end_line, error.end_column) == (9, 8, 9, 11)
    assert error.exception_class == "org.apache.flink.table.api.ValidationException"
    assert report.statements[1].error == error


def test_each_plan_uses_a_fresh_catalog(flink_planner: FlinkPlanner) -> None:
    assert flink_planner.plan(ORDERS).ok
    report = flink_planner.plan("SELECT * FROM orders")
    assert not report.ok
    assert "Object 'orders' not found" in report.errors[0].message


def test_order_by_non_time_column_streaming_vs_batch(flink_planner: FlinkPlanner) -> None:
    script = ORDERS + "SELECT customer, amount FROM orders ORDER BY amount;\n"
    streaming = flink_planner.plan(script, mode="streaming")
    batch = flink_planner.plan(script, mode="batch")
    assert not streaming.ok
    assert "Sort on a non-time-attribute field is not supported" in streaming.errors[0].message
    assert streaming.errors[0].statement == 2
    assert batch.ok, _errors(batch)
    assert batch.mode == "batch"


def test_statement_set(flink_planner: FlinkPlanner) -> None:
    script = ORDERS + textwrap.dedent(
        """\
        CREATE TABLE sink_a (customer STRING, amount DECIMAL(10, 2)) WITH ('connector' = 'blackhole');
        CREATE TABLE sink_b (order_id BIGINT) WITH ('connector' = 'blackhole');
        EXECUTE STATEMENT SET BEGIN
          INSERT INTO sink_a SELECT customer, amount FROM orders;
          INSERT INTO sink_b SELECT order_id FROM orders WHERE amount > 0;
        END;
        EXECUTE STATEMENT SET BEGIN
          INSERT INTO sink_a SELECT customer, amount FROM orders;
          INSERT INTO sink_b SELECT order_idd FROM orders;
        END;
        """
    )
    report = flink_planner.plan(script)
    good, bad = report.statements[3], report.statements[4]
    assert good.kind == bad.kind == "statement_set"
    assert good.ok, _errors(report)
    assert good.plan is not None and "sink_a" in good.plan and "sink_b" in good.plan
    (error,) = bad.errors
    assert error.statement == 5
    assert "order_idd" in error.message
    assert (error.line, error.column) == (16, 29)  # inside the second INSERT of the set


def test_ctas_is_planned_not_run(flink_planner: FlinkPlanner) -> None:
    script = ORDERS + textwrap.dedent(
        """\
        CREATE TABLE copy WITH ('connector' = 'blackhole') AS SELECT customer, amount FROM orders;
        INSERT INTO copy SELECT customer, amount FROM orders;
        """
    )
    report = flink_planner.plan(script)
    assert report.ok, _errors(report)
    assert report.statements[1].plan is not None  # explained, and its table registered


def test_never_starts_a_job(flink_planner: FlinkPlanner) -> None:
    script = textwrap.dedent(
        """\
        CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'datagen');
        CREATE TABLE dst (id INT, name STRING) WITH ('connector' = 'blackhole');
        INSERT INTO dst SELECT * FROM src;
        EXECUTE INSERT INTO dst SELECT * FROM src;
        EXECUTE STATEMENT SET BEGIN INSERT INTO dst SELECT * FROM src; END;
        CREATE TABLE ctas WITH ('connector' = 'blackhole') AS SELECT * FROM src;
        CREATE OR REPLACE TABLE ctas WITH ('connector' = 'blackhole') AS SELECT id FROM src;
        INSERT INTO ctas SELECT id FROM src;
        SELECT * FROM src;
        """
    )

    def job_threads() -> set[str]:
        threads = jvm.get_gateway().jvm.Thread.getAllStackTraces().keySet()
        return {f"{t.getName()}#{t.getId()}" for t in threads if str(t.getName()).startswith(("mini-cluster", "jobmanager", "Source: "))}

    # the runners' job cluster (flink_engine.cluster) may be up already in this JVM, idle (its
    # pools may add threads at any time): then no task may run on it; else none may start
    cluster_up = bool(job_threads())
    report = flink_planner.plan(script)
    assert report.ok, _errors(report)
    after = job_threads()
    assert not [n for n in after if n.startswith("Source: ")], after
    assert cluster_up or not after, after


def test_connector_jars_are_cached() -> None:
    jars = connector_jars()
    assert [j.name for j in jars] == list(CONNECTOR_JARS)
    assert all(j.is_file() for j in jars)


def test_upsert_kafka_accepts_group_by_and_kafka_append_rejects_it(
    flink_planner_connectors: FlinkPlanner,
) -> None:
    script = (
        ORDERS
        + KAFKA_SINKS
        + textwrap.dedent(
            """\
        INSERT INTO totals_upsert SELECT customer, SUM(amount) FROM orders GROUP BY customer;
        INSERT INTO totals_append SELECT customer, SUM(amount) FROM orders GROUP BY customer;
        INSERT INTO totals_append SELECT customer, CAST(amount AS DECIMAL(38, 2)) FROM orders;
        """
        )
    )
    report = flink_planner_connectors.plan(script)
    assert [s.ok for s in report.statements] == [True, True, True, True, False, True]
    (error,) = report.errors
    assert error.statement == 5
    assert (
        "Table sink 'default_catalog.default_database.totals_append' doesn't support "
        "consuming update changes" in error.message
    )
    assert error.exception_class == "org.apache.flink.table.api.TableException"
    assert report.statements[3].plan is not None and "upsert" in report.statements[3].plan.lower()


def test_jdbc_upsert_sink_with_connectors(flink_planner_connectors: FlinkPlanner) -> None:
    script = ORDERS + textwrap.dedent(
        """\
        CREATE TABLE totals (customer STRING, total DECIMAL(38, 2), PRIMARY KEY (customer) NOT ENFORCED)
        WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://localhost:5432/db', 'table-name' = 'totals');
        INSERT INTO totals SELECT customer, SUM(amount) FROM orders GROUP BY customer;
        """
    )
    report = flink_planner_connectors.plan(script)
    assert report.ok, _errors(report)


def test_planner_without_jars_does_not_see_the_connectors(
    flink_planner: FlinkPlanner, flink_planner_connectors: FlinkPlanner
) -> None:
    script = (
        ORDERS
        + KAFKA_SINKS
        + ("INSERT INTO totals_append SELECT customer, CAST(amount AS DECIMAL(38, 2)) FROM orders;")
    )
    assert flink_planner_connectors.plan(script).ok
    report = flink_planner.plan(script)  # same JVM, but the jars belong to the other planner
    assert not report.ok
    assert "Could not find any factory for identifier 'kafka'" in report.errors[-1].message


@pytest.mark.flink
def test_fork_replays_declarations_not_queries(flink_planner: Any) -> None:
    session = flink_planner.session("streaming")
    session.plan(
        "CREATE TABLE t (id INT) WITH ('connector' = 'datagen');\n"
        "SET 'table.local-time-zone' = 'Europe/Paris';\n"
        "CREATE VIEW v AS SELECT id FROM t;\n"
        "SELECT * FROM v;\n"
        "CREATE TABLE bad (id NO_SUCH_TYPE) WITH ('connector' = 'datagen');\n"
    )
    twin = session.fork()
    assert twin._env is not session._env
    report = twin.plan("SELECT id FROM v;\nSELECT * FROM bad;\n")
    assert report.statements[0].errors == [] and report.statements[1].errors  # bad stays absent
    assert str(twin._env.getConfig().getLocalTimeZone()) == "Europe/Paris"
    session.plan("CREATE TABLE only_here (id INT) WITH ('connector' = 'datagen');\n")
    assert twin.plan("SELECT * FROM only_here;\n").errors  # forks do not share their catalogs
    twin.close()

"""``shiftleft verify`` reads SQL exactly as ``shiftleft transpile`` does (same reader, same
options, same diagnostics and exit code rules) and never says "verified" when nothing was
compared or when the translation itself reports an error (issue 15, the front door)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftleft.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"orders": {"id": "INT", "ts": "TIMESTAMP", "shipped": "DATE", "ordered": "DATE", "k": "STRING"}}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA))
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "orders.csv").write_text(
        "id,ts,shipped,ordered,k\n1,2024-01-01 10:00:00,2024-01-05,2024-01-01,a\n"
        "2,2024-01-01 11:30:00,2024-02-11,2024-02-10,b\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--mode", "batch"],
        ["--target", "confluent"],
        ["--event-time", "orders=ts"],
        ["--event-time", "orders=ts", "--state-ttl", "1d", "--mode", "streaming"],
        ["--disable", "SL1001", "--now-policy", "error"],
        ["--read", "databricks", "--sink", "out_t"],
    ],
)
def test_verify_verifies_the_translation_transpile_prints(
    folder: Path, options: list[str], flink_planner, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = folder / "q.sql"
    sql.write_text(
        "SELECT k, count(*) AS n FROM orders GROUP BY k, window(ts, '1 hour');\n"
        "SELECT id, nvl(datediff(shipped, ordered), 0) AS days, current_date() AS today FROM orders"
    )
    common = [str(sql), "--schema", str(folder / "schema.json"), *options, "--format", "json"]
    transpile_code = main(["transpile", *common])
    transpiled = json.loads(capsys.readouterr().out)
    verify_code = main(["verify", *common])
    verified = json.loads(capsys.readouterr().out)
    assert verified["translated_sql"] == transpiled["sql"]
    codes = {d["rule_id"] for s in transpiled["statements"] for d in s["diagnostics"]}
    assert codes <= {d["rule_id"] for d in verified["diagnostics"]}
    if transpile_code == 1:  # an error in the translation is an error of the verification
        assert verify_code == 1


def test_a_bad_statement_is_reported_as_transpile_reports_it(
    folder: Path, flink_planner, capsys: pytest.CaptureFixture[str]
) -> None:
    """transpile reports the unreadable statement and translates the rest; verify used to
    stop with exit 2 on it, and could call the rest "verified"."""
    sql = folder / "q.sql"
    sql.write_text("SELECT id, k FROM orders;\nSELECT id FROM WHERE;\nSELECT k FROM orders WHERE id = 1")
    assert main(["transpile", str(sql)]) == 1
    transpile_err = capsys.readouterr().err
    code = main(["verify", str(sql), "--seeds", str(folder / "seeds"), "--schema", str(folder / "schema.json"), "--mode", "batch"])
    out = capsys.readouterr().out
    assert code == 1, out
    where = transpile_err.split(" error [SL0001]")[0]
    assert where.endswith(":2:16:") and f"{where} error [SL0001]" in out
    assert "statement 1: equal" in out and "statement 3: equal" in out
    assert out.rstrip().endswith("NOT verified")


def test_warnings_fail_verify_as_they_fail_transpile(
    folder: Path, flink_planner, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = folder / "q.sql"
    sql.write_text("SELECT id, k FROM orders DISTRIBUTE BY k")  # SL9203, a warning
    args = [str(sql), "--schema", str(folder / "schema.json"), "--fail-on", "warning"]
    assert main(["transpile", *args]) == 1
    assert main(["verify", *args]) == 1
    assert "warning [SL9203]" in capsys.readouterr().out
    assert main(["verify", *args[:-2]]) == 0

"""The ``verify`` subcommand (shiftleft.cli.verify), called in-process."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from shiftleft.cli.verify import register

pytestmark = [pytest.mark.slow, pytest.mark.flink]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="shiftleft")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["verify", *argv])
    return int(args.func(args))


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "orders.csv").write_text(
        "id,ordered,shipped\n1,2024-01-01,2024-01-05\n2,2024-02-10,2024-02-11\n3,2024-03-01,\n"
    )
    (tmp_path / "q.sql").write_text("SELECT id, datediff(shipped, ordered) AS days FROM orders;\n")
    return tmp_path


def test_verified_exits_0(project: Path, flink_planner, capsys) -> None:
    code = run([str(project / "q.sql"), "--seeds", str(project / "seeds"), "--mode", "batch"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "statement 1: equal" in out and out.rstrip().endswith("verified")


def test_mismatch_exits_1_with_json(project: Path, flink_planner, capsys) -> None:
    wrong = project / "wrong.sql"
    wrong.write_text("SELECT id, TIMESTAMPDIFF(DAY, shipped, ordered) AS days FROM orders;\n")
    code = run([str(project / "q.sql"), "--seeds", str(project / "seeds"), "--mode", "batch",
                "--translation", str(wrong), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["checks"][0]["status"] == "different"
    assert data["checks"][0]["diff"]["mismatched_count"] == 2


def test_schema_generated_rows(project: Path, flink_planner, capsys) -> None:
    schema = project / "schema.json"
    schema.write_text(json.dumps({"t": {"id": "INT", "k": "STRING", "v": "DOUBLE"}}))
    sql = project / "agg.sql"
    sql.write_text("SELECT k, count(*) AS n, sum(v) AS s FROM t GROUP BY k")
    code = run([str(sql), "--schema", str(schema), "--generate-rows", "30"])
    assert code == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["missing.sql"],
        ["{q}", "--seeds", "no-such-dir"],
        ["{q}", "--schema", "{bad}"],
        ["{unreadable}"],
    ],
)
def test_bad_input_exits_2(project: Path, argv: list[str], capsys) -> None:
    (project / "bad.json").write_text("[1, 2]")
    (project / "unreadable.sql").write_text("SELECT FROM WHERE (((")
    argv = [
        a.format(q=project / "q.sql", bad=project / "bad.json", unreadable=project / "unreadable.sql")
        for a in argv
    ]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("shiftleft: ") and "error" in err and "Traceback" not in err


def test_planned_only_is_not_called_verified(project: Path, flink_planner, capsys) -> None:
    schema = project / "schema.json"
    schema.write_text(json.dumps({"orders": {"id": "INT", "ordered": "DATE", "shipped": "DATE"}}))
    code = run([str(project / "q.sql"), "--schema", str(schema), "--mode", "batch"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.rstrip().endswith("NOT verified: Flink accepts the translation, but no rows were compared (give --seeds or --generate-rows)")


def test_verify_reads_sql_as_transpile_does(project: Path, flink_planner, capsys) -> None:
    """--event-time reaches the translation: the streaming window rule needs it."""
    schema = project / "schema.json"
    schema.write_text(json.dumps({"orders": {"id": "INT", "ts": "TIMESTAMP"}}))
    sql = project / "w.sql"
    sql.write_text("SELECT count(*) AS n FROM orders GROUP BY window(ts, '1 hour')")
    run([str(sql), "--schema", str(schema), "--event-time", "orders=ts", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert "TUMBLE(TABLE orders, DESCRIPTOR(ts)" in data["translated_sql"]

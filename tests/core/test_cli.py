"""The command line: output streams and exit codes (0 ok, 1 diagnostics, 2 bad input)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shiftleft.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_transpile_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.sql"
    f.write_text("SELECT nvl(a, 0) FROM t")
    code, out, err = run(capsys, "transpile", str(f))
    assert (code, out, err) == (0, "SELECT COALESCE(a, 0) FROM t;\n", "")


def test_diagnostics_go_to_stderr_with_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.sql"
    f.write_text("SELECT\n  levenshtein(a, b) FROM t")
    code, out, err = run(capsys, "transpile", str(f))
    assert code == 1
    assert out == "SELECT LEVENSHTEIN(a, b) FROM t;\n"
    assert err.startswith(f"{f}:2:3: error [SL9001]")


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.sql"
    f.write_text("SELECT nvl(a, 0) FROM t; SELECT 2")
    code, out, _ = run(capsys, "transpile", str(f), "--format", "json", "--target", "confluent", "--mode", "batch")
    data = json.loads(out)
    assert code == 0 and data["target"] == "confluent" and data["mode"] == "batch"
    assert [s["index"] for s in data["statements"]] == [1, 2]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT nvl(a, 1) FROM t"))
    code, out, _ = run(capsys, "transpile", "-")
    assert code == 0 and "COALESCE" in out


def test_unreadable_inputs_are_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A closed standard input, one that cannot be read, a path with a NUL byte: exit 2 with
    what went wrong, not an internal error (the CLI fuzzer found the last two)."""
    (tmp_path / "m.sql").write_text("SELECT 1")
    monkeypatch.setattr(sys, "stdin", None)
    code, _, err = run(capsys, "transpile", str(tmp_path / "m.sql"), "--schema", "-")
    assert code == 2 and "the standard input: it is closed" in err

    class Unreadable:
        def read(self) -> str:
            raise OSError("reading from stdin while output is captured")

    monkeypatch.setattr(sys, "stdin", Unreadable())
    code, _, err = run(capsys, "transpile", "-")
    assert code == 2 and "cannot read the standard input" in err and "SL0099" not in err
    code, _, err = run(capsys, "transpile", str(tmp_path / "m.sql"), "--schema", "\x00")
    assert code == 2 and "cannot read" in err and "SL0099" not in err


def test_bad_sql_exit_2_with_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.sql"
    f.write_text("SELECT 1 FROM t;\nSELECT a FROM WHERE")
    code, out, err = run(capsys, "transpile", str(f))
    # the good statement still comes out; the bad one is reported and only commented out
    assert code == 1 and out.startswith("SELECT 1 FROM t;\n-- [SL0001] not translated")
    assert f"{f}:2:15: error [SL0001] cannot parse" in err and "Traceback" not in err
    f.write_text("SELECT a FROM WHERE")
    code, out, err = run(capsys, "transpile", str(f))
    assert code == 2 and out == ""
    assert f"shiftleft: {f}:1:15: error [SL0001] cannot parse the statement as spark SQL" in err


def test_missing_file_and_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "transpile", str(tmp_path / "nope.sql"))
    assert code == 2 and "no such file" in err
    (tmp_path / "ok.sql").write_text("SELECT 1")
    code, _, err = run(capsys, "transpile", str(tmp_path / "ok.sql"), "--read", "nosuchdialect")
    assert code == 2 and "unknown read dialect" in err
    with pytest.raises(SystemExit) as info:
        main(["transpile", "-", "--target", "kafka"])
    assert info.value.code == 2


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "SL1001  nvl-to-coalesce" in out and "SL9001" in out
    code, out, _ = run(capsys, "rules", "--format", "json")
    ids = [r["id"] for r in json.loads(out)]
    assert ids == sorted(ids) and "SL3001" in ids
    code, out, _ = run(capsys, "rules", "--format", "markdown")
    assert out.startswith("| id | name |")


def test_installed_console_script() -> None:
    exe = Path(sys.executable).with_name("shiftleft")
    proc = subprocess.run(
        [str(exe), "transpile", "-"], input="SELECT a FROM t WHERE a != 1", capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "SELECT a FROM t WHERE a <> 1;\n"


def test_explain_one_rule(capsys: pytest.CaptureFixture[str]) -> None:
    for key in ("SL1010", "datediff-to-timestampdiff", "sl1010"):
        code, out, _ = run(capsys, "rules", key)
        assert code == 0
        assert out.startswith("SL1010 datediff-to-timestampdiff: ")
        assert "spark:   SELECT datediff(" in out and "flink:   SELECT TIMESTAMPDIFF(" in out
    code, _, err = run(capsys, "rules", "SL8888")
    assert code == 2 and "no rule or code 'SL8888'" in err


def test_sink_schema_and_event_time_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = tmp_path / "m.sql"
    model.write_text("SELECT customer, count(*) AS n FROM orders GROUP BY window(ts, '1 hour'), customer")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"orders": {"customer": "STRING", "ts": "TIMESTAMP"}}))
    code, out, err = run(
        capsys, "transpile", str(model), "--sink", "totals", "--schema", str(schema), "--event-time", "orders=ts"
    )
    assert code == 0, err
    assert out.startswith("CREATE TABLE totals (\n  customer STRING,\n  n BIGINT\n)")
    assert "TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR)" in out
    assert "info [SL4101]" in err and "SL4102" not in err
    code, _, err = run(capsys, "transpile", str(model), "--event-time", "orders")
    assert code == 2 and "TABLE.COLUMN" in err
    schema.write_text("[1]")
    code, _, err = run(capsys, "transpile", str(model), "--schema", str(schema))
    assert code == 2 and "expected {" in err

"""The front door: every code documented, exit codes in every --help, --fail-on, --debug,
JSON output valid against the published schemas, progress on stderr."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import shiftleft
from shiftleft.cli import Progress, build_parser, main
from shiftleft.codes import CODES
from shiftleft.rewrite.catalog import rules_catalog
from shiftleft.schemas import SCHEMAS, load, render

ROOT = Path(__file__).resolve().parents[2]
CODE_LITERAL = re.compile(r"""["'](SL\d{4}|SLV\d{3})["']""")


def _code_literals() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in (ROOT / "shiftleft", ROOT / "rules"):
        for path in sorted(folder.rglob("*.py")):
            for match in CODE_LITERAL.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return found


def test_every_code_the_package_can_emit_is_documented() -> None:
    rule_ids = {r.id for r in rules_catalog()}
    literals = _code_literals()
    undocumented = {code: where for code, where in literals.items() if code not in rule_ids and code not in CODES}
    assert not undocumented, f"codes without docs (add them to shiftleft/codes.py): {undocumented}"
    error_codes = {cls.code for cls in vars(shiftleft.errors).values() if isinstance(cls, type) and hasattr(cls, "code")}
    assert error_codes <= set(CODES)
    # and the other way: no documented code that nothing can emit any more
    assert set(CODES) - set(literals) - error_codes == set()


def test_rules_command_explains_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    for code in [*CODES, "SL9201", "SL9209"]:
        assert main(["rules", code]) == 0, code
        out = capsys.readouterr().out
        assert out.startswith(code) and len(out) > 40
    assert main(["rules", "--codes"]) == 0
    assert "SL0001  SQL that cannot be parsed" in capsys.readouterr().out


def _helps() -> dict[str, str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return {name: p.format_help() for name, p in sub.choices.items()}  # type: ignore[union-attr]


@pytest.mark.parametrize("command", list(_helps()))
def test_every_command_help_lists_its_exit_codes(command: str) -> None:
    text = _helps()[command]
    assert text.lower().count("exit codes") == 1, text  # one table, no contradicting paragraph
    table = text[text.index("exit codes:") :]
    for code in ("0", "2", "3", "130"):
        assert f"\n  {code} " in table, (code, table)
    if command != "rules":
        assert "\n  1 " in table
    if "--fail-on" in text:
        assert "--fail-on warning" in table


def test_fail_on_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.sql"
    f.write_text("SELECT a FROM t DISTRIBUTE BY a")  # translated, with a warning (SL9203)
    assert main(["transpile", str(f)]) == 0
    assert "warning [SL9203]" in capsys.readouterr().err
    assert main(["transpile", str(f), "--fail-on", "warning"]) == 1
    f.write_text("SELECT a FROM t")
    assert main(["transpile", str(f), "--fail-on", "warning"]) == 0


def _project(root: Path, models: dict[str, str]) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: demo\nprofile: demo\n")
    (root / "models" / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n      - name: events\n"
        "        columns: [{name: id, data_type: bigint}, {name: kind, data_type: string}]\n"
    )
    for name, sql in models.items():
        (root / "models" / name).write_text(sql)
    return root


def test_migrate_fail_on_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p", {"m.sql": "select id, kind from {{ source('app', 'events') }} distribute by id"})
    static = ["--no-plan"]  # (the planner's verdict is tested with --plan below)
    assert main(["migrate", str(project), *static]) == 0
    out = capsys.readouterr().out
    assert "1 warnings on tables" in out and "SL9203" not in out
    assert main(["migrate", str(project), "--fail-on", "warning", *static]) == 1
    assert "m.sql (rendered):1:" in capsys.readouterr().out
    assert main(["migrate", str(project), "--fail-on", "error", *static]) == 0
    (project / "models" / "m.sql").write_text("select id, kind from {{ source('app', 'events') }}")
    assert main(["migrate", str(project), "--fail-on", "warning", *static]) == 0
    (project / "models" / "bad.sql").write_text("select {{ 1/0 }}")
    assert main(["migrate", str(project), *static]) == 1
    capsys.readouterr()
    assert main(["migrate", str(tmp_path / "nothing"), *static]) == 2
    assert "error [SL" in capsys.readouterr().err  # the code, not only a message


def test_internal_errors_have_no_traceback_unless_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    # a crash outside any one statement (inside one, the statement alone is reported: SL9000)
    monkeypatch.setattr(shiftleft.pipeline, "read_script", broken)
    f = tmp_path / "m.sql"
    f.write_text("SELECT 1 FROM t")
    with pytest.raises(shiftleft.ShiftleftError, match="internal error"):
        shiftleft.transpile("SELECT 1 FROM t")
    assert main(["transpile", str(f)]) == 3
    err = capsys.readouterr().err
    assert "error [SL0099] internal error (RuntimeError: boom)" in err and "Traceback" not in err
    assert main(["--debug", "transpile", str(f)]) == 3
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_published_schemas_are_current(name: str) -> None:
    assert (ROOT / "shiftleft" / "schemas" / name).read_text() == render(name), (
        "stale schema: run `python -m shiftleft.schemas`"
    )


def test_json_output_validates_against_the_published_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    f = tmp_path / "m.sql"
    f.write_text("SELECT nvl(a, 0) FROM t;\nSELECT a FROM WHERE;\nSELECT levenshtein(a, b) FROM t")
    main(["transpile", str(f), "--format", "json"])
    jsonschema.validate(json.loads(capsys.readouterr().out), load("transpile-result.schema.json"))
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "bad.sql").write_text("hello world")
    (tmp_path / "d" / "ok.sql").write_text("SELECT 1 FROM t")
    main(["transpile", str(tmp_path / "d"), "--format", "json"])
    jsonschema.validate(json.loads(capsys.readouterr().out), load("file-results.schema.json"))


def test_progress_only_after_a_second_and_on_request() -> None:
    stream = io.StringIO()
    quiet = Progress(stream, enabled=True, after_s=60)
    quiet(1, 2, "a.sql")
    quiet.done()
    assert stream.getvalue() == ""
    loud = Progress(stream, enabled=True, after_s=0)
    loud(1, 2, "a.sql")
    loud.done()
    assert stream.getvalue().startswith("\rshiftleft: 1/2 a.sql") and stream.getvalue().endswith("\n")
    assert not Progress(io.StringIO()).enabled  # not a terminal: off by default


@pytest.mark.slow
@pytest.mark.flink
def test_migrate_plan_prints_what_it_planned_and_the_outcome_per_model(
    tmp_path: Path, flink_planner, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    project = _project(
        tmp_path / "p",
        {
            "good.sql": "select id, kind from {{ source('app', 'events') }}",
            "eph.sql": "{{ config(materialized='ephemeral') }} select id from {{ source('app', 'events') }}",
            "uses_eph.sql": "select id from {{ ref('eph') }}",
            "bad.sql": "select {{ 1/0 }}",
            "rejected.sql": "{{ config(materialized='table') }} select id from {{ source('app', 'events') }} group by kind",
        },
    )
    assert main(["migrate", str(project), "--plan"]) == 1
    captured = capsys.readouterr()
    lines = {line.split()[1].rstrip(":"): line for line in captured.err.splitlines() if line.startswith("plan ")}
    assert set(lines) >= {"good", "eph", "uses_eph", "bad", "rejected", "events"}, captured.err
    assert lines["good"] == "plan good [ddl]: accepted"  # a view: its DDL is the query
    assert lines["events"].startswith("plan events [ddl]: accepted")
    assert lines["rejected"].startswith("plan rejected [ddl+dml]: rejected (1): "), lines["rejected"]
    assert lines["bad"].startswith("plan bad: not planned (failed")
    assert lines["eph"].startswith("plan eph: not planned (ephemeral")
    assert "1 failed" in captured.out or "2 failed" in captured.out


def test_progress_on_stderr_for_runs_over_a_second(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One script (no per-file progress): a heartbeat once the run takes over a second;
    nothing for a quick one, nothing when not asked for on a non-terminal."""
    import time

    from shiftleft.cli.common import Heartbeat
    from shiftleft.cli.migrate import ProgressBar

    stream = io.StringIO()
    with Heartbeat(stream, "working", enabled=True, after_s=0.2):
        time.sleep(0.5)
    assert stream.getvalue().startswith("\rshiftleft: working (") and stream.getvalue().endswith(" s)\n")
    quick = io.StringIO()
    with Heartbeat(quick, "working", enabled=True):
        pass
    assert quick.getvalue() == ""
    bar = io.StringIO()
    ProgressBar(bar, enabled=True)(1, 2, "a")  # under a second: nothing yet
    ProgressBar(bar, enabled=True, after_s=0)(2, 2, "b")
    assert bar.getvalue().startswith("\r[") and "2/2 b" in bar.getvalue()

    big = tmp_path / "big.sql"
    big.write_text(";\n".join(f"SELECT a{i}, nvl(b, {i}) AS c FROM t{i} WHERE d > {i}" for i in range(1500)))
    started = time.monotonic()
    assert main(["transpile", str(big), "--progress"]) == 0
    took = time.monotonic() - started
    err = capsys.readouterr().err
    if took > 1.5:
        assert f"shiftleft: translating {big} (" in err
    assert main(["transpile", str(big)]) == 0  # stderr is not a terminal: no progress
    assert "shiftleft: translating" not in capsys.readouterr().err

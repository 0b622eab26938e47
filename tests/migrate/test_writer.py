"""PipelineWriter: atomic writes, user edits kept, state across runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shiftleft.errors import ConfigError
from shiftleft.migration.models import FileAction
from shiftleft.migration.writer import PipelineWriter

DDL = "facts/shop/t/sql-scripts/ddl.t.sql"


def run(out: Path, files: dict[str, str], *, force: bool = False) -> dict[str, FileAction]:
    """One migration run writing ``files``; the action of each file."""
    writer = PipelineWriter(out, force=force)
    for path, text in files.items():
        writer.write(path, text)
    return {r.path: r.action for r in writer.finish()}


def test_write_rerun_change(tmp_path: Path) -> None:
    assert run(tmp_path, {DDL: "CREATE TABLE t;\n"}) == {DDL: FileAction.WRITTEN}
    assert (tmp_path / DDL).read_bytes() == b"CREATE TABLE t;\n"
    assert run(tmp_path, {DDL: "CREATE TABLE t;\n"}) == {DDL: FileAction.UNCHANGED}
    assert run(tmp_path, {DDL: "CREATE TABLE t2;\n"}) == {DDL: FileAction.WRITTEN}
    assert (tmp_path / DDL).read_text() == "CREATE TABLE t2;\n"
    state = json.loads((tmp_path / ".shiftleft/state.json").read_text())
    assert state["version"] == 1 and list(state["files"]) == [DDL]
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_user_edit_is_kept_until_force(tmp_path: Path) -> None:
    run(tmp_path, {DDL: "v1\n"})
    (tmp_path / DDL).write_text("v1 edited by hand\n")
    assert run(tmp_path, {DDL: "v2\n"}) == {DDL: FileAction.KEPT}
    assert (tmp_path / DDL).read_text() == "v1 edited by hand\n"
    assert run(tmp_path, {DDL: "v3\n"}) == {DDL: FileAction.KEPT}  # still protected
    assert run(tmp_path, {DDL: "v3\n"}, force=True) == {DDL: FileAction.WRITTEN}
    assert (tmp_path / DDL).read_text() == "v3\n"
    assert run(tmp_path, {DDL: "v4\n"}) == {DDL: FileAction.WRITTEN}


def test_file_not_written_by_shiftleft_is_kept(tmp_path: Path) -> None:
    (tmp_path / "views").mkdir()
    (tmp_path / "views/mine.sql").write_text("mine\n")
    assert run(tmp_path, {"views/mine.sql": "generated\n"}) == {"views/mine.sql": FileAction.KEPT}
    assert (tmp_path / "views/mine.sql").read_text() == "mine\n"
    state = json.loads((tmp_path / ".shiftleft/state.json").read_text())
    assert state["files"] == {}


def test_records_sorted_json_and_stale(tmp_path: Path) -> None:
    writer = PipelineWriter(tmp_path)
    assert writer.write_json("b/pipeline_definition.json", {"z": 1, "a": [1]}).path == (
        "b/pipeline_definition.json"
    )
    writer.write("a/x.sql", "x")
    writer.write("c/gone.sql", "old")
    assert [r.path for r in writer.finish()] == [
        "a/x.sql",
        "b/pipeline_definition.json",
        "c/gone.sql",
    ]
    assert json.loads((tmp_path / "b/pipeline_definition.json").read_text()) == {"a": [1], "z": 1}
    assert (tmp_path / "b/pipeline_definition.json").read_text().endswith("}\n")

    second = PipelineWriter(tmp_path)
    second.write("a/x.sql", "x")
    second.write_json("b/pipeline_definition.json", {"a": [1], "z": 1})
    assert [r.action for r in second.finish()] == [FileAction.UNCHANGED] * 2
    assert second.stale() == ["c/gone.sql"]
    assert (tmp_path / "c/gone.sql").exists()  # reported, not deleted


def test_same_path_twice_in_one_run(tmp_path: Path) -> None:
    writer = PipelineWriter(tmp_path)
    writer.write("a.sql", "1")
    with pytest.raises(ConfigError, match="written twice"):
        writer.write("./a.sql", "2")


def test_corrupt_state(tmp_path: Path) -> None:
    (tmp_path / ".shiftleft").mkdir()
    (tmp_path / ".shiftleft/state.json").write_text('{"version": 1, "files": [')
    with pytest.raises(ConfigError, match=r"corrupt.*delete it"):
        PipelineWriter(tmp_path)
    (tmp_path / ".shiftleft/state.json").write_text('{"version": 9, "files": {}}')
    with pytest.raises(ConfigError, match="corrupt"):
        PipelineWriter(tmp_path)
    writer = PipelineWriter(tmp_path, force=True)
    writer.write("a.sql", "a")
    writer.finish()
    assert json.loads((tmp_path / ".shiftleft/state.json").read_text())["version"] == 1


def test_failed_write_leaves_original_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(tmp_path, {DDL: "original\n"})
    writer = PipelineWriter(tmp_path)

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        writer.write(DDL, "new\n")
        writer.finish()  # the files are renamed in place by batches, the last one here
    assert (tmp_path / DDL).read_text() == "original\n"
    assert sorted(p.name for p in (tmp_path / DDL).parent.iterdir()) == ["ddl.t.sql"]


def test_refuses_symlink_folder_and_escape(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.sql"
    out.mkdir()
    victim.write_text("precious")
    os.symlink(victim, out / "link.sql")
    os.symlink(out / "inside.sql", out / "inner_link.sql")
    (out / "folder.sql").mkdir()
    writer = PipelineWriter(out, force=True)
    for path, why in [
        ("link.sql", "symbolic link"),
        ("inner_link.sql", "symbolic link"),
        ("folder.sql", "folder"),
        ("../victim.sql", r"'\.\.'"),
        (".shiftleft/state.json", "state"),
    ]:
        with pytest.raises(ConfigError, match=why):
            writer.write(path, "evil")
    assert victim.read_text() == "precious"
    assert not (out / "inside.sql").exists()

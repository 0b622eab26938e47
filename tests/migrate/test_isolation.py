"""One bad model or file is reported with where it is; every other model still migrates."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate

_GOOD = "select id, kind from {{ source('app', 'events') }}"


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ("select {{ 1/0 }}", "ZeroDivisionError"),
        ("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}select {{ r(0) }}", "Recursion"),
        ("select {{ [1][5] }}", "no element 5"),
        ("{{ 'x' * 6000000 }}", "limit"),
        ("-- nothing here\n/* at all */", "nothing"),
        ("{% if %}", "Jinja syntax"),
    ],
)
def test_bad_model_is_reported_and_the_rest_migrates(
    tmp_path: Path, bad: str, expected: str
) -> None:
    project = make_project(tmp_path / "p", {"good.sql": _GOOD, "bad.sql": bad})
    result = migrate(project, tmp_path / "out")
    assert result.table("good").status is Status.TRANSLATED
    broken = result.table("bad")
    assert broken.status is Status.FAILED and expected in broken.errors[0].message


def test_bad_encoding_symlink_and_malformed_yaml_are_reported(tmp_path: Path) -> None:
    outside = tmp_path / "secret.sql"
    outside.write_text("select 'secret' as s")
    project = make_project(
        tmp_path / "p",
        {"good.sql": _GOOD},
        {"models/broken.yml": "version: 2\nmodels:\n  - name: good\n    columns: [\n"},
    )
    (project / "models" / "latin.sql").write_bytes(b"select '\xe9t\xe9' as s")
    (project / "models" / "linked.sql").symlink_to(outside)
    result = migrate(project, tmp_path / "out")
    assert result.table("good").status is Status.TRANSLATED
    assert "UTF-8" in result.table("latin").errors[0].message
    linked = result.table("linked")
    assert linked.status is Status.FAILED and "outside the project" in linked.errors[0].message
    assert not any("secret" in p.read_text() for p in (tmp_path / "out").rglob("*.sql"))
    [yaml_error] = [d for d in result.diagnostics if "broken.yml" in d.message]
    assert "line" in yaml_error.message


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 1200)
    ]
    project = make_project(tmp_path / "p", {"good.sql": _GOOD}, {"models/bomb.yml": "\n".join(lines)})
    result = migrate(project)
    assert result.table("good").status is Status.TRANSLATED
    assert any("aliases" in d.message for d in result.diagnostics)


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("models/schema.yml", "version: 2\nmodels: 5\n", "models: expected a list, got int"),
        ("models/schema.yml", "version: 2\nsources:\n  - name: app2\n    tables: 7\n", "tables: expected a list"),
        ("models/schema.yml", "version: 2\nmodels:\n  - name: good\n    columns: 3\n", "columns: expected a list"),
        ("models/schema.yml", "version: 2\nmodels:\n  - name: good\n    config: {tags: 5}\n    constraints: 2\n", None),
        ("profiles.yml", "demo:\n  outputs: 5\n", None),
        ("models/schema.yml", "\x00", "not valid YAML (unacceptable character #x0000"),
        ("models/schema.yml", "version: 2\nmodels:\n  - name: good\n    columns: [{name: 1, data_type: [x]}]\n",
         "column 1: data_type must be a type name"),
        ("profiles.yml", "demo:\n  target: [x]\n  outputs: {dev: 3}\n", None),
    ],
)
def test_yaml_of_the_wrong_shape_is_reported_not_a_crash(
    tmp_path: Path, path: str, text: str, expected: str | None
) -> None:
    """Found by scripts/fuzz_run.py: a list where a mapping was expected (and the reverse)
    raised TypeError / AttributeError out of migrate."""
    project = make_project(tmp_path / "p", {"good.sql": _GOOD}, {path: text})
    result = migrate(project, plan=False)
    assert result.table("good").status is Status.TRANSLATED
    if expected:
        assert any(expected in d.message for d in result.diagnostics), result.diagnostics

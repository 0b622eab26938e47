"""``shiftleft migrate --llm``: a model that no rule translates is sent to the (fake) Ollama,
and its status says which tables the LLM helped with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fake_ollama import FakeOllama, answer, by_node

from shiftleft.llm import LLMConfig
from shiftleft.migration import Status, migrate


def _project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: demo\nmodels:\n  demo:\n    +materialized: table\n"
    )
    (root / "models" / "fuzzy.sql").write_text(
        "select id, str_distance(a, b) as d from {{ ref('base') }}"
    )
    (root / "models" / "base.sql").write_text("select 1 as id, 'x' as a, 'y' as b")
    return root


def test_migrate_with_llm(
    tmp_path: Path, fake_ollama: FakeOllama, llm_config: Callable[..., LLMConfig]
) -> None:
    project = _project(tmp_path / "p")
    without = migrate(project)
    assert without.table("fuzzy").status is Status.NEEDS_LLM
    assert any("STR_DISTANCE" in d.message for d in without.table("fuzzy").errors)

    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a) + CHAR_LENGTH(b)")]})
    result = migrate(project, tmp_path / "out", llm=llm_config())
    fuzzy = result.table("fuzzy")
    assert fuzzy.status is Status.LLM and fuzzy.errors == []
    assert "CHAR_LENGTH(a) + CHAR_LENGTH(b)" in (fuzzy.dml or "")
    assert result.table("base").status is Status.TRANSLATED
    assert result.ok
    assert "| llm | 1 |" in (tmp_path / "out" / "migration_report.md").read_text()

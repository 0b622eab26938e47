"""Package macros as real packages write them: private `_names`, `{% endmacro %}` inside a
string, a broken macro file that must not break the other macros."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate

_PACKAGE = "name: pkg\nversion: '1.0'\nconfig-version: 2\n"


def _with_package(tmp_path: Path, macros: dict[str, str], model: str) -> Path:
    extra = {"dbt_packages/pkg/dbt_project.yml": _PACKAGE}
    extra |= {f"dbt_packages/pkg/macros/{name}": text for name, text in macros.items()}
    return make_project(tmp_path / "p", {"stg.sql": model}, extra)


@pytest.mark.parametrize("private", ["_namespaces", "__double"])
def test_private_package_macro_is_callable(tmp_path: Path, private: str) -> None:
    macros = {
        "ns.sql": f"{{% macro {private}() %}}{{% do return(['pkg']) %}}{{% endmacro %}}",
        "col.sql": "{% macro id_col() %}{{ adapter.dispatch('id_col', packages=pkg."
        + private
        + "())() }}{% endmacro %}\n{% macro default__id_col() %}id{% endmacro %}",
    }
    project = _with_package(
        tmp_path, macros, "select {{ pkg.id_col() }} from {{ source('app', 'events') }}"
    )
    result = migrate(project)
    stg = result.table("stg")
    if private.startswith("__"):  # dunder names stay out of the sandbox's reach
        assert stg.status is Status.FAILED
        return
    assert stg.status is Status.TRANSLATED, [d.message for d in stg.diagnostics]


def test_endmacro_in_a_string_and_a_broken_file_leave_other_macros_usable(tmp_path: Path) -> None:
    macros = {
        "gen.sql": "{% macro gen() %}{% set x = [] %}{% do x.append('{% endmacro %}') %}"
        "{{ x | length }}{% endmacro %}\n{% macro two() %}2{% endmacro %}",
        "broken.sql": "{% macro broken() %}{% if %}{% endmacro %}",
        "fine.sql": "{% macro fine() %}id{% endmacro %}",
    }
    project = _with_package(
        tmp_path,
        macros,
        "select {{ pkg.fine() }}, {{ pkg.gen() }} as g, {{ pkg.two() }} as t "
        "from {{ source('app', 'events') }}",
    )
    result = migrate(project)
    assert result.table("stg").status is Status.TRANSLATED
    assert any("broken" in d.message for d in result.diagnostics)

"""The models, seeds and sources of an installed package are the project's too (dbt builds
them; fivetran's packages are mostly models): each one is read with the package's configs and
vars under the project's, as the real dbt compiles them.

Every way a var can be set for a package's model (its own dbt_project.yml globally or scoped
to itself, the project's dbt_project.yml globally or scoped to the package, ``--vars``) is
drawn exhaustively: one var per subset of those five places, so one dbt compile checks all
32 precedence cases; the configs likewise (package folder, project folder, in-file config)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from real_dbt import load_manifest, run_dbt

from shiftleft.migration import MigrationResult, Status, migrate
from shiftleft.migration.project import load_project

#: where a var may be set for a package's model, lowest precedence first
_PLACES = ("pkg_global", "pkg_scoped", "root_global", "root_scoped", "cli")
_VARIANTS = [
    tuple(p for p, on in zip(_PLACES, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(_PLACES))
]


def _var(places: tuple[str, ...]) -> str:
    return "v_" + ("_".join(places) or "none")


def _vars_at(place: str) -> dict[str, str]:
    return {_var(v): place for v in _VARIANTS if place in v}


#: (model, package folder config, project folder config, in-file config): materialized values
_CONFIGS = {
    "plain": (None, None, None),
    "by_package": ("view", None, None),
    "by_project": (None, "view", None),
    "both": ("table", "view", None),
    "in_file": ("view", "view", "table"),
}


def _write(root: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")


def _project(root: Path) -> dict[str, str]:
    """The project and its installed package ``pkg``; returns the --vars."""
    pkg_models: dict[str, Any] = {"+materialized": "table"}
    root_models: dict[str, Any] = {"+schema": "from_project"}
    files: dict[str, Any] = {}
    for model, (by_pkg, by_root, in_file) in _CONFIGS.items():
        if by_pkg:
            pkg_models[model] = {"+materialized": by_pkg}
        if by_root:
            root_models[model] = {"+materialized": by_root}
        config = f"{{{{ config(materialized='{in_file}') }}}}\n" if in_file else ""
        files[f"dbt_packages/pkg/models/{model}/{model}.sql"] = (
            f"{config}select * from {{{{ var('events') }}}}"
        )
    values = ",\n  ".join(f"'{{{{ var('{_var(v)}', 'default') }}}}' as {_var(v)}" for v in _VARIANTS)
    files["dbt_packages/pkg/models/pkg_vars.sql"] = (
        f"select\n  {values}\nfrom {{{{ ref('plain') }}}}"
    )
    files["dbt_packages/pkg/models/src.yml"] = {
        "version": 2,
        "sources": [
            {
                "name": "pkg_src",
                "schema": "{{ var('pkg_schema', 'raw') }}",
                "tables": [{"name": "events", "columns": [{"name": "id", "data_type": "int"}]}],
            }
        ],
    }
    files["dbt_packages/pkg/dbt_project.yml"] = {
        "name": "pkg",
        "version": "1.0.0",
        "config-version": 2,
        "models": {"pkg": pkg_models},
        "vars": {
            **_vars_at("pkg_global"),
            "pkg": {**_vars_at("pkg_scoped"), "events": "{{ source('pkg_src', 'events') }}"},
        },
    }
    files["dbt_project.yml"] = {
        "name": "root",
        "version": "1.0.0",
        "config-version": 2,
        "profile": "root",
        "models": {"root": {"+materialized": "table"}, "pkg": root_models},
        "vars": {
            **_vars_at("root_global"),
            "pkg": {**_vars_at("root_scoped"), "pkg_schema": "landing"},
        },
    }
    files["models/reader.sql"] = "select id from {{ ref('by_project') }}"
    _write(root, files)
    return _vars_at("cli")


def test_load_reads_package_nodes_with_their_scope(tmp_path: Path) -> None:
    _project(tmp_path)
    project = load_project(tmp_path)
    assert project.nodes["model.pkg.plain"].file_path == "dbt_packages/pkg/models/plain/plain.sql"
    assert "source.pkg.pkg_src.events" in project.nodes
    assert project.package_vars["pkg"]["pkg_schema"] == "landing"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], MigrationResult]:
    """The project compiled by dbt (its manifest) and migrated by shiftleft."""
    root = tmp_path_factory.mktemp("packages") / "p"
    cli = _project(root)
    _write(root, {"models/lenient.sql": _lenient_model()})
    manifest = _compile(root, cli)
    return manifest, migrate(root, read="spark", env={}, vars=cli, plan=False)


@pytest.mark.slow
def test_package_models_render_as_dbt_compiles_them(
    compiled: tuple[dict[str, Any], MigrationResult],
) -> None:
    manifest, result = compiled
    dbt_models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    tables = {t.unique_id: t for t in result.tables if t.resource_type == "model"}
    assert set(tables) == set(dbt_models)
    for uid, node in dbt_models.items():
        table = tables[uid]
        assert table.status is Status.TRANSLATED, (uid, [d.message for d in table.diagnostics])
        assert table.materialized == node["config"]["materialized"], uid
    # the var each of the 32 placements gives, as dbt compiled it
    compiled = manifest["nodes"]["model.pkg.pkg_vars"]["compiled_code"]
    rendered = tables["model.pkg.pkg_vars"].rendered_sql or ""
    for variant in _VARIANTS:
        expected = variant[-1] if variant else "default"
        assert f"'{expected}' as {_var(variant)}" in compiled, variant
        assert f"'{expected}' as {_var(variant)}" in rendered, variant
    # the package's source, its schema from the project's var scoped to the package
    assert manifest["sources"]["source.pkg.pkg_src.events"]["schema"] == "landing"
    assert re.search(r"landing\W+events", manifest["nodes"]["model.pkg.plain"]["compiled_code"])
    source = next(t for t in result.tables if t.unique_id == "source.pkg.pkg_src.events")
    assert source.source_file == "dbt_packages/pkg/models/src.yml"


def _compile(root: Path, cli: dict[str, str]) -> dict[str, Any]:
    """dbt compile (is_incremental() false), the vars given as ``--vars``; the manifest."""
    run_dbt(root, "compile", "--full-refresh", "--vars", json.dumps(cli))
    return load_manifest(root)


#: tests on a key a template's dict or list may lack (dbt's Jinja: an Undefined, false)
_TESTS = ("{x}", "not {x}", "{x} == 'v'", "{x} != 'v'", "{x} is defined", "{x} and true", "{x} or true")
_VALUES = {"present": "'v'", "falsy": "''", "missing": None}


def _lenient_model() -> str:
    data = ", ".join(f"'{k}': {v}" for k, v in _VALUES.items() if v is not None)
    items = [
        f"{{% if {test.format(x=x)} %}}1{{% else %}}0{{% endif %}} as c{i}_{j}_{kind}"
        for i, test in enumerate(_TESTS)
        for j, x in enumerate(("d.{k}", "d['{k}']", "l[{n}]"))
        for kind in _VALUES
        for x in [x.format(k=kind, n=0 if kind != "missing" else 5)]
    ]
    return (
        f"{{% set d = {{{data}}} %}}{{% set l = ['v'] %}}\nselect\n  "
        + ",\n  ".join(items)
        + "\nfrom {{ ref('plain') }}"
    )


@pytest.mark.slow
def test_missing_keys_of_template_data_are_false_as_in_dbt(
    compiled: tuple[dict[str, Any], MigrationResult],
) -> None:
    manifest, result = compiled
    expected = manifest["nodes"]["model.root.lenient"]["compiled_code"]
    table = result.table("lenient")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    def items(sql: str) -> list[str]:  # the select list (dbt names the relation in full)
        words = sql.split()
        return words[: words.index("from")]

    assert items(table.rendered_sql or "") == items(expected)
    assert len(items(expected)) > 3 * len(_TESTS) * 3 * len(_VALUES)

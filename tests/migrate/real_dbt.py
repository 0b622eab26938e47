"""Drive the real dbt (dbt-core + dbt-duckdb) in-process, for tests that compare with it.

The example project ``examples/dbt_shop/`` is never run in place: a test copies
one (:func:`copy_project`), then compiles it (:func:`compile_project`, which returns dbt's
``manifest.json``) and/or builds it into a DuckDB file (:func:`build_project`).  Everything
dbt writes (``profiles.yml``, ``target/``, ``logs/``, the ``.duckdb`` file) stays inside the
copy.  dbt runs offline: packages are vendored under the project's ``dbt_packages/`` (dbt
loads every project found there without ``dbt deps``), and version checks and anonymous
usage statistics are switched off.

This is a helper module, not a test file (and deliberately not named ``dbt_*.py``: dbt
imports modules with that prefix as adapter plugins).
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: What :func:`copy_project` leaves out: dbt's outputs from a run made in place.
_RUN_ARTIFACTS = ("target", "logs", "*.duckdb", "*.duckdb.wal", ".user.yml", "profiles.yml")


def copy_project(src: Path, dest: Path) -> Path:
    """Copy the dbt project ``src`` to ``dest`` (which must not exist), without run artifacts."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*_RUN_ARTIFACTS))
    return dest


def project_profile(project_dir: Path) -> str:
    """The ``profile:`` named by the project's ``dbt_project.yml``."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(config["profile"])


def duckdb_path(project_dir: Path) -> Path:
    """The DuckDB file the project builds into: ``<project_dir>/<profile>.duckdb``.

    dbt-duckdb names the database after the file's stem, so the ``shop`` project's
    relations are ``"shop"."main"."dim_customers"`` and so on.
    """
    project_dir = Path(project_dir).resolve()
    return project_dir / f"{project_profile(project_dir)}.duckdb"


def write_profiles(project_dir: Path) -> Path:
    """Write ``profiles.yml`` into ``project_dir``: one duckdb target, schema main, 1 thread."""
    project_dir = Path(project_dir).resolve()
    profile = project_profile(project_dir)
    profiles = {
        profile: {
            "target": "dev",
            "outputs": {
                "dev": {
                    "type": "duckdb",
                    "path": str(duckdb_path(project_dir)),
                    "schema": "main",
                    "threads": 1,
                }
            },
        }
    }
    path = project_dir / "profiles.yml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False), encoding="utf-8")
    return path


def _failure_report(args: Sequence[str], result: Any, messages: list[tuple[str, str]]) -> str:
    lines = [f"dbt {' '.join(args)} failed"]
    if result.exception is not None:
        lines.append(f"exception: {type(result.exception).__name__}: {result.exception}")
    # Node failures (a model that did not build, a test that failed): dbt reports them in the
    # results rather than as an exception.
    failures = [
        f"{getattr(node_result.node, 'unique_id', '?')}: {node_result.status}: "
        f"{node_result.message}"
        for node_result in getattr(result.result, "results", None) or ()
        if str(node_result.status).lower() in {"error", "fail", "runtime error"}
    ]
    lines.extend(failures)
    errors = [msg for level, msg in messages if level in {"error", "warn"}]
    if failures:
        pass  # the node messages say it all (dbt logs the same text as errors)
    elif errors:
        lines.append("dbt errors and warnings:")
        lines.extend(errors)
    else:
        lines.append("last dbt log lines:")
        lines.extend(msg for _, msg in messages[-40:])
    return "\n".join(lines)


def run_dbt(project_dir: Path, *args: str) -> Any:
    """Run ``dbt <args>`` in-process on ``project_dir``; returns the invocation's result.

    The result is ``dbtRunnerResult.result`` (a ``Manifest`` for ``parse``, a
    ``RunExecutionResult`` for ``run``/``seed``/``snapshot``/``compile``...).  Raises an
    ``AssertionError`` with dbt's error output when the invocation fails.
    """
    with warnings.catch_warnings():
        # dbt-core 1.10 imports click's deprecated parser module (click 8.2+ warns).
        warnings.filterwarnings("ignore", r"'parser\.\w+' is deprecated", DeprecationWarning)
        from dbt.cli.main import dbtRunner

    project_dir = Path(project_dir).resolve()
    write_profiles(project_dir)
    messages: list[tuple[str, str]] = []

    def collect(event: Any) -> None:
        messages.append((event.info.level, event.info.msg))

    cli_args = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(project_dir / "target"),
        "--log-path",
        str(project_dir / "logs"),
        "--no-partial-parse",
        "--no-version-check",
        "--no-send-anonymous-usage-stats",
        "--no-use-colors",
        "--quiet",
    ]
    result = dbtRunner(callbacks=[collect]).invoke(cli_args)
    if not result.success:
        raise AssertionError(_failure_report(args, result, messages))
    return result.result


def load_manifest(project_dir: Path) -> dict[str, Any]:
    """The project's ``target/manifest.json``, parsed."""
    path = Path(project_dir) / "target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def compile_project(project_dir: Path) -> dict[str, Any]:
    """``dbt compile --full-refresh`` (so ``is_incremental()`` is false); returns the manifest.

    Macros that read the warehouse (``dbt_utils.star``) only see real columns when the
    relations exist, so build the project first when compiled code matters.
    """
    run_dbt(project_dir, "compile", "--full-refresh")
    return load_manifest(project_dir)


def build_project(project_dir: Path) -> Path:
    """``dbt seed``, ``dbt run --full-refresh``, ``dbt snapshot``; returns the DuckDB file."""
    run_dbt(project_dir, "seed", "--full-refresh")
    run_dbt(project_dir, "run", "--full-refresh")
    run_dbt(project_dir, "snapshot")
    return duckdb_path(project_dir)


def _sort_key(row: Iterable[Any]) -> tuple[tuple[bool, Any], ...]:
    # NULLs last; a column holds one type, so the non-NULL values compare with each other.
    return tuple((value is None, "" if value is None else value) for value in row)


def duckdb_query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the DuckDB file ``db`` and return its rows (in DuckDB's order)."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        return con.execute(sql).fetchall()


def duckdb_rows(db: Path, relation: str) -> list[tuple[Any, ...]]:
    """Every row of a table or view (``"main.dim_customers"``, ``"snapshots.x"``), sorted."""
    return sorted(duckdb_query(db, f"select * from {relation}"), key=_sort_key)


def duckdb_columns(db: Path, relation: str) -> list[str]:
    """The column names of a table or view, in order."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        cursor = con.execute(f"select * from {relation} limit 0")
        return [column[0] for column in cursor.description]


@dataclass(frozen=True)
class DbtProject:
    """A copied fixture project that dbt compiled (``manifest``) and built (``db``)."""

    dir: Path
    manifest: dict[str, Any]
    db: Path

    @property
    def name(self) -> str:
        return str(self.manifest["metadata"].get("project_name") or project_profile(self.dir))

    def node(self, name: str, resource_type: str = "model") -> dict[str, Any]:
        """The manifest node of this project's resource ``name`` (a model by default)."""
        unique_id = f"{resource_type}.{self.name}.{name}"
        try:
            return self.manifest["nodes"][unique_id]
        except KeyError:
            raise KeyError(f"{unique_id} is not in the manifest") from None

    def compiled_code(self, name: str) -> str:
        """A model's SQL as dbt compiled it (Jinja rendered, ephemeral refs inlined as CTEs)."""
        return str(self.node(name)["compiled_code"])

    def models(self) -> dict[str, dict[str, Any]]:
        """This project's model nodes (not its packages'), by model name."""
        return {
            node["name"]: node
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == "model" and node["package_name"] == self.name
        }

    def rows(self, relation: str) -> list[tuple[Any, ...]]:
        return duckdb_rows(self.db, relation)

    def columns(self, table: str, schema: str = "main") -> list[str]:
        """The column names of a relation dbt built, in order."""
        return duckdb_columns(self.db, f"{schema}.{table}")


def build_and_compile(src: Path, dest: Path) -> DbtProject:
    """Copy ``src`` to ``dest``, build it, then compile it (after the build, so that
    ``dbt_utils.star`` sees the real columns); returns the :class:`DbtProject`."""
    project_dir = copy_project(src, dest).resolve()
    db = build_project(project_dir)
    manifest = compile_project(project_dir)
    return DbtProject(dir=project_dir, manifest=manifest, db=db)

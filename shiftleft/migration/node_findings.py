"""What dbt would do around a model's SQL that a Flink pipeline does not: said, never dropped.

* ``pre-hook`` / ``post-hook`` (config, properties, dbt_project.yml; they add up as in dbt)
  and ``on-run-start`` / ``on-run-end``: a pipeline runs no hook (``SL5022``, with the SQL);
* incremental models: a stream is one continuous full refresh, so ``is_incremental()`` is
  false and what its blocks add is dropped (``SL5023``, with the text); each
  ``incremental_strategy`` / ``unique_key`` combination is mapped to a sink mode, and the
  combinations whose meaning a stream changes are reported;
* two models of one name (dbt refuses the project): both migrated, ``SL5009``.

The relations themselves (generate_*_name) are :mod:`shiftleft.migration.identity`'s.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from shiftleft.migration import identity
from shiftleft.migration.codes import HOOK_ID, INCREMENTAL_ID, PROJECT_ID
from shiftleft.migration.node_facts import declared_key
from shiftleft.migration.project import DbtProject, Node
from shiftleft.migration.render import Renderer, RenderError
from shiftleft.models import Diagnostic, Severity

#: the longest hook / dropped text quoted in a message
MAX_QUOTE = 300
_STRATEGIES = {"append", "merge", "delete+insert", "insert_overwrite", "microbatch"}


def _quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."


def hook_texts(value: Any) -> list[str]:
    """The SQL of each hook of a ``pre-hook`` / ``post-hook`` value (a string, a list, or
    ``{sql: ..., transaction: ...}`` entries)."""
    items = value if isinstance(value, list) else [value]
    texts = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("sql")
        if item is not None and str(item).strip():
            texts.append(str(item).strip())
    return texts


def hooks(node: Node) -> list[Diagnostic]:
    found = []
    for key in ("pre-hook", "post-hook"):
        for text in hook_texts(node.config.get(key)):
            found.append(
                Diagnostic.of(
                    HOOK_ID,
                    f"{key} not run: `{_quote(text)}` (a Flink pipeline runs no hooks)",
                    suggestion="run the statement where the table is deployed (a grant, an optimize), or "
                    "drop it if the stream makes it unnecessary",
                )
            )
    return found


def dropped_text(full: str, incremental: str) -> str:
    """The lines the ``is_incremental()`` render has that the full render does not."""
    lines = [
        line[1:]
        for line in difflib.ndiff(full.splitlines(), incremental.splitlines())
        if line.startswith("+ ") and line[1:].strip()
    ]
    return "\n".join(lines)


def incremental(node: Node, full: str | None, renderer: Renderer) -> list[Diagnostic]:
    """The strategy's sink mode, and what is_incremental() blocks the stream drops."""
    if node.materialized != "incremental":
        return []
    found: list[Diagnostic] = []
    if full is not None and "is_incremental" in renderer.body(node):
        try:
            text = renderer.render(node, incremental=True, capture=True).sql
        except RenderError:
            text = None
        dropped = dropped_text(full, text) if text is not None else ""
        if dropped:
            found.append(
                Diagnostic.of(
                    INCREMENTAL_ID,
                    "is_incremental() is false in a stream (one continuous full refresh: the "
                    f"job reads its whole input once, then every new row); dropped: `{_quote(dropped)}`",
                    severity=Severity.WARNING,
                    suggestion="nothing to do if the block only filters new rows; otherwise move its logic "
                    "out of the is_incremental() block",
                )
            )
    config = node.config
    strategy = str(config.get("incremental_strategy") or "").strip().lower()
    key, origin = declared_key(node)
    unique_key = key if origin == "unique_key" else []
    shown = ", ".join(unique_key)
    if strategy and strategy not in _STRATEGIES:
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                f"incremental_strategy {strategy!r} is not one of dbt's "
                f"({', '.join(sorted(_STRATEGIES))}): translated as "
                + ("an upsert table keyed on the unique_key" if key else "an appended table"),
                severity=Severity.WARNING,
            )
        )
    if strategy == "delete+insert" and not unique_key:
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                "incremental_strategy delete+insert needs a unique_key (dbt refuses it too)",
                severity=Severity.ERROR,
                suggestion="declare the unique_key, or use the append strategy",
            )
        )
    elif strategy == "delete+insert":
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                f"delete+insert on ({shown}) becomes an upsert table keyed on it: where one "
                "run brings several rows of a key, dbt keeps them all, the upsert table the latest",
                severity=Severity.WARNING,
            )
        )
    elif strategy in ("append", "insert_overwrite") and unique_key:
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                f"incremental_strategy {strategy} ignores unique_key ({shown}) in dbt (rows with "
                "one key add up); the Flink table is an upsert table keyed on it (one row per key)",
                severity=Severity.WARNING,
                suggestion="drop the unique_key to keep every row, or use the merge strategy",
            )
        )
    elif strategy == "merge" and unique_key:
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                f"merge on ({shown}): an upsert table keyed on it",
                severity=Severity.INFO,
            )
        )
    elif strategy == "merge":
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                "merge without a unique_key inserts every row in dbt: an appended table",
                severity=Severity.INFO,
            )
        )
    elif strategy == "insert_overwrite" and config.get("partition_by"):
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                f"insert_overwrite by partition ({_quote(str(config['partition_by']))}): the "
                "stream keeps the whole result up to date, no partition is rewritten",
                severity=Severity.INFO,
            )
        )
    elif strategy == "microbatch":
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                "microbatch: the stream processes every row as it comes (no batches)",
                severity=Severity.INFO,
            )
        )
    for option in ("merge_update_columns", "merge_exclude_columns"):
        if config.get(option):
            found.append(
                Diagnostic.of(
                    INCREMENTAL_ID,
                    f"{option} ({_quote(str(config[option]))}) is not kept: an upsert replaces "
                    "the whole row, every column",
                    severity=Severity.WARNING,
                )
            )
    if config.get("incremental_predicates"):
        found.append(
            Diagnostic.of(
                INCREMENTAL_ID,
                "incremental_predicates dropped: "
                f"`{_quote(str(config['incremental_predicates']))}` (they limit which existing "
                "rows a dbt run may update; an upsert table updates any row of its key)",
                severity=Severity.WARNING,
            )
        )
    return found


def duplicates(project: DbtProject) -> dict[str, list[Diagnostic]]:
    found: dict[str, list[Diagnostic]] = {}
    for name, twins in project.duplicates.items():
        files = ", ".join(str(project.nodes[u].file_path) for u in twins)
        for uid in twins:
            found.setdefault(uid, []).append(
                Diagnostic.of(
                    PROJECT_ID,
                    f"{files} all define {name}: dbt refuses two resources of one name; each is "
                    f"migrated, a ref({name!r}) is reported as ambiguous",
                    severity=Severity.WARNING,
                    suggestion="rename one of the files",
                )
            )
    return found


def node_findings(
    renderer: Renderer, project: DbtProject, captured: Mapping[str, str]
) -> dict[str, list[Diagnostic]]:
    """The findings per unique id; also resolves every relation (the identity module).  Call
    it once the first render pass gave each model its config."""
    found = duplicates(project)
    for uid, node in project.nodes.items():
        if node.resource_type not in ("model", "seed", "snapshot"):
            continue
        notes = hooks(node)
        if node.compiled_code is None:
            notes += incremental(node, captured.get(uid), renderer)
        else:
            notes += incremental(node, None, renderer)
        if notes:
            found.setdefault(uid, []).extend(notes)
    for uid, notes in identity.resolve(renderer, project).items():
        found.setdefault(uid, []).extend(notes)
    return found


def project_findings(project: DbtProject) -> list[Diagnostic]:
    """``on-run-start`` / ``on-run-end`` hooks of dbt_project.yml."""
    return [
        Diagnostic.of(
            HOOK_ID,
            f"{key} hook not run: `{_quote(text)}` (a Flink pipeline has no run to start or end)",
            suggestion="run the statement yourself where the pipeline is deployed",
        )
        for key, texts in project.run_hooks.items()
        for text in texts
    ]

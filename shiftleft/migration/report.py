"""Human-readable reports of a dbt migration: a lineage SVG, a Markdown and an HTML report.

All three are pure functions of a :class:`~shiftleft.migration.models.MigrationResult` that
return text.  The output is deterministic (no timestamps, every collection sorted), so the
same result always gives byte-identical reports that can be committed next to the pipelines.

* :func:`markdown_report` (here): summary, table of tables, a Mermaid lineage and the
  diagnostics; with the helpers the other two share (the graph, colours, table rows);
* :func:`~shiftleft.migration.report_svg.lineage_svg`: a self-contained SVG of the pipeline DAG;
* :func:`~shiftleft.migration.report_html.html_report`: one self-contained page (inline
  CSS/SVG/JS, no external URL).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from shiftleft.migration.causes import rank_causes
from shiftleft.migration.models import FileAction, Layer, MigrationResult, PipelineTable
from shiftleft.models import Diagnostic, Severity

__all__ = ["STATUS_COLORS", "markdown_report"]

#: (fill, stroke) per status value, plus ``external`` for parents outside the project.
STATUS_COLORS: dict[str, tuple[str, str]] = {
    "translated": ("#d3f2dc", "#2e7d32"),
    "llm": ("#d6e6ff", "#1f5fbf"),
    "needs_llm": ("#ffe3a3", "#b26a00"),
    "failed": ("#ffd4d4", "#c62828"),
    "blocked": ("#f3d9f5", "#8e24aa"),
    "declared": ("#e2e2e2", "#5f5f5f"),
    "inlined": ("#ffffff", "#5f5f5f"),
    "external": ("#f5f5f5", "#a8a8a8"),
}
_LAYER_ORDER = {layer: i for i, layer in enumerate(Layer)}
_KEPT_WARNING = "edited since the last migration, not overwritten; rerun with --force"
_MERMAID_MAX_EDGES = 500  # GitHub's Mermaid refuses larger graphs (maxEdges)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _sorted_tables(result: MigrationResult) -> list[PipelineTable]:
    return sorted(result.tables, key=lambda t: (_LAYER_ORDER[t.layer], t.name, t.unique_id))


def _severity_counts(diags: Iterable[Diagnostic]) -> Counter[Severity]:
    return Counter(d.severity for d in diags)


def _errors_warnings(diags: Iterable[Diagnostic]) -> str:
    """``1 error, 2 warnings``."""
    sev = _severity_counts(diags)
    e, w = sev[Severity.ERROR], sev[Severity.WARNING]
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


# --------------------------------------------------------------------------- graph


@dataclass
class _Graph:
    nodes: list[str]  # tables (first one per name) and external parents, sorted by name
    tables: dict[str, PipelineTable]
    parents: dict[str, list[str]]
    children: dict[str, list[str]]
    edges: list[tuple[str, str]]  # (parent, child), no self-loops, no duplicates


def _graph(result: MigrationResult) -> _Graph:
    tables: dict[str, PipelineTable] = {}
    for t in result.tables:
        tables.setdefault(t.name, t)
    reads = {n: [p for p in dict.fromkeys(t.parents) if p != n] for n, t in tables.items()}
    nodes = sorted(set(tables).union(*reads.values()))
    parents: dict[str, list[str]] = {n: [] for n in nodes}
    children: dict[str, list[str]] = {n: [] for n in nodes}
    edges = []
    for n in nodes:
        for p in reads.get(n, ()):
            edges.append((p, n))
            parents[n].append(p)
            children[p].append(n)
    return _Graph(nodes, tables, parents, children, edges)


def _subtitle(t: PipelineTable | None) -> str:
    return f"{t.layer.value} · {t.materialized}" if t else "external"


def _status(t: PipelineTable | None) -> str:
    return t.status.value if t else "external"


def _tooltip(name: str, t: PipelineTable | None) -> str:
    if t is None:
        return f"{name}\nexternal: read, but not part of the project"
    return "\n".join(
        [
            name,
            f"status: {t.status.value}",
            f"layer: {t.layer.value} · materialized: {t.materialized}",
            f"changelog: {t.changelog or '-'}",
            f"key: {', '.join(t.primary_key) or '-'}",
            f"diagnostics: {len(t.diagnostics)} ({_errors_warnings(t.diagnostics)})",
        ]
    )


# --------------------------------------------------------------------------- Markdown


def _md_inline(text: str) -> str:
    return html.escape(" ".join(str(text).split()), quote=False)


def _md_cell(text: object) -> str:
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "<br>".join(html.escape(s, quote=False) for s in lines).replace("|", "\\|")


def _md_code(text: str) -> str:
    text = " ".join(text.split())
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _location(d: Diagnostic) -> str:
    if d.line is None:
        return ""
    return f" (line {d.line}:{d.column})" if d.column is not None else f" (line {d.line})"


def _md_diagnostic(d: Diagnostic) -> str:
    text = f"- **{d.severity.value}** [{_md_inline(d.rule_id)}] {_md_inline(d.message)}"
    text += _location(d)
    return text + (f" — {_md_inline(d.suggestion)}" if d.suggestion else "")


def _file_counts(result: MigrationResult) -> dict[str, int]:
    """Files up to date vs kept; whether a file was rewritten in this run is left out, so that
    migrating twice gives the same report."""
    kept = sum(1 for f in result.files if f.action is FileAction.KEPT)
    return {"up to date": len(result.files) - kept, "kept (edited by you)": kept}


def _kept_files(result: MigrationResult) -> list[str]:
    return sorted(f.path for f in result.files if f.action is FileAction.KEPT)


def _layer_counts(result: MigrationResult) -> dict[str, int]:
    found = Counter(t.layer for t in result.tables)
    return {layer.value: found[layer] for layer in Layer}


def _row(t: PipelineTable) -> list[str]:
    sev = _severity_counts(t.diagnostics)
    return [
        t.name,
        t.layer.value,
        t.product,
        t.materialized,
        t.status.value,
        t.changelog or "",
        ", ".join(t.primary_key),
        "yes" if t.stateful else "no",
        str(sev[Severity.ERROR]),
        str(sev[Severity.WARNING]),
    ]


_COLUMNS = [
    "Table",
    "Layer",
    "Product",
    "Materialized",
    "Status",
    "Changelog",
    "Primary key",
    "Stateful",
    "Errors",
    "Warnings",
]


def _mermaid_ids(nodes: list[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for n in nodes:
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", n)
        ident, i = base, 2
        while ident in used:
            ident, i = f"{base}_{i}", i + 1
        used.add(ident)
        ids[n] = ident
    return ids


def _mermaid_label(text: str) -> str:
    return "".join(f"#{ord(ch)};" if ch in '"#&<>`' else ch for ch in " ".join(text.split()))


def _mermaid(result: MigrationResult) -> list[str]:
    g = _graph(result)
    if not g.nodes:
        return ["_No tables._"]
    if len(g.edges) > _MERMAID_MAX_EDGES:
        return [
            (
                f"_The lineage has {len(g.nodes)} nodes and {len(g.edges)} edges, too many "
                "for a Mermaid diagram: see the HTML report._"
            )
        ]
    ids = _mermaid_ids(g.nodes)
    out = ["```mermaid", "flowchart LR"]
    for n in g.nodes:
        out.append(f'  {ids[n]}["{_mermaid_label(n)}"]:::{_status(g.tables.get(n))}')
    out += [f"  {ids[p]} --> {ids[c]}" for p, c in g.edges]
    for status, (fill, stroke) in STATUS_COLORS.items():
        dash = ",stroke-dasharray:5 3" if status in ("inlined", "external") else ""
        out.append(f"  classDef {status} fill:{fill},stroke:{stroke}{dash}")
    return [*out, "```"]


def markdown_report(result: MigrationResult) -> str:
    """A GitHub-flavoured Markdown report: summary, tables, Mermaid lineage, diagnostics."""
    counts, files = result.counts(), _file_counts(result)
    out = [
        f"# Migration report: {_md_inline(result.project)}",
        "",
        f"dbt project {_md_code(result.project_dir)}"
        + ""
        + f" (read: {_md_inline(result.read)}, target: {_md_inline(result.target)})",
        "",
        "## Summary",
        "",
        "| Status | Tables |",
        "|---|---:|",
    ]
    out += [f"| {s} | {n} |" for s, n in counts.items()]
    out += [f"| **total** | {len(result.tables)} |", "", "| Layer | Tables |", "|---|---:|"]
    out += [f"| {layer} | {n} |" for layer, n in _layer_counts(result).items()]
    out += ["", "Files: " + ", ".join(f"{n} {a}" for a, n in files.items()) + "."]
    kept = _kept_files(result)
    if kept:
        out += ["", f"> **Warning:** {len(kept)} file(s) {_KEPT_WARNING}:", ">"]
        out += [f"> - {_md_code(p)}" for p in kept]
    out += ["", "## Tables", ""]
    if result.tables:
        out += ["| " + " | ".join(_COLUMNS) + " |", "|" + "---|" * len(_COLUMNS)]
        out += [
            "| " + " | ".join(_md_cell(c) for c in _row(t)) + " |" for t in _sorted_tables(result)
        ]
    else:
        out.append("_No tables._")
    causes = rank_causes(result.tables)
    if causes:
        out += ["", "## Causes", "", "What keeps tables from being translated, the cause that "
                "affects most tables first (tables carrying it + tables blocked by them).", "",
                "| Tables | Blocked by them | Cause |", "|---:|---:|---|"]  # fmt: skip
        out += [f"| {c.tables} | {c.blocking} | {_md_cell(c.cause)} |" for c in causes]
    out += ["", "## Lineage", "", *_mermaid(result), "", "## Diagnostics", ""]
    with_diags = [t for t in _sorted_tables(result) if t.diagnostics]
    if not result.diagnostics and not with_diags:
        out += ["_No diagnostics._", ""]
    if result.diagnostics:
        out += ["### Project", "", *map(_md_diagnostic, result.diagnostics), ""]
    for t in with_diags:
        where = [
            f"{label}: {_md_code(p)}"
            for label, p in (("Source", t.source_file), ("DDL", t.ddl_path), ("DML", t.dml_path))
            if p
        ]
        out += [f"### {_md_inline(t.name)} ({t.status.value})", ""]
        out += [" · ".join(where), ""] if where else []
        out += [*map(_md_diagnostic, t.diagnostics), ""]
    return "\n".join(out).rstrip("\n") + "\n"

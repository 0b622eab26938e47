"""Human-readable reports of a dbt migration: a lineage SVG, a Markdown and an HTML report.

All three are pure functions of a :class:`~shiftleft.migration.models.MigrationResult` that
return text.  The output is deterministic (no timestamps, every collection sorted), so the
same result always gives byte-identical reports that can be committed next to the pipelines.

* :func:`lineage_svg`: a self-contained SVG of the pipeline DAG, laid out here (layer = longest
  path from the roots, barycenter ordering within a layer, left-to-right flow).
* :func:`markdown_report`: summary, table of tables, a Mermaid lineage and the diagnostics.
* :func:`html_report`: one self-contained page (inline CSS/SVG/JS, no external URL).
"""

from __future__ import annotations

import heapq
import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from shiftleft.migration.models import FileAction, Layer, MigrationResult, PipelineTable
from shiftleft.models import Diagnostic, Severity

__all__ = ["STATUS_COLORS", "html_report", "lineage_svg", "markdown_report"]

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
_CHAR_W, _SUB_W, _PAD, _NODE_H, _GAP_X, _GAP_Y, _MARGIN = 7, 6, 12, 38, 64, 14, 16


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


# --------------------------------------------------------------------------- graph and layout


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


def _layers(g: _Graph) -> dict[str, int]:
    """Longest path from the roots (Kahn's order); a cycle is broken at its first name."""
    indeg = {n: len(g.parents[n]) for n in g.nodes}
    heap = [n for n in g.nodes if indeg[n] == 0]  # sorted, so already a heap
    layer: dict[str, int] = {}
    cursor = 0
    while len(layer) < len(g.nodes):
        if not heap:  # only cycles are left: force the first unplaced node
            while g.nodes[cursor] in layer:
                cursor += 1
            heap.append(g.nodes[cursor])
        n = heapq.heappop(heap)
        if n in layer:
            continue
        layer[n] = max((layer[p] + 1 for p in g.parents[n] if p in layer), default=0)
        for c in g.children[n]:
            indeg[c] -= 1
            if indeg[c] == 0 and c not in layer:
                heapq.heappush(heap, c)
    return layer


def _columns(g: _Graph, layer: dict[str, int], sweeps: int = 4) -> list[list[str]]:
    """Nodes per layer, ordered by a few barycenter sweeps (ties broken by name)."""
    cols: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in g.nodes:
        cols[layer[n]].append(n)
    pos: dict[str, float] = {}

    def place(col: list[str]) -> None:
        for i, n in enumerate(col):
            pos[n] = (i + 0.5) / len(col)

    for col in cols:
        place(col)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for li in range(1, len(cols)) if down else range(len(cols) - 2, -1, -1):

            def key(n: str, li: int = li, down: bool = down) -> tuple[float, str]:
                near = g.parents[n] if down else g.children[n]
                xs = [pos[m] for m in near if (layer[m] < li if down else layer[m] > li)]
                return (sum(xs) / len(xs) if xs else pos[n], n)

            cols[li].sort(key=key)
            place(cols[li])
    return cols


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


def lineage_svg(result: MigrationResult) -> str:
    """The pipeline DAG as one self-contained SVG document (parents left, children right).

    One ``<g class="node">`` per table and per external parent (``data-name``,
    ``data-status``, ``data-layer`` attributes; a ``<title>`` tooltip), one
    ``<path class="edge">`` per parent -> child edge (``data-from``, ``data-to``).
    """
    font = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'
    head = '<svg xmlns="http://www.w3.org/2000/svg" role="img" ' + font
    g = _graph(result)
    if not g.nodes:
        return (
            f'{head} width="160" height="40" viewBox="0 0 160 40">'
            f"<title>{_e(result.project)}: no tables</title>"
            '<text x="80" y="24" text-anchor="middle" font-size="13" fill="#666">'
            "no tables</text></svg>\n"
        )
    layer = _layers(g)
    cols = _columns(g, layer)
    width = {
        n: max(80, len(n) * _CHAR_W + 2 * _PAD, len(_subtitle(g.tables.get(n))) * _SUB_W + 2 * _PAD)
        for n in g.nodes
    }
    pitch, rows = _NODE_H + _GAP_Y, max(len(c) for c in cols)
    xy: dict[str, tuple[int, int]] = {}
    x = _MARGIN
    for col in cols:
        col_w = max(width[n] for n in col)
        top = _MARGIN + (rows - len(col)) * pitch // 2
        for i, n in enumerate(col):
            xy[n] = (x + (col_w - width[n]) // 2, top + i * pitch)
        x += col_w + _GAP_X
    w_total, h_total = x - _GAP_X + _MARGIN, 2 * _MARGIN + rows * pitch - _GAP_Y
    out = [
        (
            f'{head} width="{w_total}" height="{h_total}" viewBox="0 0 {w_total} {h_total}" '
            f'aria-label="lineage of {_e(result.project)}">'
        ),
        f"<title>lineage of {_e(result.project)}</title>",
        (
            '<defs><marker id="sl-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" '
            'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L8,4 L0,8 z" fill="#888"/></marker></defs>'
        ),
        '<g class="edges" fill="none" stroke="#999" stroke-width="1.3">',
    ]
    for p, c in g.edges:
        (px, py), (cx, cy) = xy[p], xy[c]
        x1, y1, x2, y2 = px + width[p], py + _NODE_H // 2, cx, cy + _NODE_H // 2
        dx = max(24, abs(x2 - x1) // 2)
        back = ' stroke="#c62828" stroke-dasharray="4 3"' if layer[p] >= layer[c] else ""
        out.append(
            f'<path class="edge" data-from="{_e(p)}" data-to="{_e(c)}"{back} '
            f'd="M{x1},{y1} C{x1 + dx},{y1} {x2 - dx},{y2} {x2},{y2}" '
            'marker-end="url(#sl-arrow)"/>'
        )
    out.append('</g><g class="nodes">')
    for n in g.nodes:
        t, (nx, ny), w = g.tables.get(n), xy[n], width[n]
        status = _status(t)
        fill, stroke = STATUS_COLORS[status]
        dash = ' stroke-dasharray="5 3"' if status in ("inlined", "external") else ""
        ink = "#777" if t is None else "#222"
        out.append(
            f'<g class="node" data-name="{_e(n)}" data-status="{status}" '
            f'data-layer="{layer[n]}"><title>{_e(_tooltip(n, t))}</title>'
            f'<rect x="{nx}" y="{ny}" width="{w}" height="{_NODE_H}" rx="6" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{nx + w // 2}" y="{ny + 16}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{_e(n)}</text>'
            f'<text x="{nx + w // 2}" y="{ny + 30}" text-anchor="middle" font-size="10" '
            f'fill="#666">{_e(_subtitle(t))}</text></g>'
        )
    out.append("</g></svg>\n")
    return "\n".join(out)


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


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222}
h1{margin-bottom:.2rem}.meta{color:#666;margin-top:0}code,pre{font:12px ui-monospace,monospace}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
.card{border:1px solid #ccc;border-radius:8px;padding:.5rem .9rem;min-width:6rem}
.card b{display:block;font-size:1.5rem}.card span{color:#555}
.warning{background:#fff4d6;border-left:4px solid #b26a00;padding:.6rem 1rem;margin:1rem 0}
.lineage{overflow:auto;border:1px solid #ddd;border-radius:8px;padding:.5rem;max-height:80vh}
table.tables{border-collapse:collapse;margin:1rem 0}
.tables th,.tables td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}
.tables th{background:#f4f4f4;cursor:pointer}.tables td.n{text-align:right}
.badge{border:1px solid;border-radius:10px;padding:0 .5rem;font-size:12px;white-space:nowrap}
details{margin:.4rem 0;border:1px solid #ddd;border-radius:6px;padding:.3rem .7rem}
summary{cursor:pointer}pre{background:#f7f7f7;padding:.6rem;overflow:auto}
.sev-error{color:#c62828}.sev-warning{color:#b26a00}.sev-info{color:#1f5fbf}
"""
_CSS += "".join(
    f".s-{s}{{background:{f};border-color:{k}}}\n" for s, (f, k) in STATUS_COLORS.items()
)

_JS = """
document.querySelectorAll("table.tables th").forEach(function (th, i) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.dir !== "asc"; th.dataset.dir = asc ? "asc" : "desc";
    rows.sort(function (a, b) {
      var x = a.cells[i].textContent, y = b.cells[i].textContent;
      var c = isNaN(x) || isNaN(y) || x === "" || y === "" ? x.localeCompare(y) : x - y;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def _badge(status: str) -> str:
    return f'<span class="badge s-{status}">{_e(status)}</span>'


def _html_diagnostics(diags: list[Diagnostic]) -> str:
    items = []
    for d in diags:
        item = (
            f'<li><b class="sev-{d.severity.value}">{d.severity.value}</b> '
            f"[{_e(d.rule_id)}] {_e(d.message)}{_e(_location(d))}"
        )
        item += f" — {_e(d.suggestion)}" if d.suggestion else ""
        item += f"<pre>{_e(d.snippet)}</pre>" if d.snippet else ""
        items.append(item + "</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _html_where(t: PipelineTable) -> str:
    pairs = [("source", t.source_file), ("DDL", t.ddl_path), ("DML", t.dml_path)]
    return " · ".join(f"{label}: <code>{_e(p)}</code>" for label, p in pairs if p)


def html_report(result: MigrationResult) -> str:
    """One self-contained HTML page: summary cards, lineage SVG, tables, diagnostics, SQL."""
    title = f"Migration report: {result.project}"
    target = ""  # the report lives in the output folder; its path would make runs differ
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        (
            f'<p class="meta">dbt project <code>{_e(result.project_dir)}</code>{target} '
            f"(read: {_e(result.read)}, target: {_e(result.target)})</p>"
        ),
        "<h2>Summary</h2>",
        (
            f'<div class="cards"><div class="card"><b>{len(result.tables)}</b>'
            "<span>tables</span></div>"
        ),
    ]
    out += [
        f'<div class="card s-{s}"><b>{n}</b><span>{s}</span></div>'
        for s, n in result.counts().items()
    ]
    out.append('</div><div class="cards">')
    out += [
        f'<div class="card"><b>{n}</b><span>{layer}</span></div>'
        for layer, n in _layer_counts(result).items()
    ]
    out.append('</div><div class="cards">')
    out += [
        f'<div class="card"><b>{n}</b><span>files {a}</span></div>'
        for a, n in _file_counts(result).items()
    ]
    out.append("</div>")
    kept = _kept_files(result)
    if kept:
        out.append(
            f'<div class="warning"><b>Warning:</b> {len(kept)} file(s) {_KEPT_WARNING}:'
            "<ul>" + "".join(f"<li><code>{_e(p)}</code></li>" for p in kept) + "</ul></div>"
        )
    out += [
        "<h2>Lineage</h2>",
        f'<div class="lineage">{lineage_svg(result)}</div>',
        "<h2>Tables</h2>",
    ]
    tables = _sorted_tables(result)
    anchors = {id(t): f"t{i}" for i, t in enumerate(tables)}
    if tables:
        out.append(
            '<table class="tables"><thead><tr>'
            + "".join(f"<th>{c}</th>" for c in _COLUMNS)
            + "</tr></thead><tbody>"
        )
        for t in tables:
            name, *cells = _row(t)
            tds = [f'<td><a href="#{anchors[id(t)]}">{_e(name)}</a></td>']
            for col, cell in zip(_COLUMNS[1:], cells, strict=True):
                if col == "Status":
                    tds.append(f"<td>{_badge(cell)}</td>")
                else:
                    tds.append(
                        f'<td class="n">{cell}</td>'
                        if col in ("Errors", "Warnings")
                        else f"<td>{_e(cell)}</td>"
                    )
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>No tables.</p>")
    out.append("<h2>Diagnostics</h2>")
    with_diags = [t for t in tables if t.diagnostics]
    if not result.diagnostics and not with_diags:
        out.append("<p>No diagnostics.</p>")
    if result.diagnostics:
        out += ["<h3>Project</h3>", _html_diagnostics(result.diagnostics)]
    for t in with_diags:
        out.append(
            f"<details open><summary><b>{_e(t.name)}</b> {_badge(t.status.value)} "
            f"{_errors_warnings(t.diagnostics)}</summary>"
            f"<p>{_html_where(t)}</p>{_html_diagnostics(t.diagnostics)}</details>"
        )
    out.append("<h2>Generated SQL</h2>")
    for t in tables:
        where, reads, rules = _html_where(t), ", ".join(t.parents), ", ".join(t.rules_applied)
        body = [
            f"<p>{where}</p>" if where else "",
            f"<p>reads: {_e(reads or '-')}; rules applied: {_e(rules or '-')}</p>",
        ]
        for label, sql in (("DDL", t.ddl), ("DML", t.dml)):
            body.append(
                f"<h4>{label}</h4><pre><code>{_e(sql)}</code></pre>"
                if sql
                else f"<p>No {label} written.</p>"
            )
        if t.rendered_sql:
            body.append(
                f"<h4>Rendered dbt SQL (input)</h4><pre><code>{_e(t.rendered_sql)}</code></pre>"
            )
        out.append(
            f'<details id="{anchors[id(t)]}"><summary><b>{_e(t.name)}</b> '
            f"{_badge(t.status.value)}</summary>{''.join(body)}</details>"
        )
    out += [f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(out) + "\n"

"""The HTML migration report: one self-contained page (inline CSS, SVG and JS, no external
URL) with summary cards, the lineage SVG, a sortable table of tables, the diagnostics and
the generated SQL.  Deterministic, like the other reports (shiftleft.migration.report)."""

from __future__ import annotations

from shiftleft.migration.causes import rank_causes
from shiftleft.migration.models import MigrationResult, PipelineTable
from shiftleft.migration.report import (
    _COLUMNS,
    _KEPT_WARNING,
    STATUS_COLORS,
    _e,
    _errors_warnings,
    _file_counts,
    _kept_files,
    _layer_counts,
    _location,
    _row,
    _sorted_tables,
)
from shiftleft.migration.report_svg import lineage_svg
from shiftleft.models import Diagnostic

__all__ = ["html_report"]

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
    causes = rank_causes(result.tables)
    if causes:
        out += [
            "<h2>Causes</h2>",
            "<p>What keeps tables from being translated, the cause that affects most tables "
            "first (tables carrying it + tables blocked by them).</p>",
            "<table><tr><th>Tables</th><th>Blocked by them</th><th>Cause</th></tr>",
            *(
                f"<tr><td>{c.tables}</td><td>{c.blocking}</td><td>{_e(c.cause)}</td></tr>"
                for c in causes
            ),
            "</table>",
        ]
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

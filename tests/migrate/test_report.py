"""Tests of the migration reports: lineage SVG, Markdown and HTML (shiftleft.migration.report)."""

from __future__ import annotations

import re
from pathlib import Path
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import ClassVar

from shiftleft.migration.models import (
    FileAction,
    FileRecord,
    Layer,
    MigrationResult,
    PipelineTable,
    Status,
)
from shiftleft.migration.report import STATUS_COLORS, markdown_report
from shiftleft.migration.report_html import html_report
from shiftleft.migration.report_svg import lineage_svg
from shiftleft.models import Diagnostic, Severity

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "evil<script>alert(1)</script>&co"


def table(
    name: str, status: Status, layer: Layer, parents: list[str] | None = None, **kw: object
) -> PipelineTable:
    materialized = {Status.DECLARED: "source", Status.INLINED: "ephemeral"}.get(status, "table")
    defaults: dict[str, object] = {
        "unique_id": f"model.shop.{name}",
        "resource_type": "model",
        "materialized": materialized,
        "product": "shop",
        "ddl_path": f"pipelines/{name}/ddl.sql",
        "dml_path": f"pipelines/{name}/dml.sql",
        "ddl": f"CREATE TABLE {name} (id INT)",
        "dml": f"INSERT INTO {name} SELECT 1",
        "source_file": f"models/{name}.sql",
        "changelog": "append",
    }
    defaults.update(kw)
    return PipelineTable(name=name, status=status, layer=layer, parents=parents or [], **defaults)  # type: ignore[arg-type]


def shop() -> MigrationResult:
    """2 sources -> 2 staging -> 1 intermediate -> dim + fact, plus failed/needs_llm/inlined."""
    needs_llm_error = Diagnostic(
        rule_id="SL1234",
        severity=Severity.ERROR,
        message="no rule translates MAP_FROM_ARRAYS",
        line=7,
        column=12,
        suggestion="rewrite it with MAP[]",
    )
    return MigrationResult(
        project="shop",
        project_dir="dbt/shop",
        out_dir="pipelines",
        read="spark",
        target="flink",
        tables=[
            table(
                "src_orders",
                Status.DECLARED,
                Layer.SOURCES,
                resource_type="source",
                dml=None,
                dml_path=None,
            ),
            table("src_customers", Status.DECLARED, Layer.SOURCES, resource_type="source"),
            table("stg_orders", Status.TRANSLATED, Layer.INTERMEDIATES, ["src_orders"]),
            table(
                "stg_customers", Status.LLM, Layer.INTERMEDIATES, ["src_customers", "crm.accounts"]
            ),
            table(
                "int_enriched", Status.INLINED, Layer.INTERMEDIATES, ["stg_orders", "stg_customers"]
            ),
            table(
                "dim_customer",
                Status.TRANSLATED,
                Layer.DIMENSIONS,
                ["int_enriched"],
                changelog="upsert",
                primary_key=["customer_id"],
                stateful=True,
            ),
            table(
                "fct_orders",
                Status.NEEDS_LLM,
                Layer.FACTS,
                ["int_enriched", "dim_customer"],
                diagnostics=[
                    needs_llm_error,
                    Diagnostic(
                        rule_id="SL2001",
                        severity=Severity.WARNING,
                        message="NULL | ordering may differ",
                        line=3,
                    ),
                ],
            ),
            table(
                "fct_broken",
                Status.FAILED,
                Layer.FACTS,
                ["stg_orders"],
                dml=None,
                rendered_sql="SELECT a < b && c FROM stg_orders",
                diagnostics=[
                    Diagnostic(
                        rule_id="SL0002", severity=Severity.ERROR, message="Jinja rendering failed"
                    )
                ],
            ),
        ],
        diagnostics=[
            Diagnostic(
                rule_id="SL0100", severity=Severity.WARNING, message="profile target 'dev' ignored"
            )
        ],
        files=[
            FileRecord(path="pipelines/stg_orders/dml.sql", action=FileAction.WRITTEN),
            FileRecord(path="pipelines/src_orders/ddl.sql", action=FileAction.UNCHANGED),
            FileRecord(path="pipelines/dim_customer/dml.sql", action=FileAction.KEPT),
        ],
    )


EDGES = {
    ("src_orders", "stg_orders"),
    ("src_customers", "stg_customers"),
    ("crm.accounts", "stg_customers"),
    ("stg_orders", "int_enriched"),
    ("stg_customers", "int_enriched"),
    ("int_enriched", "dim_customer"),
    ("int_enriched", "fct_orders"),
    ("dim_customer", "fct_orders"),
    ("stg_orders", "fct_broken"),
}


def svg_nodes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return {g.get("data-name"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def svg_edges(svg: str) -> set[tuple[str, str]]:
    root = ET.fromstring(svg)
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    edges = {(p.get("data-from"), p.get("data-to")) for p in paths}
    assert len(edges) == len(paths), "duplicate edges"
    return edges  # type: ignore[return-value]


def x_of(node: ET.Element) -> int:
    rect = node.find(f"{SVG}rect")
    assert rect is not None
    return int(rect.get("x"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- SVG


def test_svg_nodes_edges_and_layers() -> None:
    result = shop()
    svg = lineage_svg(result)
    nodes = svg_nodes(svg)
    assert set(nodes) == {t.name for t in result.tables} | {"crm.accounts"}
    assert svg_edges(svg) == EDGES
    for parent, child in EDGES:
        assert x_of(nodes[child]) > x_of(nodes[parent]), (parent, child)
    assert nodes["fct_orders"].get("data-layer") == "4"  # longest path: src, stg, int, dim, fct
    assert nodes["crm.accounts"].get("data-status") == "external"
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}defs/{SVG}marker") is not None
    assert all(
        p.get("marker-end") == "url(#sl-arrow)"
        for p in root.iter(f"{SVG}path")
        if p.get("class") == "edge"
    )


def test_svg_colours_and_tooltips() -> None:
    result = shop()
    nodes = svg_nodes(lineage_svg(result))
    assert len(set(STATUS_COLORS.values())) == len(STATUS_COLORS)
    assert set(STATUS_COLORS) == {s.value for s in Status} | {"external"}
    expected = {t.name: t.status.value for t in result.tables} | {"crm.accounts": "external"}
    for name, status in expected.items():
        rect = nodes[name].find(f"{SVG}rect")
        assert rect is not None
        assert nodes[name].get("data-status") == status
        assert (rect.get("fill"), rect.get("stroke")) == STATUS_COLORS[status]
        assert (rect.get("stroke-dasharray") is not None) == (status in ("inlined", "external"))
    assert STATUS_COLORS["translated"][0] == "#d3f2dc"  # green
    assert STATUS_COLORS["failed"][1] == "#c62828"  # red
    tooltip = nodes["fct_orders"].findtext(f"{SVG}title")
    assert tooltip is not None
    assert "status: needs_llm" in tooltip and "changelog: append" in tooltip
    assert "diagnostics: 2 (1 error, 1 warning)" in tooltip
    dim_tip = nodes["dim_customer"].findtext(f"{SVG}title") or ""
    assert "key: customer_id" in dim_tip and "changelog: upsert" in dim_tip
    texts = [t.text for t in nodes["dim_customer"].iter(f"{SVG}text")]
    assert texts == ["dim_customer", "dimensions · table"]


def test_svg_node_boxes_fit_labels() -> None:
    result = shop()
    result.tables.append(table("a_rather_long_table_name_for_the_box", Status.LLM, Layer.VIEWS))
    nodes = svg_nodes(lineage_svg(result))
    short = nodes["stg_orders"].find(f"{SVG}rect")
    long = nodes["a_rather_long_table_name_for_the_box"].find(f"{SVG}rect")
    assert short is not None and long is not None
    assert int(long.get("width") or 0) > int(short.get("width") or 0)


def test_svg_empty() -> None:
    svg = lineage_svg(MigrationResult(project="p", project_dir=".", read="spark", target="flink"))
    root = ET.fromstring(svg)
    assert "no tables" in "".join(root.itertext())
    assert not svg_nodes(svg)


def test_svg_escapes_names() -> None:
    result = shop()
    result.tables.append(table(EVIL, Status.TRANSLATED, Layer.VIEWS, ["stg_orders"]))
    svg = lineage_svg(result)
    assert "<script>" not in svg
    assert EVIL in svg_nodes(svg)  # parsed back to the original text


def test_cycle_does_not_hang() -> None:
    result = MigrationResult(
        project="p",
        project_dir=".",
        read="spark",
        target="flink",
        tables=[
            table("a", Status.TRANSLATED, Layer.INTERMEDIATES, ["c", "a"]),
            table("b", Status.TRANSLATED, Layer.INTERMEDIATES, ["a"]),
            table("c", Status.TRANSLATED, Layer.INTERMEDIATES, ["b"]),
            table("d", Status.TRANSLATED, Layer.FACTS, ["c"]),
        ],
    )
    svg = lineage_svg(result)
    assert set(svg_nodes(svg)) == {"a", "b", "c", "d"}
    assert svg_edges(svg) == {("c", "a"), ("a", "b"), ("b", "c"), ("c", "d")}  # no self-loop
    assert "```mermaid" in markdown_report(result)
    assert html_report(result).count("<svg") == 1


def test_large_dag_renders() -> None:
    # a 1,000-table chain, each link also fanning out to one leaf: 2,000 nodes
    tables = [table("c0000", Status.DECLARED, Layer.SOURCES)]
    for i in range(1, 1000):
        tables.append(table(f"c{i:04d}", Status.TRANSLATED, Layer.INTERMEDIATES, [f"c{i - 1:04d}"]))
    for i in range(1000):
        tables.append(table(f"f{i:04d}", Status.TRANSLATED, Layer.FACTS, [f"c{i:04d}"]))
    result = MigrationResult(
        project="big", project_dir=".", read="spark", target="flink", tables=tables
    )
    svg = lineage_svg(result)
    nodes = svg_nodes(svg)
    assert len(nodes) == 2000
    assert len(svg_edges(svg)) == 999 + 1000
    assert x_of(nodes["c0999"]) > x_of(nodes["c0998"])
    md = markdown_report(result)
    assert "too many for a Mermaid diagram" in md and "```mermaid" not in md


# --------------------------------------------------------------------------- Markdown


def test_markdown_summary_and_kept_warning() -> None:
    md = markdown_report(shop())
    assert md.startswith("# Migration report: shop\n")
    for status, n in {
        "translated": 2,
        "llm": 1,
        "needs_llm": 1,
        "failed": 1,
        "declared": 2,
        "inlined": 1,
    }.items():
        assert f"| {status} | {n} |" in md
    assert "| **total** | 8 |" in md
    for layer, n in {
        "sources": 2,
        "intermediates": 3,
        "dimensions": 1,
        "facts": 2,
        "views": 0,
    }.items():
        assert f"| {layer} | {n} |" in md
    assert "Files: 2 up to date, 1 kept (edited by you)." in md
    assert "edited since the last migration, not overwritten; rerun with --force" in md
    assert "> - `pipelines/dim_customer/dml.sql`" in md


def test_markdown_no_kept_warning_without_kept_files() -> None:
    result = shop()
    result.files = [f for f in result.files if f.action is not FileAction.KEPT]
    assert "--force" not in markdown_report(result)


def test_markdown_table_rows_sorted_by_layer_then_name() -> None:
    md = markdown_report(shop())
    rows = [line for line in md.splitlines() if line.startswith("| ") and line.count("|") == 11]
    names = [r.split("|")[1].strip() for r in rows[1:]]  # skip the header row
    assert names == [
        "src_customers",
        "src_orders",
        "int_enriched",
        "stg_customers",
        "stg_orders",
        "dim_customer",
        "fct_broken",
        "fct_orders",
    ]
    assert (
        "| dim_customer | dimensions | shop | table | translated | upsert | customer_id | yes"
        " | 0 | 0 |"
    ) in rows
    assert "| fct_orders | facts | shop | table | needs_llm | append |  | no | 1 | 1 |" in rows


def test_markdown_mermaid_has_every_edge() -> None:
    md = markdown_report(shop())
    block = md.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("flowchart LR\n")
    ids = dict(re.findall(r'^  (\w+)\["([^"]*)"\]:::\w+$', block, re.MULTILINE))
    assert set(ids.values()) == {t.name for t in shop().tables} | {"crm.accounts"}
    by_name = {v: k for k, v in ids.items()}
    edges = set(re.findall(r"^  (\w+) --> (\w+)$", block, re.MULTILINE))
    assert edges == {(by_name[p], by_name[c]) for p, c in EDGES}
    assert f'{by_name["crm.accounts"]}["crm.accounts"]:::external' in block
    assert "classDef needs_llm fill:#ffe3a3" in block
    assert "classDef inlined" in block and "stroke-dasharray" in block


def test_markdown_diagnostics() -> None:
    md = markdown_report(shop())
    diags = md.split("## Diagnostics", 1)[1]
    assert (
        diags.index("### Project") < diags.index("### fct_broken") < diags.index("### fct_orders")
    )
    assert (
        "- **error** [SL1234] no rule translates MAP_FROM_ARRAYS (line 7:12) — rewrite it "
        "with MAP[]"
    ) in diags
    assert "- **warning** [SL2001] NULL | ordering may differ (line 3)" in diags
    assert "- **error** [SL0002] Jinja rendering failed\n" in diags
    assert "- **warning** [SL0100] profile target 'dev' ignored" in diags
    assert (
        "Source: `models/fct_orders.sql` · DDL: `pipelines/fct_orders/ddl.sql` · "
        "DML: `pipelines/fct_orders/dml.sql`"
    ) in diags
    assert "### stg_orders" not in diags  # no diagnostics, no section


def test_markdown_escapes_cells_and_mermaid_labels() -> None:
    result = shop()
    result.tables.append(
        table(
            "pipe|name",
            Status.TRANSLATED,
            Layer.VIEWS,
            ['quo"te'],
            product="multi\nline",
            primary_key=[EVIL],
        )
    )
    md = markdown_report(result)
    row = next(line for line in md.splitlines() if line.startswith("| pipe"))
    assert row.startswith("| pipe\\|name | views | multi<br>line |")
    assert row.count("|") - row.count("\\|") == 11
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert '["quo#34;te"]:::external' in md


# --------------------------------------------------------------------------- HTML


class StrictParser(HTMLParser):
    """Checks that every element is closed, in order (void elements aside)."""

    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def parse_html(text: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(text)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, parser.stack
    return parser


def test_html_self_contained_and_well_formed() -> None:
    page = html_report(shop())
    parser = parse_html(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parser.scripts == 1
    rest = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in rest and "https://" not in rest
    assert not re.search(r"""(src|href)=["'](?!#)""", page)  # only in-page links
    assert page.count("<svg") == 1 and page.count('class="node"') == 9
    assert "--force" in page and "pipelines/dim_customer/dml.sql" in page


def test_html_content() -> None:
    page = html_report(shop())
    for t in shop().tables:
        assert f"<b>{t.name}</b>" in page  # a <details> per table
    assert '<span class="badge s-needs_llm">needs_llm</span>' in page
    assert "<pre><code>CREATE TABLE dim_customer (id INT)</code></pre>" in page
    assert "No DML written." in page  # fct_broken failed
    assert "<pre><code>SELECT a &lt; b &amp;&amp; c FROM stg_orders</code></pre>" in page
    assert "[SL1234] no rule translates MAP_FROM_ARRAYS (line 7:12) — rewrite it with MAP[]" in page
    assert page.count("<details") == 8 + 2  # SQL of every table + diagnostics of two tables
    assert '<div class="card s-declared"><b>2</b><span>declared</span></div>' in page


def test_html_escapes_user_content() -> None:
    result = shop()
    result.project = EVIL
    result.tables.append(
        table(
            EVIL,
            Status.NEEDS_LLM,
            Layer.VIEWS,
            ["stg_orders"],
            dml=f"SELECT '{EVIL}' AS x",
            diagnostics=[
                Diagnostic(rule_id="SL9<b>", severity=Severity.ERROR, message=EVIL, suggestion=EVIL)
            ],
        )
    )
    page = html_report(result)
    parser = parse_html(page)
    assert parser.scripts == 1  # only the report's own sorting script
    assert "<script>alert" not in page
    assert "evil&lt;script&gt;alert(1)&lt;/script&gt;&amp;co" in page
    assert "SL9&lt;b&gt;" in page
    assert "&amp;co" in markdown_report(result)


def test_deterministic() -> None:
    a, b = shop(), shop()
    assert lineage_svg(a) == lineage_svg(b)
    assert markdown_report(a) == markdown_report(b)
    assert html_report(a) == html_report(b)
    shuffled = shop()
    shuffled.tables.reverse()
    shuffled.files.reverse()
    assert lineage_svg(shuffled) == lineage_svg(a)
    assert markdown_report(shuffled) == markdown_report(a)
    assert html_report(shuffled) == html_report(a)


def test_empty_result_reports() -> None:
    empty = MigrationResult(project="p", project_dir=".", read="spark", target="flink")
    md = markdown_report(empty)
    assert "| **total** | 0 |" in md and "_No tables._" in md and "_No diagnostics._" in md
    page = html_report(empty)
    parse_html(page)
    assert "no tables" in page


def test_report_ranks_causes_by_the_tables_they_keep_out(tmp_path: Path) -> None:
    """Issue 13: the report has a section ranking causes by how many tables they block: a
    model failing on an unknown macro, with two readers blocked by it, outranks a lone failure."""
    from test_migrate_edges import make_project

    from shiftleft.migration import migrate
    from shiftleft.migration.causes import rank_causes

    project = make_project(
        tmp_path / "p",
        {
            "stg.sql": "select {{ no_such_macro() }} as x, id from {{ source('app', 'events') }}",
            "a.sql": "select id from {{ ref('stg') }}",
            "b.sql": "select id from {{ ref('a') }}",
            "lone.sql": "select my_udf(id) as y from {{ source('app', 'events') }}",
        },
    )
    result = migrate(project, tmp_path / "out", plan=False)
    causes = rank_causes(result.tables)
    assert [(c.tables, c.blocking) for c in causes] == [(1, 2), (1, 0)]
    assert "no_such_macro" in causes[0].cause and "MY_UDF" in causes[1].cause.upper()
    report = (tmp_path / "out" / "migration_report.md").read_text()
    assert "## Causes" in report and "| 1 | 2 |" in report
    assert "<h2>Causes</h2>" in (tmp_path / "out" / "migration_report.html").read_text()


def test_causes_group_models_whose_messages_name_their_dbt_node() -> None:
    """A render error names the dbt node, which an alias makes differ from the Flink table:
    both names are blanked, so one cause carries every model it fails."""
    from shiftleft.migration.causes import rank_causes
    from shiftleft.models import Severity

    tables = [
        table(
            f"alias_{n}",
            Status.FAILED,
            Layer.FACTS,
            unique_id=f"model.shop.node_{n}",
            diagnostics=[Diagnostic.of("SL5001", f"cannot render node_{n} (dbt.listagg): no order", severity=Severity.ERROR)],
        )
        for n in ("a", "b", "c")
    ]
    causes = rank_causes(tables)
    assert [(c.tables, c.cause) for c in causes] == [(3, "SL5001 cannot render <model> (dbt.listagg): no order")]

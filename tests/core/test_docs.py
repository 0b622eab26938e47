"""The README stays true: its rule table matches the rule packs, its examples run."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import shiftleft
from shiftleft.migration import Status
from shiftleft.rewrite.catalog import rules_catalog, rules_markdown

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_rule_table_is_current() -> None:
    found = re.search(r"<!-- rules-table -->\n(.*?)<!-- /rules-table -->", README, re.S)
    assert found, "README lost its rules-table markers"
    assert found.group(1) == rules_markdown(rules_catalog()), (
        "README rule table is stale: run `make rules-doc` and paste it between the markers"
    )


def test_readme_quick_start_output() -> None:
    result = shiftleft.transpile(
        """
    SELECT customer_id, nvl(region, 'n/a') AS region, datediff(shipped, ordered) AS days
    FROM orders WHERE status != "cancelled"
"""
    )
    assert result.sql == (
        "SELECT customer_id, COALESCE(region, 'n/a') AS region, "
        "TIMESTAMPDIFF(DAY, CAST(ordered AS DATE), CAST(shipped AS DATE)) AS days "
        "FROM orders WHERE status <> 'cancelled';\n"
    )
    assert result.ok


def test_readme_streaming_examples() -> None:
    schema = {"orders": {"id": "INT", "customer": "STRING", "amount": "INT", "ts": "TIMESTAMP_NTZ"}}
    options = {"schema": schema, "event_time": {"orders": "ts"}}
    cases = {
        "SELECT customer, count(*) AS n FROM orders GROUP BY window(ts, '1 hour'), customer":
            "SELECT customer, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' HOUR)) "
            "GROUP BY window_start, window_end, customer",
        "SELECT o.id FROM orders o LEFT SEMI JOIN customers c ON o.customer = c.customer":
            "SELECT o.id FROM orders AS o WHERE EXISTS(SELECT 1 FROM customers AS c WHERE o.customer = c.customer)",
    }
    for spark, flink in cases.items():
        assert shiftleft.transpile(spark, **options).sql == flink + ";\n"
        assert f"`{flink}`" in README
    result = shiftleft.transpile(
        "SELECT customer, sum(amount) AS total FROM orders GROUP BY customer", **options, sink="totals"
    )
    assert "CREATE TABLE totals (\n  customer STRING,\n  total BIGINT,\n  PRIMARY KEY (customer) NOT ENFORCED\n)" in result.sql


def test_readme_migrate_example(tmp_path: Path) -> None:
    """The README's migrate example: every model, seed and snapshot of the example project is
    migrated (ephemeral models inlined), and the counts the README shows are this run's."""
    shop = ROOT / "examples" / "dbt_shop"
    result = shiftleft.migrate(shop, tmp_path / "pipelines", env={})
    models = list((shop / "models").rglob("*.sql"))
    ephemeral = {p.stem for p in models if "materialized='ephemeral'" in p.read_text()}
    nodes = {p.stem for p in [*models, *(shop / "snapshots").rglob("*.sql"), *(shop / "seeds").glob("*.csv")]}
    assert ephemeral and {t.name for t in result.tables if t.status is Status.INLINED} == ephemeral
    assert {t.name for t in result.tables if t.status is Status.TRANSLATED} == nodes - ephemeral
    shown = re.search(r"result\.counts\(\) +# (\{[^}]*?), \.\.\.\}", README)
    assert shown, "README lost its result.counts() example"
    readme_counts = ast.literal_eval(shown.group(1) + "}")
    assert readme_counts == {k: result.counts()[k] for k in readme_counts}
    assert result.ok and (tmp_path / "pipelines" / "migration_report.html").is_file()
    for section in ("## Migrating a dbt project", "docs/migrate.md"):
        assert section in README

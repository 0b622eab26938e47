"""The README stays true: its rule table matches the rule packs, its examples run."""

from __future__ import annotations

import re
from pathlib import Path

import shiftleft
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
    """The README's migrate example: the counts it shows are what the example project gives."""
    result = shiftleft.migrate(ROOT / "examples" / "dbt_shop", tmp_path / "pipelines", env={})
    counts = result.counts()
    assert (counts["translated"], counts["inlined"], counts["failed"]) == (14, 1, 0)
    assert "{'translated': 14, 'inlined': 1, 'failed': 0, ...}" in README
    assert result.ok and (tmp_path / "pipelines" / "migration_report.html").is_file()
    for section in ("## Migrating a dbt project", "docs/migrate.md"):
        assert section in README

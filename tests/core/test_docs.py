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

"""Rewrite the rule table between the README's `<!-- rules-table -->` markers (make rules-doc)."""

from __future__ import annotations

import re
from pathlib import Path

from shiftleft.rewrite.catalog import rules_catalog, rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
MARKERS = re.compile(r"(?s)<!-- rules-table -->\n.*?<!-- /rules-table -->")


def main() -> None:
    table = rules_markdown(rules_catalog())
    text = README.read_text(encoding="utf-8")
    README.write_text(MARKERS.sub(lambda _: f"<!-- rules-table -->\n{table}<!-- /rules-table -->", text), encoding="utf-8")


if __name__ == "__main__":
    main()

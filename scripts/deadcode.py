"""Dead code: names nothing reads, found by vulture over the package and everything that uses it.

Run by ``make lint``.  Reads shiftleft/, rules/ (the rule packs), tests/, scripts/ and benchmarks/
so that a name used anywhere counts as used, and reports what is left after taking out what
frameworks call by name:

* overrides of a framework class's attribute (sqlglot's Dialect/Tokenizer/Parser/Generator
  settings and methods, pydantic's model_config, http.server/html.parser handlers, the
  collections.abc.Set hooks; lark Transformer callbacks are listed in the whitelist);
* sqlglot generator methods ``<expression key>_sql`` (dispatched by the expression's key);
* rule classes in rules/ (the pack loader collects every Rule subclass of a module);
* pytest hooks, fixtures and ``pytestmark``; pydantic validators;
* the names in scripts/deadcode_whitelist.py, each with the reason it is used.

Exit status 1 when something is reported.
"""

from __future__ import annotations

import sys
from collections.abc import Set
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingMixIn, TCPServer

import vulture
from pydantic import BaseModel
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.generator import Generator
from sqlglot.parser import Parser
from sqlglot.tokens import Tokenizer

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["shiftleft", "rules", "tests", "scripts", "benchmarks"]
MIN_CONFIDENCE = 60

_FRAMEWORK_BASES = (
    Dialect, Tokenizer, Parser, Generator, BaseModel, BaseHTTPRequestHandler, HTMLParser,
    ThreadingMixIn, TCPServer, Set,
)
_EXPRESSION_KEYS = {
    cls.key for cls in vars(exp).values() if isinstance(cls, type) and issubclass(cls, exp.Expr)
}


def _called_by_framework(item: vulture.core.Item) -> bool:
    name = item.name
    if any(hasattr(base, name) for base in _FRAMEWORK_BASES):
        return True
    if name.endswith("_sql") and name[: -len("_sql")] in _EXPRESSION_KEYS:
        return True
    path = Path(item.filename).resolve().relative_to(ROOT)
    return path.parts[0] == "rules" and item.typ == "class"


def main() -> int:
    v = vulture.Vulture(
        ignore_names=["pytestmark", "pytest_*", "do_*"],  # do_*: http.server handlers
        ignore_decorators=[
            "@pytest.fixture", "@field_validator", "@model_validator", "@field_serializer",
        ],
    )
    v.scavenge([str(ROOT / p) for p in PATHS] + [str(ROOT / "scripts" / "deadcode_whitelist.py")])
    unused = [
        item
        for item in v.get_unused_code(min_confidence=MIN_CONFIDENCE)
        if not _called_by_framework(item)
    ]
    for item in unused:
        print(item.get_report(add_size=False).replace(str(ROOT) + "/", ""))
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())

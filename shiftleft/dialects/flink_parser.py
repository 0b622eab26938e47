"""Parser for the Flink SQL dialect."""

from __future__ import annotations

from sqlglot import exp, parser
from sqlglot.parsers.base import BaseParser
from sqlglot.tokens import TokenType


class FlinkParser(BaseParser):
    pass

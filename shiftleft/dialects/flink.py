"""Apache Flink 2.x SQL dialect for sqlglot (placeholder: being written)."""

from __future__ import annotations

from sqlglot.dialects.dialect import Dialect


class Flink(Dialect):
    pass

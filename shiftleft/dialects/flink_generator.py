"""Generator for the Flink SQL dialect."""

from __future__ import annotations

from sqlglot import exp, generator

from shiftleft.dialects.flink_catalog import FLINK_RESERVED_WORDS


class FlinkGenerator(generator.Generator):
    RESERVED_KEYWORDS = {w.lower() for w in FLINK_RESERVED_WORDS}

"""Apache Flink 2.3 SQL dialect for sqlglot."""

from __future__ import annotations

from sqlglot import tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.dialects.spark import Spark
from sqlglot.tokens import TokenType

from shiftleft.dialects.flink_generator import FlinkGenerator
from shiftleft.dialects.flink_parser import FlinkParser


class Flink(Dialect):
    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    TIME_MAPPING = Spark.TIME_MAPPING

    class Tokenizer(tokens.Tokenizer):
        QUOTES = ["'"]
        IDENTIFIERS = ["`"]
        STRING_ESCAPES = ["'"]

    Parser = FlinkParser
    Generator = FlinkGenerator

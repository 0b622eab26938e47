"""Apache Flink 2.3 SQL dialect for sqlglot.

Registered as ``flink`` through the ``sqlglot.dialects`` entry point, so
``sqlglot.transpile(sql, read="spark", write="flink")`` works once shiftleft is installed.
The parser and generator live in :mod:`shiftleft.dialects.flink_parser` and
:mod:`shiftleft.dialects.flink_generator`; reserved words and built-in function names in
:mod:`shiftleft.dialects.flink_catalog`.

Lexical structure: https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/overview/
"""

from __future__ import annotations

from sqlglot import tokens
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.dialects.spark import Spark
from sqlglot.tokens import TokenType

from shiftleft.dialects.flink_generator import FlinkGenerator
from shiftleft.dialects.flink_parser import FlinkParser
from shiftleft.dialects.flink_typing import EXPRESSION_METADATA as FLINK_EXPRESSION_METADATA


class Flink(Dialect):
    # Flink identifiers are case sensitive; function names are not.
    NORMALIZATION_STRATEGY = NormalizationStrategy.CASE_SENSITIVE
    # DATE_FORMAT / TO_TIMESTAMP / UNIX_TIMESTAMP take Java SimpleDateFormat patterns, like Spark.
    TIME_MAPPING = Spark.TIME_MAPPING
    DATE_FORMAT = "'yyyy-MM-dd'"
    TIME_FORMAT = "'yyyy-MM-dd HH:mm:ss'"
    # Flink arrays are 1-based (arr[1] is the first element).
    INDEX_OFFSET = 1
    # dim FOR SYSTEM_TIME AS OF o.ts AS d: the alias follows the temporal clause.
    ALIAS_POST_VERSION = True
    TYPED_DIVISION = True
    SAFE_DIVISION = False
    CONCAT_COALESCE = False
    #: GREATEST / LEAST are NULL when an argument is NULL (checked on 2.3)
    LEAST_GREATEST_IGNORES_NULLS = False
    LOG_BASE_FIRST = True
    NULL_ORDERING = "nulls_are_small"
    # what Flink's built-in functions return, for type annotation (sink column types)
    EXPRESSION_METADATA = FLINK_EXPRESSION_METADATA

    class Tokenizer(tokens.Tokenizer):
        QUOTES = ["'"]
        IDENTIFIERS = ["`"]
        STRING_ESCAPES = ["'"]
        # Table hints follow a table name: FROM t /*+ OPTIONS(...) */
        TOKENS_PRECEDING_HINT = {
            *tokens.Tokenizer.TOKENS_PRECEDING_HINT,
            TokenType.VAR,
            TokenType.IDENTIFIER,
        }

        COMMANDS = tokens.Tokenizer.COMMANDS - {TokenType.EXECUTE}

        KEYWORDS = {
            **tokens.Tokenizer.KEYWORDS,
            "BYTES": TokenType.VARBINARY,
            "EXECUTE": TokenType.EXECUTE,
            "MATCH_RECOGNIZE": TokenType.MATCH_RECOGNIZE,
            "MULTISET": TokenType.LIST,
            "ROW": TokenType.STRUCT,
            "STRING": TokenType.TEXT,
            "TIMESTAMP_LTZ": TokenType.TIMESTAMPLTZ,
        }

    Parser = FlinkParser
    Generator = FlinkGenerator

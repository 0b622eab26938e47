"""Confluent Cloud for Apache Flink dialect.

Same SQL as Apache Flink 2.x, plus the ``$rowtime`` system column written bare
(https://docs.confluent.io/cloud/current/flink/reference/statements/create-table.html).
``DISTRIBUTED BY HASH(k) INTO n BUCKETS`` and options such as ``'changelog.mode'`` or
``'value.format'`` need nothing beyond the Flink dialect: they are ordinary DDL clauses and
``WITH`` options there.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokens import TokenType

from shiftleft.dialects.flink import Flink
from shiftleft.dialects.flink_generator import FlinkGenerator

ROWTIME = "$rowtime"


class ConfluentGenerator(FlinkGenerator):
    def identifier_sql(self, expression: exp.Identifier) -> str:
        if expression.name.lower() == ROWTIME:
            return ROWTIME
        return super().identifier_sql(expression)


class Confluent(Flink):
    class Tokenizer(Flink.Tokenizer):
        KEYWORDS = {**Flink.Tokenizer.KEYWORDS, ROWTIME.upper(): TokenType.VAR}

    Generator = ConfluentGenerator

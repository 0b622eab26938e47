"""Confluent Cloud for Apache Flink dialect (placeholder: being written)."""

from __future__ import annotations

from shiftleft.dialects.flink import Flink


class Confluent(Flink):
    pass

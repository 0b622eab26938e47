"""What translating one dbt node takes and gives: :class:`NodeJob` (picklable, for worker
processes) and :class:`NodeOutcome`, with the helpers both the query and the seed translation
use (:func:`read_type`, the diagnostics' constructor).

Split from :mod:`shiftleft.migration.translate`, which re-exports these.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.derive import Relation
from shiftleft.models import Diagnostic, Mode, Target
from shiftleft.streaming.sink import SinkOptions
from shiftleft.streaming.typed_query import flink_type

TIME_TYPE = "TIMESTAMP(3)"


class NodeJob(BaseModel):
    """Everything needed to translate one node; picklable, for worker processes."""

    name: str
    resource_type: str
    materialized: str
    sql: str = ""
    read: str
    target: Target
    mode: Mode
    #: parents' columns, ``{table: {column: TYPE in the read dialect}}``
    parent_schema: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: parents whose columns' types are not to be trusted: not translated, or reading such a
    #: table (a type error on their columns is theirs, the model is blocked by them)
    broken_parents: list[str] = Field(default_factory=list)
    #: parents' event-time columns, ``{table: column}``
    event_time: dict[str, str] = Field(default_factory=dict)
    #: parents' derived streaming relations (mode, keys, time attributes), ``{table: ...}``
    parent_relations: dict[str, Relation] = Field(default_factory=dict)
    declared_types: dict[str, str] = Field(default_factory=dict)  #: column -> Flink type
    declared_key: list[str] = Field(default_factory=list)
    key_origin: str = ""
    incremental_column: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    seed_path: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)  #: transpile() options (rules, llm...)
    sink: SinkOptions = Field(default_factory=SinkOptions)


class NodeOutcome(BaseModel):
    ddl: str | None = None
    dml: str | None = None
    changelog: str | None = None
    primary_key: list[str] = Field(default_factory=list)
    stateful: bool = False
    event_time: str | None = None
    columns: list[tuple[str, str]] = Field(default_factory=list)  #: (name, Flink type)
    relation: Relation | None = None  #: what readers of the table get (mode, keys, time)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    rules_applied: list[str] = Field(default_factory=list)
    used_llm: bool = False
    failed: bool = False


@lru_cache(maxsize=4096)
def read_type(flink_text: str, read: str) -> str:
    """A Flink type in the ``read`` dialect's spelling (for ``transpile(schema=...)``), one that
    reads back as the same Flink type: Spark's plain TIMESTAMP is Flink's TIMESTAMP_LTZ, so a
    Flink TIMESTAMP(p) is spelled TIMESTAMP_NTZ(p) there."""
    try:
        kind = exp.DataType.build(flink_text, dialect="flink")
        text = kind.sql(read)
        if kind.this is exp.DataType.Type.TIMESTAMP and flink_type(text, read) != kind.sql("flink"):
            ntz = exp.DataType(this=exp.DataType.Type.TIMESTAMPNTZ, expressions=kind.expressions)
            back = flink_type(ntz.sql(read), read)
            spelled = f"TIMESTAMP_NTZ({kind.expressions[0].sql(read)})" if kind.expressions else ""
            if spelled and flink_type(spelled, read) == kind.sql("flink"):
                return spelled  # keeps the precision: a sink key typed otherwise loses its key
            if back is not None and exp.DataType.build(back, dialect="flink").this is kind.this:
                return ntz.sql(read)  # a timestamp without time zone (its precision may go)
        return text
    except Exception:  # noqa: BLE001 - keep it as is
        return flink_text

"""Streaming policies the user chooses (``transpile(..., streaming=StreamingOptions(...))``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shiftleft.derive.relation import Relation


class StreamingOptions(BaseModel):
    """Policies of the streaming rules.

    * ``state_ttl``: when set (e.g. ``"1d"``, ``"12h"``, ``"30min"``), every query with a regular
      join gets a ``/*+ STATE_TTL('a' = '1d', 'b' = '1d') */`` hint for its inputs (rule SL4013);
      otherwise the join is only reported (SL4009).
    * ``now``: what to do with ``current_timestamp()`` / ``current_date()`` / ``now()`` in a
      streaming job, where Flink evaluates them per record at processing time: ``"warn"`` (the
      default: keep them and warn) or ``"error"`` (report an error, for pipelines that must
      replay deterministically).
    * ``relations``: what tables the script reads emit, when known beyond ``event_time``
      (``{table: Relation}``: a dbt parent model's derived mode, keys and time attributes);
      the derivation reads them, e.g. to refuse a window TVF over an updating parent.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    state_ttl: str | None = None
    now: Literal["warn", "error"] = "warn"
    relations: dict[str, Relation] = Field(default_factory=dict)

    @field_validator("state_ttl")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d+\s*(ms|s|min|h|d)", value.strip()):
            raise ValueError(f"state_ttl must look like 1d, 12h, 30min, 45s or 500ms, not {value!r}")
        return value.strip() if value is not None else None

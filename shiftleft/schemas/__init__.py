"""The published JSON schemas of shiftleft's ``--format json`` outputs.

``transpile-result.schema.json``: ``shiftleft transpile FILE --format json`` (one
:class:`~shiftleft.models.TranspileResult`); ``file-results.schema.json``: ``shiftleft
transpile DIR --format json`` (an array of :class:`~shiftleft.batch.FileResult`);
``verify-report.schema.json``: ``shiftleft verify --format json``.  The files are generated
from the pydantic models; regenerate them with ``python -m shiftleft.schemas`` (a test checks
they are current).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from shiftleft.batch import FileResult
from shiftleft.models import TranspileResult
from shiftleft.verification import VerifyReport

HERE = Path(__file__).resolve().parent


def _transpile_result() -> dict[str, Any]:
    return TranspileResult.model_json_schema(mode="serialization")


def _file_results() -> dict[str, Any]:
    return TypeAdapter(list[FileResult]).json_schema(mode="serialization")


def _verify_report() -> dict[str, Any]:
    return VerifyReport.model_json_schema(mode="serialization")


#: file name -> function computing the schema from the models
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "transpile-result.schema.json": _transpile_result,
    "file-results.schema.json": _file_results,
    "verify-report.schema.json": _verify_report,
}


def render(name: str) -> str:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **SCHEMAS[name]()}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def load(name: str) -> dict[str, Any]:
    """A published schema, as a dict."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def write_all() -> None:
    for name in SCHEMAS:
        (HERE / name).write_text(render(name), encoding="utf-8")



"""Migrate whole dbt projects: ``shiftleft.migrate(project_dir, out_dir)``.

The pipeline of a migration, one module per step: :mod:`.project` (read the dbt files) or
:mod:`.manifest` (read a compiled manifest.json) → :mod:`.render` (Jinja, in a sandbox) →
:mod:`.translate` (one node to Flink DDL + DML) → :mod:`.layout` and :mod:`.writer` (the
Kimball folder, written safely) → :mod:`.report` (Markdown / HTML) → :mod:`.planning` (plan
the whole pipeline on the embedded Flink).  :mod:`.run` runs them in order.
"""

from __future__ import annotations

from shiftleft.migration.models import Layer, MigrationResult, PipelineTable, Status
from shiftleft.migration.run import migrate

__all__ = ["Layer", "MigrationResult", "PipelineTable", "Status", "migrate"]

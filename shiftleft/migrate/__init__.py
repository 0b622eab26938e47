"""Migrate whole dbt projects: ``shiftleft.migrate(project_dir, out_dir)``.

The pipeline of a migration, one module per step: :mod:`.project` (read the dbt files) or
:mod:`.manifest` (read a compiled manifest.json) → :mod:`.render` (Jinja, in a sandbox) →
:mod:`.translate` (one node to Flink DDL + DML) → :mod:`.layout` and :mod:`.writer` (the
Kimball folder, written safely) → :mod:`.report` (Markdown / HTML) → :mod:`.planning` (plan
the whole pipeline on the embedded Flink).  :mod:`.migration` runs them in order.
"""

from __future__ import annotations

from shiftleft.migrate.migration import migrate
from shiftleft.migrate.models import Layer, MigrationResult, PipelineTable, Status

__all__ = ["Layer", "MigrationResult", "PipelineTable", "Status", "migrate"]

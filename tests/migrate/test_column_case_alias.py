"""A column spelled in another case than its table declares it, under a select-list alias of
the same name: Spark reads the column (a column read wins over an alias in the SELECT list and
WHERE), Flink needs its declared spelling (SL3020).  fivetran salesforce's staging models
write ``cast(Industry as STRING) as industry`` over a CTE selecting ``industry``: SL3020 left
the name alone because of the alias, and the model was reported (10 models + 6 blocked)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate

#: how a model may use the column under an alias of its own name
_FORMS = (
    "cast({X} as string) as {x}",
    "{X} as {x}",
    "coalesce({X}, 'z') as {x}",
    "upper({X}) as {x}, id",
    "{x} from fields where {X} <> 'q' --",
)
_SPELLINGS = ("Kind", "KIND", "kInD")


def _models() -> dict[str, str]:
    models = {}
    for i, (form, spelled) in enumerate(itertools.product(_FORMS, _SPELLINGS)):
        select = form.format(X=spelled, x="kind")
        models[f"m{i}.sql"] = (
            "with fields as (select kind as kind, id as id from {{ source('app', 'events') }})\n"
            f"select {select} from fields"
        )
    return models


@pytest.mark.flink
@pytest.mark.slow
def test_a_column_under_an_alias_of_its_name_reads_its_declared_spelling(tmp_path: Path) -> None:
    result = migrate(make_project(tmp_path / "p", _models()), plan=True)
    for name in _models():
        table = result.table(name.removesuffix(".sql"))
        assert table.status is Status.TRANSLATED, (name, table.rendered_sql, [d.message for d in table.diagnostics])
        assert "SL3020" in table.rules_applied, name

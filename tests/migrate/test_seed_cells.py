"""Seed cells are written in the form Flink's cast reads at run time, with the meaning the
dbt side gives them (checked on Flink 2.3 and DuckDB), or the seed is reported.

A seed is loaded by ``INSERT ... VALUES (CAST('cell' AS type), ...)``: the planner accepts
any text there and a cell Flink cannot cast fails the job when it runs (jaffle-shop's
``raw_stores.csv`` has ``2016-09-01T00:00:00``, which Flink's cast rejects).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from shiftleft.dialects import build
from shiftleft.migration import migrate
from shiftleft.migration.seed_cells import flink_text

pytestmark = [pytest.mark.slow, pytest.mark.flink]

KINDS = ("TIMESTAMP(3)", "DATE", "INT", "SMALLINT", "BIGINT", "DOUBLE", "BOOLEAN", "DECIMAL(6, 2)")


def cells(rng: random.Random) -> tuple[str, str]:
    """(type, cell text): a value in a form CSV files carry, valid or not."""
    kind = rng.choice(KINDS)
    day = dt.date(1901, 1, 1) + dt.timedelta(days=rng.randrange(72_000))
    pad = rng.random() < 0.8
    date = f"{day.year}-{day.month:02}-{day.day:02}" if pad else f"{day.year}-{day.month}-{day.day}"
    junk = rng.choice(["abc", "2016-13-01", "1e3", "1.5.2", "--1", "12:00", "2016-02-30"])
    if kind in ("TIMESTAMP(3)", "DATE"):
        h, m, s = rng.randrange(24), rng.randrange(60), rng.randrange(60)
        fraction = rng.choice(["", ".5", ".25", ".123"])
        forms = [date, f"{date}T{h:02}:{m:02}:{s:02}{fraction}", f"{date} {h:02}:{m:02}:{s:02}{fraction}",
                 f"{date} {h:02}:{m:02}", f"{date}T{h:02}:{m:02}:{s:02}Z", junk]
    elif kind in ("INT", "SMALLINT", "BIGINT"):
        n = rng.choice([rng.randint(-(2**15), 2**15), rng.randint(-(2**63), 2**63), rng.randint(-(2**33), 2**33)])
        forms = [str(n), f"+{n}" if n >= 0 else str(n), f"{n}.0", junk]
    elif kind == "DOUBLE":
        x = rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-20, 20)
        forms = [repr(x), f"{x:e}", "inf", "-Infinity", "NaN", ".5", "5.", junk]
    elif kind == "BOOLEAN":
        forms = ["true", "FALSE", "t", "f", "Yes", "no", "1", "0", "maybe", junk]
    else:
        n = round(rng.uniform(-99999, 99999), rng.randint(0, 4))
        forms = [str(n), f"{n:.4f}", junk]
    return kind, rng.choice(forms)


def _duckdb_type(kind: str) -> str:
    return {"DOUBLE": "DOUBLE", "TIMESTAMP(3)": "TIMESTAMP"}.get(kind, kind)


def _same(flink: Any, dbt: Any, kind: str) -> bool:
    if isinstance(flink, float) and isinstance(dbt, float):
        return (math.isnan(flink) and math.isnan(dbt)) or flink == dbt or math.isclose(flink, dbt, rel_tol=1e-6)
    if kind.startswith("TIMESTAMP") and isinstance(dbt, dt.datetime):
        # TIMESTAMP(3); PyFlink's conversion of a time before 1970 can be 1 µs off
        return abs(flink - dbt.replace(microsecond=dbt.microsecond // 1000 * 1000)) <= dt.timedelta(microseconds=1)
    if isinstance(flink, Decimal) and isinstance(dbt, Decimal | float):
        return flink == Decimal(str(dbt))
    return bool(flink == dbt)


@pytest.fixture(scope="module")
def flink_env(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    runner = FlinkRunner(flink_planner, timeout_s=120)
    return runner, runner.environment("batch")


@pytest.mark.parametrize("seed", range(3))
def test_seed_cells_cast_on_flink_as_dbt_reads_them(flink_env: Any, seed: int) -> None:
    """A cell written is cast by Flink without error, to the value DuckDB (dbt's side) reads
    from the original text whenever DuckDB reads it; a cell refused is one Flink's cast of the
    original text fails on, or reads differently from DuckDB.  Generated cells, one Flink job
    per seed of the generator."""
    rng = random.Random(seed)
    runner, env = flink_env
    written, refused = [], []
    for kind, text in (cells(rng) for _ in range(150)):
        try:
            written.append((kind, text, flink_text(text, kind)))
        except ValueError:
            refused.append((kind, text))
    items = [build.to_sql(build.cast(build.string(cell), kind)) for kind, _, cell in written] + [
        f"TRY_CAST({build.to_sql(build.string(text))} AS {kind})" for kind, text in refused
    ]
    [flink_row] = runner.query(env, "SELECT " + ", ".join(items)).rows
    con = duckdb.connect()
    wrong = []
    for (kind, text, cell), value in zip(written, flink_row):
        [(dbt,)] = con.execute(f"SELECT TRY_CAST(? AS {_duckdb_type(kind)})", [text]).fetchall()
        if value is None or (dbt is not None and not _same(value, dbt, kind)):
            wrong.append(("written", kind, text, cell, value, dbt))
    for (kind, text), value in zip(refused, flink_row[len(written) :]):
        [(dbt,)] = con.execute(f"SELECT TRY_CAST(? AS {_duckdb_type(kind)})", [text]).fetchall()
        if value is not None and dbt is not None and _same(value, dbt, kind):
            wrong.append(("refused", kind, text, value, dbt))
    assert not wrong, "\n".join(map(repr, wrong))
    assert len(written) > 50 and len(refused) > 10  # both sides are exercised


def test_a_seed_with_a_cell_flink_cannot_cast_is_reported(tmp_path: Path) -> None:
    """ISO timestamps load (written with a space); a cell of no value of its declared type is
    reported with its row and column instead of a job that fails at run time."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "dbt_project.yml").write_text(
        "name: demo\nconfig-version: 2\nprofile: demo\nseeds:\n  demo:\n    bad:\n"
        "      +column_types: {n: int}\n",
        encoding="utf-8",
    )
    (tmp_path / "seeds" / "stores.csv").write_text(
        "id,opened_at\n1,2016-09-01T00:00:00\n2,2017-03-12 08:30\n", encoding="utf-8"
    )
    (tmp_path / "seeds" / "bad.csv").write_text("n\n1\n3000000000\nx\n", encoding="utf-8")
    result = migrate(tmp_path, tmp_path / "out", plan=False)
    stores = next(t for t in result.tables if t.name == "stores")
    assert "'2016-09-01 00:00:00'" in stores.dml and "'2017-03-12 08:30:00'" in stores.dml
    bad = next(t for t in result.tables if t.name == "bad")
    [error] = [d for d in bad.diagnostics if d.severity.value == "error"]
    assert error.rule_id == "SL5007"
    assert "row 2, column n: '3000000000' is out of the type's range" in error.message
    assert "row 3, column n: 'x' is not a whole number" in error.message


def test_a_seeds_delimiter_is_read_as_dbt_reads_it(tmp_path: Path) -> None:
    """dbt's seed ``delimiter`` config (a properties .yml or dbt_project.yml): the columns
    are split on it, for the table and for run_query answers alike (it was read as one column
    named after the whole header line)."""
    (tmp_path / "seeds").mkdir()
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: demo\nconfig-version: 2\nprofile: demo\n", encoding="utf-8")
    (tmp_path / "seeds" / "props.yml").write_text(
        "version: 2\nseeds:\n  - name: orders\n    config:\n      delimiter: ';'\n"
        "      column_types: {Rabatt: float}\n",
        encoding="utf-8",
    )
    (tmp_path / "seeds" / "orders.csv").write_text(
        "\ufeffBestellungID;Datum;Rabatt\n1;05.03.2022;0.5\n2;06.03.2022;0\n", encoding="utf-8"
    )
    (tmp_path / "models" / "m.sql").write_text(
        "{% set ids = run_query('select BestellungID from ' ~ ref('orders')) %}"
        "select {{ ids.columns[0].values() | join(' + ') }} as total",
        encoding="utf-8",
    )
    result = migrate(tmp_path, tmp_path / "out", plan=False)
    orders = next(t for t in result.tables if t.name == "orders")
    assert "BestellungID INT,\n  Datum STRING,\n  Rabatt FLOAT\n" in (orders.ddl or "")
    assert "CAST('0.5' AS FLOAT)" in (orders.dml or "") and "'05.03.2022'" in (orders.dml or "")
    model = next(t for t in result.tables if t.name == "m")
    assert model.status.value == "translated" and "1 + 2" in (model.ddl or "") + (model.dml or "")

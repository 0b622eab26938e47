"""Strings cast to DECIMAL: Spark's values on Flink (SL3029).

Flink 2.3 reads a string into a DECIMAL of precision <= 18 with a lenient parser ('a' -> 0,
'1a' -> 1); the translation reads it into DECIMAL(38, s) first.  Generated ASCII strings
(numbers with signs, spaces, exponents, fractions rounding up, too many digits, and garbage)
are cast on PySpark 4 (ANSI off: NULL on a malformed value) and, translated, on Flink 2.3 in
batch mode; values and result types must be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlglot
from hypothesis import strategies as st
from sqlglot import exp

from fn_engines import draw_rows, exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

_NUMBER = st.from_regex(r"\A *[+-]?[0-9]{0,21}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,2})? *\Z")
_STRING = st.one_of(
    st.none(),
    _NUMBER,
    st.from_regex(r"\A[0-9]{1,4}[a-z.x-]{1,3}[0-9]{0,2}\Z"),  # a number with trailing garbage
    st.text(alphabet="0123456789 .-+eEax", max_size=8),
    st.sampled_from(["", " ", "a", "1a", "99999999.995", "-0.005", "1e3", "NaN", "Infinity"]),
)
SCHEMA = {"t": {"s": "STRING"}}
EXPRS = [
    "CAST(s AS DECIMAL(10, 2))",
    "CAST(s AS DECIMAL(18, 4))",
    "CAST(s AS DECIMAL(5, 0))",
    "CAST(s AS DECIMAL)",
    "CAST(s AS DECIMAL(20, 2))",  # wider than 18: Flink's exact parser already
    "CAST(trim(s) AS DECIMAL(12, 3))",
]


@pytest.fixture(scope="module")
def engines(spark, flink_planner, tmp_path_factory):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries({"s": _STRING}))
    spark.createDataFrame([(r["id"], r["s"]) for r in rows], "id INT, s STRING").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path_factory.mktemp("strdec") / "t.json", rows)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    ddl = seed_table_ddl("t", [("id", "INT"), ("s", "STRING")], path)
    return spark, runner, runner.environment("batch", [ddl]), rows


def test_strings_cast_to_decimal_match_spark(engines: Any) -> None:
    spark, runner, env, rows = engines
    assert len(rows) >= 200
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in EXPRS]
    assert all("DECIMAL(38" in f for f in flink_exprs[:4]), flink_exprs
    assert exact_run(spark, runner, env, EXPRS, flink_exprs, aggregate=False) == {}


def _project(root: Path, seed_values: list[str]) -> Path:
    """A dbt project whose model passes string column ``s`` into sink columns declared
    DECIMAL(10, 2) and DECIMAL(5, 0), and a seed of ``seed_values`` declared DECIMAL(10, 2)."""
    (root / "models").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: demo\nprofile: demo\nmodels:\n  demo:\n    +materialized: table\n"
        "seeds:\n  demo:\n    amounts:\n      +column_types: {amount: 'decimal(10, 2)'}\n"
    )
    (root / "models" / "m.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n      - name: t\n        columns:\n"
        "          - {name: id, data_type: int}\n          - {name: s, data_type: string}\n"
        "models:\n  - name: m\n    columns:\n"
        "      - {name: d10, data_type: 'decimal(10, 2)'}\n      - {name: d5, data_type: 'decimal(5, 0)'}\n"
    )
    (root / "models" / "m.sql").write_text("select id, s as d10, s as d5 from {{ source('app', 't') }}")
    (root / "seeds" / "amounts.csv").write_text("amount\n" + "".join(f'"{v}"\n' for v in seed_values))
    return root


def _projection(dml: str) -> dict[str, exp.Expr]:
    """The INSERT's select items by alias (a migrated DML: INSERT INTO x SELECT ... FROM ...)."""
    insert = sqlglot.parse_one(dml.rstrip(";"), read="flink")
    select = insert.expression
    return {item.alias_or_name: item.unalias() for item in select.expressions}


def test_sink_and_seed_casts_into_a_narrow_decimal_read_strings_exactly(engines: Any, tmp_path: Path) -> None:
    """A migrated model's string column written into a sink column declared DECIMAL(p <= 18, s),
    and a seed's values declared so, are read as SL3029 reads them (one helper): a number as
    Spark reads it, a value too large NULL (Flink narrows so), and a malformed string fails the
    job instead of becoming 0 / its leading digits (a malformed seed cell is reported)."""
    from shiftleft.flink_engine.runner import FlinkExecutionError
    from shiftleft.migration import migrate

    spark, runner, env, rows = engines
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        checked = {r[0]: (r[1], r[2], r[3], r[4]) for r in spark.sql(
            "SELECT id, CAST(s AS DECIMAL(10, 2)), CAST(s AS DECIMAL(38, 2)), CAST(s AS DECIMAL(5, 0)), "
            "CAST(s AS DECIMAL(38, 0)) FROM t").collect()}
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")
    strings = {r["id"]: r["s"] for r in rows}
    readable = sorted(i for i, v in checked.items() if v[1] is not None and v[3] is not None)
    malformed = [i for i, v in checked.items() if strings[i] is not None and v[1] is None and v[3] is None]
    assert len(readable) >= 50 and len(malformed) >= 2
    seed_values = sorted({strings[i].strip() for i in readable if checked[i][0] is not None})[:20]
    result = migrate(_project(tmp_path / "p", seed_values), read="spark", env={}, plan=False)
    model = _projection(result.table("m").dml or "")
    casts = [model[c].transform(
        lambda n: exp.column("s") if isinstance(n, exp.Column) else n).sql("flink") for c in ("d10", "d5")]
    assert all("DECIMAL(38" in c for c in casts), casts

    ids = ", ".join(str(i) for i in readable)
    found = runner.query(env, f"SELECT id, {casts[0]}, {casts[1]} FROM t WHERE id IN ({ids})")
    for i, d10, d5 in found.rows:  # Spark's value; NULL where the number overflows the narrow type
        assert (d10, d5) == (checked[i][0], checked[i][2]), (strings[i], d10, d5)
    for i in malformed[:2]:
        with pytest.raises(FlinkExecutionError):
            runner.query(env, f"SELECT {casts[0]} FROM t WHERE id = {i}")

    seed = result.table("amounts")
    values = sqlglot.parse_one((seed.dml or "").rstrip(";"), read="flink").find(exp.Values)
    assert values is not None
    got = runner.query(env, f"SELECT * FROM ({values.sql('flink')}) AS v(amount)").rows
    want = [checked[next(i for i in readable if strings[i].strip() == v)][0] for v in seed_values]
    assert sorted(r[0] for r in got) == sorted(want)
    # a seed cell of no number (a malformed string fails the job, above) is reported when the
    # seed is translated (SL5007), with no DML
    unreadable = migrate(_project(tmp_path / "q", ["1a"]), read="spark", env={}, plan=False).table("amounts")
    assert unreadable.dml is None and [d.rule_id for d in unreadable.errors] == ["SL5007"]

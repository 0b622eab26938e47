"""User mappings for project UDFs (functions= / --functions FILE) and the unknown-UDF report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot

import shiftleft
from shiftleft.errors import ConfigError
from shiftleft.llm.fallback import find_unsupported

MAPPING = {
    "clean_text": "LOWER(TRIM($1))",
    "cents_to_eur": "CAST($1 AS DECIMAL(18, 2)) / 100",
    "my_hash": "MY_HASH",
}


def test_templates_replace_calls_and_are_not_reported() -> None:
    result = shiftleft.transpile(
        "SELECT clean_text(clean_text(s)), cents_to_eur(a), my_hash(a, s) FROM t", functions=MAPPING
    )
    # the template is the user's Flink SQL, final: its "/ 100" is not re-typed (SL3015)
    assert result.sql == (
        "SELECT LOWER(TRIM(LOWER(TRIM(s)))), CAST(a AS DECIMAL(18, 2)) / 100, MY_HASH(a, s) FROM t;\n"
    )
    assert result.diagnostics == []


def test_template_is_final_and_arguments_are_translated() -> None:
    mapping = {"ratio": "CAST($1 AS DOUBLE) / $2", "pad5": "LPAD($1, 5)", "first_of": "SPLIT_INDEX($1, ',', 0)"}
    result = shiftleft.transpile(
        "SELECT ratio(nvl(a, 0), size(arr)), pad5(s), first_of(date_format(ts, 'yyyy')) FROM t",
        functions=mapping,
    )
    # the arguments are Spark (nvl, size, date_format are translated); the template's own
    # LPAD with two arguments is the user's to answer for (no SL9004), its division untouched
    assert result.sql == (
        "SELECT CAST(COALESCE(a, 0) AS DOUBLE) / COALESCE(CARDINALITY(arr), -1), LPAD(s, 5), "
        "SPLIT_INDEX(DATE_FORMAT(CAST(ts AS TIMESTAMP), 'yyyy'), ',', 0) FROM t;\n"
    ), result.sql
    assert not [d for d in result.diagnostics if d.severity.value == "error"], result.diagnostics


def test_unknown_udf_is_reported_with_the_hook() -> None:
    result = shiftleft.transpile("SELECT other_udf(a) FROM t", functions=MAPPING)
    (d,) = result.diagnostics
    assert d.rule_id == "SL9001" and "OTHER_UDF" in d.message
    assert "--functions FILE" in (d.suggestion or "")


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml"])
def test_mapping_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"functions{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(MAPPING))
    elif suffix == ".toml":
        path.write_text("".join(f'{k} = "{v}"\n' for k, v in MAPPING.items()))
    else:
        path.write_text("".join(f'{k}: "{v}"\n' for k, v in MAPPING.items()))
    assert shiftleft.transpile("SELECT clean_text(s) FROM t", functions=path).sql == "SELECT LOWER(TRIM(s)) FROM t;\n"


@pytest.mark.parametrize("bad", [{"x": "((("}, {"1x": "A($1)"}, {"x": 3}])
def test_bad_mappings_are_config_errors(bad: dict) -> None:
    with pytest.raises(ConfigError):
        shiftleft.transpile("SELECT 1", functions=bad)


def test_cli_functions_option(tmp_path: Path) -> None:
    mapping = tmp_path / "f.yaml"
    mapping.write_text('clean_text: "LOWER(TRIM($1))"\n')
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT clean_text(s) FROM t")
    out = subprocess.run(
        [sys.executable, "-m", "shiftleft", "transpile", "--functions", str(mapping), str(sql)],
        capture_output=True, text=True, check=True,
    )
    assert out.stdout.strip() == "SELECT LOWER(TRIM(s)) FROM t;"


def test_llm_is_never_asked_about_spark_builtins() -> None:
    tree = sqlglot.parse_one("SELECT levenshtein(a, b), bround(x, 1), my_udf(a) FROM t", read="spark")
    assert [name for _, name in find_unsupported(tree, "flink", "spark")] == ["MY_UDF"]


@pytest.mark.slow
@pytest.mark.flink
def test_template_output_plans(flink_planner) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile("SELECT clean_text(s), cents_to_eur(a) FROM t", functions=MAPPING, mode="batch")
    ddl = "CREATE TABLE t (s STRING, a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
    report = flink_planner.plan(ddl + result.sql, mode="batch")
    assert report.ok, report.errors

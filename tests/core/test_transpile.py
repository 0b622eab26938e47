"""The public API: shiftleft.transpile on whole scripts."""

from __future__ import annotations

import json

import pytest

import shiftleft
from shiftleft import ConfigError, InputError, Mode, Severity, Target


def test_single_statement_and_result_model() -> None:
    result = shiftleft.transpile("SELECT nvl(a, 0) AS a FROM t")
    assert result.sql == "SELECT COALESCE(a, 0) AS a FROM t;\n"
    assert result.ok
    assert result.rules_applied == ["SL1001"]
    assert result.target is Target.FLINK and result.mode is Mode.STREAMING
    [stmt] = result.statements
    assert stmt.index == 1 and stmt.line == 1 and stmt.source == "SELECT nvl(a, 0) AS a FROM t"
    # JSON-serializable for tools that embed shiftleft
    data = json.loads(result.model_dump_json())
    assert data["statements"][0]["rules_applied"] == ["SL1001"]


def test_multi_statement_script_keeps_order_lines_and_sources() -> None:
    script = "SELECT 1;\n\nSELECT nvl(a, b) FROM t;\n-- trailing comment\nSELECT 3"
    result = shiftleft.transpile(script)
    assert [s.index for s in result.statements] == [1, 2, 3]
    assert [s.line for s in result.statements] == [1, 3, 5]
    assert result.statements[1].source == "SELECT nvl(a, b) FROM t"
    assert result.sql.count(";\n") == 3


def test_empty_statements_are_skipped_and_empty_input_is_empty_output() -> None:
    assert shiftleft.transpile("SELECT 1;;  ;").sql == "SELECT 1;\n"
    assert shiftleft.transpile("").statements == []
    assert shiftleft.transpile("  -- only a comment\n").sql == ""


def test_output_is_reproducible() -> None:
    sql = "SELECT nvl(a, 0), arr[i], levenshtein(a, b) FROM t WHERE a != 'x'"
    first = shiftleft.transpile(sql).model_dump_json()
    assert all(shiftleft.transpile(sql).model_dump_json() == first for _ in range(3))


def test_diagnostics_have_positions_and_suggestions() -> None:
    result = shiftleft.transpile("SELECT a,\n       levenshtein(a, b) FROM t")
    [diag] = [d for d in result.diagnostics if d.rule_id == "SL9001"]
    assert diag.severity is Severity.ERROR
    assert (diag.statement, diag.line, diag.column) == (1, 2, 8)
    assert "LEVENSHTEIN" in diag.message and diag.suggestion
    assert not result.ok
    assert diag.format("m.sql").startswith("m.sql:2:8: error [SL9001]")


def test_unparsed_statement_is_reported_not_dropped() -> None:
    result = shiftleft.transpile("MSCK REPAIR TABLE t")
    assert "MSCK REPAIR TABLE t" in result.sql
    assert any(d.rule_id == "SL9003" for d in result.errors)


def test_comments_are_kept() -> None:
    result = shiftleft.transpile("-- revenue model\nSELECT a /* the key */ FROM t")
    assert "revenue model" in result.sql and "the key" in result.sql


@pytest.mark.parametrize("read", ["spark", "databricks", "hive", "duckdb", "snowflake", "spark2"])
def test_other_readers(read: str) -> None:
    result = shiftleft.transpile("SELECT COALESCE(a, 1) AS x FROM t WHERE b > 2", read=read)
    assert result.sql == "SELECT COALESCE(a, 1) AS x FROM t WHERE b > 2;\n"
    assert result.read == read


def test_targets_and_modes_accept_strings_and_enums() -> None:
    for target in ("flink", "confluent", Target.CONFLUENT):
        for mode in ("streaming", "BATCH", Mode.BATCH):
            result = shiftleft.transpile("SELECT 1", target=target, mode=mode)
            assert result.ok
            assert result.target is Target(target) and result.mode is Mode(mode.lower())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"read": "sparkk"}, "unknown read dialect 'sparkk'"),
        ({"target": "kafka"}, "unknown target 'kafka'"),
        ({"mode": "micro-batch"}, "unknown mode 'micro-batch'"),
        ({"disable": ["SL0000"]}, "cannot disable unknown rule 'SL0000'"),
        ({"schema": {"t": ["a"]}}, "schema must look like"),
    ],
)
def test_bad_configuration_is_a_config_error(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        shiftleft.transpile("SELECT 1", **kwargs)


def test_disable_by_id_or_name() -> None:
    for key in ("SL1001", "nvl-to-coalesce"):
        result = shiftleft.transpile("SELECT nvl(a, 0) FROM t", disable=[key])
        assert "SL1001" not in result.rules_applied


def test_pretty_output() -> None:
    result = shiftleft.transpile("SELECT a, b FROM t WHERE a > 1; SELECT 2", pretty=True)
    assert "\nFROM t\n" in result.sql and ";\n\nSELECT\n  2;\n" in result.sql


def test_input_error_is_a_shiftleft_error_with_location() -> None:
    with pytest.raises(InputError) as info:
        shiftleft.transpile("\nSELECT a FROM t WHERE")
    err = info.value
    assert isinstance(err, shiftleft.ShiftleftError)
    assert err.statement == 1 and err.line == 2 and err.hint and err.code == "SL0001"
    assert "statement 1, line 2" in str(err) and err.token == "WHERE"


def test_a_bad_statement_does_not_stop_the_others() -> None:
    result = shiftleft.transpile("SELECT nvl(a, 0) FROM t;\nSELECT a FROM t WHERE;\nhello world;\nSELECT b FROM u")
    assert [s.index for s in result.statements] == [1, 2, 3, 4]
    assert result.statements[0].sql == "SELECT COALESCE(a, 0) FROM t"
    assert result.statements[3].sql == "SELECT b FROM u"
    bad = result.statements[1]
    assert bad.sql.startswith("-- [SL0001] not translated") and all(
        line.startswith("--") for line in bad.sql.splitlines()
    )
    (d,) = bad.diagnostics
    assert (d.rule_id, d.severity, d.line, d.column) == ("SL0001", Severity.ERROR, 2, 17)
    assert [d.rule_id for d in result.statements[2].diagnostics] == ["SL0004"]
    assert not result.ok


def test_unterminated_string_points_at_its_start() -> None:
    result = shiftleft.transpile("SELECT 1;\nSELECT 'abc FROM t")
    assert result.statements[0].sql == "SELECT 1"
    (d,) = result.statements[1].diagnostics
    assert (d.rule_id, d.line, d.column) == ("SL0002", 2, 8)
    assert "unterminated string" in (d.suggestion or "")
    with pytest.raises(InputError) as info:  # nothing readable at all: the input is bad
        shiftleft.transpile("\n  SELECT 'abc FROM t")
    assert (info.value.line, info.value.column, info.value.code) == (2, 10, "SL0002")


def test_non_text_input() -> None:
    with pytest.raises(InputError, match="expected SQL text"):
        shiftleft.transpile(b"SELECT 1")  # type: ignore[arg-type]


def test_sqlglot_plugin_entry_point() -> None:
    import sqlglot

    assert sqlglot.transpile("SELECT a FROM t WHERE a != 1", read="spark", write="flink") == [
        "SELECT a FROM t WHERE a <> 1"
    ]


def test_import_is_lazy_and_exports_resolve() -> None:
    import subprocess
    import sys

    code = (
        "import sys, shiftleft;"
        "assert 'pydantic' not in sys.modules and 'lark' not in sys.modules, 'heavy imports at import time';"
        "import shiftleft.pipeline;"
        "assert callable(shiftleft.transpile);"
        "print(sorted(n for n in shiftleft.__all__ if not hasattr(shiftleft, n)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_event_time_declarations_reach_the_rules() -> None:
    from shiftleft.rewrite.context import RuleContext
    import sqlglot

    ctx = RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="spark", statement=1, event_time={"Orders": "ts"})
    tree = sqlglot.parse_one("SELECT o.ts, ts, o.x FROM orders AS o JOIN dim AS d ON o.k = d.k", read="spark")
    cols = list(tree.find_all(sqlglot.exp.Column))
    assert ctx.event_time_column("orders") == "ts"
    assert [ctx.is_event_time(c) for c in cols[:3]] == [True, True, False]
    with pytest.raises(ConfigError, match="event_time must look like"):
        shiftleft.transpile("SELECT 1", event_time={"t": 1})  # type: ignore[dict-item]


def test_a_generator_gap_printed_as_none_is_reported() -> None:
    """sqlglot's generators print Python's None for a template piece they were not given
    (Flink's generator printed ``SELECT * None (b)`` for ``* EXCEPT (b)``): such output is an
    error, while a name or a string spelled None is not."""
    from sqlglot import exp

    from shiftleft.generate import _printed_none

    tree = exp.select(exp.column("a")).from_("t")
    assert _printed_none(tree, "SELECT * None (b) FROM t")
    assert not _printed_none(exp.select(exp.column("None")).from_("t"), "SELECT None FROM t")
    result = shiftleft.transpile("SELECT `None`, 'None', None_1 FROM t")
    assert result.ok, result.diagnostics


def test_tablesample_is_reported() -> None:
    """Flink 2.3 parses TABLESAMPLE SYSTEM / BERNOULLI but cannot plan it (checked)."""
    result = shiftleft.transpile("SELECT a FROM t TABLESAMPLE (10 PERCENT)", read="spark")
    assert not result.ok
    assert "TABLESAMPLE" in result.errors[0].message


@pytest.mark.parametrize("operator", ["a & b", "a | b", "a ^ b", "~a", "a << 1", "a >> 1"])
def test_bitwise_operators_are_reported(operator: str) -> None:
    """Flink 2.3 has no bitwise operators (checked: '&' is a lexical error, '|' unexpected)."""
    result = shiftleft.transpile(f"SELECT {operator} FROM t", read="spark")
    assert not result.ok
    assert "bitwise" in result.errors[0].message


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT SAFE.PARSE_DATE('%Y%m%d', s) FROM t",
        "SELECT * FROM t WHERE s IN UNNEST(sarr)",
        "SELECT CAST(s AS BIGNUMERIC) FROM t",
        "SELECT ARRAY(SELECT x FROM UNNEST(arr) AS x) FROM t",
        "SELECT EXTRACT(ISOWEEK FROM d) FROM t",
    ],
)
def test_bigquery_constructs_flink_rejects_are_reported(sql: str) -> None:
    """Each of these came out as SQL the Flink 2.3 planner rejects, with no diagnostic
    (found by planning the output of common BigQuery idioms)."""
    assert not shiftleft.transpile(sql, read="bigquery").ok

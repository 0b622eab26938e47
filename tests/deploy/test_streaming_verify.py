"""``verify --streaming``: the migrated pipelines run on the real local cluster (the session's
one, from the apache-flink wheel) and every table's final state is compared with the table
the real dbt-duckdb builds from the same seeds."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from fakes import FakeDeployer
from hypothesis import given
from hypothesis import strategies as st

from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.cluster import LocalCluster
from shiftleft.deploy.compare_rows import compare_rows, normalize
from shiftleft.deploy.engine import _batches
from shiftleft.deploy.streaming_verify import Verdict, verify_streaming, window_over_updating

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from seeded_project import generate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# -- comparing rows (no engine) -------------------------------------------------------------


def test_values_normalize_alike_across_engines() -> None:
    assert normalize(Decimal("12.50")) == normalize(12.5) == normalize(12.499999999) == "12.50"
    assert normalize(3) == normalize(3.0) == normalize(Decimal("3.001")) == "3"
    assert normalize(dt.datetime(2024, 3, 1, 10, 0)) == normalize("2024-03-01 10:00:00") == "2024-03-01 10:00:00"
    assert normalize("2024-03-01T10:00:00.120Z") == normalize(dt.datetime(2024, 3, 1, 10, 0, 0, 120000))
    assert normalize(dt.date(2024, 3, 1)) == "2024-03-01" and normalize(True) is True and normalize(None) is None


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-10**6, 10**6)), max_size=30), st.randoms())
def test_compare_rows_is_a_multiset_comparison(rows: list[tuple[int, int]], rnd) -> None:
    left = [{"k": k, "v": v} for k, v in rows]
    right = [{"k": k, "v": Decimal(v)} for k, v in rows]
    rnd.shuffle(right)
    assert compare_rows(["k", "v"], left, right).equal
    if rows:
        changed = compare_rows(["k", "v"], left, right[1:] + [{"k": 99, "v": 1}], key=["k"])
        assert not changed.equal and changed.only_streaming == 1 and changed.only_dbt == 1
        assert changed.sample


def test_a_keyed_difference_names_the_columns() -> None:
    result = compare_rows(["k", "a", "b"], [{"k": 1, "a": 1, "b": 2}], [{"k": 1, "a": 1, "b": 3}], key=["k"])
    assert [d.columns for d in result.sample] == [["b"]]
    assert result.sample[0].format() == "key k=1: b streaming=2 dbt=3"


# -- known differences, level batches (no engine) -------------------------------------------


def test_window_over_an_updating_table_is_recognized(pipelines_copy: Path) -> None:
    # migrate no longer windows fct_orders (updating): it keeps the exact GROUP BY (SL4110)
    p = load_pipelines(pipelines_copy)
    assert all(window_over_updating(p, t) is None for t in p.tables)
    [dml] = pipelines_copy.rglob("dml.fct_daily_revenue.sql")
    dml.write_text(
        "INSERT INTO fct_daily_revenue SELECT window_start AS revenue_day, SUM(amount) AS paid "
        "FROM TABLE(TUMBLE(TABLE fct_orders, DESCRIPTOR(order_ts), INTERVAL '1' DAY)) "
        "GROUP BY window_start, window_end"
    )
    p = load_pipelines(pipelines_copy)
    why = window_over_updating(p, "fct_daily_revenue")
    assert why is not None and "TUMBLE" in why and "fct_orders" in why and "late" in why
    assert all(window_over_updating(p, t) is None for t in p.tables if t != "fct_daily_revenue")


def test_by_level_batches_keep_parents_first_and_skip_descendants_of_failures(pipelines_copy: Path) -> None:
    p = load_pipelines(pipelines_copy)
    plan = [x.table for batch in _batches(p, _plan(p), True) for x in batch]
    for name in plan:
        assert all(plan.index(parent) < plan.index(name) for parent in p.tables[name].parents)
    dml = pipelines_copy / "facts/shop/fct_orders/sql-scripts/dml.fct_orders.sql"
    dml.write_text(dml.read_text().replace("SELECT", "SELECT /* FAIL_ME */", 1))
    report = deploy(load_pipelines(pipelines_copy), FakeDeployer(), DeployOptions(by_level=True))
    failed = {o.table: o.error or "" for o in report.failed}
    assert "FAIL_ME" in failed["fct_orders"] and failed["fct_daily_revenue"].startswith("skipped: parent fct_orders")
    assert "int_customer_orders" not in failed


def _plan(p):  # type: ignore[no-untyped-def]
    from shiftleft.deploy.engine import plan_deploy

    return plan_deploy(p, {}, DeployOptions())


# -- on the real cluster, against the real dbt-duckdb ---------------------------------------


@pytest.mark.slow
def test_example_project_streams_to_dbt_duckdb_answer(cluster: LocalCluster, tmp_path: Path) -> None:
    report = verify_streaming(EXAMPLES / "dbt_shop", tmp_path / "out", cluster_url=cluster.url)
    verdicts = {t.table: t for t in report.tables}
    assert report.dbt_ok
    equal = {t for t, v in verdicts.items() if v.verdict is Verdict.EQUAL}
    # fct_daily_revenue buckets the updating fct_orders by day: migrate keeps the regular GROUP BY
    # (exact, SL4110) instead of a TUMBLE window, which dropped late updates
    assert {"fct_orders", "int_customer_orders", "dim_customers", "rpt_payment_methods", "customers_snapshot",
            "country_codes", "raw_orders", "raw_payments", "raw_customers", "fct_daily_revenue"} <= equal, (
        report.format()
    )
    others = {t: v.reason for t, v in verdicts.items() if v.verdict is Verdict.NOT_COMPARABLE}
    assert set(others) == {"stg_customers", "stg_orders", "stg_payments", "dim_customers_redacted",
                           "int_order_payments"}, others  # views and the ephemeral model
    assert report.unexplained == [] and report.ok


@pytest.mark.slow
def test_generated_50_model_project_streams_to_dbt_duckdb_answer(cluster: LocalCluster, tmp_path: Path) -> None:
    project = generate(tmp_path / "project", 50)
    report = verify_streaming(project, tmp_path / "out", cluster_url=cluster.url)
    verdicts = {t.table: t for t in report.tables}
    assert len(verdicts) == 53  # 50 models and 3 seeds
    differs = {t: v.format() for t, v in verdicts.items() if v.verdict is not Verdict.EQUAL and not t.startswith("stg_")}
    assert differs == {}, report.format()
    assert all(v.rows and v.rows.streaming_rows > 0 for t, v in verdicts.items() if not t.startswith("stg_"))


def test_cli_verify_streaming_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shiftleft.cli.app import main

    assert main(["verify", "--streaming", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "not a dbt project" in capsys.readouterr().err
    assert main(["verify", "--streaming", str(EXAMPLES / "dbt_shop")]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_a_failed_job_or_nothing_compared_is_not_ok() -> None:
    """Exit 1 unless some table was compared and no streaming job failed: a run whose
    tables are all "not comparable" verified nothing."""
    from shiftleft.deploy.streaming_verify import JOB_FAILED, StreamingReport, TableVerdict

    def verdict(name: str, kind: Verdict, reason: str = "") -> TableVerdict:
        return TableVerdict(table=name, verdict=kind, reason=reason)

    equal = verdict("a", Verdict.EQUAL)
    skipped = verdict("c", Verdict.NOT_COMPARABLE, "the streaming run did not run it: skipped: parent b failed")
    failed = verdict("b", Verdict.NOT_COMPARABLE, f"{JOB_FAILED}: DateTimeParseException")
    assert StreamingReport(project="p", out_dir="o", tables=[equal, skipped]).ok
    broken = StreamingReport(project="p", out_dir="o", tables=[equal, failed, skipped])
    assert not broken.ok and broken.failed_jobs == [failed]
    assert "1 streaming job(s) failed" in broken.format()
    nothing = StreamingReport(project="p", out_dir="o", tables=[skipped])
    assert not nothing.ok and "nothing was compared" in nothing.format()


def test_cli_verify_streaming_vars_must_be_a_mapping(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from shiftleft.cli.app import main

    argv = ["verify", "--streaming", str(EXAMPLES / "dbt_shop"), "--out", str(tmp_path), "--vars", "[1]"]
    assert main(argv) == 2
    assert "--vars expects a mapping" in capsys.readouterr().err


def test_a_blocked_or_skipped_table_is_no_failed_job() -> None:
    """The deploy outcome says why a table has no rows: blocked (the migration did not translate
    it), skipped (a parent's job failed), or its own job failed; only the last fails the run."""
    from shiftleft.deploy.duckdb_build import DbtBuild, DbtNode
    from shiftleft.deploy.engine import Action, DeployReport, TableOutcome
    from shiftleft.deploy.local import LocalRun
    from shiftleft.deploy.streaming_verify import JOB_FAILED, compare_table
    from shiftleft.migration.models import Layer, PipelineTable, Status

    table = PipelineTable(name="m", unique_id="model.p.m", resource_type="model", materialized="table",
                          layer=Layer.FACTS, product="p", status=Status.TRANSLATED, dml="INSERT INTO m SELECT 1")
    dbt = DbtBuild(project_dir="p", database="d", nodes={"model.p.m": DbtNode(unique_id="model.p.m", relation="r")})

    def reason(action: Action, state: str, error: str) -> str:
        outcome = TableOutcome(table="m", deployed_as="m", action=action, state=state, error=error)
        run = LocalRun(pipelines_dir="p", results_dir="r", report=DeployReport(target="local", plan=[], outcomes=[outcome]))
        return compare_table(table, run, {}, dbt).reason

    assert reason(Action.BLOCKED, "", "not translated").startswith("the migration did not translate it")
    assert reason(Action.CREATE, "SKIPPED", "skipped: parent a failed (x)").startswith("the streaming run did not run it")
    assert reason(Action.CREATE, "FAILED", "job x is FAILED").startswith(JOB_FAILED)

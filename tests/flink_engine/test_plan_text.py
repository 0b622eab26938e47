"""The reader of the planner's explain text (shiftleft.flink_engine.plan_text): the plans the
real Flink 2.3 planner prints, read back into operators, depths and changelog modes."""

from __future__ import annotations

import pytest

from shiftleft.flink_engine.plan_text import physical_plan

#: printed by the Flink 2.3 planner (EXPLAIN CHANGELOG_MODE of an INSERT; AST section cut)
_TOP1_UNDER_JOIN = """\
== Abstract Syntax Tree ==
LogicalSink(table=[default_catalog.default_database.sink_t], fields=[id, v])

== Optimized Physical Plan ==
Sink(table=[default_catalog.default_database.sink_t], fields=[id, v], changelogMode=[NONE])
+- Calc(select=[CAST(id AS BIGINT) AS id, CAST(v AS BIGINT) AS v], changelogMode=[I])
   +- Join(joinType=[InnerJoin], where=[=(id, id0)], select=[id, id0, v], leftInputSpec=[NoUniqueKey], rightInputSpec=[JoinKeyContainsUniqueKey], changelogMode=[I])
      :- Exchange(distribution=[hash[id]], changelogMode=[I])
      :  +- Calc(select=[id], changelogMode=[I])
      :     +- TableSourceScan(table=[[default_catalog, default_database, a, watermark=[-(ts, 5000:INTERVAL SECOND)], watermarkEmitStrategy=[on-periodic]]], fields=[id, k, v, s, ts], changelogMode=[I])
      +- Exchange(distribution=[hash[id]], changelogMode=[I])
         +- Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], partitionBy=[id], orderBy=[v ASC], select=[id, v], changelogMode=[I])
            +- Exchange(distribution=[hash[id]], changelogMode=[I])
               +- Calc(select=[id, v], changelogMode=[I])

== Optimized Execution Plan ==
Sink(table=[default_catalog.default_database.sink_t], fields=[id, v])
+- Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], partitionBy=[id], orderBy=[v ASC], select=[id, v])
"""


def test_operators_depths_fields_and_ancestors() -> None:
    plan = physical_plan(_TOP1_UNDER_JOIN)
    names = [op.operator for op in plan.operators]
    assert names == ["Sink", "Calc", "Join", "Exchange", "Calc", "TableSourceScan", "Exchange", "Rank", "Exchange", "Calc"]
    rank_at = names.index("Rank")
    rank = plan.operators[rank_at]
    assert rank.field("partitionBy") == "id" and rank.field("orderBy") == "v ASC" and rank.field("absent") == ""
    assert [a.operator for a in plan.ancestors(rank_at)] == ["Exchange", "Join", "Calc", "Sink"]
    assert plan.ancestors(0) == []
    assert plan.line(0).changelog_mode == ["NONE"] and plan.line(1).changelog_mode == ["I"]
    assert plan.line(len(plan.lines)) is None and plan.line(-1) is None
    # the section ends at the next header: the execution plan's Rank is not read
    assert names.count("Rank") == 1


def test_a_text_without_the_section_or_without_modes() -> None:
    assert physical_plan("== Abstract Syntax Tree ==\nLogicalValues(tuples=[[{ 1 }]])\n").lines == ()
    plain = physical_plan(_TOP1_UNDER_JOIN.replace(", changelogMode=[NONE]", "").replace(", changelogMode=[I]", ""))
    assert [op.changelog_mode for op in plain.operators] == [None] * 10


_DDL = """\
CREATE TABLE a (id BIGINT, k STRING, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH ('connector' = 'datagen');
CREATE TABLE b (id BIGINT, w STRING) WITH ('connector' = 'datagen');
"""
_QUERIES = [
    ("SELECT k, COUNT(*) AS c FROM a GROUP BY k", "k STRING, c BIGINT"),
    ("SELECT a.id, b.w FROM a JOIN b ON a.id = b.id", "id BIGINT, w STRING"),
    ("SELECT id, v FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY v) = 1", "id BIGINT, v BIGINT"),
    (
        "SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
        "GROUP BY window_start, window_end",
        "window_start TIMESTAMP(3), c BIGINT",
    ),
    ("SELECT id FROM a UNION ALL SELECT id FROM b", "id BIGINT"),
]


@pytest.mark.slow
@pytest.mark.flink
@pytest.mark.parametrize(("query", "columns"), _QUERIES)
def test_every_line_of_a_real_plan_is_an_operator_with_its_changelog(flink_planner, query, columns) -> None:  # type: ignore[no-untyped-def]
    """Plans the planner prints for INSERTs of several shapes: each line of the physical plan
    is read as an operator with a changelog mode, the Sink is the root (and the only operator
    without a parent), and a child is deeper than its parent."""
    session = flink_planner.session("streaming")
    ddl = session.plan(_DDL + f"CREATE TABLE s ({columns}) WITH ('connector' = 'blackhole');")
    assert ddl.ok, ddl
    report = session.plan(f"INSERT INTO s {query};", changelog=True)
    assert report.ok, report
    explained = report.statements[0].plan or ""
    plan = physical_plan(explained)
    lines = [line for line in plan.lines if line.text.strip()]
    assert lines and all(line.operator and line.changelog_mode for line in lines), explained
    operators = plan.operators
    assert operators[0].operator == "Sink" and operators[0].changelog_mode == ["NONE"]
    for index in range(1, len(operators)):
        parents = plan.ancestors(index)
        assert parents and parents[-1] is operators[0] and parents[0].depth < operators[index].depth

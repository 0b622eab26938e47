"""The planner's verdict on a statement's changelog, compared with the static derivation.

With the embedded Flink planner (``migrate --plan``, ``verify``), each INSERT's query (a
view's too) is explained with ``EXPLAIN CHANGELOG_MODE``: the changelog the sink receives
(``[I]``, ``[I,UB,UA,D]``...).  The same statement is derived statically over a catalog built
from the DDL planned before it (sources, views, sinks: what the planner sees).  When the two
differ, an SL4111 diagnostic names both verdicts; the planner's is the one the sink must
follow:

* derived insert-only, planner updating: **error** (an append sink would be refused, or lose
  the updates): the sink must be an upsert table on the query's key or a retract changelog;
* derived updating, planner insert-only: **info** (the derivation was conservative: an append
  sink would do; the updating sink written accepts the inserts too);
* the planner refuses the sink's primary key (the derived upsert key): **error**;
* the plan holds an insert-only Top-1 whose replaced rows are never retracted
  (:mod:`shiftleft.streaming.plan_traps`): **error** SL4112.

Only streaming plans carry changelog modes; batch statements get no verdict.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.derive.engine import derive, query_of
from shiftleft.derive.relation import Relation
from shiftleft.flink_engine.plan_text import PhysicalPlan, physical_plan
from shiftleft.models import Diagnostic, Severity
from shiftleft.streaming.catalog import ScriptCatalog
from shiftleft.streaming.plan_traps import stale_first_row

log = logging.getLogger(__name__)

VERDICT_ID = "SL4111"
STALE_ID = "SL4112"
_KEY_WORDS = ("primary key", "upsert key", "on conflict")


class PlannerChangelog(BaseModel):
    """What the planner says a query emits (``EXPLAIN CHANGELOG_MODE``)."""

    modes: list[str] = Field(default_factory=list, description="I, UB, UA, D")
    plan: str = Field(default="", description="the EXPLAIN text, for the plan traps")

    @property
    def updating(self) -> bool:
        return bool(set(self.modes) - {"I"})

    def describe(self) -> str:
        kind = "updating" if self.updating else "insert-only"
        return f"{kind} [{','.join(self.modes)}]"


def _plan_modes(text: str, plan: PhysicalPlan, depth: int) -> PlannerChangelog | None:
    """The changelog of the operator at ``depth`` below the root (0: the root) of ``plan``,
    the optimized physical plan of an explain ``text`` with ``ExplainDetail.CHANGELOG_MODE``."""
    line = plan.line(depth)
    modes = line.changelog_mode if line is not None else None
    return PlannerChangelog(modes=modes, plan=text) if modes is not None else None


def sink_input_changelog(insert_plan: str) -> PlannerChangelog | None:
    """What an INSERT's query emits into its sink, from the INSERT's explain with
    ``ExplainDetail.CHANGELOG_MODE`` (the line under the ``Sink``); None when not shown."""
    plan = physical_plan(insert_plan)
    root = plan.line(0)
    return _plan_modes(insert_plan, plan, 1) if root is not None and root.operator == "Sink" else None


class _Explainer:
    """``EXPLAIN CHANGELOG_MODE`` in a Java TableEnvironment (an SQL statement: no gateway)."""

    def __init__(self, env: Any) -> None:
        self.env = env

    def changelog(self, query_sql: str) -> PlannerChangelog | None:
        """The modes of the query's root operator, or None when the planner refuses it."""
        try:
            rows = self.env.executeSql(f"EXPLAIN CHANGELOG_MODE {query_sql}").collect()
            text = str(rows.next().getField(0)) if rows.hasNext() else ""
        except Exception:
            log.debug("no changelog verdict for %s", query_sql[:80], exc_info=True)
            return None
        return _plan_modes(text, physical_plan(text), 0)


def _parse(sql: str) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(sql, read="flink")
    except Exception:  # noqa: BLE001 - unreadable here: no static verdict
        return None


def _sink_mode(relation: Relation, primary_key: list[str]) -> str:
    if not relation.updating:
        return "insert-only (an append sink)"
    key = relation.best_key(primary_key or None)
    return f"updating ({'an upsert sink on ' + ', '.join(key) if key else 'a retract sink'}): {relation.reason}"


def compare(
    relation: Relation,
    planner: PlannerChangelog | None,
    *,
    primary_key: list[str] | None = None,
    sink_error: str | None = None,
    sink: str | None = None,
    view: bool = False,
) -> Diagnostic | None:
    """SL4111 when the planner's verdict differs from the derived ``relation`` (None: they
    agree, or the planner gave no verdict); SL4112 when the plan keeps replaced rows (not
    for a ``view``: its readers' plans hold it, with their sinks).  ``sink_error``: the planner's refusal of the sink;
    ``sink``: the changelog of the sink written (append / upsert / retract), when known: an
    updating sink takes the planner's updates, so a missed update is then a warning."""
    ours = _sink_mode(relation, list(primary_key or []))
    if sink_error and any(w in sink_error.lower() for w in _KEY_WORDS):
        return Diagnostic.of(
            VERDICT_ID,
            f"the Flink planner refuses the sink key {', '.join(primary_key or []) or '(none)'}: "
            f"{sink_error[:300]}; derivation: {ours}",
            severity=Severity.ERROR,
            suggestion="key the sink on the query's unique key (the planner's verdict wins for the sink)",
        )
    if planner is None:
        return None
    stale = None if view else stale_first_row(planner.plan, primary_key if sink == "upsert" else None)
    if stale is not None:
        return Diagnostic.of(
            STALE_ID,
            stale,
            severity=Severity.ERROR,
            suggestion="make the Top-1 its own model (an upsert table keyed on the partition) and read "
            "it from there, or order by an event-time attribute",
        )
    if planner.updating and not relation.updating:
        return Diagnostic.of(
            VERDICT_ID,
            f"the Flink planner says the query is {planner.describe()}, the derivation said {ours}: "
            "the sink must take updates (the planner's verdict wins for the sink)",
            severity=Severity.ERROR if sink in (None, "append") else Severity.WARNING,
            suggestion="write an upsert table keyed on the query's unique key, or a retract changelog sink "
            "(kafka + debezium-json); please report the query",
        )
    if relation.updating and not planner.updating:
        replaces = not view and stale_first_row(planner.plan) is not None
        return Diagnostic.of(
            VERDICT_ID,
            f"the Flink planner plans the query {planner.describe()}, the derivation said {ours}: "
            + (
                "its Top-1 sends a row taking first place as one more insert, so only the upsert sink "
                "keyed on the partition ends with the right rows (an append sink would keep replaced ones)"
                if replaces
                else "an append sink would do (the updating sink written accepts the inserts too)"
            ),
            severity=Severity.INFO,
        )
    return None


class StatementVerdicts:
    """Planner-vs-derivation verdicts of the statements planned in one environment, in order:
    :meth:`declare` each DDL the planner accepted, :meth:`check` each INSERT / view."""

    def __init__(self, env: Any) -> None:
        self._explainer = _Explainer(env)
        self.catalog = ScriptCatalog()

    def declare(self, ddl: str) -> None:
        tree = _parse(ddl)
        if tree is not None:
            self.catalog.register(tree)

    def check(
        self,
        statement: str,
        primary_key: list[str] | None = None,
        sink_error: str | None = None,
        sink: str | None = None,
        insert_plan: str | None = None,
    ) -> Diagnostic | None:
        """Compare the planner's changelog of ``statement``'s query (an INSERT's, a CREATE
        VIEW's, a query) with the derived one.

        ``insert_plan``: the planner's explain of the INSERT ``statement`` with
        ``ExplainDetail.CHANGELOG_MODE``, when the caller planned it so: when what its query
        emits into the sink agrees with the derivation (updating or not), the query is not
        explained again; otherwise (or without it) the query is explained alone, the verdict
        whose modes a diagnostic names.  Whether a query updates does not depend on its sink
        (the sink only decides whether update-befores are sent)."""
        tree = _parse(statement)
        if tree is None:
            return None
        query = query_of(tree)
        if not isinstance(query, exp.Query):
            return None
        relation = derive(query, self.catalog.relations)
        planner = sink_input_changelog(insert_plan) if insert_plan and not sink_error else None
        if planner is None or planner.updating != relation.updating:
            planner = self._explainer.changelog(query.sql("flink"))
        view = isinstance(tree, exp.Create) and str(tree.args.get("kind") or "").upper() == "VIEW"
        return compare(relation, planner, primary_key=primary_key, sink_error=sink_error, sink=sink, view=view)


def session_verdicts(session: Any) -> StatementVerdicts | None:
    """Verdicts in a streaming :class:`~shiftleft.flink_engine.planner.PlanSession`'s
    environment (None in batch mode, or before the session planned anything)."""
    env = getattr(session, "_env", None)
    if getattr(session, "mode", "") != "streaming" or env is None:
        return None
    return StatementVerdicts(env)


def script_verdicts(planner: Any, statements: list[Any], mode: str, prefix: list[str] | None = None) -> list[Diagnostic]:
    """SL4111 for each of ``statements`` (a script split by the planner's splitter: objects
    with ``index``, ``sql``, ``kind``, ``keywords``, ``line``), planned one by one in a fresh
    streaming session of ``planner`` after the ``prefix`` DDL, whose planner changelog differs
    from the derivation; each diagnostic carries its statement's index and line."""
    if mode != "streaming":
        return []
    session = planner.session("streaming")
    for ddl in prefix or []:
        session.plan(ddl.rstrip().rstrip(";") + ";\n")
    verdicts: StatementVerdicts | None = None
    out: list[Diagnostic] = []
    for st in statements:
        report = session.plan(st.sql.rstrip().rstrip(";") + ";\n")
        verdicts = verdicts or session_verdicts(session)
        if verdicts is None:
            continue
        found = None
        if st.kind in ("insert", "query") or (st.kind == "ddl" and "VIEW" in st.keywords[:4]):
            error = report.errors[0].message if report.errors and st.kind == "insert" else None
            found = verdicts.check(st.sql, sink_error=error)
        if st.kind == "ddl" and report.ok:
            verdicts.declare(st.sql)
        if found is not None:
            out.append(found.model_copy(update={"statement": st.index, "line": st.line}))
    return out

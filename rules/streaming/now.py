"""current_date() / current_timestamp() / now() / unix_timestamp(): per record in streaming."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext

_NOW_NAMES = {"NOW", "LOCALTIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_DATE"}


class NonDeterministicNow(Rule):
    """Spark evaluates ``current_date()``, ``current_timestamp()``, ``now()`` and
    ``unix_timestamp()`` (no argument) once per query: every row of a batch job sees the same
    instant.  Flink streaming evaluates them per record, at processing time: each row sees the
    wall clock of the moment it is processed, so results depend on when (and how fast, and
    whether replayed) the job runs, and filters such as ``ts > current_timestamp() - INTERVAL
    1 DAY`` never expire rows from state.

    Policy: the SQL is kept as it is (the Flink functions exist and the planner accepts them;
    there is no faithful rewrite, since "the time the batch ran" has no streaming meaning), and
    a warning explains the difference and the usual fix: compute with the event-time column,
    or let a watermark-based construct (window, interval join, state TTL) bound the data.
    """

    id = "SL4006"
    name = "non-deterministic-now"
    title = "current_date / current_timestamp / now / unix_timestamp() are per-record processing time"
    node_types = (exp.CurrentDate, exp.CurrentTimestamp, exp.Anonymous)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, current_date() AS today FROM t",
            after="SELECT a, CURRENT_DATE AS today FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT a FROM t WHERE ts > now() - INTERVAL 1 DAY",
            after="SELECT a FROM t WHERE ts > NOW() - INTERVAL '1' DAY",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, unix_timestamp() AS u FROM t",
            after="SELECT a, UNIX_TIMESTAMP() AS u FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, current_timestamp() AS c FROM t",
            after="SELECT a, CURRENT_TIMESTAMP AS c FROM t",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Anonymous):
            if str(node.name).upper() not in _NOW_NAMES or node.expressions:
                return None
            name = f"{str(node.name).lower()}()"
        elif isinstance(node, exp.CurrentTimestamp) and isinstance(node.parent, exp.StrToUnix):
            name = "unix_timestamp()"
        elif isinstance(node, exp.CurrentDate):
            name = "current_date()"
        else:
            name = "current_timestamp()"
        if node.args.get("this") is not None and not isinstance(node, exp.Anonymous):
            return None  # current_date('tz') and similar: not the plain "now"
        ctx.report(
            node.parent if name == "unix_timestamp()" and node.parent is not None else node,
            f"{name} is evaluated per record at processing time in Flink streaming (a batch job "
            "evaluates it once per query): results depend on when the job runs and differ on replay",
            severity=Severity.ERROR if ctx.streaming.now == "error" else Severity.WARNING,
            suggestion="compute with the event-time column instead (e.g. CAST(ts AS DATE)), or "
            "bound the data with a watermark-based construct (window TVF, interval join, state TTL) "
            "instead of comparing with the current time",
        )
        return None

"""A correlated subquery over rows written in the SQL: Flink 2.3 cannot plan it."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.constants import Constants, known_columns, reads_no_table
from shiftleft.tree import find_all, select_inputs


def _subquery_query(node: exp.Expr) -> tuple[exp.Query, bool] | None:
    """The query of a subquery expression (EXISTS, IN, scalar: whether it is a scalar
    subquery), not of a derived table; None for any other node."""
    if isinstance(node, exp.Exists) and isinstance(node.this, exp.Query):
        return node.this, False
    if isinstance(node, exp.In) and isinstance(node.args.get("query"), exp.Expr):
        query = node.args["query"]
        return (query.this if isinstance(query, exp.Subquery) else query), False
    if isinstance(node, exp.Subquery) and not isinstance(node.parent, (exp.From, exp.Join, exp.In, exp.Exists)):
        if isinstance(node.this, exp.Query) and not isinstance(node.parent, exp.SetOperation):
            return node.this, True
    return None


def _enclosing(query: exp.Query) -> exp.Select | None:
    node = query.parent
    while node is not None and not isinstance(node, exp.Select):
        node = node.parent
    return node


def _reads_constant_directly(select: exp.Select, constants: Constants) -> exp.Expr | None:
    """A source of ``select``'s own FROM / JOINs that reads no table, if there is one."""
    for s in select_inputs(select):
        if isinstance(s, exp.Table) and s.name.lower() in constants:
            return s
        if isinstance(s, (exp.Values, exp.Subquery)) and reads_no_table(s, constants):
            return s
    return None


def _constant_cte_names(root: exp.Expr, constants: Constants) -> dict[str, tuple[str, ...]]:
    """The CTEs of the statement that read no table (in order: a CTE may read an earlier one)."""
    known: dict[str, tuple[str, ...]] = dict(constants)
    for cte in find_all(root, exp.CTE):
        if reads_no_table(cte.this, known):
            known[cte.alias_or_name.lower()] = known_columns(cte, known)
    return known


class _Sources:
    """What the FROM clauses inside one subquery name: aliases, known columns, constant parts."""

    def __init__(self, query: exp.Query, constants: Constants, declared: Constants) -> None:
        self.names: set[str] = set()
        self.constant: exp.Expr | None = None  # the first constant source found
        self.known = {**declared, **constants}  # columns of the relations read
        self.constants = constants
        #: the SELECTs of the subquery (a column not found in its own nor in one around it,
        #: up to the subquery, is the enclosing query's)
        self.selects = {id(s) for s in find_all(query, exp.Select)}
        for cte in find_all(query, exp.CTE):
            self.names.add(cte.alias_or_name.lower())
            self.known[cte.alias_or_name.lower()] = known_columns(cte, self.known)
        for source in find_all(query, (exp.Table, exp.Values, exp.Subquery)):
            if isinstance(source, exp.Subquery) and not isinstance(source.parent, (exp.From, exp.Join)):
                continue
            self.names.update(n.lower() for n in (source.alias_or_name, source.name) if n)
            if isinstance(source, exp.Table) and source.name.lower() in constants:
                self.constant = self.constant or source
            elif not isinstance(source, exp.Table):
                inner = source.this if isinstance(source, exp.Subquery) else source
                if isinstance(inner, exp.Values) or (isinstance(inner, exp.Select) and inner.args.get("from_") is None):
                    self.constant = self.constant or source

    def _scope_columns(self, select: exp.Select) -> set[str] | None:
        """The columns ``select`` can read unqualified: its inputs' (a set operation's are its
        first branch's) and its own output names; None when an input's are not known."""
        columns = {p.alias_or_name.lower() for p in select.expressions if p.alias_or_name}
        if select.args.get("laterals"):
            return None
        for s in select_inputs(select):
            if isinstance(s, exp.Table):
                found = self.known.get(s.name.lower(), ())
            elif isinstance(s, (exp.Subquery, exp.Values)):
                found = known_columns(s, self.known)
            else:
                return None
            if not found:
                return None
            columns.update(found)
        return columns

    def _is_outer(self, column: exp.Column) -> bool:
        if column.is_star:
            return False
        if column.table:
            return column.table.lower() not in self.names
        scope = column.find_ancestor(exp.Select)
        while scope is not None and id(scope) in self.selects:
            columns = self._scope_columns(scope)
            if columns is None or column.name.lower() in columns:
                return False
            scope = scope.find_ancestor(exp.Select)
        return True

    def outer_column(self, query: exp.Query) -> exp.Column | None:
        """A column ``query`` reads from an enclosing query and relates to its own rows, when
        one is certain.  A condition on outer columns alone (``outer.x IS NULL``) is no
        correlation the planner has to undo: it filters the outer rows."""
        for column in find_all(query, exp.Column):
            if not self._is_outer(column):
                continue
            condition = column.parent
            while condition is not None and condition is not query and not isinstance(condition, exp.Predicate):
                condition = condition.parent
            if isinstance(condition, exp.Predicate) and all(self._is_outer(c) for c in find_all(condition, exp.Column)):
                continue
            return column
        return None


class CorrelatedConstantSubquery(Rule):
    """A correlated subquery (EXISTS, IN or a scalar subquery reading a column of the outer
    query) whose FROM reads rows written in the SQL: a ``VALUES`` list, a ``SELECT`` with no
    ``FROM``, or a view / CTE of the script built only from those.  Spark plans it; Flink 2.3's
    planner cannot decorrelate it and fails with "unexpected correlate variable $cor0 in the
    plan".  The same subquery over a table is planned (a semi / anti join or a join with an
    aggregate), so the statement is reported rather than translated into SQL Flink rejects."""

    id = "SL9215"
    name = "correlated-constant-subquery"
    title = "Correlated subquery over VALUES or a view of constant rows (Flink cannot decorrelate it)"
    phase = "check"
    node_types = (exp.Exists, exp.In, exp.Subquery)
    examples = (
        Example(
            before="SELECT * FROM t WHERE EXISTS (SELECT 1 FROM VALUES (1), (2) AS v(x) WHERE v.x = t.a)",
            after="SELECT * FROM t WHERE EXISTS(SELECT 1 FROM (VALUES (1), (2)) AS v(x) WHERE v.x = t.a)",
            diagnoses=True,
        ),
        Example(
            before="SELECT * FROM t WHERE a IN (SELECT x FROM VALUES (1), (2) AS v(x))",
            after="SELECT * FROM t WHERE a IN (SELECT x FROM (VALUES (1), (2)) AS v(x))",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        found = _subquery_query(node)
        if found is None:
            return None
        query, scalar = found
        root = node.root()
        key = (self.id, id(root))
        constants = ctx.memo.get(key)
        if constants is None:  # once per statement: the checks change no relation
            constants = ctx.memo[key] = _constant_cte_names(root, ctx.constant_relations)
        declared = {t.lower(): tuple(c.lower() for c in cols) for t, cols in ctx.schema.items()}
        sources = _Sources(query, constants, declared)
        outer_select = _enclosing(query)
        if scalar and sources.constant is None and outer_select is not None:
            # a scalar subquery also fails when the query it is correlated with reads constants
            sources.constant = _reads_constant_directly(outer_select, constants)
        if sources.constant is None:
            return None
        outer = sources.outer_column(query)
        if outer is None:
            return None
        ctx.report(
            query,
            f"this subquery reads {outer.sql()} of the enclosing query and rows written in the "
            f"SQL ({sources.constant.sql()[:60]}): Flink 2.3 cannot decorrelate such a "
            "subquery (\"unexpected correlate variable\")",
            severity=Severity.ERROR,
            suggestion="load the constant rows as a table, or write the subquery as a join "
            "with the VALUES (a GROUP BY for an aggregate, DISTINCT for EXISTS / IN)",
        )
        return None

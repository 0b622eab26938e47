"""Operands of a typed Flink query whose types Flink cannot bring together, found without the
planner: what the migration's static verdict must not leave to ``--plan``.

The query is typed by sqlglot over its tables' Flink types (a column the project does not
type is a STRING).  Only operands whose type is sure are judged: columns, literals, CASTs and
a few functions whose result type does not depend on the engine.  Each clash below was
checked on Flink 2.3 (both orders, INT / BIGINT / DECIMAL / DOUBLE, DATE / TIMESTAMP):

* ``=`` / ``<>`` / ``IS [NOT] DISTINCT FROM`` / ``NULLIF`` / a simple ``CASE x WHEN v``
  between a string and a number: "implicit type conversion between VARCHAR and INTEGER is
  not supported" (``<`` / ``>`` / ``BETWEEN`` / ``IN (list)`` are coerced and accepted);
* the same equalities between a string and a date, timestamp or boolean when Flink plans
  them as a join's condition (a JOIN's ON, ``= (scalar subquery)``, ``IN (subquery)``, a
  correlated subquery's WHERE): "... is not supported on join's condition now";
* any comparison of a DATE with a TIMESTAMP: "Cannot apply '=' to arguments of type
  '<DATE> = <TIMESTAMP(3)>'";
* branches of ``CASE`` / ``IF`` / ``COALESCE`` of two families (string, number, boolean,
  date, timestamp): "Illegal mixing of types in CASE or COALESCE statement" (COALESCE alone
  takes a DATE with a TIMESTAMP);
* columns of ``UNION`` / ``INTERSECT`` / ``EXCEPT`` branches mixing the same: "Type mismatch
  in column 1 of UNION ALL";
* ``LIKE`` over a non-string operand: "Cannot apply 'LIKE' to arguments of type ...";
* a CAST between a number or boolean and a date or timestamp (either way);
* an array function (ARRAY_CONTAINS, ARRAY_JOIN, CARDINALITY, ...) over a non-array;
* TIMESTAMPADD's amount that is not an integer, a TIMESTAMPADD / TIMESTAMPDIFF datetime that
  is not a DATE or TIMESTAMP;
* ``||`` / CONCAT / CONCAT_WS over a non-string.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlglot import exp

from shiftleft.migration.walked import Walked

_T = exp.DType
TEXT = frozenset({_T.TEXT, _T.VARCHAR, _T.CHAR, _T.NVARCHAR, _T.NCHAR})
NUMBER = frozenset(exp.DataType.NUMERIC_TYPES)
DATE = frozenset({_T.DATE, _T.DATE32})
TIMESTAMP = frozenset({_T.TIMESTAMP, _T.TIMESTAMPNTZ, _T.DATETIME, _T.TIMESTAMPLTZ, _T.TIMESTAMPTZ})
BOOLEAN = frozenset({_T.BOOLEAN})
#: functions whose Flink result type is the one sqlglot gives them, whatever the arguments
_SURE_FUNCTIONS = (
    exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Length,
    exp.Count, exp.CurrentDate, exp.CurrentTimestamp, exp.Max, exp.Min, exp.Nullif,
)  # fmt: skip


class Clash(NamedTuple):
    """Two operands Flink cannot bring together."""

    node: exp.Expr  #: the expression holding them (for its position)
    left: exp.Expr
    right: exp.Expr
    where: str  #: what holds them: "=", "CASE", "UNION ALL column 2", ...
    why: str  #: Flink's reason, in words


#: JSON read as text: Flink's JSON_VALUE / JSON_QUERY without RETURNING give a STRING
_JSON_TEXT = (exp.JSONExtract, exp.JSONExtractScalar)


def _family(node: exp.Expr) -> str | None:
    """The family (text, number, date, timestamp, boolean) of a sure-typed operand, else None."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Alias):
        node = node.this
    if isinstance(node, _JSON_TEXT) or (
        isinstance(node, exp.Anonymous) and node.name.upper() in ("JSON_VALUE", "JSON_QUERY")
    ):
        return "string"
    if isinstance(node, exp.Extract):
        return "number"  # a BIGINT in Flink
    if isinstance(node, exp.Coalesce):  # sure when its sure operands agree
        families = {_family(a) for a in (node.this, *node.expressions) if not isinstance(a, exp.Null)}
        return families.pop() if len(families) == 1 else None
    sure = isinstance(node, (exp.Column, exp.Literal, exp.Cast, exp.TryCast, exp.Boolean, *_SURE_FUNCTIONS))
    kind = node.type.this if sure and node.type is not None else None
    if kind is None:
        return None
    for name, kinds in (("string", TEXT), ("number", NUMBER), ("date", DATE), ("timestamp", TIMESTAMP),
                        ("boolean", BOOLEAN)):  # fmt: skip
        if kind in kinds:
            return name
    return None


def _branch_clash(families: list[str]) -> bool:
    """Whether Flink has no common type of the ``families`` of CASE branches / UNION columns:
    any two families (numbers of any kind have one; checked on Flink 2.3)."""
    return len(set(families)) > 1


_COMPARISONS = (exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_SYMBOLS = {"eq": "=", "neq": "<>", "nullsafeeq": "IS NOT DISTINCT FROM", "nullsafeneq": "IS DISTINCT FROM",
            "gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "nullif": "NULLIF"}  # fmt: skip


def _comparison_clash(
    left: exp.Expr,
    right: exp.Expr,
    families: tuple[str | None, str | None],
    equality: bool,
    joined: bool,
    subquery: bool = False,
) -> str | None:
    """Why Flink rejects comparing ``left`` with ``right`` (of ``families``), None if it does
    not.  ``equality``: = / <> / IS [NOT] DISTINCT FROM / NULLIF (not < / > / IN (list) /
    BETWEEN); ``joined``: planned as a join's condition (a JOIN's ON, an equality with a scalar
    subquery, IN (subquery), a correlated subquery's equality); ``subquery``: the key pairs a
    value with a subquery's column, where a string literal is no exception (``'x' IN (SELECT d
    ...)`` and ``d = (SELECT 'x' ...)`` are rejected; ``ON t.d = 'x'`` is a filter).  Checked
    on Flink 2.3 for every pair of string, INT, DOUBLE, DATE, TIMESTAMP and BOOLEAN columns and
    literals."""
    pair = set(families)
    if None in pair or len(pair) == 1:
        return None
    if "string" not in pair:
        return f"Flink does not compare a {families[0]} with a {families[1]}"
    other = (pair - {"string"}).pop()
    text = left if families[0] == "string" else right
    if equality and other == "number":
        return "Flink has no implicit conversion between a string and a number"
    if equality and joined and (subquery or not isinstance(text, exp.Literal)):
        return f"Flink has no implicit conversion between a string and a {other} in a join's condition"
    return None


def _scalar(node: exp.Expr) -> exp.Expr | None:
    """The one projection of a scalar subquery ``node``, else None."""
    while isinstance(node, exp.Paren):
        node = node.this
    inner = node.this if isinstance(node, exp.Subquery) else None
    if isinstance(inner, exp.Select) and len(inner.expressions) == 1:
        return inner.expressions[0]
    return None


def _joined(node: exp.Expr) -> bool:
    """Whether comparison ``node`` is an equi-join key when Flink plans it: an ``=`` (or ``IS
    NOT DISTINCT FROM``) among the ANDed conditions of a JOIN's ON, or of the WHERE of a
    subquery it correlates with its outer query (``<>`` and ORed conditions are not keys)."""
    if not isinstance(node, (exp.EQ, exp.NullSafeEQ)):
        return False
    holder = node.parent
    while isinstance(holder, (exp.And, exp.Paren)):
        holder = holder.parent
    if isinstance(holder, exp.Join):
        return True
    select = holder.parent if isinstance(holder, exp.Where) else None
    if not isinstance(select, exp.Select) or not isinstance(select.parent, (exp.Subquery, exp.Exists, exp.In)):
        return False
    own = {s.alias_or_name.lower() for s in select.find_all(exp.Table) if s.find_ancestor(exp.Select) is select}
    return any(
        isinstance(c, exp.Column) and c.table and c.table.lower() not in own for c in (node.this, node.expression)
    )


def _equalities(nodes: Walked) -> list[Clash]:
    found = []
    for node in nodes.of(*_COMPARISONS, exp.Nullif):
        left, right = node.this, node.expression
        equality = not isinstance(node, (exp.GT, exp.GTE, exp.LT, exp.LTE))
        joined, subquery = _joined(node), False
        sides = [left, right]
        for k, side in enumerate((left, right)):
            projection = _scalar(side)
            if projection is not None:
                # `= (scalar subquery)` is planned as a join on that key; `IS NOT DISTINCT FROM
                # (scalar subquery)` is not (the planner accepts a DATE with a STRING there)
                sides[k], joined, subquery = projection, isinstance(node, exp.EQ), True
        families = (_family(sides[0]), _family(sides[1]))
        why = _comparison_clash(sides[0], sides[1], families, equality, joined, subquery)
        if why is not None:
            found.append(Clash(node, left, right, _SYMBOLS[node.key], why))
    for case in nodes.of(exp.Case):
        subject = case.this
        for branch in case.args.get("ifs") or [] if subject is not None else []:
            why = _comparison_clash(subject, branch.this, (_family(subject), _family(branch.this)), True, False)
            if why is not None:
                found.append(Clash(case, subject, branch.this, "CASE ... WHEN", why))
    for node in nodes.of(exp.In, exp.Between):
        projection = _scalar(node.args.get("query") or exp.Null()) if isinstance(node, exp.In) else None
        others: list[exp.Expr | None]
        if projection is not None:
            others, equality, where = [projection], True, "IN (subquery)"
        elif isinstance(node, exp.In):
            others, equality, where = list(node.expressions), False, "IN"
        else:
            others, equality, where = [node.args.get("low"), node.args.get("high")], False, "BETWEEN"
        for other in others:
            if not isinstance(other, exp.Expr):
                continue
            families = (_family(node.this), _family(other))
            why = _comparison_clash(node.this, other, families, equality, equality, projection is not None)
            if why is not None:
                found.append(Clash(node, node.this, other, where, why))
                break
    return found


def _branches(nodes: Walked) -> list[Clash]:
    found = []
    for node in nodes.of(exp.Case, exp.If, exp.Coalesce):
        if isinstance(node, exp.If) and isinstance(node.parent, exp.Case):
            continue  # a WHEN of a CASE: judged with its CASE
        if isinstance(node, exp.Case):
            values = [b.args.get("true") for b in node.args.get("ifs") or []] + [node.args.get("default")]
            where = "CASE"
        elif isinstance(node, exp.If):
            values, where = [node.args.get("true"), node.args.get("false")], "IF"
        else:
            values, where = [node.this, *node.expressions], "COALESCE"
        typed = [(v, f) for v in values if isinstance(v, exp.Expr) and (f := _family(v)) is not None]
        families = {f for _, f in typed}
        if where == "COALESCE" and families == {"date", "timestamp"}:
            continue  # COALESCE (a function, not CASE) widens a DATE to a TIMESTAMP (checked)
        if _branch_clash([f for _, f in typed]):
            first = typed[0]
            other = next(t for t in typed if t[1] != first[1])
            found.append(Clash(node, first[0], other[0], where, "Flink has no common type of its branches"))
    return found


def _set_operations(nodes: Walked) -> list[Clash]:
    found = []
    for node in nodes.of(exp.SetOperation):
        sides = [_projections(node.left), _projections(node.right)]
        if any(side is None for side in sides) or len(sides[0] or []) != len(sides[1] or []):
            continue
        for k, (left, right) in enumerate(zip(sides[0] or [], sides[1] or []), start=1):
            families = [f for f in (_family(left), _family(right)) if f is not None]
            if len(families) == 2 and _branch_clash(families):
                name = f"{node.key.upper()}{' ALL' if not node.args.get('distinct') else ''}"
                found.append(Clash(node, left, right, f"column {k} of {name}", "Flink has no common type of the branches' columns"))
    return found


def _projections(query: exp.Expr) -> list[exp.Expr] | None:
    """The projections of a set operation's branch (its first SELECT's), None if it has a star."""
    while isinstance(query, exp.Subquery):
        query = query.this
    while isinstance(query, exp.SetOperation):
        query = query.left
    if not isinstance(query, exp.Select):
        return None
    if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)) for p in query.expressions):
        return None
    return list(query.expressions)


def _likes(nodes: Walked) -> list[Clash]:
    found = []
    for node in nodes.of(exp.Like, exp.ILike):
        for side in (node.this, node.expression):
            family = _family(side)
            if family is not None and family != "string":
                found.append(Clash(node, side, side, "LIKE", f"Flink's LIKE takes strings, not a {family}"))
                break
    return found


def _type_family(kind: exp.DataType) -> str | None:
    return _family(exp.Cast(this=exp.null(), to=kind, _type=kind))


def _casts(nodes: Walked) -> list[Clash]:
    """CASTs between a number or boolean and a date or timestamp, either way: "The cast from
    NUMERIC type to TIMESTAMP type is not allowed" (TRY_CAST too; checked on Flink 2.3)."""
    found = []
    for node in nodes.of(exp.Cast, exp.TryCast):
        source = _family(node.this)
        target = _type_family(node.to)
        if {source, target} & {"date", "timestamp"} and {source, target} & {"number", "boolean"}:
            why = f"Flink does not cast a {source} to a {target}"
            found.append(Clash(node, node.this, node.this, f"CAST AS {node.to.sql('flink')}", why))
    return found


#: Flink functions whose first argument is an array (CARDINALITY: or a map), by sqlglot node
_ARRAY_FUNCTIONS = (
    exp.ArrayContains, exp.ArrayToString, exp.ArrayDistinct, exp.ArrayPosition, exp.ArraySlice,
    exp.ArrayConcat, exp.ArrayMax, exp.ArrayMin, exp.ArrayReverse, exp.ArraySort, exp.ArrayRemove,
    exp.ArrayExcept, exp.ArrayIntersect, exp.ArraySize,
)  # fmt: skip
#: ... and by name, where sqlglot reads them as anonymous calls
_ARRAY_NAMES = frozenset({"CARDINALITY", "ELEMENT", "ARRAY_UNION"})


def _arrays(nodes: Walked) -> list[Clash]:
    """Array functions given a string, number, date, timestamp or boolean where the array goes
    (a semi-structured column the project does not type is a STRING): "Invalid function
    call: ARRAY_CONTAINS(STRING, ...)" (checked on Flink 2.3)."""
    found = []
    for node in nodes.of(exp.Func):
        if isinstance(node, exp.Anonymous):
            name = node.name.upper()
            first = node.expressions[0] if name in _ARRAY_NAMES and node.expressions else None
        else:
            first = node.this if isinstance(node, _ARRAY_FUNCTIONS) else None
            name = ""
        family = _family(first) if isinstance(first, exp.Expr) else None
        if first is not None and family is not None:
            name = name or node.sql("flink").split("(")[0]  # its Flink name (ARRAY_JOIN)
            why = f"Flink's {name} takes an array, not a {family}"
            found.append(Clash(node, first, first, name, why))
    return found


_INTEGERS = frozenset(exp.DataType.INTEGER_TYPES)


def _datetime_arguments(nodes: Walked) -> list[Clash]:
    """TIMESTAMPADD's amount that is not an integer, and TIMESTAMPADD / TIMESTAMPDIFF's
    datetimes that are not a DATE or TIMESTAMP (a string too, literal or not): "Cannot apply
    'TIMESTAMPADD' to arguments of type ... Supported form(s): 'TIMESTAMPADD(<ANY>, <INTEGER>,
    <DATETIME>)'" (checked on Flink 2.3)."""
    found = []
    for node in nodes.of(exp.TimestampAdd, exp.TimestampDiff, exp.Anonymous):
        if isinstance(node, exp.Anonymous):
            name = node.name.upper()
            if name not in ("TIMESTAMPADD", "TIMESTAMPDIFF") or len(node.expressions) != 3:
                continue
            first, second = node.expressions[1], node.expressions[2]
        else:
            name = "TIMESTAMPADD" if isinstance(node, exp.TimestampAdd) else "TIMESTAMPDIFF"
            first, second = node.expression, node.this
        if name == "TIMESTAMPADD":
            amount = _family(first)
            if amount is not None and (amount != "number" or first.type.this not in _INTEGERS):
                found.append(Clash(node, first, first, name, f"its amount must be an integer, not {first.type.sql('flink')}"))
            datetimes = [second]
        else:
            datetimes = [first, second]
        for value in datetimes:
            family = _family(value)
            if family is not None and family not in ("date", "timestamp"):
                found.append(Clash(node, value, value, name, f"it takes a DATE or TIMESTAMP, not a {family}"))
                break
    return found


def _concatenations(nodes: Walked) -> list[Clash]:
    """``||``, CONCAT and CONCAT_WS over a number, date, timestamp or boolean: Flink's take
    strings only ("Cannot apply '||' to arguments of type '<DECIMAL(38, 0)> || <CHAR(1)>'")."""
    found = []
    for node in nodes.of(exp.DPipe, exp.Concat, exp.ConcatWs):
        operands = [node.this, node.expression] if isinstance(node, exp.DPipe) else list(node.expressions)
        for operand in operands:
            family = _family(operand) if isinstance(operand, exp.Expr) else None
            if family is not None and family != "string":
                name = {"dpipe": "||", "concat": "CONCAT", "concatws": "CONCAT_WS"}[node.key]
                found.append(Clash(node, operand, operand, name, f"Flink concatenates strings only, not a {family}"))
                break
    return found


#: the node kinds the checks look for (:class:`Walked` groups)
KINDS = (
    (*_COMPARISONS, exp.Nullif), (exp.Case,), (exp.In, exp.Between), (exp.Case, exp.If, exp.Coalesce),
    (exp.SetOperation,), (exp.Like, exp.ILike), (exp.Cast, exp.TryCast), (exp.Func,),
    (exp.TimestampAdd, exp.TimestampDiff, exp.Anonymous), (exp.DPipe, exp.Concat, exp.ConcatWs),
)  # fmt: skip


def type_clashes(tree: exp.Expr, walked: Walked | None = None) -> list[Clash]:
    """The clashes of the typed query ``tree`` (see the module's docstring).  ``walked``: the
    tree walked already, with at least the groups :data:`KINDS` (else it is walked here, once
    for every check)."""
    nodes = walked or Walked(tree, KINDS)
    return [
        *_equalities(nodes), *_branches(nodes), *_set_operations(nodes), *_likes(nodes), *_casts(nodes),
        *_arrays(nodes), *_datetime_arguments(nodes), *_concatenations(nodes),
    ]  # fmt: skip

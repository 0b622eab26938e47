"""Shapes the Flink generator writes differently from sqlglot's defaults, or cannot write at all,
each found as output the Flink 2.3 planner could not parse or accept (gitlab's models):

* a ROW type whose fields have no names, or repeated ones (the type of ``ROW(s, s)``);
* Snowflake ``TO_ARRAY(x)``: sqlglot's ``IF(x IS NULL, NULL, ARRAY[x])`` is "Illegal use of
  'NULL'" in Flink;
* a CTE holding no query (``WITH c AS (1)``: a macro's placeholder when its statement returned
  no rows), a CTE reading itself beside an anchor (Snowflake recursion without RECURSIVE), ``SELECT *``
  without FROM: no Flink form, reported by the generator.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp


def row_type_fields(fields: list[exp.Expr], sql: Callable[[exp.Expr], str]) -> str:
    """The fields of a Flink ``ROW<...>`` type.  The type of ``ROW(a, b)`` has fields without
    names, or named after the columns (``ROW(s, s)``: twice ``s``); Flink's ROW type needs
    unique names, and ``ROW(...)`` names them ``EXPR$0``, ``EXPR$1``... (a sink's field names
    need not match the query's: checked on Flink 2.3)."""
    names = [f.name.lower() for f in fields if isinstance(f, exp.ColumnDef)]
    if len(names) == len(fields) and len(set(names)) == len(names):
        return ", ".join(f"{sql(f.this)} {sql(f.args['kind'])}" for f in fields)
    return ", ".join(f"`EXPR${k}` {sql(f.args.get('kind') or f)}" for k, f in enumerate(fields))


def to_array(expression: exp.ToArray) -> exp.Expr:
    """Snowflake ``TO_ARRAY(x)``: NULL for NULL, else ``[x]`` (an ARRAY is itself), as a CASE
    without ELSE, which Flink types by its THEN."""
    arg = expression.this
    if arg.is_type(exp.DType.ARRAY):
        return arg
    when = exp.If(this=exp.Not(this=arg.is_(exp.null())), true=exp.array(arg))  # a copy: the tree keeps arg
    return exp.Paren(this=exp.Case(ifs=[when]))


def cte_problems(cte: exp.CTE) -> list[str]:
    """Why Flink cannot take ``cte``: it holds no query, or it reads itself."""
    name = cte.alias_or_name
    if not isinstance(cte.this, exp.Query):
        return [f"the CTE {name} holds no query ({cte.this.sql()[:40]})"]
    if _recursive(cte.this, name.lower()):
        return [f"the CTE {name} reads itself (a recursive CTE): Flink SQL has no recursion"]
    return []


def _recursive(body: exp.Query, name: str) -> bool:
    """A recursive CTE's shape: a set operation with a branch that reads ``name`` and one
    that does not (the anchor).  ``WITH x AS (SELECT * FROM x)`` alone is no recursion in
    Flink: the body reads the catalog's table ``x`` (a dbt model naming its CTE after the
    relation it selects from; the planner accepts it)."""
    if not isinstance(body, exp.SetOperation):
        return False
    branches: list[exp.Expr] = []
    stack: list[exp.Expr] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.SetOperation):
            stack.extend((node.left, node.right))
        else:
            branches.append(node)
    reads = [any(t.name.lower() == name and not t.db for t in b.find_all(exp.Table)) for b in branches]
    return any(reads) and not all(reads)


def star_without_from(star: exp.Star) -> bool:
    """True for the ``*`` of a SELECT without FROM (Flink: "SELECT * requires a FROM clause")."""
    return isinstance(star.parent, exp.Select) and not star.parent.args.get("from_")

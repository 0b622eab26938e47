"""TypedQuery validates and types the qualified query over one traversal of its scopes: what
it finds is what sqlglot's own ``validate_qualify_columns`` then ``annotate_types`` (each
traversing the scopes again) find, error messages and every node's type alike, on the
repository's dbt-style models and on generated queries with missing, ambiguous and typed
columns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.qualify_columns import validate_qualify_columns

import shiftleft
from shiftleft.models import Mode, Target
from shiftleft.parse import parse_script
from shiftleft.rewrite import RuleContext
from shiftleft.streaming.typed_query import TypedQuery, _flink_schema, _TypingSchema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = {
    "a": {"id": "INT", "k": "STRING", "v": "DOUBLE", "ts": "TIMESTAMP(3)"},
    "b": {"id": "BIGINT", "k": "STRING", "w": "DECIMAL(10, 2)"},
}


def _ctx(schema: dict[str, dict[str, str]]) -> RuleContext:
    return RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="flink", statement=1, schema=schema)


def _reference(query: exp.Expr, ctx: RuleContext) -> tuple[str | None, str | None, list[str]]:
    """(validation error, typing error, every node's type) as sqlglot's own passes give them."""
    copy = query.copy()
    for count in copy.find_all(exp.Count):
        count.set("big_int", True)
    schema = _flink_schema(ctx)
    typing_schema = _TypingSchema(dict(schema) if schema else None, dialect="flink")
    copy = qualify(copy, schema=typing_schema, dialect="flink", validate_qualify_columns=False, quote_identifiers=False)
    invalid = annotated = None
    try:
        validate_qualify_columns(copy)
    except Exception as e:  # noqa: BLE001 - compared
        invalid = f"{type(e).__name__}: {e}"
    try:
        annotate_types(copy, schema=typing_schema, dialect="flink")
    except Exception as e:  # noqa: BLE001 - compared
        annotated = f"{type(e).__name__}: {e}"
    return invalid, annotated, _types(copy)


def _types(tree: exp.Expr) -> list[str]:
    return [f"{type(n).__name__}:{n.type.sql('flink') if n.type else None}" for n in tree.walk()]


def _same(query: exp.Expr, schema: dict[str, dict[str, str]]) -> bool:
    """Whether the query could be qualified (then compared), else nothing is validated."""
    ctx = _ctx(schema)
    typed = TypedQuery(query, ctx, validate=True)
    assert not typed.windowed
    if typed.qualify_error is not None:
        return False
    error = typed.validate_error
    mine = (
        f"{type(error).__name__}: {error}" if error else None,
        f"{type(typed.annotate_error).__name__}: {typed.annotate_error}" if typed.annotate_error else None,
        _types(typed.tree),
    )
    assert mine == _reference(query, ctx)
    return True


@cache
def _flink_queries() -> list[exp.Expr]:
    found = []
    for path in sorted((ROOT / "benchmarks" / "corpus" / "dbt_models").glob("*.sql")):
        text = shiftleft.transpile(path.read_text(), read="spark").statements[0].sql
        found.append(parse_script(text, "flink")[0].tree)
    return found


@pytest.mark.parametrize("index", range(len(_flink_queries())))
def test_models_validate_and_type_as_sqlglot(index: int) -> None:
    query = _flink_queries()[index]
    # the models' tables, each with the columns the model names (typed), and without any
    tables = {t.name for t in query.find_all(exp.Table)}
    names = {c.name for c in query.find_all(exp.Column)}
    assert _same(query, {t: {n: "INT" if len(n) % 2 else "STRING" for n in sorted(names)} for t in tables})
    _same(query, {})


_COLUMNS = ["id", "k", "v", "w", "ts", "nope", "a.id", "b.id", "a.k", "b.w", "b.nope"]
_EXPRS = st.sampled_from(_COLUMNS).flatmap(
    lambda c: st.sampled_from(
        [c, f"{c} + 1", f"COUNT({c})", f"SUM({c})", f"CASE WHEN {c} IS NULL THEN 0 ELSE 1 END", f"CAST({c} AS STRING)"]
    )
)


@st.composite
def _queries(draw: st.DrawFn) -> str:
    items = draw(st.lists(_EXPRS, min_size=1, max_size=4))
    select = ", ".join(f"{e} AS c{i}" for i, e in enumerate(items))
    source = draw(
        st.sampled_from(
            ["a", "a JOIN b ON a.id = b.id", "(SELECT id, k, v FROM a) AS a", "a, b"]
        )
    )
    query = f"SELECT {select} FROM {source}"
    if draw(st.booleans()):
        query = f"WITH q AS ({query}) SELECT * FROM q"
    return query


@settings(max_examples=60, deadline=None)
@given(_queries())
def test_generated_queries_validate_and_type_as_sqlglot(sql: str) -> None:
    _same(parse_script(sql, "flink")[0].tree, SCHEMA)  # a column of no table: qualify refuses it


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT nope FROM a",
        "SELECT id FROM a JOIN b ON a.id = b.id",
        "SELECT x.nope FROM a",
        "SELECT k FROM a WHERE id IN (SELECT id FROM b WHERE nope = 1)",
        "SELECT (SELECT nope FROM b) AS s FROM a",
        "SELECT k FROM a JOIN u ON a.id = u.id WHERE zz > 1",
        "SELECT a.k, COUNT(*) AS n, SUM(b.w) AS s FROM a JOIN b ON a.id = b.id GROUP BY a.k",
    ],
)
def test_columns_no_source_has_are_refused_as_sqlglot_says(sql: str) -> None:
    """sqlglot's message, its line and column (the migration's SL5010 reads them), and the
    types, for unknown columns, ambiguous ones, in subqueries, and none."""
    query = parse_script(sql, "flink")[0].tree
    assert _same(query, SCHEMA)
    error = TypedQuery(query, _ctx(SCHEMA), validate=True).validate_error
    assert (error is None) == ("GROUP BY" in sql)
    assert error is None or ("could not be resolved" in str(error) and "Line: 1, Col: " in str(error))

"""Property tests: for random Flink ASTs, generate -> parse -> generate is a fixed point."""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shiftleft.dialects.flink_catalog import FLINK_RESERVED_WORDS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLAIN_NAMES = st.sampled_from(["a", "b", "price", "user_id", "ts", "k2", "Amount", "_x"])
RESERVED_NAMES = st.sampled_from(
    sorted(w.lower() for w in FLINK_RESERVED_WORDS if w.isidentifier())[:200]
)
ODD_NAMES = st.sampled_from(["my col", "a-b", "1st", "ünï", "x.y"])
NAMES = st.one_of(PLAIN_NAMES, RESERVED_NAMES, ODD_NAMES)

TYPES = st.sampled_from(
    [
        "STRING",
        "VARCHAR(20)",
        "CHAR(3)",
        "BOOLEAN",
        "TINYINT",
        "SMALLINT",
        "INT",
        "BIGINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL(10, 2)",
        "DATE",
        "TIME(3)",
        "TIMESTAMP(3)",
        "TIMESTAMP_LTZ(3)",
        "BYTES",
        "ARRAY<INT>",
        "MAP<STRING, BIGINT>",
        "ROW<x INT, y STRING>",
        "MULTISET<STRING>",
    ]
)

FUNCTIONS = st.sampled_from(
    [
        ("UPPER", 1),
        ("LOWER", 1),
        ("CHAR_LENGTH", 1),
        ("ABS", 1),
        ("MD5", 1),
        ("CARDINALITY", 1),
        ("COALESCE", 2),
        ("CONCAT", 2),
        ("CONCAT_WS", 3),
        ("NULLIF", 2),
        ("IFNULL", 2),
        ("IF", 3),
        ("REGEXP", 2),
        ("REGEXP_EXTRACT", 3),
        ("SPLIT_INDEX", 3),
        ("DATE_FORMAT", 2),
        ("SUBSTR", 3),
        ("LOCATE", 2),
        ("ROUND", 2),
        ("MOD", 2),
        ("GREATEST", 2),
        ("JSON_VALUE", 2),
        ("REPLACE", 3),
        ("LPAD", 3),
        ("SHA256", 1),
        ("TO_TIMESTAMP_LTZ", 2),
    ]
)


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(exp.to_identifier(name), table=exp.to_identifier(table) if table else None)


leaves = st.one_of(
    st.builds(column, NAMES),
    st.builds(column, PLAIN_NAMES, PLAIN_NAMES),
    st.integers(min_value=0, max_value=10**6).map(exp.Literal.number),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False).map(
        lambda d: exp.Literal.number(str(d))
    ),
    st.text(alphabet="abc '%_\"\\é", max_size=8).map(exp.Literal.string),
    st.sampled_from([exp.true(), exp.false(), exp.null()]),
)


def _func(spec: tuple[str, int], args: list[exp.Expr]) -> exp.Expr:
    name, arity = spec
    args = (args * arity)[:arity]
    if name == "DATE_FORMAT":
        args[1] = exp.Literal.string("yyyy-MM-dd HH:mm")
    return sqlglot.parse_one(f"{name}({', '.join(a.sql('flink') for a in args)})", read="flink")


def _wrap(node: exp.Expr) -> exp.Expr:
    # Operands that are themselves operators get explicit parentheses, as a parser would
    # produce for text that spells out the intended grouping.
    if isinstance(node, (exp.Binary, exp.Predicate, exp.Not, exp.Neg, exp.Between, exp.In)):
        return exp.paren(node, copy=False)
    return node


def _op(op: type[exp.Expr], a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return op(this=_wrap(a), expression=_wrap(b))


def _extend(children: st.SearchStrategy[exp.Expr]) -> st.SearchStrategy[exp.Expr]:
    binary = st.sampled_from([exp.Add, exp.Sub, exp.Mul, exp.Div, exp.DPipe])
    compare = st.sampled_from([exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeNEQ])
    logic = st.sampled_from([exp.And, exp.Or])
    return st.one_of(
        st.builds(_op, binary, children, children),
        st.builds(_op, compare, children, children),
        st.builds(_op, logic, children, children),
        st.builds(lambda a: exp.Not(this=_wrap(a)), children),
        st.builds(lambda a: exp.Paren(this=a), children),
        st.builds(lambda a: exp.Neg(this=_wrap(a)), children),
        st.builds(lambda a: exp.Is(this=_wrap(a), expression=exp.null()), children),
        st.builds(lambda c, a, b: exp.case().when(c, a).else_(b), children, children, children),
        st.builds(
            lambda a, ty: exp.cast(a, exp.DataType.build(ty, dialect="flink")), children, TYPES
        ),
        st.builds(_func, FUNCTIONS, st.lists(children, min_size=1, max_size=3)),
        st.builds(
            lambda a, items: _wrap(a).isin(*items),
            children,
            st.lists(leaves, min_size=1, max_size=3),
        ),
        st.builds(
            lambda a, lo, hi: exp.Between(this=_wrap(a), low=lo, high=hi), children, leaves, leaves
        ),
        st.builds(
            lambda a, n: exp.Bracket(this=a, expressions=[n]),
            st.builds(column, PLAIN_NAMES),
            leaves,
        ),
    )


expressions = st.recursive(leaves, _extend, max_leaves=12)


@st.composite
def selects(draw: st.DrawFn, depth: int = 0) -> exp.Select:
    projections = [
        exp.alias_(e, draw(NAMES), quoted=False) if draw(st.booleans()) else e
        for e in draw(st.lists(expressions, min_size=1, max_size=4))
    ]
    query = exp.select(*projections)
    if depth < 2 and draw(st.booleans()):
        inner = draw(selects(depth=depth + 1))
        query = query.from_(inner.subquery(draw(PLAIN_NAMES)))
    else:
        query = query.from_(exp.to_table(draw(PLAIN_NAMES)))
    if draw(st.booleans()):
        query = query.where(draw(expressions))
    if draw(st.booleans()):
        query = query.group_by(draw(st.builds(column, NAMES)))
    if draw(st.booleans()):
        query = query.order_by(draw(st.builds(column, NAMES))).limit(draw(st.integers(1, 100)))
    return query


def _fixed_point(node: exp.Expr) -> None:
    first = node.sql(dialect="flink")
    second = sqlglot.parse_one(first, read="flink").sql(dialect="flink")
    assert first == second


@SETTINGS
@given(expressions)
def test_expression_roundtrip(node: exp.Expr) -> None:
    _fixed_point(exp.select(node))


@SETTINGS
@given(selects())
def test_query_roundtrip(query: exp.Select) -> None:
    _fixed_point(query)


@SETTINGS
@given(st.lists(st.tuples(NAMES, TYPES), min_size=1, max_size=5, unique_by=lambda c: c[0]))
def test_create_table_roundtrip(columns: list[tuple[str, str]]) -> None:
    schema = ", ".join(
        f"{exp.to_identifier(n, quoted=True).sql('flink')} {ty}" for n, ty in columns
    )
    sql = f"CREATE TABLE t ({schema}) WITH ('connector' = 'datagen')"
    _fixed_point(sqlglot.parse_one(sql, read="flink"))


@SETTINGS
@given(RESERVED_NAMES)
def test_reserved_words_are_quoted(name: str) -> None:
    sql = exp.select(column(name)).from_("t").sql(dialect="flink")
    assert sql == f"SELECT `{name}` FROM t"

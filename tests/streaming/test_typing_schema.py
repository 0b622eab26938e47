"""Typing a query's output columns over its tables' declared types (``TypedQuery``) reads each
type once per process, into one schema for qualify and annotate: the types it gives must be
sqlglot's own (a plain ``{table: {column: text}}`` schema read per query), and the shared
parsed types must come out of a typing unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from shiftleft.models import Mode, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.sink import TypedQuery, _typing_type, output_columns

_SCALARS = ["INT", "BIGINT", "STRING", "DOUBLE", "BOOLEAN", "DATE", "DECIMAL(18, 2)", "TIMESTAMP(3)", "VARCHAR(20)", "BYTES"]
_types = st.recursive(
    st.sampled_from(_SCALARS + ["NO_SUCH_TYPE", "MAP<"]),  # unreadable ones too
    lambda inner: st.one_of(
        st.builds(lambda t: f"ARRAY<{t}>", inner),
        st.builds(lambda k, v: f"MAP<{k}, {v}>", st.sampled_from(_SCALARS), inner),
        st.builds(lambda a, b: f"ROW<a {a}, b {b}>", inner, inner),
    ),
    max_leaves=4,
)
_EXPRESSIONS = ["{c}", "{c} + 1", "CAST({c} AS STRING)", "COALESCE({c}, {d})", "MAX({c})", "{c} IS NULL"]


def _reference(query: exp.Expr, schema: dict[str, dict[str, str]]) -> list[str | None]:
    """The projections' types as sqlglot gives them from a plain schema (what TypedQuery did
    before reading each type once per process)."""
    try:
        typed = qualify(query.copy(), schema=schema, dialect="flink", validate_qualify_columns=False)
        typed = annotate_types(typed, schema=schema, dialect="flink")
    except Exception:  # noqa: BLE001 - compared: TypedQuery keeps the error too
        return ["error"]
    return [p.type.sql("flink") if p.type else None for p in typed.selects]


@settings(max_examples=60, deadline=None)
@given(
    columns=st.lists(_types, min_size=2, max_size=5),
    picks=st.lists(st.tuples(st.sampled_from(_EXPRESSIONS), st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=4),
)
def test_typed_output_columns_are_sqlglot_own(columns: list[str], picks: list[tuple[str, int, int]]) -> None:
    names = [f"c{i}" for i in range(len(columns))]
    schema = {"t": dict(zip(names, columns))}
    items = [
        f"{form.format(c=names[i % len(names)], d=names[j % len(names)])} AS x{n}"
        for n, (form, i, j) in enumerate(picks)
    ]
    grouped = any(form.startswith("MAX") for form, _, _ in picks)
    sql = f"WITH w AS (SELECT * FROM t) SELECT {', '.join(items)} FROM w" + (" GROUP BY c0" if grouped else "")
    query = exp.maybe_parse(sql, dialect="flink")
    ctx = RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="flink", statement=1, schema=schema)
    shared = {text: _typing_type(text) for text in columns}
    before = {text: kind.sql("flink") if isinstance(kind, exp.DataType) else kind for text, kind in shared.items()}

    typed = TypedQuery(query, ctx, validate=True)
    got = ["error"] if typed.qualify_error or typed.annotate_error else [
        p.type.sql("flink") if p.type else None for p in typed.tree.selects
    ]
    assert got == _reference(query, schema)
    assert len(output_columns(query, ctx, typed=typed)) == len(items)
    after = {text: kind.sql("flink") if isinstance(kind, exp.DataType) else kind for text, kind in shared.items()}
    assert after == before and all(_typing_type(text) is shared[text] for text in columns)

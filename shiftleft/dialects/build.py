"""Flink statements built as sqlglot nodes, and their text: the one quoting rule.

Every statement shiftleft writes itself (sink and source tables, views, the INSERT of a
migrated model, a seed's VALUES, the runner's filesystem tables) is a sqlglot tree built
here and printed once by the Flink generator (:func:`to_sql`).  Names go through
:func:`identifier` (the generator backticks what is not a plain identifier or is a reserved
word), strings through :func:`string` (quotes doubled), types through :func:`data_type`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from shiftleft import sqlglot_objects
from shiftleft.dialects.flink_parser import Distribution

#: how late an event may arrive and still count in its window (a source's or sink's watermark)
WATERMARK_DELAY_SECONDS = 5


def identifier(name: str) -> exp.Identifier:
    """A name as an identifier node (the generator quotes it when Flink needs it)."""
    return exp.to_identifier(name)


def string(value: str) -> exp.Literal:
    """A string literal node."""
    return exp.Literal.string(value)


def table(name: str) -> exp.Table:
    """A table named ``name`` (one part: the name is not split on dots)."""
    return exp.Table(this=identifier(name))


def column(name: str) -> exp.Column:
    return exp.Column(this=identifier(name))


@lru_cache(maxsize=4096)  # a project repeats the same few types thousands of times
def _parsed_type(text: str) -> exp.DataType | None:
    """``text`` read as a Flink type, or None when it does not print back as itself (sqlglot
    drops ``NOT NULL``, respells ``VARCHAR`` and ``... WITH LOCAL TIME ZONE``) or is
    unreadable."""
    try:
        parsed = exp.DataType.build(text, dialect="flink")
    except Exception:  # noqa: BLE001 - an unreadable type is kept as written
        return None
    printed = to_sql(parsed.copy(), pretty=False)
    return parsed if _squeezed(printed) == _squeezed(text) else None


def _squeezed(text: str) -> str:
    return "".join(text.split()).upper()


def data_type(text: str) -> exp.DataType:
    """A Flink type written as text (what :func:`shiftleft.streaming.typed_query.flink_type` gives)
    as a node; a type that does not read back as itself is kept as written (the planner
    judges it)."""
    parsed = _parsed_type(text)
    if parsed is None:
        return exp.DataType(this=exp.DType.USERDEFINED, kind=text)
    return parsed.copy()


def cast(node: exp.Expr, type_text: str) -> exp.Cast:
    return exp.Cast(this=node, to=data_type(type_text))


def column_defs(columns: Iterable[tuple[str, str]]) -> list[exp.Expr]:
    """``name type`` schema entries of ``(name, Flink type)`` pairs."""
    return [exp.ColumnDef(this=identifier(c), kind=data_type(t)) for c, t in columns]


def watermark(name: str, delay_seconds: int | None = WATERMARK_DELAY_SECONDS) -> exp.Expr:
    """``WATERMARK FOR name AS name - INTERVAL 'n' SECOND`` (``AS name`` when no delay)."""
    strategy: exp.Expr = column(name)
    if delay_seconds is not None:
        delay = exp.Interval(this=string(str(delay_seconds)), unit=exp.var("SECOND"))
        strategy = exp.Sub(this=strategy, expression=delay)
    return exp.WatermarkColumnConstraint(this=column(name), expression=strategy)


def primary_key(names: Sequence[str]) -> exp.PrimaryKey:
    """``PRIMARY KEY (names) NOT ENFORCED`` (Flink enforces no key)."""
    return exp.PrimaryKey(
        expressions=[identifier(n) for n in names], options=[exp.var("NOT ENFORCED")]
    )


def distribution(key: Sequence[str], buckets: int) -> Distribution:
    """Confluent's ``DISTRIBUTED [BY HASH(key)] INTO n BUCKETS``."""
    node = Distribution(
        expressions=[column(k) for k in key], buckets=exp.Literal.number(buckets)
    )
    if key:
        node.set("kind", exp.var("HASH"))
    return node


def options(settings: Mapping[str, str]) -> list[exp.Property]:
    """``'key' = 'value'`` entries of a ``WITH (...)`` clause."""
    return [exp.Property(this=string(k), value=string(v)) for k, v in settings.items()]


def insert(name: str, query: exp.Expr, *, deduplicate: bool = False) -> exp.Insert:
    """``INSERT INTO name query``; ``deduplicate``: :func:`deduplicated` it."""
    node = exp.Insert(this=table(name), expression=query)
    return deduplicated(node) if deduplicate else node


def deduplicated(node: exp.Insert) -> exp.Insert:
    """``node`` with ``ON CONFLICT DO DEDUPLICATE``: the latest row per key of the upsert
    table wins (Flink 2.3 asks for the policy when the key is not the query's own)."""
    node.set("conflict", exp.OnConflict(action=exp.var("DO DEDUPLICATE")))
    return node


def create_table(
    name: str,
    entries: Sequence[exp.Expr],
    properties: Sequence[exp.Expr],
    *,
    temporary: bool = False,
) -> exp.Create:
    """``CREATE [TEMPORARY] TABLE name (entries) [DISTRIBUTED ...] WITH (...)``."""
    props = list(properties)
    if temporary:
        props.insert(0, exp.TemporaryProperty())
    return exp.Create(
        this=exp.Schema(this=table(name), expressions=list(entries)),
        kind="TABLE",
        properties=exp.Properties(expressions=props) if props else None,
    )


def create_view(name: str, query: exp.Expr, *, temporary: bool = False) -> exp.Create:
    """``CREATE [TEMPORARY] VIEW name AS query`` (``query`` becomes the view's child)."""
    props = [exp.TemporaryProperty()] if temporary else []
    return exp.Create(
        this=table(name),
        kind="VIEW",
        expression=query,
        properties=exp.Properties(expressions=props) if props else None,
    )


def to_sql(
    tree: exp.Expr, *, pretty: bool = True, dialect: str = "flink", width: int = 80
) -> str:
    """The text of ``tree`` in ``dialect``, printed once and in place: the tree is the
    caller's own (built for this statement), so the generator does not copy it.  ``width``:
    when pretty, a list longer than this is written one item a line (a seed's VALUES rows
    are kept one a line with a large width)."""
    generator = sqlglot_objects.dialect(dialect).generator(
        pretty=pretty, unsupported_level=ErrorLevel.IGNORE, max_text_width=width
    )
    return generator.generate(tree, copy=False)

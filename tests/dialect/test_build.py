"""Statements built by shiftleft.dialects.build read back as what was built: any name and any
option value survives the one quoting rule (Flink's reader gives the same names and strings)."""

from __future__ import annotations

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.dialects.flink_catalog import FLINK_RESERVED_WORDS
from shiftleft.models import Target
from shiftleft.streaming.changelog import Changelog, ChangelogMode
from shiftleft.streaming.sink import SinkOptions, sink_ddl

_NAME = st.one_of(
    st.sampled_from(sorted(FLINK_RESERVED_WORDS)[:200]),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
    ),
)
_TYPES = st.sampled_from(
    ["INT", "STRING", "DECIMAL(10, 2)", "TIMESTAMP(3)", "ARRAY<ROW<a INT, `b c` STRING>>",
     "INT NOT NULL", "VARCHAR", "TIMESTAMP(3) WITH LOCAL TIME ZONE"]
)

_SAME_TYPE = {"VARCHAR": "STRING", "TIMESTAMP(3) WITH LOCAL TIME ZONE": "TIMESTAMP_LTZ(3)"}


@settings(max_examples=150, deadline=None)
@given(
    table=_NAME,
    columns=st.lists(st.tuples(_NAME, _TYPES), min_size=1, max_size=5, unique_by=lambda c: c[0].lower()),
    servers=st.text(max_size=20),
    target=st.sampled_from(list(Target)),
    keyed=st.booleans(),
)
def test_sink_ddl_reads_back_as_built(table, columns, servers, target, keyed) -> None:  # type: ignore[no-untyped-def]
    key = [columns[0][0]] if keyed else []
    changelog = Changelog(
        mode=ChangelogMode.UPSERT if keyed else ChangelogMode.APPEND, key=key, reason="test"
    )
    options = SinkOptions(bootstrap_servers=servers)
    text = sink_ddl(table, columns, changelog, target, options, watermark=None)
    tree = sqlglot.parse_one(text, read="flink")
    assert isinstance(tree, exp.Create) and tree.this.this.name == table
    defs = [e for e in tree.this.expressions if isinstance(e, exp.ColumnDef)]
    assert [d.name for d in defs] == [c for c, _ in columns]
    # every type (with its NOT NULL) reads back as written, or in Flink's spelling of it
    for d, (_, kind) in zip(defs, columns, strict=True):
        printed = build.to_sql(d, pretty=False)[len(build.to_sql(d.this)) :].strip()
        assert printed == _SAME_TYPE.get(kind, kind)
    settings_read = {
        p.this.name: p.args["value"].name
        for p in tree.args["properties"].expressions
        if type(p) is exp.Property
    }
    if target is Target.FLINK:
        assert settings_read["topic"] == table
        assert settings_read["properties.bootstrap.servers"] == servers
    keys = [e for e in tree.this.expressions if isinstance(e, exp.PrimaryKey)]
    assert [i.name for k in keys for i in k.expressions] == key


@given(value=st.text(max_size=30))
def test_string_literal_round_trips(value: str) -> None:
    text = build.to_sql(build.string(value))
    assert sqlglot.parse_one(text, read="flink").name == value

"""Statement-by-statement translation of large scripts (shiftleft.stream) gives what one
transpile call gives, with positions of the whole script, in bounded memory."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.cli import main
from shiftleft.cli import transpile as cli_transpile
from shiftleft.stream import split_statements, transpile_stream, write_stream

STATEMENTS = (
    "SELECT nvl(a, 0) AS a FROM t{i}",
    "SELECT 'x;{i}' AS s, `odd;name` FROM t /* a ; comment */ WHERE s = 'it''s;'",
    "INSERT INTO out{i} SELECT id, datediff(d1, d0) AS days FROM src",
    "-- a line comment; with a semicolon\nSELECT l.a, r.b FROM l JOIN r ON l.k = r.k",
    "SELECT CASE WHEN a > {i} THEN 'hi' ELSE 'lo' END AS band FROM t",
    "CREATE VIEW v{i} AS SELECT upper(trim(name)) AS name FROM people",
)

scripts = st.lists(
    st.tuples(st.sampled_from(STATEMENTS), st.integers(0, 99), st.sampled_from([";\n", "; ", ";\n\n  ", ";"])),
    min_size=1,
    max_size=12,
).map(lambda parts: "".join(s.format(i=i) + sep for s, i, sep in parts))


@settings(max_examples=40, deadline=None)
@given(scripts, st.sampled_from([7, 16, 50, 1 << 16]))
def test_streamed_translation_equals_the_whole_script(sql: str, window: int) -> None:
    pieces = [p.text for p in split_statements(sql, "spark", window=window)]
    assert pieces == [p.text for p in split_statements(sql, "spark")]
    whole = shiftleft.transpile(sql)
    streamed = list(transpile_stream(sql))
    assert [s.model_dump() for s in streamed] == [s.model_dump() for s in whole.statements]
    out = io.StringIO()
    summary = write_stream(sql, out)
    assert out.getvalue() == whole.sql
    assert summary.statements == len(whole.statements) and summary.unreadable == 0


def test_pretty_output_is_the_same_too() -> None:
    sql = "SELECT nvl(a, 0) FROM t; SELECT b FROM u"
    out = io.StringIO()
    write_stream(sql, out, pretty=True)
    assert out.getvalue() == shiftleft.transpile(sql, pretty=True).sql


def test_an_unreadable_statement_is_reported_and_the_rest_translated() -> None:
    sql = "SELECT 1;\n\nSELECT FROM WHERE (;\nSELECT nvl(a, 1) FROM t"
    results = list(transpile_stream(sql))
    assert [r.index for r in results] == [1, 2, 3]
    bad = results[1]
    assert bad.source == "SELECT FROM WHERE ("
    assert all(line.startswith("--") for line in bad.sql.splitlines())
    assert bad.line == 3
    (d,) = bad.diagnostics
    assert d.rule_id == "SL0001" and d.severity == "error" and d.statement == 2 and d.line == 3
    assert results[2].sql == "SELECT COALESCE(a, 1) FROM t"
    whole = shiftleft.transpile(sql)  # the same report as one call on the whole script
    def report(rs: list) -> list:
        return [(r.index, r.sql, r.line, [(d.rule_id, d.line, d.column) for d in r.diagnostics]) for r in rs]

    assert report(whole.statements) == report(results)


def test_positions_are_those_of_the_whole_script() -> None:
    sql = "SELECT 1;\n  SELECT levenshtein(a, b) FROM t;\nSELECT x FROM u; SELECT my_udf(c) FROM v"
    whole = shiftleft.transpile(sql)
    streamed = list(transpile_stream(sql))
    assert [d.model_dump() for s in streamed for d in s.diagnostics] == [d.model_dump() for d in whole.diagnostics]
    assert [(d.line, d.column) for d in whole.diagnostics] == [(2, 10), (3, 25)]


def test_sources_need_the_whole_script() -> None:
    with pytest.raises(shiftleft.ConfigError):
        list(transpile_stream("SELECT 1", sources=True))


def test_the_cli_streams_a_large_script_with_progress(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sql = "".join(STATEMENTS[i % len(STATEMENTS)].format(i=i) + ";\n" for i in range(60))
    path = tmp_path / "big.sql"
    path.write_text(sql)
    monkeypatch.setattr(cli_transpile, "STREAM_ABOVE", 100)
    code = main(["transpile", str(path)])
    captured = capsys.readouterr()
    whole = shiftleft.transpile(sql)
    assert captured.out == whole.sql
    assert code == (0 if whole.ok else 1)
    assert "statements translated, 100% of the input" in captured.err
    for d in whole.diagnostics:
        assert d.format(str(path)) in captured.err


def test_the_script_is_tokenized_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each statement is parsed from the splitter's tokens: a script within one window is
    tokenized by one call, and no statement's text is tokenized again."""
    from shiftleft.parse import get_dialect

    tokenizer_class = type(get_dialect("spark", role="read").tokenizer())
    tokenize = tokenizer_class.tokenize
    seen: list[str] = []

    def counting(self, sql: str):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return tokenize(self, sql)

    monkeypatch.setattr(tokenizer_class, "tokenize", counting)
    sql = "".join(STATEMENTS[i % len(STATEMENTS)].format(i=i) + ";\n" for i in range(30))
    assert len(list(transpile_stream(sql))) == 30
    assert [t for t in seen if t in sql] == [sql]  # (rules tokenize their own templates)

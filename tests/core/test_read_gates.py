"""The reader's text searches that skip loops over a statement's tokens agree with the loops."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import tokens
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from shiftleft.limits import MAX_ARRAY_NESTING, MAX_NESTING, call_deep
from shiftleft.parse import _depths, _plain_spellings, _within_limits, read_script

_PARTS = ["(", ")", "[", "]", "ARRAY[", "case", "CaSe", " end ", "when 1 then 2", "window", "Window(", "x", ",", " ",
          "'a(b[case'", "-- ( [\n", ";", "1"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PARTS), max_size=400), st.sampled_from(["spark", "duckdb", "flink"]))
def test_counts_in_the_text_bound_the_nesting(parts: list[str], read: str) -> None:
    text = "".join(parts)
    tokenizer = Dialect.get_or_raise(read).tokenizer()
    try:
        found = tokenizer.tokenize(text)
    except Exception:  # noqa: BLE001 - an unterminated string: nothing to compare
        return
    deepest, _, arrays, _ = _depths(found)
    if _within_limits(text):
        assert deepest <= MAX_NESTING and arrays <= MAX_ARRAY_NESTING
    if ";" not in text:
        assert all(t.token_type is not TokenType.SEMICOLON for t in found)
    if "window" not in text.lower():
        assert all(t.token_type is not TokenType.WINDOW for t in found)


def test_a_second_spelling_turns_the_searches_off() -> None:
    class Braces(tokens.Tokenizer):
        SINGLE_TOKENS = {**tokens.Tokenizer.SINGLE_TOKENS, "{": TokenType.L_PAREN}

    assert _plain_spellings(tokens.Tokenizer) and not _plain_spellings(Braces)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([1, 3, MAX_ARRAY_NESTING, MAX_ARRAY_NESTING + 1, 40, MAX_NESTING, MAX_NESTING + 1]),
       st.sampled_from(["(", "ARRAY[", "CASE WHEN a THEN "]))
def test_deep_statements_are_refused_as_before(depth: int, opening: str) -> None:
    closing = {"(": ")", "ARRAY[": "]", "CASE WHEN a THEN ": " END"}[opening]
    sql = "SELECT " + opening * depth + "1" + closing * depth + " AS c FROM t"
    statement = call_deep(lambda: read_script(sql, "spark"))[0]  # (the reader's stack, as transpile's)
    limit = MAX_ARRAY_NESTING if opening == "ARRAY[" else MAX_NESTING
    assert (statement.error is not None and statement.error.code == "SL0003") == (depth > limit)


def test_window_calls_are_still_read_as_functions() -> None:
    statement = read_script("SELECT count(*) FROM t GROUP BY WiNdOw(ts, '1 minute')", "spark")[0]
    assert statement.error is None and "WINDOW(" in statement.tree.sql("spark").upper()

"""The LLM fallback end to end: ``shiftleft.transpile(..., llm=...)`` with the real ``ollama``
client against a scripted fake Ollama server (good, unparsable, retried, slow, refused)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_ollama import (
    FakeOllama,
    Reply,
    answer,
    by_node,
    first_user_message,
    free_port_without_server,
)

import shiftleft
from shiftleft.llm import LLMConfig
from shiftleft.llm.fallback import LLMFallback, find_unsupported, review_comment, validate_answer
from shiftleft.llm.prompt import ANSWER_FORMAT, LLMAnswer
from shiftleft.models import Severity

MakeConfig = Callable[..., LLMConfig]

SQL = "SELECT id, str_distance(a, b) AS d, upper(name) FROM t WHERE status = 'secret-literal'"
GOOD = "CHAR_LENGTH(a) + CHAR_LENGTH(b)"


def ids(result: shiftleft.TranspileResult) -> list[str]:
    return [d.rule_id for d in result.diagnostics]


def baseline(sql: str, **kwargs: Any) -> shiftleft.TranspileResult:
    return shiftleft.transpile(sql, **kwargs)


@pytest.mark.parametrize("stream", [False, True], ids=["json", "ndjson-stream"])
def test_good_answer_replaces_only_the_node(fake_ollama: FakeOllama, llm_config: MakeConfig, stream: bool) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD, "sum of lengths")]})
    result = shiftleft.transpile(SQL, llm=llm_config(stream=stream))

    comment = review_comment("fake-coder:1b")
    assert result.sql == (
        f"SELECT id, (CHAR_LENGTH(a) + CHAR_LENGTH(b)) /* {comment} */ AS d, UPPER(name) "
        "FROM t WHERE status = 'secret-literal';\n"
    )
    assert ids(result) == ["SL9101"]
    (diag,) = result.diagnostics
    assert diag.severity is Severity.WARNING
    assert "STR_DISTANCE translated by LLM fake-coder:1b" in diag.message
    assert "sum of lengths" in (diag.suggestion or "")
    assert (diag.line, diag.column) == (1, 12)
    assert result.ok

    # What was sent: one request, about that node only, with the structured-output schema.
    (body,) = fake_ollama.chats
    assert body["model"] == "fake-coder:1b"
    assert body["stream"] is stream
    assert body["format"] == ANSWER_FORMAT == LLMAnswer.model_json_schema()
    assert body["options"] == {"temperature": 0, "seed": 0}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = first_user_message(body)
    assert "STR_DISTANCE(a, b)" in prompt
    for private in ("secret-literal", "status", "name", "id", "FROM t"):
        assert private not in prompt, private
    assert fake_ollama.paths == ["/api/chat"]


def test_prompt_has_column_types_target_and_hints(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"DATE_BUCKET": [answer("EXTRACT(YEAR FROM ts)")]})
    result = shiftleft.transpile(
        "SELECT date_bucket(ts) FROM t",
        target="confluent",
        schema={"t": {"ts": "timestamp"}},
        llm=llm_config(),
    )
    assert ids(result) == ["SL9101"]
    assert "EXTRACT(YEAR FROM ts) /* shiftleft: translated by LLM" in result.sql
    system, user = (m["content"] for m in fake_ollama.chats[0]["messages"])
    assert "Confluent Cloud for Apache Flink" in system and "streaming mode" in system
    assert "- ts: TIMESTAMP" in user
    assert "Not Flink built-ins (spark semantics): DATE_BUCKET" in user
    assert "SL1014: date_trunc(unit, ts) becomes FLOOR(ts TO unit)" in user  # a related rule


def test_unknown_column_type_is_said(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    shiftleft.transpile("SELECT str_distance(a, b) FROM t", schema={"t": {"a": "string"}}, llm=llm_config())
    user = first_user_message(fake_ollama.chats[0])
    assert "- a: STRING\n- b: unknown type" in user


def test_unparsable_answer_is_retried_then_rejected(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a")]})
    result = shiftleft.transpile(SQL, llm=llm_config(max_retries=2))

    assert result.sql == baseline(SQL).sql  # the node stays as it was
    assert sorted(ids(result)) == ["SL9001", "SL9102"]
    rejected = next(d for d in result.diagnostics if d.rule_id == "SL9102")
    assert rejected.severity is Severity.ERROR
    assert "3 attempts" in rejected.message and "does not parse as Flink SQL" in rejected.message
    assert not result.ok

    chats = fake_ollama.chats
    assert len(chats) == 3  # 1 + max_retries
    # Each retry carries the whole conversation: the rejected answer and why it was rejected.
    assert [len(c["messages"]) for c in chats] == [2, 4, 6]
    assert chats[1]["messages"][2] == {"role": "assistant", "content": answer("CHAR_LENGTH(a").content}
    assert chats[1]["messages"][3]["role"] == "user"
    assert "does not parse as Flink SQL" in chats[1]["messages"][3]["content"]


def test_answer_that_is_not_json(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [Reply(content="Sure! Use CHAR_LENGTH.")]})
    result = shiftleft.transpile(SQL, llm=llm_config(max_retries=0))
    rejected = next(d for d in result.diagnostics if d.rule_id == "SL9102")
    assert "not JSON matching the schema" in rejected.message
    assert len(fake_ollama.chats) == 1


def test_answer_valid_only_after_a_retry(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node(
        {"STR_DISTANCE": [answer("CHAR_LENGTH(a) + CHAR_LENGTH(c)"), answer("EDIT_DISTANCE(a, b)"), answer(GOOD)]}
    )
    result = shiftleft.transpile(SQL, llm=llm_config(max_retries=2))
    assert ids(result) == ["SL9101"]
    assert "(CHAR_LENGTH(a) + CHAR_LENGTH(b)) /* shiftleft" in result.sql
    chats = fake_ollama.chats
    assert len(chats) == 3
    assert "references column(s) c that the input expression does not use" in chats[1]["messages"][-1]["content"]
    assert "EDIT_DISTANCE, which is not a Flink built-in function" in chats[2]["messages"][-1]["content"]


def test_retries_are_bounded_by_max_retries(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("x + 1"), answer(GOOD)]})
    result = shiftleft.transpile(SQL, llm=llm_config(max_retries=0))
    assert sorted(ids(result)) == ["SL9001", "SL9102"]
    assert len(fake_ollama.chats) == 1


def test_model_that_declines_is_not_retried(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("", "Flink has no edit distance")]})
    result = shiftleft.transpile(SQL, llm=llm_config(max_retries=2))
    rejected = next(d for d in result.diagnostics if d.rule_id == "SL9102")
    assert "no Flink equivalent: Flink has no edit distance" in rejected.message
    assert len(fake_ollama.chats) == 1


def test_slow_answer_past_the_timeout(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [Reply(content=answer(GOOD).content, delay_s=3)]})
    start = time.monotonic()
    result = shiftleft.transpile(SQL, llm=llm_config(timeout_s=0.3))
    assert time.monotonic() - start < 2.5
    assert result.sql == baseline(SQL).sql
    assert sorted(ids(result)) == ["SL9001", "SL9103"]
    unavailable = next(d for d in result.diagnostics if d.rule_id == "SL9103")
    assert unavailable.severity is Severity.WARNING
    assert f"Ollama at {fake_ollama.url} is unavailable (no answer within 0.3 s)" in unavailable.message
    assert "Traceback" not in unavailable.message


def test_slow_stream_past_the_timeout(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [Reply(content=answer(GOOD).content, delay_s=3)]})
    result = shiftleft.transpile(SQL, llm=llm_config(timeout_s=0.3, stream=True))
    assert sorted(ids(result)) == ["SL9001", "SL9103"]


def test_refused_connection_completes_with_one_diagnostic_per_node(llm_config: MakeConfig) -> None:
    port = free_port_without_server()
    sql = "SELECT str_distance(a, b), my_udf(c) FROM t; SELECT other_udf(d) FROM u"
    result = shiftleft.transpile(sql, llm=llm_config(host=f"http://127.0.0.1:{port}"))
    assert result.sql == baseline(sql).sql
    unavailable = [d for d in result.diagnostics if d.rule_id == "SL9103"]
    assert len(unavailable) == 3
    assert [d.statement for d in unavailable] == [1, 1, 2]
    assert all(f"Ollama at http://127.0.0.1:{port} is unavailable" in d.message for d in unavailable)
    assert "cannot connect" in unavailable[0].message
    assert "not asked: cannot connect" in unavailable[1].message  # no second attempt
    assert sorted(d.rule_id for d in result.errors) == ["SL9001"] * 3
    assert all("Traceback" not in d.message for d in result.diagnostics)


def test_ollama_host_environment_variable(
    fake_ollama: FakeOllama, llm_config: MakeConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    monkeypatch.setenv("OLLAMA_HOST", fake_ollama.url)
    result = shiftleft.transpile(SQL, llm=llm_config(host=None))
    assert ids(result) == ["SL9101"]
    assert len(fake_ollama.chats) == 1


def test_missing_model_stops_asking(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = lambda body: Reply(status=404, error=f"model '{body['model']}' not found")
    result = shiftleft.transpile("SELECT str_distance(a, b), my_udf(c) FROM t", llm=llm_config())
    unavailable = [d for d in result.diagnostics if d.rule_id == "SL9103"]
    assert len(unavailable) == 2
    assert "model 'fake-coder:1b' not available" in unavailable[0].message
    assert len(fake_ollama.chats) == 1


def test_server_error_is_per_node(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [Reply(status=500, error="out of memory")], "MY_UDF": [answer("UPPER(c)")]})
    result = shiftleft.transpile("SELECT str_distance(a, b), my_udf(c) FROM t", llm=llm_config())
    assert sorted(ids(result)) == ["SL9001", "SL9101", "SL9103"]
    assert "HTTP 500: out of memory" in next(d.message for d in result.diagnostics if d.rule_id == "SL9103")


def test_identical_nodes_are_asked_once(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)], "MY_UDF": [answer("UPPER(c)")]})
    sql = (
        "SELECT str_distance(a, b), my_udf(c) FROM t;\n"
        "SELECT str_distance(a, b) FROM u WHERE my_udf(c) = 'x';\n"
        "SELECT str_distance(a, b) FROM v"
    )
    result = shiftleft.transpile(sql, llm=llm_config(use_cache=False))
    assert len(fake_ollama.chats) == 2
    assert ids(result).count("SL9101") == 5
    assert "SL9001" not in ids(result)
    assert result.sql.count("/* shiftleft: translated by LLM fake-coder:1b, review */") == 5


def test_only_unsupported_nodes_are_sent_outermost_once(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    sql = "SELECT nvl(x, 0), upper(str_distance(a, b)), length(s) FROM t"
    result = shiftleft.transpile(sql, llm=llm_config())
    assert result.sql.startswith("SELECT COALESCE(x, 0), UPPER((CHAR_LENGTH(a) + CHAR_LENGTH(b)) /* shiftleft")
    (body,) = fake_ollama.chats
    prompt = first_user_message(body)
    assert "Expression:\nSTR_DISTANCE(a, b)\n" in prompt
    assert "UPPER" not in prompt and "COALESCE" not in prompt and "CHAR_LENGTH(s)" not in prompt


def test_nested_unsupported_calls_are_one_node(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a)")]})
    result = shiftleft.transpile("SELECT str_distance(my_udf(a), b) FROM t", llm=llm_config())
    (body,) = fake_ollama.chats
    prompt = first_user_message(body)
    assert "Not Flink built-ins (spark semantics): STR_DISTANCE, MY_UDF" in prompt
    assert "Expression:\nSTR_DISTANCE(MY_UDF(a), b)\n" in prompt
    assert ids(result) == ["SL9101"]


def test_arguments_already_translated_are_sent_as_flink(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"MY_UDF": [answer("UPPER(arr[1])")]})
    shiftleft.transpile("SELECT my_udf(arr[0]) FROM t", llm=llm_config())
    assert "Expression:\nMY_UDF(arr[1])\n" in first_user_message(fake_ollama.chats[0])


def test_aggregate_kind_is_kept(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    # kurtosis is an aggregate in sqlglot: the answer must aggregate too (read as DuckDB: the
    # Spark function matrix keeps Spark built-ins away from the model)
    fake_ollama.responder = by_node({"KURTOSIS": [answer("x * 2"), answer("AVG(x)")]})
    result = shiftleft.transpile("SELECT g, kurtosis(x) FROM t GROUP BY g", read="duckdb", llm=llm_config(max_retries=1))
    chats = fake_ollama.chats
    assert len(chats) == 2
    assert "must aggregate too" in chats[1]["messages"][-1]["content"]
    assert ids(result) == ["SL9101"]


def test_unparsed_statements_are_not_sent(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    result = shiftleft.transpile("MSCK REPAIR TABLE t", llm=llm_config())
    assert fake_ollama.chats == []
    assert ids(result) == ["SL9003"]


def test_off_switches(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    for llm in (None, False, llm_config(enabled=False)):
        result = shiftleft.transpile(SQL, llm=llm)
        assert ids(result) == ["SL9001"]
    assert fake_ollama.chats == []


def test_model_name_in_comment_cannot_close_it(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    result = shiftleft.transpile(SQL, llm=llm_config(model="evil*/model"))
    assert "*/model" not in result.sql
    assert "evil* /model, review */" in result.sql


def test_stats_and_memo_live_in_the_instance(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer(GOOD)]})
    config = llm_config()
    first, second = LLMFallback(config), LLMFallback(config)
    from sqlglot import parse_one

    from shiftleft.models import Mode, Target
    from shiftleft.rewrite.context import RuleContext

    for fallback in (first, first, second):
        ctx = RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="spark", statement=1)
        out = fallback(parse_one("SELECT str_distance(a, b) FROM t", read="spark"), ctx)
        assert "CHAR_LENGTH(a) + CHAR_LENGTH(b)" in out.sql("flink")
    assert (first.stats.nodes, first.stats.distinct, first.stats.requests) == (2, 1, 1)
    assert (second.stats.requests, second.stats.cache_hits) == (0, 1)
    assert len(fake_ollama.chats) == 1


# -- validation of one answer ---------------------------------------------------------------


def _node(sql: str = "levenshtein(a, t.b)"):  # type: ignore[no-untyped-def]
    from sqlglot import parse_one

    return parse_one(sql, read="spark")


def _content(flink_sql: str, explanation: str = "e") -> str:
    return json.dumps({"flink_sql": flink_sql, "explanation": explanation})


@pytest.mark.parametrize(
    ("flink_sql", "error"),
    [
        ("CHAR_LENGTH(a", "does not parse"),
        ("CHAR_LENGTH(a); CHAR_LENGTH(b)", "exactly one expression, not 2"),
        ("SELECT CHAR_LENGTH(a) FROM t", "contains a SELECT"),
        ("(SELECT MAX(a) FROM t)", "contains a"),
        ("DROP TABLE t", "contains a DROP"),
        ("INSERT INTO x SELECT a FROM t", "contains a INSERT"),
        ("CHAR_LENGTH(a) + CHAR_LENGTH(c)", "column(s) c that the input expression does not use"),
        ("CHAR_LENGTH(u.b)", "column(s) u.b"),
        ("LEVENSHTEIN(a, t.b)", "LEVENSHTEIN, which is not a Flink built-in"),
        ("MY_UDF(a)", "MY_UDF, which is not a Flink built-in"),
        ("SUM(CHAR_LENGTH(a))", "must not aggregate"),
        ("ROW_NUMBER() OVER (ORDER BY a)", "adds a window"),
        ("CHAR_LENGTH(?)", "contains a PLACEHOLDER"),
        ("x" * 5000, "characters long"),
        ("*", "must not be or contain *"),
        ("t.*", "must not be or contain *"),
        ("COALESCE(*)", "must not be or contain *"),
        ("CHAR_LENGTH(a)\x1b[2J; DELETE FROM t", "exactly one expression, not 2"),
        ("CREATE TABLE x (a INT)", "contains a CREATE"),
    ],
)
def test_validation_rejects(flink_sql: str, error: str) -> None:
    from shiftleft.llm.fallback import AnswerRejected

    with pytest.raises(AnswerRejected, match=None) as info:
        validate_answer(_content(flink_sql), _node(), "flink")
    assert error in str(info.value)


@pytest.mark.parametrize(
    ("flink_sql", "expected"),
    [
        ("CHAR_LENGTH(a) + CHAR_LENGTH(t.b)", "CHAR_LENGTH(a) + CHAR_LENGTH(t.b)"),
        ("CHAR_LENGTH(b)", "CHAR_LENGTH(b)"),  # unqualified use of a qualified input column
        ("```sql\nCHAR_LENGTH(a);\n```", "CHAR_LENGTH(a)"),
        ("CHAR_LENGTH(a) AS d", "CHAR_LENGTH(a)"),
        ("CHAR_LENGTH(a) /* sneaky */", "CHAR_LENGTH(a)"),
        ("CAST(NULL AS INT)", "CAST(NULL AS INT)"),
    ],
)
def test_validation_accepts(flink_sql: str, expected: str) -> None:
    expr, explanation = validate_answer(_content(flink_sql), _node(), "flink")
    assert expr.sql("flink") == expected
    assert explanation == "e"


def test_find_unsupported_is_outermost_in_source_order() -> None:
    tree = _node("SELECT f1(a), upper(f2(f3(b))), coalesce(c, 0) FROM t")
    assert [name for _, name in find_unsupported(tree, "flink")] == ["F1", "F2"]


def test_terminal_escapes_and_control_characters_are_stripped() -> None:
    content = _content("\x1b]0;pwned\x07CHAR_LENGTH(a)\x1b[31m\u202e", "fine\x1b[2J\x00 answer\x9b")
    expr, explanation = validate_answer(content, _node(), "flink")
    assert expr.sql("flink") == "CHAR_LENGTH(a)"
    assert explanation == "fine answer"


def test_circuit_breaker_after_repeated_failures(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = lambda body: Reply(status=500, error="overloaded")
    sql = "SELECT first_udf(a, b), second_udf(a), my_udf(b), other_udf(a), last_udf(b) FROM t"
    result = shiftleft.transpile(sql, llm=llm_config(breaker_failures=2))
    assert len(fake_ollama.chats) == 2  # the breaker opened after two failures in a row
    messages = [d.message for d in result.diagnostics if d.rule_id == "SL9103"]
    assert len(messages) == 5 and "2 failures in a row" in messages[1]
    assert all("not asked" in m for m in messages[2:])


def test_request_budget_per_run(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = lambda body: Reply(content=_content("CHAR_LENGTH(a)"))
    result = shiftleft.transpile("SELECT soundex(a), my_udf(a), other_udf(a) FROM t", llm=llm_config(max_requests=1))
    assert len(fake_ollama.chats) == 1
    assert any("budget of 1 requests is spent" in d.message for d in result.diagnostics if d.rule_id == "SL9103")


def test_cache_key_covers_model_prompt_and_rules() -> None:
    from shiftleft.llm.cache import request_key

    messages = [{"role": "user", "content": "x"}]
    base = request_key("m", messages, None, None, "rules-1")
    assert base != request_key("m", messages, None, None, "rules-2")
    assert base != request_key("m2", messages, None, None, "rules-1")
    assert base != request_key("m", [{"role": "user", "content": "y"}], None, None, "rules-1")

from __future__ import annotations

import json
import socket
import threading

import httpx2
import openai
import pytest

from pipelines.backends.llm import LLMClient, LLMError, _retry_after, get_llm_client
from pipelines.backends.llm_answers import parse_json_content
from pipelines.backends.prompts import Prompt
from pipelines.cache import StoreCache
from pipelines.config import Settings
from tests.llm_server import Reply, chat_reply, error_reply

PROMPT = Prompt(name="test_echo", version="t1", system="只输出 JSON。", user="案例：{text}")


def need_answer(data: dict) -> dict:
    if not isinstance(data.get("answer"), int):
        raise ValueError("answer 必须是整数")
    return data


def make_client(server, engine=None, **changes) -> LLMClient:
    values = {
        "llm_base_url": server.base_url,
        "llm_model": "test-model",
        "llm_api_key": "k",
        "llm_timeout_s": 5.0,
        "llm_max_retries": 2,
        "llm_concurrency": 4,
    }
    values.update(changes)
    client = LLMClient(Settings(**values), cache=StoreCache(engine) if engine is not None else None)
    client.backoff_s = 0.01
    return client


def chat_requests(server) -> list[dict]:
    return [body for path, body in server.requests if path.endswith("/chat/completions")]


def test_good_answer_is_parsed_validated_and_costed(openai_server):
    openai_server.handler = lambda path, body: chat_reply(
        '{"answer": 42}', prompt_tokens=120, completion_tokens=8
    )
    result = make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert result.data == {"answer": 42}
    assert (result.prompt_tokens, result.completion_tokens, result.attempts) == (120, 8, 1)
    assert result.prompt_version == "t1" and result.model == "test-model" and not result.cached
    assert result.latency_s > 0
    sent = chat_requests(openai_server)[0]
    assert sent["temperature"] == 0
    assert sent["response_format"] == {"type": "json_object"}
    assert sent["messages"][1]["content"] == "案例：甲"


def test_fenced_json_is_accepted(openai_server):
    openai_server.handler = lambda path, body: chat_reply('```json\n{"answer": 7}\n```')
    assert make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer).data == {"answer": 7}


def test_malformed_json_gets_one_repair_round(openai_server):
    replies = iter([chat_reply("好的，答案是 7"), chat_reply('{"answer": 7}')])
    openai_server.handler = lambda path, body: next(replies)
    result = make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert result.data == {"answer": 7} and result.attempts == 2
    repair = chat_requests(openai_server)[1]["messages"]
    assert repair[2] == {"role": "assistant", "content": "好的，答案是 7"}
    assert "JSON" in repair[3]["content"]


def test_schema_error_twice_is_bad_response(openai_server):
    openai_server.handler = lambda path, body: chat_reply('{"answer": "很多"}')
    with pytest.raises(LLMError) as caught:
        make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "bad_response"
    assert "answer 必须是整数" in caught.value.message
    assert len(chat_requests(openai_server)) == 2


def test_rate_limit_then_success_is_retried(openai_server):
    replies = iter([error_reply(429, "slow down"), chat_reply('{"answer": 1}')])
    openai_server.handler = lambda path, body: next(replies)
    result = make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert result.data == {"answer": 1} and result.attempts == 2


def test_persistent_server_error_fails_after_all_attempts(openai_server):
    openai_server.handler = lambda path, body: error_reply(500, "boom")
    with pytest.raises(LLMError) as caught:
        make_client(openai_server, llm_max_retries=3).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "unreachable"
    assert "HTTP 500" in caught.value.message and "共尝试 4 次" in caught.value.message
    assert len(chat_requests(openai_server)) == 4


def test_persistent_rate_limit_is_reported_as_such(openai_server):
    openai_server.handler = lambda path, body: error_reply(429)
    with pytest.raises(LLMError) as caught:
        make_client(openai_server, llm_max_retries=1).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "rate_limited" and "llm_concurrency" in caught.value.message


def test_unauthorized_is_not_retried(openai_server):
    openai_server.handler = lambda path, body: error_reply(401, "bad key")
    with pytest.raises(LLMError) as caught:
        make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "unauthorized"
    assert "llm_api_key" in caught.value.message
    assert len(chat_requests(openai_server)) == 1


def test_hanging_server_times_out(openai_server):
    openai_server.handler = lambda path, body: Reply(200, {}, delay_s=3.0)
    with pytest.raises(LLMError) as caught:
        make_client(openai_server, llm_timeout_s=0.3, llm_max_retries=1).complete_json(
            PROMPT, {"text": "甲"}, need_answer
        )
    assert caught.value.code == "timeout" and "0.3 秒" in caught.value.message
    assert len(chat_requests(openai_server)) == 2


def test_connection_refused_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="m", llm_max_retries=1)
    client = LLMClient(settings)
    client.backoff_s = 0.01
    with pytest.raises(LLMError) as caught:
        client.complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "unreachable" and f"127.0.0.1:{port}" in caught.value.message


def test_server_without_json_mode_is_asked_again_without_it(openai_server):
    def handler(path, body):
        if "response_format" in body:
            return error_reply(400, "response_format is not supported")
        return chat_reply('{"answer": 3}')

    openai_server.handler = handler
    client = make_client(openai_server)
    assert client.complete_json(PROMPT, {"text": "甲"}, need_answer).data == {"answer": 3}
    assert client.complete_json(PROMPT, {"text": "乙"}, need_answer).attempts == 1


def test_other_client_errors_are_bad_response(openai_server):
    openai_server.handler = lambda path, body: error_reply(404, "model not found")
    with pytest.raises(LLMError) as caught:
        make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert caught.value.code == "bad_response" and "llm_model" in caught.value.message


def test_answers_are_cached_in_memory(openai_server):
    openai_server.handler = lambda path, body: chat_reply('{"answer": 5}')
    client = make_client(openai_server)
    client.complete_json(PROMPT, {"text": "甲"}, need_answer)
    again = client.complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert again.cached and again.attempts == 0 and again.data == {"answer": 5}
    assert len(chat_requests(openai_server)) == 1
    client.complete_json(PROMPT, {"text": "乙"}, need_answer)
    other_version = Prompt(PROMPT.name, "t2", PROMPT.system, PROMPT.user)
    client.complete_json(other_version, {"text": "甲"}, need_answer)
    assert len(chat_requests(openai_server)) == 3


def test_answers_are_cached_in_the_database_across_clients(openai_server, engine):
    openai_server.handler = lambda path, body: chat_reply('{"answer": 5}')
    make_client(openai_server, engine).complete_json(PROMPT, {"text": "甲"}, need_answer)
    fresh = make_client(openai_server, engine).complete_json(PROMPT, {"text": "甲"}, need_answer)
    assert fresh.cached and len(chat_requests(openai_server)) == 1
    other_model = make_client(openai_server, engine, llm_model="other-model")
    assert not other_model.complete_json(PROMPT, {"text": "甲"}, need_answer).cached


def test_several_samples_are_requested_and_returned(openai_server):
    answers = iter(range(10))
    openai_server.handler = lambda path, body: chat_reply(json.dumps({"answer": next(answers)}))
    result = make_client(openai_server).complete_json(PROMPT, {"text": "甲"}, need_answer, samples=3)
    assert [s["answer"] for s in result.samples] == [0, 1, 2] and result.data == {"answer": 0}
    assert [body["temperature"] for body in chat_requests(openai_server)] == [0, 0.7, 0.7]
    assert result.attempts == 3 and result.prompt_tokens == 300


def test_map_json_respects_the_concurrency_limit(openai_server):
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def handler(path, body):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        threading.Event().wait(0.05)
        with lock:
            state["now"] -= 1
        return chat_reply(json.dumps({"answer": int(body["messages"][1]["content"][3:])}))

    openai_server.handler = handler
    client = make_client(openai_server, llm_concurrency=3)
    results = client.map_json(PROMPT, [{"text": str(i)} for i in range(12)], need_answer)
    assert [r.data["answer"] for r in results] == list(range(12))
    assert state["peak"] == 3


def test_map_json_stops_asking_after_a_fatal_error(openai_server):
    openai_server.handler = lambda path, body: error_reply(401)
    client = make_client(openai_server, llm_concurrency=1)
    results = client.map_json(PROMPT, [{"text": str(i)} for i in range(5)], need_answer)
    assert all(isinstance(r, LLMError) and r.code == "unauthorized" for r in results)
    assert len(chat_requests(openai_server)) == 1


def test_not_configured():
    assert get_llm_client(Settings()) is None
    with pytest.raises(LLMError) as caught:
        LLMClient(Settings(llm_base_url="http://127.0.0.1:9/v1"))
    assert caught.value.code == "not_configured" and "llm_model" in caught.value.message
    assert isinstance(
        get_llm_client(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m")), LLMClient
    )


def test_retry_after_header_is_honoured_and_capped():
    def rate_limited(headers: dict[str, str]) -> openai.RateLimitError:
        request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
        return openai.RateLimitError(
            "429", response=httpx2.Response(429, headers=headers, request=request), body=None
        )

    assert _retry_after(rate_limited({"Retry-After": "2"})) == 2.0
    assert _retry_after(rate_limited({"Retry-After": "100000"})) == 120.0
    assert _retry_after(rate_limited({})) is None
    assert _retry_after(rate_limited({"Retry-After": "soon"})) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [('{"a": 1}', {"a": 1}), ('```\n{"a": 1}\n```', {"a": 1}), (' ```JSON\n{"a": [1]}``` ', {"a": [1]})],
)
def test_parse_json_content(content, expected):
    assert parse_json_content(content) == expected


@pytest.mark.parametrize("content", ["[1, 2]", "not json", '```json\n{"a": \n```'])
def test_parse_json_content_rejects(content):
    with pytest.raises(ValueError):
        parse_json_content(content)

from __future__ import annotations

import openai

from tests.llm_server import chat_reply, embeddings_reply, error_reply


def test_stub_server_speaks_the_openai_api(openai_server):
    openai_server.handler = lambda path, body: (
        chat_reply('{"ok": true}') if path.endswith("/chat/completions") else embeddings_reply([[1.0, 0.0]])
    )
    client = openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0)
    answer = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content == '{"ok": true}'
    assert client.embeddings.create(model="e", input=["x"]).data[0].embedding == [1.0, 0.0]
    openai_server.handler = lambda path, body: error_reply(401, "bad key")
    try:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    except openai.AuthenticationError:
        pass
    else:
        raise AssertionError("401 must raise")
    assert [path for path, _ in openai_server.requests] == [
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/chat/completions",
    ]

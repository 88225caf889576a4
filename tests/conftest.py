"""Shared fixtures: a real SQLite file per test, and PostgreSQL when the CI provides one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from pipelines import store


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'workbench.db'}"


@pytest.fixture
def engine(sqlite_url) -> Iterator[Engine]:
    yield store.get_engine(sqlite_url)
    store.dispose_engines()


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url and os.environ.get("WORKBENCH_REQUIRE_POSTGRES"):
        pytest.fail("CI 要求 PostgreSQL 测试，但未设置 TEST_POSTGRES_URL")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request, tmp_path) -> Iterator[Engine]:
    """The store on SQLite and, where a server is available, on PostgreSQL (a fresh schema each test)."""
    if request.param == "sqlite":
        yield store.get_engine(f"sqlite:///{tmp_path / 'workbench.db'}")
        store.dispose_engines()
        return
    url = _postgres_url()
    if not url:
        pytest.skip("没有可用的 PostgreSQL（设置 TEST_POSTGRES_URL 以运行）")
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    admin.dispose()
    yield store.get_engine(url)
    store.dispose_engines()


@pytest.fixture
def openai_server():
    """A real OpenAI-compatible HTTP server on 127.0.0.1; set ``.handler`` in the test."""
    from tests.llm_server import OpenAIStubServer

    server = OpenAIStubServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir_for_the_session(tmp_path_factory):
    """The same for module- and session-scoped fixtures, which run before the per-test fixture below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
        patch.delenv("WORKBENCH_CACHE_DIR", raising=False)
        yield


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch) -> None:
    """Built indexes go to a temporary cache directory, never the user's ``~/.cache``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    monkeypatch.delenv("WORKBENCH_CACHE_DIR", raising=False)

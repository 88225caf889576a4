"""The small cache protocol that backends receive (embeddings, LLM answers), and its database form.

Backends never see the store: they get something with ``get``/``put``. ``StoreCache`` keeps values in the
store's ``cache`` table (shared by all workbench processes); tests and scripts may pass any object with the
same two methods.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.engine import Engine

from pipelines import store


class Cache(Protocol):
    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None."""

    def put(self, key: str, kind: str, value: Any) -> None:
        """Store ``value`` (JSON-serialisable) under ``key``; ``kind`` names what it is (llm, embedding)."""


class StoreCache:
    """A ``Cache`` in the store's ``cache`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: str) -> Any | None:
        with store.session_scope(self.engine) as session:
            row = session.get(store.CacheRow, key)
            return None if row is None else row.value

    def put(self, key: str, kind: str, value: Any) -> None:
        with store.session_scope(self.engine) as session:
            row = session.get(store.CacheRow, key)
            if row is None:
                session.add(store.CacheRow(key=key, kind=kind, value=value))
            else:
                row.value = value

"""Alembic environment: runs on the connection handed over by ``pipelines.store.migrate``."""

from alembic import context
from sqlalchemy import create_engine

from pipelines.intake import attachment_store  # noqa: F401 (registers the attachments table)
from pipelines.store import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line: use the URL from settings
        from pipelines.config import get_settings

        with create_engine(get_settings().database_url).begin() as own:
            _run(own)
    else:
        _run(connection)


def _run(connection) -> None:
    render_as_batch = connection.dialect.name == "sqlite"
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=render_as_batch)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

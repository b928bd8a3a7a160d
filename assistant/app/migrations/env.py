"""Alembic environment: uses the connection handed over by ``assistant.app.store.migrate``.

Run by hand (e.g. against PostgreSQL) with ``alembic -x url=postgresql://… upgrade head`` from this
folder's parent, or simply start the app: migrations run at start.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from assistant.app.store import Base

target_metadata = Base.metadata
config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


run()

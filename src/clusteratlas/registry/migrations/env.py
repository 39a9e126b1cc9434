"""Alembic environment: runs on the connection that :func:`~clusteratlas.registry.db.migrate` passes."""

from __future__ import annotations

from alembic import context

from clusteratlas.registry.models import Base


def run_migrations_online() -> None:
    """Run the migrations on ``config.attributes["connection"]``."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

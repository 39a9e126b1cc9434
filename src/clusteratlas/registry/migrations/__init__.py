"""Alembic migrations of the registry database (run them with :func:`~clusteratlas.registry.db.migrate`)."""

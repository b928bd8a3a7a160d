"""Alembic migrations of the consultation store (applied automatically by ``assistant.app.store``)."""

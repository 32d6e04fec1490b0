"""Alembic migrations of hirecrew's database; run them with ``server.db.migrate.upgrade``."""

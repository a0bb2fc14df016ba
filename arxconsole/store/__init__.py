"""Storage: SQLAlchemy 2 engine/session, ORM models, Alembic migrations.

No Qt here either; the engine and both front ends use it.
"""

from .db import Database, DatabaseError  # noqa: F401

"""Alembic environment: runs against the engine the Database object hands over."""

from alembic import context

from arxconsole.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite ALTER TABLE emulation
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()

"""backups: index of backup manifests (the manifests on disk stay the truth)

Revision ID: 0003_backups
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa

from arxconsole.store.models.base import UtcDateTime

revision = "0003_backups"
down_revision = "0001_core"
branch_labels = ("backups",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backups",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("workspace", sa.String(1000), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("system", sa.String(120), nullable=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("new_bytes_stored", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backups")),
    )
    op.create_index(op.f("ix_backups_workspace"), "backups", ["workspace"])
    op.create_index(op.f("ix_backups_created_at"), "backups", ["created_at"])
    op.create_index(op.f("ix_backups_run_id"), "backups", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_backups_run_id"), "backups")
    op.drop_index(op.f("ix_backups_created_at"), "backups")
    op.drop_index(op.f("ix_backups_workspace"), "backups")
    op.drop_table("backups")

"""monitor: metric samples, aggregates, alert log

Revision ID: 0004_monitor
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa

from arxconsole.store.models.base import UtcDateTime

revision = "0004_monitor"
down_revision = "0001_core"
branch_labels = ("monitor",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_samples",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("series", sa.String(64), nullable=False),
        sa.Column("ts", sa.Double(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_samples")),
    )
    op.create_index("ix_metric_samples_series_ts", "metric_samples", ["series", "ts", "value"])
    op.create_table(
        "metric_aggregates",
        sa.Column("series", sa.String(64), nullable=False),
        sa.Column("resolution", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("vmin", sa.Double(), nullable=False),
        sa.Column("vmax", sa.Double(), nullable=False),
        sa.Column("vsum", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "resolution", "bucket", name=op.f("pk_metric_aggregates")),
    )
    op.create_table(
        "monitor_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("peak", sa.Double(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("last_value", sa.Double(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_alerts")),
    )
    op.create_index(op.f("ix_monitor_alerts_metric"), "monitor_alerts", ["metric"])
    op.create_index(op.f("ix_monitor_alerts_started_at"), "monitor_alerts", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_monitor_alerts_started_at"), "monitor_alerts")
    op.drop_index(op.f("ix_monitor_alerts_metric"), "monitor_alerts")
    op.drop_table("monitor_alerts")
    op.drop_table("metric_aggregates")
    op.drop_index("ix_metric_samples_series_ts", "metric_samples")
    op.drop_table("metric_samples")

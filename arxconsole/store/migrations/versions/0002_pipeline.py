"""pipeline: runs, steps, findings, log lines, gate decisions

Revision ID: 0002_pipeline
Revises: 0001_core
"""
from alembic import op
import sqlalchemy as sa

from arxconsole.store.models.base import UtcDateTime

revision = "0002_pipeline"
down_revision = "0001_core"
branch_labels = ("pipeline",)
depends_on = None


def _run_fk(table: str) -> sa.Column:
    return sa.Column("run_id", sa.Integer(), sa.ForeignKey(
        "pipeline_runs.id", ondelete="CASCADE", name=f"fk_{table}_run_id_pipeline_runs"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(1000), nullable=False),
        sa.Column("system", sa.String(200), nullable=False),
        sa.Column("object_type", sa.String(300), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("step_by_step", sa.Boolean(), nullable=False),
        sa.Column("from_step", sa.String(40), nullable=False),
        sa.Column("only_step", sa.String(40), nullable=False),
        sa.Column("retry_of", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
    )
    for col in ("workspace", "system", "state", "created_at"):
        op.create_index(op.f(f"ix_pipeline_runs_{col}"), "pipeline_runs", [col])
    op.create_table(
        "pipeline_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        _run_fk("pipeline_steps"),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("files_written", sa.JSON(), nullable=False),
        sa.Column("would_change", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_steps")),
    )
    op.create_index(op.f("ix_pipeline_steps_run_id"), "pipeline_steps", ["run_id"])
    op.create_table(
        "pipeline_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        _run_fk("pipeline_findings"),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("check", sa.String(80), nullable=False),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("file", sa.String(1000), nullable=False),
        sa.Column("location", sa.String(500), nullable=False),
        sa.Column("symbol_id", sa.String(200), nullable=False),
        sa.Column("waived", sa.Boolean(), nullable=False),
        sa.Column("waiver_reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_findings")),
    )
    op.create_index(op.f("ix_pipeline_findings_run_id"), "pipeline_findings", ["run_id"])
    op.create_index(op.f("ix_pipeline_findings_rule"), "pipeline_findings", ["rule"])
    op.create_table(
        "pipeline_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        _run_fk("pipeline_logs"),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_logs")),
    )
    op.create_index(op.f("ix_pipeline_logs_run_id"), "pipeline_logs", ["run_id"])
    op.create_table(
        "pipeline_gate_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        _run_fk("pipeline_gate_decisions"),
        sa.Column("gate", sa.String(60), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.JSON(), nullable=True),
        sa.Column("actual", sa.JSON(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_gate_decisions")),
    )
    op.create_index(op.f("ix_pipeline_gate_decisions_run_id"), "pipeline_gate_decisions", ["run_id"])


def downgrade() -> None:
    for table in ("pipeline_gate_decisions", "pipeline_logs", "pipeline_findings", "pipeline_steps"):
        op.drop_index(op.f(f"ix_{table}_run_id"), table)
        op.drop_table(table)
    for col in ("workspace", "system", "state", "created_at"):
        op.drop_index(op.f(f"ix_pipeline_runs_{col}"), "pipeline_runs")
    op.drop_table("pipeline_runs")

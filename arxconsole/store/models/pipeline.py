"""Pipeline history: runs, their steps, findings, log lines and gate decisions.

Quality gates themselves are settings rows (``pipeline.gate.<name>``); what a run decided
about them is kept here with the run, so history shows the gates as they were.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime, utcnow


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(1000), index=True)
    system: Mapped[str] = mapped_column(String(200), index=True)
    object_type: Mapped[str] = mapped_column(String(300), default="")
    mode: Mapped[str] = mapped_column(String(20))            # new_system | new_object
    state: Mapped[str] = mapped_column(String(20), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    step_by_step: Mapped[bool] = mapped_column(Boolean, default=False)
    from_step: Mapped[str] = mapped_column(String(40), default="")
    only_step: Mapped[str] = mapped_column(String(40), default="")
    retry_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PipelineStep(Base):
    __tablename__ = "pipeline_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checks: Mapped[list[Any]] = mapped_column(JSON, default=list)        # [{name, passed, counts}]
    files_written: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{path, action}]
    would_change: Mapped[list[Any]] = mapped_column(JSON, default=list)   # dry run: [{path, action, diff}]
    message: Mapped[str] = mapped_column(Text, default="")


class PipelineFinding(Base):
    __tablename__ = "pipeline_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    check: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(120), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    file: Mapped[str] = mapped_column(String(1000), default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    symbol_id: Mapped[str] = mapped_column(String(200), default="")
    waived: Mapped[bool] = mapped_column(Boolean, default=False)
    waiver_reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PipelineLog(Base):
    __tablename__ = "pipeline_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[float] = mapped_column(Float)                 # epoch seconds: cheap to batch-insert
    level: Mapped[str] = mapped_column(String(10))
    step: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(30), default="log")
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PipelineGateDecision(Base):
    __tablename__ = "pipeline_gate_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"), index=True)
    gate: Mapped[str] = mapped_column(String(60))
    required: Mapped[bool] = mapped_column(Boolean)
    threshold: Mapped[Any] = mapped_column(JSON, nullable=True)
    actual: Mapped[Any] = mapped_column(JSON, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")

"""The six pipeline steps, one module each, in run order (SPEC §3)."""

from __future__ import annotations

from types import ModuleType

from . import add_symbols, compliance, define_schema, documentation, implement_behavior, update_registry

STEPS: dict[str, ModuleType] = {m.STEP_ID: m for m in (
    define_schema, add_symbols, implement_behavior, update_registry, documentation, compliance)}

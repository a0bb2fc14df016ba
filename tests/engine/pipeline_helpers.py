"""Shared helpers for the pipeline tests (not a test module)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from arxconsole.engine import durable
from arxconsole.engine.pipeline.changes import ChangeSet
from arxconsole.engine.pipeline.gates import Measures, default_gates
from arxconsole.engine.pipeline.steps import STEPS
from arxconsole.engine.pipeline.steps.base import StepContext, Target
from arxconsole.engine.pipeline.synthetic import write_system
from arxconsole.engine.progress import CancelToken
from arxconsole.engine.workspace import INTERNAL_NAMES, Workspace

SCRIPT_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
              '<rect x="10" y="10" width="80" height="80"/><script>alert(1)</script></svg>')


def tree_state(root: Path, normalize=None) -> dict[str, str]:
    """Every file (sha256 of its bytes, after ``normalize`` if given) and folder under
    root, the console's own files excluded."""
    out = {}
    root = Path(root)
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] in INTERNAL_NAMES:
            continue
        if p.is_file():
            data = p.read_bytes()
            out[rel.as_posix()] = hashlib.sha256(normalize(data) if normalize else data).hexdigest()
        else:
            out[rel.as_posix()] = "<dir>"
    return out


_CREATED_AT = re.compile(rb'"created_at": "[0-9T:Z-]+"')


def comparable_tree(root: Path) -> dict[str, str]:
    """``tree_state`` with the creation time a template symbol is stamped with blanked, to
    compare the trees two runs made at different moments."""
    return tree_state(root, lambda data: _CREATED_AT.sub(b'"created_at": "-"', data))


def make_ws(tmp_path: Path, objects: int = 2, symbols_per_object: int = 1, **kw) -> Workspace:
    return write_system(tmp_path / "ws", objects=objects, symbols_per_object=symbols_per_object, **kw)


def edit_json(path: Path, fn) -> None:
    data = json.loads(Path(path).read_text())
    fn(data)
    durable.write_json(path, data)


def symbol_path(ws: Workspace, i: int = 0, v: int = 1, system: str = "electrical", code: str = "EL") -> Path:
    return ws.symbol_path(system, f"{code}_Device{i:03d}_{v:03d}")


def run_step(ws: Workspace, step: str, system: str = "electrical", obj: str | None = None, gates=None,
             changes: ChangeSet | None = None, shared: dict | None = None):
    """Run one step in dry-run mode; returns ({check name: Check}, context)."""
    ctx = StepContext(workspace=ws, changes=changes or ChangeSet(ws, True, None), target=Target(system, obj),
                      cancel=CancelToken(), log=lambda *a, **k: None, measures=Measures(step_seconds={}),
                      gates=gates if gates is not None else default_gates(), shared=shared or {})
    checks = STEPS[step].run(ctx)
    assert [c.name for c in checks] == list(STEPS[step].CHECKS)
    return {c.name: c for c in checks}, ctx


def rules(check) -> set[str]:
    return {f.rule for f in check.findings}


def record_runs(db, states, t0: float) -> None:
    """Finished runs in the history, one per state, half a second each from ``t0`` (what the
    failure-rate alert and health read)."""
    from arxconsole.engine.pipeline import RunHistory
    from arxconsole.engine.pipeline.states import STEP_IDS

    history = RunHistory(db)
    for i, state in enumerate(states):
        run_id = history.create_run(workspace="/ws", system="electrical", object_type="", mode="new_system",
                                    dry_run=False, step_by_step=False, from_step="", only_step="", retry_of=None,
                                    actor="t", steps={s: ("succeeded", 1) for s in STEP_IDS})
        history.update_run(run_id, state=state, started_at=t0 + i, ended_at=t0 + i + 0.5)

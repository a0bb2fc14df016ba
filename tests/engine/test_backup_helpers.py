"""Shared helpers for the backup tests (no tests here): a small realistic workspace
and a content snapshot to compare workspaces byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from arxconsole.engine.backup import BackupRepository
from arxconsole.engine.workspace import Workspace


def symbol(sid: str, system: str, svg_fill: str = "#000", **extra) -> dict:
    doc = {"id": sid, "name": sid.split("_")[1], "system": system, "category": "thing",
           "svg": f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="10" height="10" fill="{svg_fill}"/></svg>',
           "connections": {"power": {"x": 1, "y": 2, "type": "power"}},
           "properties": {"voltage": {"value": 120, "unit": "V"}},
           "behavior_profile": "thing"}
    doc.update(extra)
    return doc


def make_workspace(root: Path) -> Workspace:
    ws = Workspace.create(root)
    for system, code in (("electrical", "EL"), ("audiovisual", "AV")):
        ws.schema_path(system).parent.mkdir(parents=True, exist_ok=True)
        ws.schema_path(system).write_text(json.dumps({"system": system, "code": code, "objects": {}}))
        for i in range(3):
            sid = f"{code}_Thing_{i:03d}"
            p = ws.symbol_path(system, sid)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(symbol(sid, system), indent=2))
        prof = ws.profile_path(system, "thing")
        prof.parent.mkdir(parents=True, exist_ok=True)
        prof.write_text(f"id: thing\nobject_type: {system}.thing\nports: [{{name: power, type: power}}]\n")
        ws.docs_path(system).write_text(f"# {system}\n")
    ws.symbol_index_path.write_text('{"symbols": []}\n')
    (ws.root / "systems.json").write_text('{"systems": ["electrical", "audiovisual"]}\n')
    return ws


def snapshot(ws: Workspace) -> dict[str, str]:
    """Workspace-relative path -> sha256 of every user file (what a restore must get right)."""
    return {ws.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.iter_content_files()}


# Fixtures shared by the backup test modules (each imports them by name).
@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def repo(data_dir):
    return BackupRepository.for_data_dir(data_dir)


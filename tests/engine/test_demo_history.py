"""The demo opens populated: real runs (one failing and rolled back) and a backup."""

from __future__ import annotations

from arxconsole.engine.backup import BackupRepository
from arxconsole.engine.demo import demo_needs_history, seed_demo_history, write_demo_workspace
from arxconsole.engine.workspace import Workspace


def test_seed_creates_real_history_once(tmp_path, db, data_dir):
    root = tmp_path / "demo"
    write_demo_workspace(root)
    assert demo_needs_history(root, db)
    ws = Workspace.open(root)
    steps = []
    done = seed_demo_history(ws, db, data_dir, progress=lambda d, t, m: steps.append((d, t)))
    assert steps[-1] == (5, 5)
    assert not demo_needs_history(root, db)
    states = [line.rsplit(": ", 1)[1] for line in done if line.startswith("run ")]
    assert states.count("succeeded") == 3 and states.count("rolled_back") + states.count("failed") == 1
    assert (ws.root / "symbol_index.json").is_file()            # the successful run wrote the registry
    assert (ws.root / "docs" / "systems" / "electrical.md").is_file()
    backups = BackupRepository.for_data_dir(data_dir).list(workspace=ws.root)
    assert any(b.manifest.message == "demo: initial state" for b in backups)
    assert any(e.action.startswith("run.") for e in db.audit_events())


def test_non_demo_workspace_is_never_seeded(tmp_path, db):
    ws = Workspace.create(tmp_path / "plain")
    assert not demo_needs_history(ws.root, db)

"""SPEC §9 journey 5 — headless: the same work from the real CLI with ``--json``, in
subprocesses with their own data dir, as a CI job would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

STEPS = ["define-schema", "add-symbols", "implement-behavior", "update-registry", "documentation", "compliance"]
BROKEN_PORT = "arx-symbol-library/fire_alarm/FA_HornStrobe_002.json"   # the demo's deliberate error


def cli(data_dir, *args, timeout=120):
    """Run ``python -m arxconsole --data-dir D --json ...``; return (exit code, parsed JSON, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "ARXCONSOLE_DATA_DIR"}
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "--data-dir", str(data_dir), "--json", *args],
                          capture_output=True, text=True, timeout=timeout, env=env)
    try:
        doc = json.loads(proc.stdout) if proc.stdout.strip() else None
    except ValueError:
        pytest.fail(f"not one JSON document on stdout for {args}: {proc.stdout[:500]!r} / {proc.stderr[-500:]}")
    return proc.returncode, doc, proc.stderr


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "ci-data"


@pytest.fixture
def demo(data_dir, tmp_path):
    """A demo workspace written by the CLI itself into a folder of the job's choosing."""
    root = tmp_path / "ws"
    code, doc, err = cli(data_dir, "demo", "init", str(root))
    assert code == 0, err
    assert (root / BROKEN_PORT).is_file()
    return root


def fix_deliberate_error(root):
    path = root / BROKEN_PORT
    sym = json.loads(path.read_text(encoding="utf-8"))
    assert "viewBox='0 0 64 64'" in sym["svg"]
    assert sym["connections"]["nac_out"]["x"] > 64          # the port drawn outside the viewBox
    sym["connections"]["nac_out"]["x"] = 60
    path.write_text(json.dumps(sym, indent=2), encoding="utf-8")


def test_validate_a_library(data_dir, demo):
    code, findings, _ = cli(data_dir, "--workspace", str(demo), "validate")
    assert code == 1                                       # the demo's deliberate error
    assert isinstance(findings, list) and findings
    keys = {"file", "symbol_id", "rule", "severity", "message", "hint", "location"}
    assert all(keys <= set(f) for f in findings)
    errors = [f for f in findings if f["severity"] == "error" and not f["waived"]]
    assert [(f["symbol_id"], f["rule"], f["file"]) for f in errors] == \
        [("FA_HornStrobe_002", "connection.position.outside", BROKEN_PORT)]
    assert all(f["hint"] for f in findings)
    # a clean system: warnings only -> exit 0, still a JSON list
    code, findings, _ = cli(data_dir, "--workspace", str(demo), "validate", "--system", "electrical")
    assert code == 0 and isinstance(findings, list)
    assert {f["severity"] for f in findings} <= {"warning", "info"}
    # fix the deliberate error: the whole library passes
    fix_deliberate_error(demo)
    code, findings, _ = cli(data_dir, "--workspace", str(demo), "validate")
    assert code == 0
    assert not [f for f in findings if f["severity"] == "error"]


def test_dry_run_the_pipeline(data_dir, demo):
    from tests.journeys.conftest import tree_hash

    before = tree_hash(demo)
    code, run, err = cli(data_dir, "--workspace", str(demo), "run", "--system", "electrical", "--dry-run")
    assert code == 0, err
    assert isinstance(run["run_id"], int) and run["state"] == "succeeded" and run["dry_run"] is True
    assert [s["id"] for s in run["steps"]] == STEPS
    for s in run["steps"]:
        assert s["state"] == "succeeded"
        assert isinstance(s["duration"], (int, float)) and s["duration"] >= 0
        assert set(s["findings"]) >= {"error", "warning", "info"}
        assert all(isinstance(n, int) for n in s["findings"].values())
        assert s["files_written"] == []                    # a dry run writes nothing...
    would = {w["path"]: w["action"] for s in run["steps"] for w in s["would_change"]}
    # ...and lists what it would change, with a diff
    assert "symbol_index.json" in would and "docs/systems/electrical.md" in would
    assert all(w["diff"] for s in run["steps"] for w in s["would_change"])
    assert run["steps"][1]["findings"]["warning"] == 1      # EL_Receptacle_003 sticks out of its viewBox
    assert all(g["passed"] for g in run["gates"])
    assert tree_hash(demo) == before
    # the run is in the history the CLI reads back
    code, runs, _ = cli(data_dir, "--workspace", str(demo), "runs", "list")
    assert code == 0
    listed = {r["run_id"]: r for r in runs["runs"]}
    assert listed[run["run_id"]]["state"] == "succeeded" and listed[run["run_id"]]["dry_run"] is True
    # a failing run: fire_alarm's deliberate error fails add-symbols, exit code 1
    code, bad, _ = cli(data_dir, "--workspace", str(demo), "run", "--system", "fire_alarm", "--dry-run")
    assert code == 1
    states = {s["id"]: s["state"] for s in bad["steps"]}
    assert states["add-symbols"] == "failed" and bad["steps"][1]["findings"]["error"] >= 1


def test_create_verify_restore_a_backup(data_dir, demo):
    from tests.journeys.conftest import tree_hash

    ws = ["--workspace", str(demo)]
    clean = tree_hash(demo)
    code, made, err = cli(data_dir, *ws, "backup", "create")
    assert code == 0, err
    assert made["kind"] == "full" and made["reason"] == "manual" and made["totals"]["files"] >= len(clean)
    code, report, _ = cli(data_dir, *ws, "backup", "verify", made["id"])
    assert code == 0 and report["ok"] is True and report["problems"] == []
    assert report["files"] == made["totals"]["files"]

    target = demo / "arx-symbol-library/electrical/EL_PanelBoard_001.json"
    target.write_text("{ broken by hand", encoding="utf-8")
    (demo / "arx-symbol-library/electrical/EL_Stray_001.json").write_text("{}", encoding="utf-8")
    code, result, err = cli(data_dir, *ws, "backup", "restore", made["id"], "--yes")
    assert code == 0, err
    assert result["backup"] == made["id"] and result["safety_backup"]
    assert "arx-symbol-library/electrical/EL_PanelBoard_001.json" in result["written"]
    assert "arx-symbol-library/electrical/EL_Stray_001.json" in result["removed"]   # point in time
    assert tree_hash(demo) == clean
    # the safety backup holds the broken state and is itself verifiable
    code, safety, _ = cli(data_dir, *ws, "backup", "verify", result["safety_backup"])
    assert code == 0 and safety["ok"]

    # a damaged backup is reported with exit code 1, and never restored from.  The file
    # is broken again first: while the workspace still holds a backed-up content, the
    # safety backup a restore takes stores that content afresh (healing its object).
    target.write_text("{ broken by hand, again", encoding="utf-8")
    broken_again = tree_hash(demo)
    objects = sorted(p for p in (data_dir / "backups").rglob("*") if p.is_file() and "objects" in p.parts)
    assert objects
    for obj in objects:
        data = bytearray(obj.read_bytes())
        if data:
            data[0] ^= 0xFF
            obj.write_bytes(bytes(data))
    code, damaged, _ = cli(data_dir, *ws, "backup", "verify", made["id"])
    assert code == 1 and damaged["ok"] is False and damaged["problems"]
    code, _, err = cli(data_dir, *ws, "backup", "restore", made["id"], "--yes")
    assert code != 0 and "EL_PanelBoard_001.json" in err
    assert tree_hash(demo) == broken_again                 # a damaged backup is never restored from
    code, _, err = cli(data_dir, *ws, "backup", "verify", "no-such-backup")
    assert code == 1 and "no such backup" in err


def test_print_health(data_dir, demo):
    code, health, err = cli(data_dir, "--workspace", str(demo), "health")
    assert code == 0, err
    assert health["status"] in ("healthy", "degraded")
    assert health["summary"]
    names = {c["name"] for c in health["components"]}
    assert names == {"database", "workspace", "sampler", "disk"}
    assert all(c["status"] and c["reason"] for c in health["components"])

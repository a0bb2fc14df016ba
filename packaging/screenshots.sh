#!/usr/bin/env bash
# Regenerate the README's screenshots with `arxconsole --screenshot` on a fresh demo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
mkdir -p "$out"
data=$(mktemp -d)
export ARXCONSOLE_DATA_DIR=$data QT_QPA_PLATFORM=offscreen
# the demo's history (runs, a backup) first, so every surface has something to show; the
# real sampler records the machine meanwhile, so the Metrics picture has live data with
# the runs marked on it (about 50 s)
.venv/bin/python - <<'PY'
import time
from PySide6.QtCore import QSettings
from arxconsole.engine.datadir import DataDir
from arxconsole.engine.demo import demo_needs_history, ensure_demo_workspace, seed_demo_history
from arxconsole.engine.monitor.sampler import Sampler
from arxconsole.engine.pipeline import PipelineRunner, RunRequest
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database
d = DataDir.resolve()
db = Database.open(d.database_url)
p = ensure_demo_workspace(d.demo_workspace)
sampler = Sampler.for_database(db, d.root, flush_interval=2.0)
sampler.start()
time.sleep(15)
if demo_needs_history(p, db):
    seed_demo_history(Workspace.open(p), db, d)
time.sleep(15)
PipelineRunner(Workspace.open(p), db, RunRequest("electrical", dry_run=True), data_dir=d).run()
time.sleep(20)
sampler.stop()
QSettings(str(d.settings_file), QSettings.IniFormat).setValue("metrics/window_s", 60)
PY
for panel in workspace symbols pipeline backups metrics; do
    .venv/bin/arxconsole --demo --panel "$panel" --screenshot "$out/$panel.png" || echo "no $panel surface"
done
rm -rf "$data"

#!/usr/bin/env bash
# Regenerate the README's screenshots with `arxconsole --screenshot` on a fresh demo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/images
mkdir -p "$out"
data=$(mktemp -d)
export ARXCONSOLE_DATA_DIR=$data QT_QPA_PLATFORM=offscreen
# the demo's history (runs, a backup) first, so every surface has something to show
.venv/bin/python - <<'PY'
from arxconsole.engine.datadir import DataDir
from arxconsole.engine.demo import demo_needs_history, ensure_demo_workspace, seed_demo_history
from arxconsole.engine.workspace import Workspace
from arxconsole.store import Database
d = DataDir.resolve()
db = Database.open(d.database_url)
p = ensure_demo_workspace(d.demo_workspace)
if demo_needs_history(p, db):
    seed_demo_history(Workspace.open(p), db, d)
PY
for panel in workspace symbols pipeline backups metrics; do
    .venv/bin/arxconsole --demo --panel "$panel" --screenshot "$out/$panel.png" || echo "no $panel surface"
done
rm -rf "$data"

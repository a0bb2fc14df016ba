#!/usr/bin/env bash
# Build the one-dir PyInstaller bundle into dist/arxconsole/ and run its self-test.
# Usage: packaging/build.sh   (after packaging/bootstrap.sh setup)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if ! dpkg -s binutils >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq --no-install-recommends binutils >/dev/null
fi
"$VENV/bin/python" -m pip install -q -e ".[build]"
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN arxconsole.spec
"$VENV/bin/python" packaging/make_icons.py dist/arxconsole/share/icons
echo "== self-test of the built bundle (no venv on PATH)"
data=$(mktemp -d)
env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen ARXCONSOLE_DATA_DIR="$data" \
    dist/arxconsole/arxconsole --selftest
rm -rf "$data"
echo "bundle: dist/arxconsole ($(du -sh dist/arxconsole | cut -f1))"

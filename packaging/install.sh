#!/usr/bin/env bash
# Install the built bundle (dist/arxconsole from packaging/build.sh) for the current user:
#   ~/.local/opt/arxconsole/        the bundle
#   ~/.local/bin/arxconsole         a link to it
#   ~/.local/share/applications/    the desktop entry
#   ~/.local/share/icons/hicolor/   the icons
#   ~/.local/share/metainfo/        AppStream metadata
# PREFIX overrides ~/.local.  Re-running upgrades in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-$HOME/.local}
BUNDLE=dist/arxconsole
[ -x "$BUNDLE/arxconsole" ] || { echo "install: build first (packaging/build.sh)" >&2; exit 1; }
mkdir -p "$PREFIX/opt" "$PREFIX/bin" "$PREFIX/share/applications" "$PREFIX/share/metainfo" "$PREFIX/share/icons"
rm -rf "$PREFIX/opt/arxconsole.new"
cp -a "$BUNDLE" "$PREFIX/opt/arxconsole.new"
rm -rf "$PREFIX/opt/arxconsole.old"
[ -d "$PREFIX/opt/arxconsole" ] && mv "$PREFIX/opt/arxconsole" "$PREFIX/opt/arxconsole.old"
mv "$PREFIX/opt/arxconsole.new" "$PREFIX/opt/arxconsole"
rm -rf "$PREFIX/opt/arxconsole.old"
ln -sfn "$PREFIX/opt/arxconsole/arxconsole" "$PREFIX/bin/arxconsole"
install -m 644 packaging/arxconsole.desktop "$PREFIX/share/applications/arxconsole.desktop"
install -m 644 packaging/io.arxos.ArxConsole.metainfo.xml "$PREFIX/share/metainfo/"
cp -r "$BUNDLE/share/icons/hicolor" "$PREFIX/share/icons/"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$PREFIX/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" || true
echo "installed: $PREFIX/bin/arxconsole (desktop entry and icons under $PREFIX/share)"

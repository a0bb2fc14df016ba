"""Render the application icon (resources/icons/arxconsole.svg) to the PNG sizes a
freedesktop icon theme wants: OUT/hicolor/<N>x<N>/apps/arxconsole.png + scalable SVG."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main(out: str) -> int:
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (needed by QtGui)
    src = ROOT / "resources" / "icons" / "arxconsole.svg"
    renderer = QSvgRenderer(QByteArray(src.read_bytes()))
    if not renderer.isValid():
        print(f"make_icons: cannot render {src}", file=sys.stderr)
        return 1
    out_dir = Path(out)
    for n in SIZES:
        img = QImage(n, n, QImage.Format_ARGB32)
        img.fill(Qt.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.Antialiasing)
        renderer.render(p)
        p.end()
        target = out_dir / "hicolor" / f"{n}x{n}" / "apps" / "arxconsole.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(target)):
            print(f"make_icons: cannot write {target}", file=sys.stderr)
            return 1
    scalable = out_dir / "hicolor" / "scalable" / "apps" / "arxconsole.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, scalable)
    print(f"icons written under {out_dir}/hicolor ({len(SIZES)} PNG sizes + scalable)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/icons"))

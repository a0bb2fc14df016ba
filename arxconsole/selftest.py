"""``arxconsole --selftest``: checks, in the running build, everything a user needs.

One line per check (``ok``/``FAIL``/``warn``); exit 1 on any failure.  Used by
packaging/build.sh on the built PyInstaller bundle and by CI.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Callable


def _check_data_dir(data_dir) -> str:
    from .engine import durable

    probe = data_dir.root / ".selftest-probe"
    durable.write_text(probe, "ok")
    ok = probe.read_text() == "ok"
    durable.remove_file(probe)
    if not ok:
        raise RuntimeError("read back differs")
    return str(data_dir.root)


def _check_database(data_dir) -> str:
    from .store import Database

    db = Database.open(data_dir.database_url)
    try:
        if not db.is_migrated():
            raise RuntimeError("migrations pending after upgrade")
        db.audit("selftest", "database", message="self-test")
        return f"{db.display_url} migrated"
    finally:
        db.close()


def _check_qt() -> str:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    return f"platform {app.platformName()}"


def _check_svg() -> str:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><rect x='2' y='2' width='6' height='6' fill='#000'/></svg>"
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise RuntimeError("QSvgRenderer rejected a valid SVG")
    img = QImage(20, 20, QImage.Format_ARGB32)
    img.fill(QColor("white"))
    painter = QPainter(img)
    renderer.render(painter)
    painter.end()
    if img.pixelColor(10, 10).lightness() > 50 or img.pixelColor(1, 1).lightness() < 200:
        raise RuntimeError("rendered pixels are wrong")
    return "QtSvg renders"


def _check_resources() -> str:
    from .resources import resource_path

    needed = [resource_path("icons", "arxconsole.svg"), resource_path("demo-workspace")]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise RuntimeError("missing: " + ", ".join(missing))
    return str(resource_path())


def _unusable(problem: str) -> str:
    raise RuntimeError(problem)


def run_selftest(data_dir, data_dir_problem: str | None = None) -> int:
    """``data_dir`` None: it could not be made (``data_dir_problem`` says why); the
    checks that need it fail, the others still run."""
    from .engine.secrets import keyring_status

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    if data_dir is None:
        dir_check = lambda: _unusable(data_dir_problem or "no data folder")  # noqa: E731
        db_check = lambda: _unusable("not tried: no usable data folder")     # noqa: E731
    else:
        dir_check = lambda: _check_data_dir(data_dir)   # noqa: E731
        db_check = lambda: _check_database(data_dir)    # noqa: E731
    checks: list[tuple[str, Callable[[], str]]] = [
        ("data-dir", dir_check),
        ("database", db_check),
        ("qt-platform", _check_qt),
        ("svg-render", _check_svg),
        ("resources", _check_resources),
    ]
    failed = 0
    for name, fn in checks:
        try:
            detail = fn()
            print(f"ok    {name}: {detail}")
        except Exception as exc:  # every failure is reported, the rest still run
            failed += 1
            print(f"FAIL  {name}: {type(exc).__name__}: {exc}")
    ks = keyring_status()
    # No secure keyring is a supported mode (secrets are asked for), not a failure.
    print(f"{'ok  ' if ks.usable else 'warn'}  keyring: {ks.describe()}")
    print(f"selftest: {'FAILED' if failed else 'passed'} ({failed} failure(s))")
    return 1 if failed else 0

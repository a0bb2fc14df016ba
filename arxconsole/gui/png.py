"""A widget's picture as PNG bytes, to be written with ``engine.durable`` (QPixmap.save
to a path would bypass temp + fsync + rename, and on failure says only False)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice


def widget_png(widget) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    if not widget.grab().save(buf, "PNG"):
        raise OSError("cannot encode the picture as PNG")
    return bytes(buf.data())

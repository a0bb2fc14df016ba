"""The strip under the Symbols surface while an import runs: what is happening in words
with counts ("Importing 1,234 of 4,000 files…"), a progress bar, and Cancel (also Esc).

It only shows; the surface owns the worker and decides what Cancel does."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton

from ..icons import icon


class ImportProgress(QFrame):
    cancelRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("importProgress")
        self.setFrameShape(QFrame.StyledPanel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 6, 4)
        self.icon_label = QLabel()
        self.icon_label.setPixmap(icon("running").pixmap(QSize(16, 16)))
        self.label = QLabel()
        self.label.setObjectName("importProgressLabel")
        self.label.setTextInteractionFlags(Qt.NoTextInteraction)
        self.file_label = QLabel()        # the file being read: shows the work moving, elided
        self.file_label.setObjectName("importProgressFile")
        self.file_label.setMinimumWidth(0)
        self.file_label.setEnabled(False)  # secondary text, drawn dimmer
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgressBar")
        # the counts are in words beside it: a percentage would read "0%" for the first 40
        # files of 4,000 and look stuck
        self.bar.setTextVisible(False)
        self.bar.setMinimumWidth(200)
        self.bar.setMaximumWidth(360)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.setToolTip("Stop the import after the file being read (Esc); "
                                      "the files imported so far stay")
        self.cancel_button.clicked.connect(self.cancelRequested)
        lay.addWidget(self.icon_label)
        lay.addWidget(self.label)
        lay.addWidget(self.file_label, 1)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self._file = ""
        self.hide()

    def start(self) -> None:
        """Shown busy (no counts yet: the sources are being listed)."""
        self.icon_label.setPixmap(icon("running").pixmap(QSize(16, 16)))
        self.label.setText("Preparing the import…")
        self._set_file("")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def set_progress(self, done: int, total: int, message: str = "") -> None:
        if not self.cancel_button.isEnabled():
            return          # "Cancelling…" stays until the worker has stopped
        if total <= 0:
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        files = f"file{'s' if total != 1 else ''}"
        if message.startswith("importing "):
            # the file being worked on is number done+1; never "4,001 of 4,000"
            self.label.setText(f"Importing {min(done + 1, total):,} of {total:,} {files}…")
            self._set_file(message[len("importing "):])
        elif done == 0 and message:        # before the first file: reading the library's ids
            self.label.setText(f"{message[:1].upper()}{message[1:]}…")
            self._set_file(f"{total:,} {files} to import")

    def cancelling(self) -> None:
        self.icon_label.setPixmap(icon("paused").pixmap(QSize(16, 16)))
        self.label.setText("Cancelling the import…")
        self._set_file("the files imported so far stay")
        self.cancel_button.setEnabled(False)

    def stop(self) -> None:
        self.hide()

    def _set_file(self, text: str) -> None:
        self._file = text
        self._elide()

    def _elide(self) -> None:
        metrics = self.file_label.fontMetrics()
        self.file_label.setText(metrics.elidedText(self._file, Qt.ElideMiddle, max(self.file_label.width(), 40)))
        self.file_label.setToolTip(self._file)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

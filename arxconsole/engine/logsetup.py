"""The rotating log file in the data dir, shared by the CLI and the GUI."""

from __future__ import annotations

import logging
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    import logging.handlers  # here: it pulls in socket and pickle (~9 ms of GUI start-up)

    log_file = Path(log_dir) / "arxconsole.log"
    root = logging.getLogger()
    # Re-configuring (tests open several data dirs in one process) replaces our handler.
    for h in list(root.handlers):
        if getattr(h, "_arxconsole", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._arxconsole = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return log_file

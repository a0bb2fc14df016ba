"""Where the console keeps its own state: database, backups, logs, settings.

Always outside the workspace, so restoring a workspace can never clobber the backups it
restores from.  ``--data-dir DIR`` or ``ARXCONSOLE_DATA_DIR`` move all of it (tests
always do); then the folder chosen in the settings dialog (a pointer file in the per-user
config dir); otherwise platformdirs' per-user data dir.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ArxConsole"
ENV_VAR = "ARXCONSOLE_DATA_DIR"
LOCATION_FILE = "location.json"  # in the per-user *config* dir: where the data dir is


def location_pointer_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / LOCATION_FILE


def read_location_pointer() -> Path | None:
    try:
        data = json.loads(location_pointer_path().read_text(encoding="utf-8"))
        return Path(data["data_dir"]) if data.get("data_dir") else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_location_pointer(path: str | os.PathLike | None) -> None:
    """Move the data dir for the next start (None: back to the default)."""
    from . import durable

    pointer = location_pointer_path()
    if path is None:
        durable.remove_file(pointer)
    else:
        durable.write_json(pointer, {"data_dir": str(Path(path).expanduser().resolve())})


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike | None = None) -> "DataDir":
        if explicit:
            root = Path(explicit)
        elif os.environ.get(ENV_VAR):
            root = Path(os.environ[ENV_VAR])
        elif read_location_pointer() is not None:
            root = read_location_pointer()
        else:
            root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        root = root.expanduser().resolve()
        root.mkdir(parents=True, exist_ok=True)
        return cls(root)

    @property
    def database_path(self) -> Path:
        return self.root / "arxconsole.sqlite3"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database_path}"

    @property
    def logs(self) -> Path:
        return self._sub("logs")

    @property
    def backups(self) -> Path:
        return self._sub("backups")

    @property
    def settings_file(self) -> Path:
        """QSettings INI file: UI state lives here rather than in the OS registry so
        ``--data-dir`` really moves *all* state."""
        return self.root / "ui-settings.ini"

    @property
    def demo_workspace(self) -> Path:
        return self.root / "demo-workspace"

    def _sub(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

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

from .errors import UserError

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


class DataDirError(UserError):
    """The data folder cannot be made or used; the message names it, where the choice
    came from, and why."""


def _unusable(path: Path, source: str, exc: OSError) -> DataDirError:
    from .durable import write_failure

    return DataDirError(f"cannot use data folder {path} ({source}): {write_failure(path, exc, folder=True)}")


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike | None = None) -> "DataDir":
        """The data folder, made when missing; raises DataDirError when it cannot be
        (a file in the way, no permission): named, with where the choice came from."""
        pointer = None if explicit or os.environ.get(ENV_VAR) else read_location_pointer()
        if explicit:
            root, source = Path(explicit), "from --data-dir"
        elif os.environ.get(ENV_VAR):
            root, source = Path(os.environ[ENV_VAR]), f"from ${ENV_VAR}"
        elif pointer is not None:
            root, source = pointer, f"chosen in Settings, recorded in {location_pointer_path()}"
        else:
            root, source = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)), "the per-user default"
        root = root.expanduser()
        try:
            root = root.resolve()
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable(root, source, exc) from None
        if not root.is_dir():     # mkdir(exist_ok) accepts a symlink to a file on some systems
            raise DataDirError(f"cannot use data folder {root} ({source}): {root} is a file, not a folder")
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
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unusable(path, f"the {name} folder of data folder {self.root}", exc) from None
        return path

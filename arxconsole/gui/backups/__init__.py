"""The Backups surface: browse, diff, verify and restore backups (one-click, safely)."""

from .surface import BackupsSurface

SURFACE = BackupsSurface

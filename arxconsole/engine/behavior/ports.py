"""The ports a symbol using a profile must have (read by the symbol validator)."""

from __future__ import annotations

import os
from pathlib import Path

from .loader import load_profile
from .model import Profile


def profile_ports(path_or_profile: str | os.PathLike | Profile) -> list[dict[str, str]]:
    """``[{"name": ..., "type": ...}, ...]`` in file order; [] when the file is unreadable
    (``load_profile`` reports why)."""
    if isinstance(path_or_profile, Profile):
        profile = path_or_profile
    else:
        profile, _ = load_profile(Path(path_or_profile))
        if profile is None:
            return []
    return [{"name": p.name, "type": p.type} for p in profile.ports]

"""Progress reporting and cooperative cancellation shared by long operations
(pipeline steps, backups, restores, whole-library validation).

Engine code calls ``report(done, total, message)`` and ``token.check()`` between units
of work; the GUI worker forwards reports through queued signals and sets the token from
the Cancel button; the CLI prints or ignores them.
"""

from __future__ import annotations

import threading
from typing import Callable

from .errors import UserError

ProgressFn = Callable[[int, int, str], None]


def no_progress(done: int, total: int, message: str) -> None:
    """Default progress sink."""


class Cancelled(UserError):
    """Raised by ``CancelToken.check`` when the user asked to stop."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by the user")

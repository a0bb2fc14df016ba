"""Test-only crash points for the fault tests (SIGKILL at a chosen moment).

``ARXCONSOLE_FAULT_KILL_AT`` names one point:
  ``step:<step-id>``   as that step starts;
  ``journal:<n>``      after the n-th journal entry is durable, before its change;
  ``write:<n>``        after the n-th journaled change has been made;
  ``undo:<n>``         during a rollback, after the n-th path has been put back.
Unset in production, where ``hit`` costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "ARXCONSOLE_FAULT_KILL_AT"


def hit(point: str) -> None:
    target = os.environ.get(ENV)
    if target and target == point:
        os.kill(os.getpid(), signal.SIGKILL)

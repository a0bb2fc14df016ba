"""Fault-injection hook for the crash tests (a TEST HOOK, inert in normal use).

The backup engine calls ``point(label)`` just before and just after every durable
write, rename and removal it makes.  When the environment variable
``ARXCONSOLE_FAULT_KILL_AFTER=N`` is set, the N-th call SIGKILLs the process itself, so
``tests/engine/test_backup_faults.py`` can kill a real ``python -m arxconsole backup
create|restore`` at N = 1, 2, 3, ... and check that recovery always leaves a consistent
state.  ``ARXCONSOLE_FAULT_TRACE=FILE`` appends every label reached (to pick N values).
Without the variable, ``point`` is a counter increment and a comparison.
"""

from __future__ import annotations

import os
import signal
import threading

KILL_ENV = "ARXCONSOLE_FAULT_KILL_AFTER"
TRACE_ENV = "ARXCONSOLE_FAULT_TRACE"

_lock = threading.Lock()
_count = 0


def _limit() -> int:
    try:
        return int(os.environ.get(KILL_ENV, "0"))
    except ValueError:
        return 0


def point(label: str) -> None:
    global _count
    limit = _limit()
    trace = os.environ.get(TRACE_ENV)
    if not limit and not trace:
        return
    with _lock:
        _count += 1
        n = _count
        if trace:
            with open(trace, "a", encoding="utf-8") as fh:
                fh.write(f"{n} {label}\n")
        if limit and n >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

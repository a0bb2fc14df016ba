"""A numpy ring buffer of time-aligned samples (one time column, N value columns).

Storage is twice the capacity and the live region is always one contiguous slice, so
the chart hands pyqtgraph views (no copy, no concatenation) on every redraw; when the
write position reaches the end, the newest ``capacity`` rows move to the front once
(amortised O(1) per append)."""

from __future__ import annotations

import numpy as np


class SampleRing:
    def __init__(self, n_series: int, capacity: int):
        if capacity < 1 or n_series < 1:
            raise ValueError("a ring needs at least one series and one slot")
        self.capacity = int(capacity)
        self.n_series = n_series
        self._t = np.empty(2 * self.capacity, dtype=np.float64)
        self._v = np.empty((n_series, 2 * self.capacity), dtype=np.float64)
        self._start = 0
        self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def t(self) -> np.ndarray:
        return self._t[self._start:self._end]

    def values(self, i: int) -> np.ndarray:
        return self._v[i, self._start:self._end]

    def clear(self) -> None:
        self._start = self._end = 0

    def _make_room(self, n: int) -> None:
        if self._end + n <= len(self._t):
            return
        keep = min(len(self), self.capacity - n)
        src = self._end - keep
        self._t[:keep] = self._t[src:self._end]
        self._v[:, :keep] = self._v[:, src:self._end]
        self._start, self._end = 0, keep

    def append(self, ts: float, values) -> None:
        """One row; ``values`` has one entry per series (NaN where a series is missing).
        Rows must arrive in time order; an older row is ignored (a late duplicate)."""
        if self._end > self._start and ts <= self._t[self._end - 1]:
            return
        self._make_room(1)
        self._t[self._end] = ts
        self._v[:, self._end] = values
        self._end += 1
        if len(self) > self.capacity:
            self._start += 1

    def extend(self, t: np.ndarray, v: np.ndarray) -> None:
        """Many rows: ``t`` shape (n,), ``v`` shape (n_series, n); time-ordered."""
        t = np.asarray(t, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64).reshape(self.n_series, -1)
        if len(self):
            keep = t > self._t[self._end - 1]
            t, v = t[keep], v[:, keep]
        if len(t) > self.capacity:
            t, v = t[-self.capacity:], v[:, -self.capacity:]
        n = len(t)
        if not n:
            return
        self._make_room(n)
        self._t[self._end:self._end + n] = t
        self._v[:, self._end:self._end + n] = v
        self._end += n
        if len(self) > self.capacity:
            self._start = self._end - self.capacity

    def drop_before(self, t0: float) -> None:
        """Forget rows older than ``t0`` (the window start)."""
        self._start += int(np.searchsorted(self.t, t0, side="left"))

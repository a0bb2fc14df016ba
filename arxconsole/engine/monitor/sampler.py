"""The resource sampler: a background thread (no Qt) that samples CPU, memory, disk and
the console's own CPU/RSS with psutil, hands each sample to listeners (the GUI forwards
them through a queued signal), feeds the alert engine, and writes to the metrics store
in batches (one transaction per ``flush_interval``, not one per sample).

It measures its own cost: CPU seconds of its thread per sample (``cost_per_sample_s``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import psutil

from .alerts import AlertEngine, AlertEvent, AlertLog
from .metrics import MetricsStore
from .settings import CPU, DISK, MEMORY, PROCESS_CPU, PROCESS_RSS, load_thresholds

log = logging.getLogger(__name__)

SERIES = (CPU, MEMORY, DISK, PROCESS_CPU, PROCESS_RSS)
# Keep at most an hour of unflushed samples if the database stays unwritable.
MAX_BUFFERED = 3600 * len(SERIES)


@dataclass(frozen=True)
class Sample:
    ts: float                   # epoch seconds
    values: dict[str, float]    # series -> value
    cost_s: float = 0.0         # CPU seconds this sample took the sampler thread

    def to_dict(self) -> dict:
        return {"ts": self.ts, "values": dict(self.values), "cost_s": self.cost_s}


class ResourceProbe:
    """The psutil calls of one sample.  ``cpu_percent(None)`` measures since the previous
    call *in the same thread*, so the probe primes it on construction and must be built
    and read in one thread."""

    def __init__(self, disk_path: str | os.PathLike):
        self.disk_path = str(disk_path)
        self._proc = psutil.Process()
        self._cores = psutil.cpu_count() or 1
        psutil.cpu_percent(None)
        self._proc.cpu_percent(None)

    def read(self) -> dict[str, float]:
        with self._proc.oneshot():
            proc_cpu = self._proc.cpu_percent(None)
            rss = self._proc.memory_info().rss
        return {
            CPU: psutil.cpu_percent(None),
            MEMORY: psutil.virtual_memory().percent,
            DISK: psutil.disk_usage(self.disk_path).percent,
            # psutil reports % of one core; divide so it shares the 0-100 axis with CPU.
            PROCESS_CPU: proc_cpu / self._cores,
            PROCESS_RSS: rss / (1024 * 1024),
        }


def take_sample(disk_path: str | os.PathLike, cpu_window_s: float = 0.2) -> Sample:
    """One sample without a background thread (CLI): waits ``cpu_window_s`` so the CPU
    percentages measure something."""
    probe = ResourceProbe(disk_path)
    time.sleep(cpu_window_s)
    c0 = time.thread_time()
    values = probe.read()
    return Sample(time.time(), values, time.thread_time() - c0)


class Sampler:
    def __init__(self, disk_path: str | os.PathLike, *, interval: float = 1.0, flush_interval: float = 10.0,
                 store: MetricsStore | None = None, alerts: AlertEngine | None = None,
                 alert_log: AlertLog | None = None, retention_interval: float = 600.0,
                 probe: Callable[[], dict[str, float]] | None = None, keep_recent: int = 3600):
        if interval <= 0 or flush_interval <= 0:
            raise ValueError("sampler intervals must be positive")
        self.disk_path = Path(disk_path)
        self.interval = interval
        self.flush_interval = flush_interval
        self.retention_interval = retention_interval
        self.store = store
        self.alerts = alerts
        self.alert_log = alert_log
        self._probe = probe
        self._listeners: list[Callable[[Sample], None]] = []
        self._alert_listeners: list[Callable[[AlertEvent], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: Sample | None = None
        # The last ``keep_recent`` samples in memory: live charts read them without the
        # database (whose newest rows lag by up to one flush interval).
        self._recent: deque[Sample] = deque(maxlen=keep_recent)
        self._buffer: list[tuple[str, float, float]] = []
        self._pending_events: list[AlertEvent] = []
        self.samples_taken = 0
        self.thread_cpu_s = 0.0        # all CPU the thread used: samples, alerts, flushes
        self._cpu0: float | None = None  # thread_time() origin while the thread runs
        self.flushes = 0
        self.last_error: str | None = None

    @classmethod
    def for_database(cls, db, disk_path: str | os.PathLike, **kwargs) -> "Sampler":
        """A sampler wired to ``db``: metrics store, alert thresholds from settings, and the
        alert log (alerts left open by an earlier run continue)."""
        store = MetricsStore(db)
        engine = AlertEngine(load_thresholds(db))
        alert_log = AlertLog(db)
        alert_log.resume(engine)
        return cls(disk_path, store=store, alerts=engine, alert_log=alert_log, **kwargs)

    # ---- listeners -----------------------------------------------------------------
    def add_listener(self, fn: Callable[[Sample], None]) -> None:
        """``fn(sample)`` is called in the sampler thread after every sample."""
        self._listeners.append(fn)

    def remove_listener(self, fn: Callable[[Sample], None]) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def add_alert_listener(self, fn: Callable[[AlertEvent], None]) -> None:
        self._alert_listeners.append(fn)

    # ---- state ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def latest(self) -> Sample | None:
        return self._latest

    def recent(self, name: str, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Timestamps and values of ``name`` from the in-memory samples (newest last),
        optionally only the last ``seconds``."""
        samples = list(self._recent)
        if seconds is not None and samples:
            cutoff = samples[-1].ts - seconds
            samples = [s for s in samples if s.ts >= cutoff]
        samples = [s for s in samples if name in s.values]
        t = np.fromiter((s.ts for s in samples), dtype=np.float64, count=len(samples))
        v = np.fromiter((s.values[name] for s in samples), dtype=np.float64, count=len(samples))
        return t, v

    def last_sample_age(self, now: float | None = None) -> float | None:
        s = self._latest
        return None if s is None else (time.time() if now is None else now) - s.ts

    @property
    def cost_per_sample_s(self) -> float:
        """CPU seconds the sampler thread spends per sample (flushes included)."""
        return self.thread_cpu_s / self.samples_taken if self.samples_taken else 0.0

    @property
    def core_percent(self) -> float:
        """The sampler's share of one CPU core at its interval."""
        return 100.0 * self.cost_per_sample_s / self.interval

    def reload_settings(self) -> None:
        """Pick up edited thresholds and retention (call after changing them)."""
        if self.store is not None:
            self.store.reload_settings()
            if self.alerts is not None:
                self.alerts.set_thresholds(load_thresholds(self.store.db))

    # ---- lifecycle -----------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(self._probe,), name="arx-sampler", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the thread to end without waiting (safe from any thread, even its own)."""
        self._stop.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the thread (it flushes what it holds first).  True when it ended."""
        thread = self._thread
        if thread is None:
            return True
        self._stop.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("sampler thread did not stop within %.1f s", timeout)
            return False
        self._thread = None
        return True

    def _run(self, probe: Callable[[], dict[str, float]] | None) -> None:
        if probe is None:
            try:
                # Built here: psutil keeps cpu_percent's baseline per thread.
                probe = ResourceProbe(self.disk_path).read
            except Exception as exc:
                self.last_error = f"cannot sample resources: {exc}"
                log.error(self.last_error)
                return
        cpu0 = self._cpu0 = time.thread_time() - self.thread_cpu_s  # cumulative across stop/start
        now = time.monotonic()
        next_sample = now + self.interval
        next_flush = now + self.flush_interval
        next_retention = now  # trim once at start, then periodically
        while not self._stop.wait(max(0.0, next_sample - time.monotonic())):
            try:
                self._sample_once(probe)
            except Exception as exc:  # a bug in alert evaluation must not end monitoring
                self.last_error = f"sampling failed: {exc}"
                log.exception("sampler iteration failed")
            now = time.monotonic()
            next_sample += self.interval
            if next_sample < now:  # we fell behind (suspend, overload): skip, don't burst
                next_sample = now + self.interval
            if now >= next_flush:
                self.flush()
                next_flush = now + self.flush_interval
            if self.store is not None and now >= next_retention:
                try:
                    self.store.apply_retention()
                except Exception as exc:  # keep sampling; the next round retries
                    log.warning("metrics retention failed: %s", exc)
                next_retention = now + self.retention_interval
            self.thread_cpu_s = time.thread_time() - cpu0
        self.flush()
        self.thread_cpu_s = time.thread_time() - cpu0

    def _sample_once(self, probe: Callable[[], dict[str, float]]) -> Sample | None:
        c0 = time.thread_time()
        try:
            values = probe()
        except Exception as exc:  # a vanished disk must not kill the thread
            self.last_error = f"sampling failed: {exc}"
            log.warning(self.last_error)
            return None
        ts = time.time()
        events: list[AlertEvent] = []
        if self.alerts is not None:
            for name, v in values.items():
                events.extend(self.alerts.observe(name, ts, v))
        sample = Sample(ts, values, time.thread_time() - c0)
        with self._lock:
            if self.store is not None:
                self._buffer.extend((name, ts, v) for name, v in values.items())
                del self._buffer[:-MAX_BUFFERED]
            self._pending_events.extend(events)
        self._latest = sample
        self._recent.append(sample)
        if self._cpu0 is not None:  # listeners that read the cost see this sample in it
            self.thread_cpu_s = time.thread_time() - self._cpu0
        self.samples_taken += 1
        for fn in list(self._listeners):
            try:
                fn(sample)
            except Exception:
                log.exception("sample listener failed")
        for ev in events:
            log.info("alert %s: %s", ev.kind, ev.message)
            for fn in list(self._alert_listeners):
                try:
                    fn(ev)
                except Exception:
                    log.exception("alert listener failed")
        return sample

    def flush(self) -> bool:
        """Write buffered samples and alert changes; on failure keep them for the next try."""
        with self._lock:
            batch, self._buffer = self._buffer, []
            events, self._pending_events = self._pending_events, []
        ok = True
        if self.store is not None and batch:
            try:
                self.store.record(batch)
            except Exception as exc:
                ok = False
                self.last_error = f"cannot store metrics: {exc}"
                log.warning(self.last_error)
                with self._lock:
                    self._buffer[:0] = batch
                    del self._buffer[:-MAX_BUFFERED]
        if self.alert_log is not None and self.alerts is not None:
            try:
                self.alert_log.persist(self.alerts, events)
            except Exception as exc:
                ok = False
                self.last_error = f"cannot store alerts: {exc}"
                log.warning(self.last_error)
                with self._lock:
                    self._pending_events[:0] = events
        if ok:
            self.flushes += 1
            self.last_error = None
        return ok

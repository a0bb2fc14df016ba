"""Monitoring benchmarks: the sampler's own CPU cost, and window queries of the chart.

1. Runs the real sampler (psutil, alerts, batched writes to a temp SQLite database) at
   1 Hz for ``--seconds`` and prints the CPU its thread used per sample and as a share
   of one core.
2. Builds 24 h of 1 Hz samples in 4 series (345,600 samples) in a temp database and
   times ``MetricsStore.series()`` for windows of 1 min, 10 min, 1 h and 24 h (median of
   ``--repeat`` calls; auto resolution, plus the 24 h window forced to raw).  The chart
   bar in SPEC §8 (24 h redraw <= 16 ms) is the GUI's to meet; a query well under it
   leaves the redraw its budget.

Usage: python bench/sampler.py [--seconds 20] [--repeat 15] [--url DATABASE_URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, report  # noqa: E402

from arxconsole.engine.monitor.metrics import MetricsStore  # noqa: E402
from arxconsole.engine.monitor.sampler import Sampler  # noqa: E402
from arxconsole.engine.monitor.settings import CPU, DISK, MEMORY, PROCESS_CPU  # noqa: E402
from arxconsole.store import Database  # noqa: E402

QUERY_BAR_MS = 16.0  # the 24 h chart redraw budget (SPEC §8); the query must fit well inside


def bench_sampler(db: Database, folder: Path, seconds: float) -> None:
    sampler = Sampler.for_database(db, folder, interval=1.0, flush_interval=10.0)
    print(f"sampler: running {seconds:.0f} s at 1 Hz (flush every 10 s) ...", flush=True)
    sampler.start()
    # Snapshot after the first flush: the delta to the end is the steady state, without
    # the one-off start-up work (first retention pass, SQL statement compilation).
    warm = min(10.5, seconds / 2)
    time.sleep(warm)
    cpu_warm, n_warm = sampler.thread_cpu_s, sampler.samples_taken
    time.sleep(seconds + 0.5 - warm)
    sampler.stop()
    n = sampler.samples_taken
    per = sampler.cost_per_sample_s
    sample_only = sampler.latest().cost_s if sampler.latest() else 0.0
    print(f"sampler: {n} samples, {sampler.flushes} flushes, thread CPU {sampler.thread_cpu_s * 1000:.1f} ms total")
    print(f"sampler: {per * 1000:.3f} ms CPU per sample over the whole run (flushes and start-up "
          f"included; last sample alone {sample_only * 1000:.3f} ms) = {sampler.core_percent:.3f} % of one core at 1 Hz")
    if n - n_warm > 0:
        steady = (sampler.thread_cpu_s - cpu_warm) / (n - n_warm)
        print(f"sampler: steady state after the first flush: {steady * 1000:.3f} ms CPU per sample "
              f"= {steady * 100:.3f} % of one core at 1 Hz")


def bench_flush(db: Database, repeat: int) -> None:
    """One flush as the sampler does it: 10 s x 5 series in one transaction."""
    store = MetricsStore(db)
    names = (CPU, MEMORY, DISK, PROCESS_CPU, "process.rss_mb")
    t = time.time() - 3600
    times, cpu = [], []
    for k in range(repeat):
        batch = [(n, t + k * 10 + i, 42.0 + i) for i in range(10) for n in names]
        t0, c0 = time.perf_counter(), time.thread_time()
        store.record(batch)
        cpu.append(time.thread_time() - c0)
        times.append(time.perf_counter() - t0)
    print(f"flush: {len(names) * 10} samples + their minute/hour buckets in one transaction: "
          f"median {median(times) * 1000:.2f} ms wall, {median(cpu) * 1000:.2f} ms CPU")


def build_history(db: Database, hours: float = 24.0) -> tuple[MetricsStore, float]:
    store = MetricsStore(db)
    now = time.time()
    start = now - hours * 3600
    names = (CPU, MEMORY, DISK, PROCESS_CPU)
    t0 = time.perf_counter()
    batch_s = 600  # ten minutes of samples per transaction
    n = int(hours * 3600)
    for b in range(0, n, batch_s):
        rows = []
        for i in range(b, min(b + batch_s, n)):
            ts = start + i
            rows.extend((name, ts, 50.0 + 40.0 * ((i * (k + 3)) % 97) / 97.0) for k, name in enumerate(names))
        store.record(rows)
    took = time.perf_counter() - t0
    print(f"history: {n * len(names):,} samples in {len(names)} series ({hours:.0f} h at 1 Hz) "
          f"stored in {took:.1f} s ({n * len(names) / took:,.0f} samples/s, aggregates included)")
    return store, now


def bench_queries(store: MetricsStore, now: float, repeat: int) -> None:
    windows = [("1 min", 60, "auto"), ("10 min", 600, "auto"), ("1 h", 3600, "auto"),
               ("24 h", 86400, "auto"), ("24 h", 86400, "raw")]
    for label, span, res in windows:
        times, points, got = [], 0, ""
        for _ in range(repeat):
            t0 = time.perf_counter()
            s = store.series(CPU, now - span, now, resolution=res, now=now)
            times.append(time.perf_counter() - t0)
            points, got = len(s), s.resolution
        ms = median(times) * 1000
        print(f"series({label:>6}, resolution={res:<4}) -> {got:<6} {points:>6,} points: "
              f"median {ms:7.2f} ms, max {max(times) * 1000:7.2f} ms")
        if label == "24 h" and res == "auto":
            report("24 h chart window query", ms, "ms", QUERY_BAR_MS, reference="auto resolution")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--url", help="database URL for the query benchmark (default: temp SQLite)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="arx-bench-monitor-") as tmp:
        folder = Path(tmp)
        if args.seconds > 0:
            db = Database.open(f"sqlite:///{folder / 'sampler.sqlite3'}")
            try:
                bench_sampler(db, folder, args.seconds)
                bench_flush(db, args.repeat)
            finally:
                db.close()
        db = Database.open(args.url or f"sqlite:///{folder / 'history.sqlite3'}")
        try:
            print(f"queries on {db.display_url}")
            store, now = build_history(db)
            bench_queries(store, now, args.repeat)
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

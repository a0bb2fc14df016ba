"""Chart redraw benchmark (SPEC §8: 24 h of 1 Hz samples in 4 series, redraw <= 16 ms
median), and the resource sampler's own CPU cost.

1. Builds the Metrics surface's live chart widget (offscreen), sets the 24 h window and
   loads 86,400 samples per series (numpy arrays) into its ring buffer: the 4 series of
   the bar (CPU, console CPU, memory, disk) plus console RSS, so 5 x 86,400 points.
   Each timed redraw is what the live chart does on its timer: one new sample appended,
   ``redraw()`` (scroll the window, hand the ring views to the curves: clip to view +
   peak downsampling), then ``processEvents`` until the viewport has painted (a paint
   is forced if none happened).  Prints the median over ``--redraws`` and the ratio to the bar.
2. Runs the real engine sampler (psutil, alert engine, batched writes to a temp SQLite
   database) for ``--sampler-seconds`` and prints its CPU cost per sample and share of
   one core.

Usage: python bench/charts.py [--redraws 50] [--sampler-seconds 10] [--width 1200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, report  # noqa: E402

import numpy as np  # noqa: E402

BAR_MS = 16.0
_app = None
DAY = 86_400


def synthetic_day(now: float) -> tuple[np.ndarray, np.ndarray]:
    """24 h at 1 Hz of plausible, noisy resource values (5 series)."""
    rng = np.random.default_rng(7)
    t = now - DAY + np.arange(DAY, dtype=np.float64)
    phase = np.linspace(0, 6 * np.pi, DAY)
    cpu = np.clip(30 + 20 * np.sin(phase) + rng.normal(0, 8, DAY), 0, 100)
    cpu[rng.integers(0, DAY, 40)] = 99.0           # spikes peak downsampling must keep
    proc = np.clip(cpu / 6 + rng.normal(0, 1, DAY), 0, 100)
    mem = np.clip(55 + 5 * np.sin(phase / 3) + rng.normal(0, 0.5, DAY), 0, 100)
    disk = 40 + np.cumsum(rng.normal(0, 0.001, DAY))
    rss = 180 + np.cumsum(rng.normal(0, 0.05, DAY))
    return t, np.vstack([cpu, proc, mem, disk, rss])


def bench_redraw(redraws: int, width: int, height: int, step_s: float = 1.0) -> float:
    """Median ms per redraw; samples arrive ``step_s`` apart (>= one pixel of time, ~75 s
    here, makes every redraw scroll the axis too)."""
    from PySide6.QtWidgets import QApplication

    from arxconsole.engine.monitor.sampler import Sample
    from arxconsole.gui.metrics.live import ORDER, ResourceCharts

    global _app  # the application must outlive every widget (a collected one crashes at exit)
    _app = app = QApplication.instance() or QApplication([])
    chart = ResourceCharts(interval_s=1.0)
    chart.resize(width, height)
    chart.show()
    app.processEvents()
    now = time.time()
    t, values = synthetic_day(now)
    chart.set_window(DAY)
    chart.load(t, values)
    chart.redraw()
    chart.viewport().repaint()
    app.processEvents()
    points = [len(c.getOriginalDataset()[0]) for c in chart.curves.values()]
    print(f"chart: {len(ORDER)} series x {points[0]:,} points (24 h window), widget {width}x{height}")

    from PySide6.QtCore import QEvent, QObject

    class PaintCounter(QObject):
        paints = 0

        def eventFilter(self, obj, ev):
            if ev.type() == QEvent.Paint:
                PaintCounter.paints += 1
            return False

    counter = PaintCounter()
    chart.viewport().installEventFilter(counter)
    times = []
    for i in range(redraws):
        ts = now + step_s * (i + 1)
        sample = Sample(ts, {name: float(values[j, -1]) for j, name in enumerate(ORDER)})
        chart._now_override = ts
        t0 = time.perf_counter()
        before = PaintCounter.paints
        chart.add_sample(sample)
        chart.redraw()
        app.processEvents()  # the scene's dirty items -> one viewport paint, as in the event loop
        if PaintCounter.paints == before:
            chart.viewport().repaint()  # nothing painted yet: force it, so the time includes a paint
        times.append((time.perf_counter() - t0) * 1000)
        assert PaintCounter.paints > before
    shown = [len(c.getData()[0]) for c in chart.curves.values()]
    print(f"points actually drawn per curve after clip + peak downsampling: {shown[0]:,} "
          f"(from {len(chart.ring):,})")
    print(f"viewport paints: {PaintCounter.paints} for {redraws} redraws")
    print(f"redraw times: min {min(times):.2f} ms, max {max(times):.2f} ms over {redraws}")
    chart.close()
    return median(times)


def bench_sampler(seconds: float) -> None:
    from arxconsole.engine.monitor.sampler import Sampler
    from arxconsole.store import Database

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'metrics.sqlite3'}")
        sampler = Sampler.for_database(db, tmp, interval=1.0)
        sampler.start()
        time.sleep(seconds)
        sampler.stop()
        db.close()
    print(f"sampler: {sampler.samples_taken} samples in {seconds:.0f} s, "
          f"{sampler.cost_per_sample_s * 1000:.3f} ms CPU per sample (flushes included), "
          f"{sampler.core_percent:.3f} % of one core at 1 Hz")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redraws", type=int, default=50)
    ap.add_argument("--sampler-seconds", type=float, default=10.0)
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=700)
    args = ap.parse_args()
    med = bench_redraw(args.redraws, args.width, args.height)
    report("24 h chart redraw (median)", med, "ms", BAR_MS)
    worst = bench_redraw(args.redraws, args.width, args.height, step_s=100.0)
    report("24 h chart redraw that also scrolls the axis (median)", worst, "ms", BAR_MS)
    if args.sampler_seconds > 0:
        bench_sampler(args.sampler_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The live chart widget on its own: scrolling, gaps, markers' hover text."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arxconsole.engine.monitor.history import Marker
from arxconsole.engine.monitor.sampler import Sample
from arxconsole.engine.monitor.settings import CPU, DEFAULT_THRESHOLDS, PROCESS_RSS
from arxconsole.gui.metrics.live import ORDER, ResourceCharts


@pytest.fixture
def chart(qtbot):
    w = ResourceCharts(interval_s=1.0)
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    qtbot.waitExposed(w)
    return w


def sample(ts, v):
    return Sample(ts, {name: v for name in ORDER})


def test_curves_have_no_symbols_no_antialiasing_and_peak_downsampling(chart):
    for curve in chart.curves.values():
        assert curve.opts["symbol"] is None
        assert curve.opts["antialias"] is False
        assert curve.opts["clipToView"] and curve.opts["autoDownsample"]
        assert curve.opts["downsampleMethod"] == "peak"
    assert all(isinstance(p.getAxis("bottom").__class__.__name__, str) and
               p.getAxis("bottom").__class__.__name__ == "DateAxisItem" for p in chart.plots)


def test_the_axis_scrolls_by_whole_pixels_only(chart):
    chart.set_window(86400)
    t = 1_700_000_000.0 + np.arange(86400.0)
    chart.load(t, np.vstack([np.full(86400, 10.0)] * len(ORDER)))
    chart._now_override = t[-1]
    chart.redraw()
    left, right = chart.plots[0].getViewBox().viewRange()[0]
    assert right == pytest.approx(t[-1]) and right - left == pytest.approx(86400)
    pixel = 86400 / chart.plots[0].getViewBox().width()
    chart._now_override = t[-1] + pixel / 4
    chart.redraw()
    assert chart.plots[0].getViewBox().viewRange()[0][1] == pytest.approx(t[-1])
    chart._now_override = t[-1] + 2 * pixel
    chart.redraw()
    assert chart.plots[0].getViewBox().viewRange()[0][1] == pytest.approx(t[-1] + 2 * pixel)
    # clipped and peak-downsampled: about two points per pixel, not 86,400
    assert len(chart.curves[CPU].getData()[0]) < 4 * chart.plots[0].getViewBox().width()


def test_a_pause_in_live_samples_breaks_the_line(chart):
    chart.set_window(600)
    for i in range(5):
        chart.add_sample(sample(1000.0 + i, 20.0))
    chart.add_sample(sample(1100.0, 30.0))  # the sampler was stopped for ~100 s
    chart._now_override = 1100.0
    chart.redraw()
    _, y = chart.curves[CPU].getOriginalDataset()
    assert len(y) == 7 and math.isnan(y[5]) and y[6] == 30.0
    _, rss = chart.curves[PROCESS_RSS].getOriginalDataset()
    assert rss[0] == 20.0


def test_hover_text_names_the_run_and_the_nearest_step(chart):
    run = Marker(100.0, 160.0, "7", "electrical", "", "failed")
    a = Marker(100.0, 101.0, "7", "electrical", "define-schema", "succeeded")
    b = Marker(101.0, 150.0, "7", "electrical", "add-symbols", "failed")
    running = Marker(200.0, None, "8", "lighting", "", "running")
    assert chart.markers.set_markers([run, a, b, running])
    assert not chart.markers.set_markers([run, a, b, running])  # unchanged: nothing redrawn
    text = chart.markers.text_at(120.0, now=300.0)
    assert text.splitlines()[0].startswith("Run #7 (electrical): Failed")
    assert text.splitlines()[1].strip().startswith("Step add-symbols: Failed")
    assert len(text.splitlines()) == 2
    near = chart.markers.text_at(100.9, tolerance=0.5, now=300.0)
    assert "define-schema" in near and "add-symbols" not in near
    assert chart.markers.text_at(170.0, now=300.0) == ""
    assert chart.markers.text_at(170.0, tolerance=15, now=300.0).startswith("Run #7")
    live = chart.markers.text_at(250.0, now=260.0)
    assert "Run #8 (lighting): Running" in live and "60 s so far" in live
    chart.markers.clear()
    assert chart.markers.text_at(120.0) == ""


def test_threshold_lines_follow_the_thresholds_given(chart):
    chart.set_thresholds(DEFAULT_THRESHOLDS)
    assert [line.value() for line in chart.threshold_lines[CPU]] == [80, 95]
    assert PROCESS_RSS not in chart.threshold_lines  # MB has no threshold
    chart.set_thresholds({})
    assert chart.threshold_lines == {}
    assert not [i for p in chart.plots for i in p.items if i.__class__.__name__ == "InfiniteLine"]


def test_hover_over_many_runs_names_a_few_and_counts_the_rest(chart):
    runs = [Marker(100.0 + i, 100.5 + i, str(i), "electrical", "", "succeeded") for i in range(6)]
    text = chart.markers.text_at(103.0, tolerance=5.0, now=200.0)
    assert text == ""  # no markers set yet
    chart.markers.set_markers(runs)
    lines = chart.markers.text_at(103.0, tolerance=5.0, now=200.0).splitlines()
    assert len(lines) == 4 and lines[-1].startswith("… and 3 more run(s) here")

"""HTML report (charts + numbers) and CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from lxml import etree

from arxconsole.engine.monitor.alerts import AlertEngine, AlertLog
from arxconsole.engine.monitor.charts import bar_chart, line_chart
from arxconsole.engine.monitor.history import RunRecord, StepRecord
from arxconsole.engine.monitor.metrics import MetricsStore
from arxconsole.engine.monitor.report import ReportError, collect, csv_documents, render_html, write_csv, write_html
from arxconsole.engine.monitor.settings import CPU, MEMORY, Threshold

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def report_data(db):
    now_s = NOW.timestamp()
    store = MetricsStore(db)
    store.record([(CPU, now_s - 600 + i, 40.0 + (i % 7)) for i in range(600)])
    store.record([(MEMORY, now_s - 600 + i, 55.5) for i in range(600)])
    engine = AlertEngine({CPU: Threshold(80, 95, 10, 5)})
    events = []
    for i, v in enumerate([91.0] * 10 + [20.0] * 10):
        events += engine.observe(CPU, now_s - 3600 + i, v)
    AlertLog(db).persist(engine, events)
    runs = []
    for i in range(6):
        start = NOW - dt.timedelta(hours=i + 1)
        bad = i == 0
        steps = (StepRecord("define-schema", "succeeded", 0.4, (), {"warning": 1}),
                 StepRecord("add-symbols", "succeeded", 2.4),
                 StepRecord("compliance", "failed" if bad else "succeeded", 0.8,
                            ("svg.security.script",) if bad else (), {"error": 1} if bad else {}))
        runs.append(RunRecord("electrical", f"run-{i}", start, start + dt.timedelta(seconds=3.6),
                              "rolled_back" if bad else "succeeded", steps))
    runs.append(RunRecord("electrical", "too-old", NOW - dt.timedelta(days=30), None, "failed"))
    return collect(db, runs, days=7, now=NOW)


def test_html_report_has_charts_numbers_and_recommendations(report_data, tmp_path):
    path = write_html(tmp_path / "out" / "report.html", report_data)
    html = path.read_text(encoding="utf-8")
    doc = etree.HTML(html)
    svgs = doc.xpath("//svg")
    titles = [t.text for t in doc.xpath("//svg/title")]
    assert titles == ["System resources (%)", "Console memory (MB)", "Success rate per day (%)",
                      "Median step duration", "Runs in which each check failed", "Median run duration per day (s)"]
    assert all(s.xpath(".//polyline|.//rect|.//circle") for s in svgs)
    # CPU + memory drawn; 10 minutes of data in a 7-day window still charts raw samples.
    assert len(svgs[0].xpath(".//polyline")) == 2
    assert report_data.series[CPU].resolution == "raw"
    assert report_data.insights.runs == 6  # the 30-day-old run is outside --since 7
    text = " ".join(doc.itertext())
    assert "Step add-symbols is the slowest: median 2.4 s over 6 runs, 67 % of run time" in text
    assert "System electrical succeeded in 83 % of runs (5 of 6)" in text
    assert "svg.security.script" in text and "55.5" in text and "46.0" in text  # memory mean, CPU max
    assert "CPU at 91 %" in text  # the alert's message in the alert table
    assert "CPU warning 80 %, critical 95 %, clears below 70 % after 30 s" in text  # thresholds in force


def test_report_text_is_escaped(db, tmp_path):
    start = NOW - dt.timedelta(hours=1)
    evil = RunRecord("<script>alert(1)</script>", "x", start, start + dt.timedelta(seconds=1), "failed",
                     (StepRecord("compliance", "failed", 1.0, ("<b>check</b>",)),))
    html = render_html(collect(db, [evil], days=1, now=NOW))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>check" not in html


def test_csv_exports_contain_samples_alerts_runs_and_steps(report_data, tmp_path):
    files = write_csv(tmp_path / "csv", report_data)
    assert sorted(p.name for p in files) == ["alerts.csv", "runs.csv", "samples.csv", "steps.csv"]
    read = {p.name: list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8")))) for p in files}
    cpu = [r for r in read["samples.csv"] if r["series"] == CPU]
    assert len(cpu) == 600 and {r["resolution"] for r in cpu} == {"raw"}
    assert [float(r["value"]) for r in cpu[:8]] == [40, 41, 42, 43, 44, 45, 46, 40]
    (alert,) = read["alerts.csv"]
    assert alert["metric"] == CPU and float(alert["peak"]) == 91.0 and alert["ended_at"]
    assert [r["run_id"] for r in read["runs.csv"]] == [f"run-{i}" for i in range(5, -1, -1)]
    run0 = next(r for r in read["runs.csv"] if r["run_id"] == "run-0")
    assert (run0["state"], run0["duration_s"], run0["errors"], run0["warnings"]) == ("rolled_back", "3.600", "1", "1")
    assert len(read["steps.csv"]) == 18
    failed = [r for r in read["steps.csv"] if r["failed_checks"]]
    assert [(r["run_id"], r["step_id"], r["failed_checks"]) for r in failed] == [
        ("run-0", "compliance", "svg.security.script")]
    assert csv_documents(report_data)["runs.csv"].startswith("run_id,system,state,")


def test_long_history_is_charted_as_aggregates_with_min_max_band(db):
    t0 = (NOW - dt.timedelta(days=3)).timestamp()
    # Three days of one sample a minute, with one 99 % spike the hourly mean would hide.
    MetricsStore(db).record([(CPU, t0 + 60 * i, 99.0 if i == 1000 else 20.0) for i in range(3 * 1440)])
    run_start = NOW - dt.timedelta(days=2)
    runs = [RunRecord("hvac", "r9", run_start, run_start + dt.timedelta(minutes=20), "failed")]
    data = collect(db, runs, days=7, now=NOW)
    cpu = data.series[CPU]
    assert cpu.resolution == "hour" and cpu.vmax.max() == 99.0 and cpu.value.max() < 22
    doc = etree.HTML(render_html(data))
    (svg,) = doc.xpath("//svg[title='System resources (%) — per-hour mean, band = min..max — shaded: pipeline runs']")
    assert len(svg.xpath(".//polygon")) == 1
    assert [t.text for t in svg.xpath("./rect/title")] == ["run r9 hvac: failed"]  # the run's span
    rows = list(csv.DictReader(io.StringIO(csv_documents(data)["samples.csv"])))
    hourly = [r for r in rows if r["series"] == CPU]
    assert {r["resolution"] for r in hourly} == {"hour"} and sum(int(r["count"]) for r in hourly) == 3 * 1440
    assert max(float(r["max"]) for r in hourly) == 99.0


def test_bad_targets_and_window_are_user_errors(report_data, db, tmp_path):
    from arxconsole.engine.durable import OutputPathError
    with pytest.raises(OutputPathError, match="is a folder, not a file"):
        write_html(tmp_path, report_data)
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    with pytest.raises(OutputPathError) as info:
        write_csv(afile, report_data)
    assert str(info.value) == f"cannot write into {afile}: {afile} is a file, not a folder"
    with pytest.raises(OutputPathError) as info:
        write_html(afile / "sub" / "r.html", report_data)
    assert str(info.value) == f"cannot write {afile / 'sub' / 'r.html'}: {afile} is a file, not a folder"
    with pytest.raises(ReportError, match="positive number of days"):
        collect(db, [], days=0)


def test_charts_handle_empty_single_point_and_long_series():
    assert "no data" in line_chart([], "Empty")
    assert "<circle" in line_chart([("one", [1.0], [2.0])], "One point")
    big = line_chart([("cpu", list(range(100_000)), [i % 100 for i in range(100_000)])], "Big")
    pts = big.split('points="')[1].split('"')[0].split()
    assert len(pts) <= 1200 and any(p.endswith(",%s" % p.split(",")[1]) for p in pts)
    bars = bar_chart(["a", "b"], [1.0, 3.0], "Bars", "s")
    assert bars.count("<rect") == 3 and "3.0 s" in bars

"""The chart's numpy buffers and the table model behind every chart (no window)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from arxconsole.engine.monitor.metrics import SeriesData
from arxconsole.gui.metrics.live import break_gaps, merge_series
from arxconsole.gui.metrics.ring import SampleRing
from arxconsole.gui.metrics.tabledata import Column, TableData, TableDataModel, fixed, precise


def test_ring_keeps_the_newest_rows_in_order_across_wraps():
    ring = SampleRing(2, capacity=5)
    for i in range(23):
        ring.append(float(i), [i * 10.0, -i])
    assert len(ring) == 5
    assert ring.t.tolist() == [18.0, 19.0, 20.0, 21.0, 22.0]
    assert ring.values(0).tolist() == [180.0, 190.0, 200.0, 210.0, 220.0]
    assert ring.values(1).tolist() == [-18.0, -19.0, -20.0, -21.0, -22.0]


def test_ring_views_are_contiguous_slices_not_copies():
    ring = SampleRing(1, capacity=4)
    ring.extend(np.arange(3.0), np.arange(3.0).reshape(1, -1))
    assert ring.t.base is not None and ring.values(0).flags["C_CONTIGUOUS"]


def test_ring_extend_ignores_rows_not_newer_and_trims_to_capacity():
    ring = SampleRing(1, capacity=4)
    ring.append(10.0, [1.0])
    ring.append(10.0, [2.0])      # duplicate time: ignored
    ring.append(9.0, [3.0])       # older: ignored
    ring.extend(np.array([5.0, 11.0, 12.0]), np.array([[0.0, 11.0, 12.0]]))
    assert ring.t.tolist() == [10.0, 11.0, 12.0]
    ring.extend(np.arange(13.0, 30.0), np.arange(13.0, 30.0).reshape(1, -1))
    assert ring.t.tolist() == [26.0, 27.0, 28.0, 29.0]
    assert ring.values(0).tolist() == [26.0, 27.0, 28.0, 29.0]


def test_ring_drop_before_forgets_old_rows():
    ring = SampleRing(1, capacity=100)
    ring.extend(np.arange(50.0), np.arange(50.0).reshape(1, -1))
    ring.drop_before(45.5)
    assert ring.t.tolist() == [46.0, 47.0, 48.0, 49.0]
    ring.drop_before(1000)
    assert len(ring) == 0
    ring.append(1.0, [1.0])  # still usable after being emptied
    assert ring.t.tolist() == [1.0]


def test_ring_refuses_nonsense_sizes():
    with pytest.raises(ValueError):
        SampleRing(0, 10)
    with pytest.raises(ValueError):
        SampleRing(1, 0)


def test_merge_series_aligns_series_on_one_time_column():
    a = SeriesData("a", "raw", np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 30.0]),
                   np.array([10.0, 20.0, 30.0]), np.array([10.0, 20.0, 30.0]), np.ones(3, dtype=np.int64))
    b = SeriesData("b", "raw", np.array([2.0, 4.0]), np.array([7.0, 8.0]), np.array([7.0, 8.0]),
                   np.array([7.0, 8.0]), np.ones(2, dtype=np.int64))
    t, mat = merge_series([a, b, SeriesData.empty("c", "raw")])
    assert t.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert mat[0, :3].tolist() == [10.0, 20.0, 30.0] and math.isnan(mat[0, 3])
    assert math.isnan(mat[1, 0]) and mat[1, 1] == 7.0 and mat[1, 3] == 8.0
    assert np.isnan(mat[2]).all()
    t, mat = merge_series([SeriesData.empty("a", "raw")])
    assert len(t) == 0 and mat.shape == (1, 0)


def test_break_gaps_puts_a_nan_row_in_every_long_gap():
    t = np.array([0.0, 1.0, 2.0, 50.0, 51.0, 200.0])
    v = np.vstack([t * 2, t * 3])
    t2, v2 = break_gaps(t, v, max_gap=3.0)
    assert len(t2) == 8
    assert np.isnan(v2[:, 3]).all() and np.isnan(v2[:, 6]).all()
    assert 2.0 < t2[3] < 50.0 and 51.0 < t2[6] < 200.0
    assert np.all(np.diff(t2) > 0)
    same_t, same_v = break_gaps(t[:3], v[:, :3], 3.0)
    assert same_t is t[:3] or same_t.tolist() == [0.0, 1.0, 2.0]


def test_table_data_formats_for_display_and_for_csv():
    data = TableData([Column("t", [1.0, 2.0], fixed(0), precise), Column("v", [0.123456, float("nan")], fixed(2), precise),
                      Column("name", ["a", "b,c"])])
    assert data.rows == 2
    assert data.cell(0, 1) == "0.12" and data.cell(1, 1) == ""
    assert data.to_csv().splitlines() == ["t,v,name", "1.0,0.123456,a", '2.0,,"b,c"']


def test_table_model_passes_the_qt_model_tester(qtmodeltester):
    model = TableDataModel()
    qtmodeltester.check(model)
    model.set_data(TableData([Column("a", np.arange(5.0), fixed(1)), Column("b", list("vwxyz"))]))
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and model.columnCount() == 2
    assert model.index(3, 0).data() == "3.0" and model.headerData(1, Qt.Horizontal) == "b"

"""User-given output paths (reports, CSV folders, exports, migration reports): one check
and one message naming the path and the cause, never the OS's bare "File exists"."""

from __future__ import annotations

import errno

import pytest

from arxconsole.engine import durable
from arxconsole.engine.errors import UserError


@pytest.fixture
def afile(tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    return f


def test_a_file_where_a_folder_should_be_is_named(tmp_path, afile):
    assert durable.output_problem(afile / "x.html") == f"{afile} is a file, not a folder"
    assert durable.output_problem(afile / "deeper" / "x.html") == f"{afile} is a file, not a folder"
    assert durable.output_problem(afile, folder=True) == f"{afile} is a file, not a folder"
    assert durable.output_problem(tmp_path) == f"{tmp_path} is a folder, not a file"
    assert durable.output_problem(tmp_path / "new" / "x.html") is None     # made when written
    assert durable.output_problem(afile) is None                           # replaced when written


def test_check_refuses_before_anything_is_written(afile):
    with pytest.raises(durable.OutputPathError) as info:
        durable.check_output_path(afile / "x.html")
    assert str(info.value) == f"cannot write {afile / 'x.html'}: {afile} is a file, not a folder"
    assert isinstance(info.value, UserError)                               # a message, exit 1
    with pytest.raises(durable.OutputPathError, match=f"^cannot write into {afile / 'csv'}: "):
        durable.check_output_path(afile / "csv", folder=True)


def test_a_failed_write_is_explained_by_the_path_else_by_the_os(tmp_path, afile):
    """What the OS said when a file is in the way ("File exists" from mkdir) is replaced
    by the cause; any other reason is kept, in the same sentence."""
    target = afile / "x.html"
    with pytest.raises(OSError) as raw:
        durable.write_text(target, "x")
    assert str(durable.output_error(target, raw.value)) == f"cannot write {target}: {afile} is a file, not a folder"
    denied = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "r.html"))
    assert str(durable.output_error(tmp_path / "r.html", denied)) == f"cannot write {tmp_path / 'r.html'}: permission denied"

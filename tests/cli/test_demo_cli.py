"""``arxconsole demo init`` and ``--demo`` from the command line."""

from __future__ import annotations

import json

import pytest

from arxconsole.cli import build_parser, main
from arxconsole.cli.context import CliContext
from arxconsole.engine.demo import is_demo_workspace


def test_demo_init_writes_and_reports_counts_per_system(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert main(["demo", "init", str(dest)]) == 0
    out = capsys.readouterr().out
    assert f"Wrote demo workspace {dest.resolve()}" in out
    assert "electrical   1 schema, 9 symbols, 5 behavior profiles" in out
    assert "fire_alarm   1 schema, 7 symbols" in out
    assert "audiovisual  1 schema, 8 symbols" in out
    assert is_demo_workspace(dest)
    assert len(list(dest.glob("arx-symbol-library/*/*.json"))) == 24


def test_demo_init_again_refreshes_and_json_output(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert main(["demo", "init", str(dest)]) == 0
    capsys.readouterr()
    (dest / "schemas/fire_alarm/schema.json").write_text("{}")
    assert main(["demo", "init", str(dest), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refreshed"] is True and data["written"] == 1
    assert data["systems"]["electrical"]["symbols"] == 9
    assert json.loads((dest / "schemas/fire_alarm/schema.json").read_text())["code"] == "FA"


def test_demo_init_refuses_a_foreign_folder_then_force(tmp_path, capsys):
    dest = tmp_path / "project"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    assert main(["demo", "init", str(dest)]) == 1
    err = capsys.readouterr().err
    assert str(dest.resolve()) in err and "not empty" in err and "--force" in err
    assert "Traceback" not in err
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    assert main(["demo", "init", str(dest), "--force"]) == 0
    assert (dest / "keep.txt").read_text() == "mine"
    assert is_demo_workspace(dest)


def test_demo_without_action_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo"])
    assert exc.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_demo_flag_creates_the_demo_in_the_data_dir(tmp_path):
    args = build_parser().parse_args(["--data-dir", str(tmp_path / "state"), "--demo"])
    ctx = CliContext(args)
    try:
        path = ctx.workspace_path()
        assert path == (tmp_path / "state" / "demo-workspace").resolve()
        assert ctx.workspace.registered_systems() == {"electrical", "fire_alarm", "audiovisual"}
    finally:
        ctx.close()


def test_demo_init_under_a_file_says_which_file_is_in_the_way(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code = main(["demo", "init", str(tmp_path / "afile" / "demo")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err == (f"arxconsole: error: cannot write into {tmp_path / 'afile' / 'demo'}: "
                   f"{tmp_path / 'afile'} is a file, not a folder\n")

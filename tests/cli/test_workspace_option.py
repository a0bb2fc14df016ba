"""--workspace naming a path that is not a workspace is a usage error (exit 2) in every
command that works on a workspace, like a missing file argument, with a message that
names the path and what is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from arxconsole.cli import main
from arxconsole.engine.workspace import Workspace

COMMANDS = [
    ["validate"],
    ["validate", "{file}"],
    ["import-symbols", "{file}"],
    ["run", "--system", "electrical"],
    ["run", "--system", "electrical", "--dry-run"],
    ["runs", "list"],
    ["backup", "create"],
    ["backup", "list"],
    ["backup", "diff", "20990101"],
    ["backup", "restore", "20990101", "--yes"],
    ["backup", "prune", "--dry-run"],
    ["profiles", "check"],
    ["profiles", "import", "{file}", "--system", "electrical"],
]


@pytest.fixture
def file(tmp_path):
    f = tmp_path / "thing.json"
    f.write_text("{}")
    return f


def usage_exit(capsys, argv) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_workspace_is_a_usage_error(command, tmp_path, file, capsys):
    missing = tmp_path / "no-such-ws"
    argv = [a.format(file=file) for a in command] + ["--workspace", str(missing)]
    code, err = usage_exit(capsys, argv)
    assert code == 2
    assert err == f"arxconsole: error: workspace {missing}: no such folder\n"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_folder_that_is_not_a_workspace_is_a_usage_error(command, tmp_path, file, capsys):
    plain = tmp_path / "plain"
    plain.mkdir()
    argv = [a.format(file=file) for a in command] + ["-w", str(plain)]
    code, err = usage_exit(capsys, argv)
    assert code == 2 and err.startswith(f"arxconsole: error: workspace {plain}: not an Arxos workspace (none of ")
    assert not any(plain.iterdir())                 # nothing was created in it


def test_a_file_as_workspace_and_no_workspace_at_all_are_usage_errors(file, capsys):
    code, err = usage_exit(capsys, ["backup", "create", "-w", str(file)])
    assert code == 2 and err == f"arxconsole: error: workspace {file}: a file, not a folder\n"
    code, err = usage_exit(capsys, ["run", "--system", "electrical"])
    assert code == 2 and "no workspace: pass --workspace DIR or --demo" in err


def test_the_process_exits_2_without_a_traceback(tmp_path):
    missing = tmp_path / "nope"
    proc = subprocess.run([sys.executable, "-m", "arxconsole", "validate", "--workspace", str(missing)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"arxconsole: error: workspace {missing}: no such folder\n"


def test_health_still_reports_a_missing_workspace_as_an_unhealthy_component(tmp_path, capsys):
    """``health`` (and the health section of ``report``) diagnose: the workspace is one of
    the components they report on, so a missing one is their finding (exit 1), not a
    usage error."""
    code = main(["health", "-w", str(tmp_path / "nope")])
    assert code == 1 and "not a folder" in capsys.readouterr().out


def test_a_real_workspace_still_works(tmp_path, capsys):
    ws = Workspace.create(tmp_path / "ws")
    assert main(["validate", "--workspace", str(ws.root)]) == 0
    assert main(["backup", "prune", "--dry-run", "-w", str(ws.root)]) == 0

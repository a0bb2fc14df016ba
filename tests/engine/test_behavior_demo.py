"""The demo workspace's profiles, the whole-system API the pipeline calls, the template
for new object types, and the CLI."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from arxconsole.cli import main as cli_main
from arxconsole.engine.behavior import (check_profile, check_system_profiles, load_profile, load_profile_text,
                                        profile_ports, profile_template, run_scenarios)
from arxconsole.engine.errors import UserError
from arxconsole.engine.progress import CancelToken, Cancelled
from arxconsole.engine.workspace import Workspace
from arxconsole.resources import resource_path

DEMO = resource_path("demo-workspace")
PROFILES = {
    "electrical": {"panel_board", "receptacle", "light_fixture", "wall_switch", "transformer"},
    "fire_alarm": {"smoke_detector", "heat_detector", "pull_station", "horn_strobe", "facp"},
    "audiovisual": {"display", "projector", "speaker", "av_control", "projection_screen"},
}


def test_exactly_the_demo_profiles_exist():
    for system, ids in PROFILES.items():
        assert {p.stem for p in (DEMO / "behavior" / system).glob("*.yaml")} == ids


@pytest.mark.parametrize("system, pid", sorted((s, p) for s, ids in PROFILES.items() for p in ids))
def test_demo_profile_is_clean_and_its_scenarios_pass(system, pid):
    profile, found = load_profile(DEMO / "behavior" / system / f"{pid}.yaml")
    assert found == []
    assert profile.object_type == f"{system}.{pid}"
    assert check_profile(profile, system=system) == []
    results, failed = run_scenarios(profile)
    assert results and all(r.passed for r in results) and failed == []
    # "meaningful": every scenario checks something, and runs at least one command or time step.
    for sc in profile.scenarios:
        kinds = {s.kind for s in sc.steps}
        assert "expect" in kinds and kinds & {"command", "advance", "set"}, sc.name


def _readme_ports() -> dict[str, list[tuple[str, str]]]:
    """profile id -> [(port, type)] from the demo README's table."""
    text = (DEMO / "README.md").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[2].startswith("`") and cells[1].startswith("`"):
            pid = cells[2].strip("`")
            out[pid] = re.findall(r"`(\w+)` \((\w+)", cells[3])
    return out


def test_profile_ports_match_the_demo_readme_and_symbols():
    table = _readme_ports()
    assert set(table) == set().union(*PROFILES.values())
    for system, ids in PROFILES.items():
        for pid in ids:
            ports = profile_ports(DEMO / "behavior" / system / f"{pid}.yaml")
            assert [(p["name"], p["type"]) for p in ports] == table[pid], pid
    # And every demo symbol has the ports of the profile it names, with the same types.
    symbols = sorted((DEMO / "arx-symbol-library").glob("*/*.json"))
    assert symbols
    for path in symbols:
        sym = json.loads(path.read_text(encoding="utf-8"))
        prof_path = DEMO / "behavior" / path.parent.name / f"{sym['behavior_profile']}.yaml"
        for port in profile_ports(prof_path):
            conn = sym["connections"].get(port["name"])
            assert conn is not None, (path.name, port)
            assert conn["type"] == port["type"], (path.name, port)


def test_check_system_profiles_on_the_demo(tmp_path):
    ws_root = tmp_path / "ws"
    shutil.copytree(DEMO, ws_root)
    seen = []
    report = check_system_profiles(Workspace.open(ws_root), "audiovisual",
                                   progress=lambda d, t, m: seen.append((d, t, m)))
    assert report.findings == []
    assert report.stats["profiles_checked"] == 5
    assert report.stats["scenarios_run"] == report.stats["scenarios_passed"] >= 5
    assert 0 < report.stats["max_eval_ms"] < 2
    assert seen[-1][:2] == (5, 5)
    assert {p["file"] for p in report.profiles} == {f"behavior/audiovisual/{p}.yaml" for p in PROFILES["audiovisual"]}
    json.dumps(report.to_dict())          # serialisable for the run history


def test_check_system_profiles_reports_broken_files_with_relative_names(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    folder = ws.behavior_dir("electrical")
    folder.mkdir(parents=True)
    shutil.copy(DEMO / "behavior/electrical/panel_board.yaml", folder)
    (folder / "broken.yaml").write_text("id: broken\nobject_type: [\n", encoding="utf-8")
    (folder / "evil.yaml").write_text("!!python/object/apply:os.system ['touch /tmp/pwned']\n", encoding="utf-8")
    text = (DEMO / "behavior/electrical/panel_board.yaml").read_text(encoding="utf-8")
    (folder / "twin.yaml").write_text(text.replace("id: panel_board", "id: twin").replace(
        "expect: {state: {main_breaker: open}", "expect: {state: {main_breaker: closed}"), encoding="utf-8")
    report = check_system_profiles(ws, "electrical")
    by_file = {}
    for f in report.findings:
        by_file.setdefault(f.file, set()).add(f.rule)
    assert by_file == {
        "behavior/electrical/broken.yaml": {"behavior.yaml.syntax"},
        "behavior/electrical/evil.yaml": {"behavior.yaml.unsafe_tag"},
        "behavior/electrical/twin.yaml": {"behavior.scenario.failed"},
    }
    assert report.stats["profiles_checked"] == 4
    assert report.stats["scenarios_run"] == 4 and report.stats["scenarios_passed"] == 3


def test_check_system_profiles_cancels_and_reports_empty_system(tmp_path):
    ws_root = tmp_path / "ws"
    shutil.copytree(DEMO, ws_root)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check_system_profiles(ws_root, "electrical", cancel=token)
    report = check_system_profiles(ws_root, "plumbing")
    assert [f.rule for f in report.findings] == ["behavior.system.no_profiles"]


def test_template_for_a_new_object_type_passes_as_generated():
    text = profile_template("electrical.smart_switch",
                            [{"name": "line", "type": "power"}, ("load", "power"), "control"])
    profile, found = load_profile_text(text, "behavior/electrical/smart_switch.yaml")
    assert found == []
    assert profile.id == "smart_switch" and profile.object_type == "electrical.smart_switch"
    assert profile_ports(profile) == [{"name": "line", "type": "power"}, {"name": "load", "type": "power"},
                                      {"name": "control", "type": "control"}]
    assert check_profile(profile, system="electrical") == []
    results, failed = run_scenarios(profile)
    assert len(results) == 1 and results[0].passed and results[0].steps_run == 6
    # No ports is allowed (the symbol then needs none); bad input is a UserError.
    assert load_profile_text(profile_template("audiovisual.camera", []))[0].ports == []
    with pytest.raises(UserError):
        profile_template("Camera", [])
    with pytest.raises(UserError):
        profile_template("audiovisual.camera", [{"name": "", "type": "x"}])
    # Port names are quoted, so anything a symbol uses survives; extra keys are ignored.
    odd = profile_template("audiovisual.camera", [{"name": "video-out: 1", "type": "video", "direction": "out"},
                                                  {"name": "on", "type": "power"}], profile_id="cam")
    profile, found = load_profile_text(odd, "cam.yaml")
    assert found == [] and profile.id == "cam"
    assert profile_ports(profile) == [{"name": "video-out: 1", "type": "video"}, {"name": "on", "type": "power"}]
    assert check_profile(profile, system="audiovisual") == []


# ---- CLI ---------------------------------------------------------------------------------

def test_cli_profiles_check_json(tmp_path, capsys):
    ws_root = tmp_path / "ws"
    shutil.copytree(DEMO, ws_root)
    assert cli_main(["profiles", "check", "--workspace", str(ws_root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    bad = ws_root / "behavior/fire_alarm/facp.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("nac_utilization: 48", "nac_utilization: 50"),
                   encoding="utf-8")
    assert cli_main(["profiles", "check", "-w", str(ws_root), "--system", "fire_alarm", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    assert set(rows[0]) == {"file", "rule", "severity", "message", "hint", "location"}
    assert rows[0]["file"] == "behavior/fire_alarm/facp.yaml" and rows[0]["rule"] == "behavior.scenario.failed"
    assert "expected derived nac_utilization = 50" in rows[0]["message"] and "got 48" in rows[0]["message"]
    assert cli_main(["profiles", "check", "-w", str(ws_root), "--system", "nope"]) == 2
    assert cli_main(["profiles", "check", "-w", str(ws_root)]) == 1
    out = capsys.readouterr().out
    assert "15 profile(s)" in out and "FAILED" in out


def test_cli_profiles_check_demo(capsys):
    assert cli_main(["profiles", "check", "--demo"]) == 0
    assert "15 profile(s), 27/27 scenario(s) passed" in capsys.readouterr().out


def test_cli_profiles_check_loose_files(tmp_path, capsys):
    good = DEMO / "behavior/electrical/panel_board.yaml"
    bad = tmp_path / "panel_board.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("phases * efficiency\"", "phases * eficiency\""),
                   encoding="utf-8")
    assert cli_main(["profiles", "check", str(good), "--system", "electrical"]) == 0
    assert "1 profile(s), 2/2 scenario(s) passed" in capsys.readouterr().out
    assert cli_main(["profiles", "check", str(good), str(bad), "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert {r["rule"] for r in rows} == {"behavior.name.undeclared", "behavior.scenario.not_run"}
    assert any("unknown name 'eficiency' at column 33" in r["message"] and r["file"] == str(bad) for r in rows)
    assert cli_main(["profiles", "check", str(tmp_path / "nope.yaml")]) == 2


def test_cli_profiles_take_folders_for_their_yaml_files(tmp_path, capsys):
    # A folder stands for the YAML files in it (the corpus keeps its profiles in one).
    folder = tmp_path / "profiles"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DEMO / "behavior/electrical/panel_board.yaml", folder / "panel_board.yaml")
    shutil.copy(DEMO / "behavior/electrical/light_fixture.yaml", folder / "sub" / "light_fixture.yml")
    (folder / "notes.txt").write_text("not a profile")
    assert cli_main(["profiles", "check", str(folder), "--system", "electrical"]) == 0
    assert "2 profile(s)" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli_main(["profiles", "check", str(empty)]) == 2
    assert f"no .yaml or .yml profile file in folder {empty}" in capsys.readouterr().err
    assert cli_main(["profiles", "import", str(tmp_path / "nope"), "-w", str(tmp_path), "--system", "x"]) == 2
    assert f"no such file or folder: {tmp_path / 'nope'}" in capsys.readouterr().err


def test_dump_profile_round_trips_the_demo_profiles():
    from arxconsole.engine.behavior import dump_profile

    for path in sorted((DEMO / "behavior").glob("*/*.yaml")):
        profile, _ = load_profile(path)
        again, found = load_profile_text(dump_profile(profile), path.name)
        assert found == [], path.name
        assert dump_profile(again) == dump_profile(profile)
        results, failed = run_scenarios(again)
        assert failed == [] and len(results) == len(profile.scenarios), path.name

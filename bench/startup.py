"""Startup: time until the main window is shown vs a bare PySide6 window, same machine,
same run (SPEC §8: <= 1.5x).

Each sample is a fresh process measured from spawn to the wall-clock stamp it prints
once its window is shown ("shown").  ArxConsole also prints "ready" once the database
is open and the demo workspace is loaded and displayed; both are reported.
Runs alternate so both sides share the machine's noise.  Each process also reports its
CPU time until shown, printed as an informative second ratio.
Usage: python bench/startup.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median, report  # noqa: E402

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 820); w.show()
app.processEvents()
print(f"shown {time.time():.6f} cpu {time.process_time():.6f}", flush=True)
"""


def stamps(cmd: list[str], env: dict) -> dict[str, float]:
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("shown", "ready"):
            out[parts[0]] = float(parts[1]) - t0
        if len(parts) == 4 and parts[0] == "shown" and parts[2] == "cpu":
            out["shown_cpu"] = float(parts[3])   # CPU seconds of the process until shown
    if "shown" not in out:
        raise SystemExit(f"{cmd} did not show a window:\n{proc.stderr[-2000:]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    ap.add_argument("--bundle", metavar="EXE",
                    help="also time a PyInstaller build (e.g. dist/arxconsole/arxconsole) against the venv start")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="arx-startup-")
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform, ARXCONSOLE_DATA_DIR=data,
               ARXCONSOLE_EXIT_WHEN_SHOWN="1")
    ours_cmd = [sys.executable, "-m", "arxconsole", "--demo"]
    # First-run work is not start-up: create the demo and its history (runs, a backup)
    # once, then warm the OS file cache.
    seed = ("from arxconsole.engine.datadir import DataDir; from arxconsole.store import Database;"
            "from arxconsole.engine.demo import ensure_demo_workspace, seed_demo_history, demo_needs_history;"
            "from arxconsole.engine.workspace import Workspace;"
            "d = DataDir.resolve(); db = Database.open(d.database_url); p = ensure_demo_workspace(d.demo_workspace);"
            "demo_needs_history(p, db) and seed_demo_history(Workspace.open(p), db, d)")
    subprocess.run([sys.executable, "-c", seed], env=env, check=True, timeout=300)
    # Current bytecode, as any second start has (pip compiles at install; Python writes it
    # at the first import unless PYTHONDONTWRITEBYTECODE is set, which would make every
    # sample compile the package: not start-up, and not what a user's start pays).
    package = Path(__file__).resolve().parent.parent / "arxconsole"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    stamps(ours_cmd, env)
    stamps([sys.executable, "-c", BARE], env)
    bundle_cmd = [args.bundle, "--demo"] if args.bundle else None
    if bundle_cmd:
        stamps(bundle_cmd, env)
    bare, shown, ready, bshown, bready = [], [], [], [], []
    bare_cpu, shown_cpu = [], []
    for _ in range(args.runs):
        s = stamps([sys.executable, "-c", BARE], env)
        bare.append(s["shown"])
        bare_cpu.append(s["shown_cpu"])
        s = stamps(ours_cmd, env)
        shown.append(s["shown"])
        shown_cpu.append(s["shown_cpu"])
        ready.append(s.get("ready", float("nan")))
        if bundle_cmd:
            s = stamps(bundle_cmd, env)
            bshown.append(s["shown"])
            bready.append(s.get("ready", float("nan")))
    b, o, r = median(bare), median(shown), median(ready)
    print(f"platform {args.platform}, {args.runs} runs each, medians: bare PySide6 window shown {b*1000:.0f} ms; "
          f"ArxConsole --demo window shown {o*1000:.0f} ms, demo workspace loaded {r*1000:.0f} ms")
    report("startup, window shown (ArxConsole / bare window)", o / b, "x", 1.5)
    report("startup, populated demo ready (ArxConsole / bare window)", r / b, "x", 1.5)
    # CPU time until shown (all threads of the process): what start-up costs, apart from
    # the waiting that other jobs on a shared machine add to wall time.  Informative;
    # the bar is the wall-clock ratio above.
    bc, oc = median(bare_cpu), median(shown_cpu)
    print(f"[cpu] until shown: bare PySide6 window {bc*1000:.0f} ms, ArxConsole --demo {oc*1000:.0f} ms, "
          f"ratio {oc / bc:.3f}x (bar 1.5x applies to wall time)")
    if bundle_cmd:
        bs, br = median(bshown), median(bready)
        print(f"PyInstaller bundle: window shown {bs*1000:.0f} ms (venv {o*1000:.0f} ms, ratio {bs/o:.2f}x), "
              f"demo ready {br*1000:.0f} ms (venv {r*1000:.0f} ms, ratio {br/r:.2f}x)")
        report("startup, bundle window shown (bundle / bare window)", bs / b, "x", 1.5)


if __name__ == "__main__":
    main()

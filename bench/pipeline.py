"""Pipeline benchmark (SPEC §8): full dry run on a 500-symbol system <= 3 s.

Generates a system of 50 object types x 10 symbols (schema, 500 symbols, 50 behavior
profiles with scenarios) in a temp workspace, then times complete dry runs of all six
steps (every check runs: catalogue validation, scenarios, registry, docs, compliance,
gates, history in a fresh database).  Prints the median over several runs, the
per-step split of the median run, and the ratio to the bar.

    .venv/bin/python bench/pipeline.py [--runs N] [--objects N] [--symbols-per-object N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import median, report  # noqa: E402

BAR_SECONDS = 3.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--objects", type=int, default=50)
    ap.add_argument("--symbols-per-object", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ARXCONSOLE_DATA_DIR"] = str(Path(tmp) / "data")
        from arxconsole.engine.datadir import DataDir
        from arxconsole.engine.pipeline import PipelineRunner, RunRequest, State
        from arxconsole.engine.pipeline.synthetic import write_system
        from arxconsole.store import Database

        t = time.perf_counter()
        ws = write_system(Path(tmp) / "ws", objects=args.objects, symbols_per_object=args.symbols_per_object)
        n = len(ws.symbol_files("electrical"))
        print(f"generated {n} symbols, {len(ws.profile_files('electrical'))} profiles in "
              f"{time.perf_counter() - t:.2f} s")
        db = Database.open(DataDir.resolve().database_url)
        times, splits = [], []
        for i in range(args.runs + 1):
            runner = PipelineRunner(ws, db, RunRequest("electrical", dry_run=True))
            t = time.perf_counter()
            state = runner.run()
            elapsed = time.perf_counter() - t
            if state is not State.SUCCEEDED:
                print(f"run ended {state.value}: {runner.message}", file=sys.stderr)
                return 1
            if i == 0:
                print(f"warm-up run: {elapsed:.3f} s (imports, caches)")
                continue
            times.append(elapsed)
            splits.append({s: st.duration for s, st in runner.steps.items()})
        med = median(times)
        mid = splits[times.index(sorted(times)[len(times) // 2])]
        print("runs: " + ", ".join(f"{x:.3f}" for x in times) + " s")
        print("median run by step: " + ", ".join(f"{s} {d:.3f}" for s, d in mid.items()) + " s")
        report(f"full dry run, {n}-symbol system", med, "s", BAR_SECONDS)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

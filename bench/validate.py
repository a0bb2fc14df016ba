"""Benchmark: whole-library symbol validation against the SPEC §8 bars.

    python bench/validate.py [--count 10000] [--keep DIR]

Generates COUNT realistic library-format symbols (varied drawings: outlines, rounded
rects, circles, arcs and Bézier paths, polygons, transformed groups, labels, port
markers) in a temporary workspace with schemas and behavior profiles, then, in the same
run, times

  * validate_workspace() over the whole library (reads, parses, every rule), and
  * a bare ``lxml.etree.fromstring`` of the same SVG strings (already in memory),

and prints symbols/s and the ratio in wall time and in CPU time (on a shared machine other
jobs stretch wall time), where the time goes per symbol, and the live-editor figure for
one ~20 KB SVG.  validate_workspace is timed twice: forced into this one process, and as
the app runs it (worker processes for a library this size, when there are several CPUs);
each figure says which.  Figures only; no assertions (machines are noisy:
compare the ratio, measured side by side).
"""

from __future__ import annotations

import argparse
import json
import random
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from arxconsole.engine import durable  # noqa: E402
from arxconsole.engine.symbols import validate_svg_text, validate_workspace  # noqa: E402
from arxconsole.engine.workspace import Workspace  # noqa: E402

SYSTEMS = {"electrical": "EL", "mechanical": "ME", "audiovisual": "AV", "plumbing": "PL", "security": "SE"}
KINDS = ["panel", "switch", "sensor", "valve", "display", "pump", "camera", "outlet"]
PORT_TYPES = ["power", "data", "control", "audio", "video", "water", "signal"]


def drawing(rng: random.Random, w: int, h: int, ports: dict) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">',
             '<title>symbol</title>',
             f'<rect x="2" y="2" width="{w - 4}" height="{h - 4}" rx="3" fill="#f8fafc" stroke="#1e293b" '
             f'stroke-width="1.5"/>']
    cx, cy = w / 2, h / 2
    for i in range(rng.randint(3, 7)):
        kind = rng.choice(["circle", "path", "polygon", "line", "group", "ellipse", "polyline"])
        if kind == "circle":
            r = rng.uniform(2, min(w, h) / 5)
            parts.append(f'<circle cx="{cx + rng.uniform(-w / 5, w / 5):.2f}" cy="{cy + rng.uniform(-h / 5, h / 5):.2f}" '
                         f'r="{r:.2f}" fill="none" stroke="#334155" stroke-width="1"/>')
        elif kind == "ellipse":
            parts.append(f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{w / 4:.1f}" ry="{h / 6:.1f}" fill="#e2e8f0"/>')
        elif kind == "path":
            x0, y0 = rng.uniform(6, w / 3), rng.uniform(6, h - 6)
            parts.append(f'<path d="M{x0:.2f} {y0:.2f} C{x0 + 5:.2f} {y0 - 4:.2f} {x0 + 10:.2f} {y0 + 4:.2f} '
                         f'{x0 + 15:.2f} {y0:.2f} l4 0 a3 3 0 0 1 6 0 Q{w - 8:.1f} {cy:.1f} {w - 6:.1f} {y0:.1f} z" '
                         f'fill="none" stroke="#0f172a" stroke-linejoin="round"/>')
        elif kind == "polygon":
            pts = " ".join(f"{cx + (w / 6) * dx:.2f},{cy + (h / 6) * dy:.2f}"
                           for dx, dy in ((0, -1), (0.87, 0.5), (-0.87, 0.5)))
            parts.append(f'<polygon points="{pts}" fill="#cbd5e1" stroke="#475569"/>')
        elif kind == "polyline":
            pts = " ".join(f"{6 + j * (w - 12) / 5:.1f},{cy + (4 if j % 2 else -4):.1f}" for j in range(6))
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#64748b"/>')
        elif kind == "line":
            parts.append(f'<line x1="6" y1="{cy:.1f}" x2="{w - 6}" y2="{cy:.1f}" stroke="#94a3b8" '
                         f'stroke-dasharray="2,1"/>')
        else:
            parts.append(f'<g id="detail{i}" transform="translate({cx:.1f},{cy:.1f}) rotate({rng.randint(0, 90)})">'
                         f'<rect x="-4" y="-3" width="8" height="6" fill="#fff" stroke="#000"/>'
                         f'<line x1="-4" y1="0" x2="4" y2="0" stroke="#000"/></g>')
    parts.append(f'<text x="{cx:.1f}" y="{h - 6}" font-family="DejaVu Sans" font-size="6" '
                 f'text-anchor="middle" fill="#0f172a">{rng.choice(KINDS).upper()}</text>')
    parts.append('<g id="ports">')
    for name, p in ports.items():
        parts.append(f'<circle id="port-{name}" cx="{p["x"]}" cy="{p["y"]}" r="1.5" fill="#ef4444"/>')
    parts.append("</g></svg>")
    return "".join(parts)


def make_workspace(root: Path, count: int, seed: int = 7) -> tuple[Workspace, list[str]]:
    rng = random.Random(seed)
    ws = Workspace.create(root)
    for system, code in SYSTEMS.items():
        objects = {f"{system}.{k}": {"description": k, "behavior_profile": k,
                                      "properties": {"power": {"type": "number", "unit": "W"},
                                                     "label": {"type": "string"}}} for k in KINDS}
        durable.write_json(ws.schema_path(system), {"system": system, "code": code, "version": "1.0.0",
                                                    "objects": objects})
        for k in KINDS:
            durable.write_text(ws.profile_path(system, k), f"id: {k}\nobject_type: {system}.{k}\n"
                               "ports:\n  - {name: power, type: power}\n")
    svgs: list[str] = []
    systems = list(SYSTEMS.items())
    for i in range(count):
        system, code = systems[i % len(systems)]
        kind = KINDS[i % len(KINDS)]
        w, h = rng.choice([(40, 40), (60, 40), (80, 60), (48, 32)])
        ports = {"power": {"x": 4, "y": h / 2, "type": "power", "direction": "in"}}
        for j in range(rng.randint(1, 4)):
            ports[f"{rng.choice(PORT_TYPES)}_{j}"] = {"x": w - 4, "y": round(4 + j * (h - 8) / 4, 1),
                                                      "type": rng.choice(PORT_TYPES), "direction": "out"}
        svg = drawing(rng, w, h, ports)
        sid = f"{code}_{kind.title()}{i:05d}_001"
        sym = {"id": sid, "name": f"{kind} {i}", "system": system, "category": kind,
               "description": f"Generated {kind} number {i}", "svg": svg,
               "properties": {"power": {"value": rng.randint(5, 500), "unit": "W"}, "label": kind.upper()},
               "connections": ports, "behavior_profile": kind,
               "metadata": {"version": "1.0.0", "created_by": "bench", "created_at": "2026-12-03"},
               "tags": [system, kind]}
        path = ws.symbol_path(system, sid)
        path.parent.mkdir(parents=True, exist_ok=True)
        # plain writes: generating 10,000 fsynced files would dominate the run for nothing
        path.write_text(json.dumps(sym, indent=2), encoding="utf-8")
        svgs.append(svg)
    return ws, svgs


def big_svg(target_bytes: int = 20_000) -> str:
    rng = random.Random(3)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200">']
    size = len(parts[0])
    i = 0
    while size < target_bytes:
        el = (f'<path id="p{i}" d="M{rng.uniform(10, 90):.2f} {rng.uniform(10, 90):.2f} '
              f'C{rng.uniform(10, 190):.2f} {rng.uniform(10, 190):.2f} {rng.uniform(10, 190):.2f} '
              f'{rng.uniform(10, 190):.2f} {rng.uniform(10, 190):.2f} {rng.uniform(10, 190):.2f}" '
              f'fill="none" stroke="#123" stroke-width="0.5"/>'
              f'<circle cx="{rng.uniform(20, 180):.1f}" cy="{rng.uniform(20, 180):.1f}" r="3" fill="#f00"/>')
        parts.append(el)
        size += len(el)
        i += 1
    parts.append('<text x="100" y="190" font-size="8" text-anchor="middle">BIG</text></svg>')
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        root = Path(args.keep)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="arx-bench-")
        root = Path(tmp.name) / "ws"
    t0 = time.perf_counter()
    ws, svgs = make_workspace(root, args.count)
    avg = sum(len(s) for s in svgs) / len(svgs)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (other jobs share them)")
    print(f"generated {args.count:,} symbols in {time.perf_counter() - t0:.1f}s (avg SVG {avg:,.0f} bytes)")

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    from arxconsole.engine.symbols import parallel

    multi = parallel.worker_count(args.count, None)
    # Warm the page cache, imports and (for the multi-process pass) the forkserver, like a
    # second run in the app.  Nothing is carried between runs: each pass reads, parses and
    # checks every file again.
    validate_workspace(ws, workers=1)
    if multi > 1:
        validate_workspace(ws, workers=multi)
    # Wall time and CPU time: on a shared machine other jobs stretch wall time; CPU time is
    # what validation itself costs (for the multi-process pass: this process plus its
    # workers).  Best of 3, interleaved, so parse and validation see the same machine state.
    modes = [("single process", 1)] + ([(f"{multi} processes", multi)] if multi > 1 else [])
    best = {"parse": [float("inf"), float("inf")]}
    best.update({label: [float("inf"), float("inf")] for label, _ in modes})
    reports = {}
    for _ in range(3):
        w, c = time.perf_counter(), time.process_time()
        for s in svgs:
            etree.fromstring(s, parser)
        best["parse"] = [min(best["parse"][0], time.perf_counter() - w), min(best["parse"][1], time.process_time() - c)]
        for label, n in modes:
            w, c = time.perf_counter(), time.process_time()
            report = validate_workspace(ws, workers=n)
            wall, cpu = time.perf_counter() - w, time.process_time() - c + report.worker_cpu_seconds
            best[label] = [min(best[label][0], wall), min(best[label][1], cpu)]
            reports[label] = report
    first = reports["single process"]
    print(f"findings: {first.counts} over {first.files:,} files")
    for label, _ in modes[1:]:
        same = reports[label].findings == first.findings
        print(f"{label}: findings identical to the single-process pass: {same}")
    print("bare lxml parse is single-process in every ratio; [cpu] of a multi-process pass is this process + "
          "its workers (symbols per CPU-second)")
    for i, clock in enumerate(("wall", "cpu")):
        parse_t = best["parse"][i]
        print(f"[{clock}] bare lxml parse: {parse_t * 1000:,.0f} ms ({args.count / parse_t:,.0f} SVGs/s)")
        for label, _ in modes:
            val_t = best[label][i]
            rate = args.count / val_t
            ratio = val_t / parse_t
            print(f"[{clock}] validate, {label}: {rate:,.0f} symbols/s in {val_t * 1000:,.0f} ms "
                  f"(bar >= 5,000: {rate / 5000:.2f}x, {'met' if rate >= 5000 else 'NOT met'}) ... ratio to bare "
                  f"lxml parse {ratio:.2f}x (bar <= 3.0x: {'met' if ratio <= 3.0 else 'NOT met'})")

    # Where the time goes (CPU, best of 3): reading + JSON, the SVG rules alone, the rest.
    from arxconsole.engine.symbols.model import read_json_object
    from arxconsole.engine.symbols.svg_rules import check_svg

    paths = ws.symbol_files()
    split = {}
    for label, fn in (("read + JSON", lambda: [read_json_object(p, "x") for p in paths]),
                      ("SVG parse + SVG rules", lambda: [check_svg(s) for s in svgs])):
        t_best = float("inf")
        for _ in range(3):
            c = time.process_time()
            fn()
            t_best = min(t_best, time.process_time() - c)
        split[label] = t_best / args.count * 1e6
    total_us = best["single process"][1] / args.count * 1e6
    parse_us = best["parse"][1] / args.count * 1e6
    print(f"per symbol (cpu, single process): total {total_us:.0f} us = read + JSON {split['read + JSON']:.0f} us, SVG parse "
          f"{parse_us:.0f} us + SVG rules {split['SVG parse + SVG rules'] - parse_us:.0f} us, symbol rules and "
          f"bookkeeping {total_us - split['read + JSON'] - split['SVG parse + SVG rules']:.0f} us")

    big = big_svg()
    times = []
    for _ in range(30):
        t = time.perf_counter()
        validate_svg_text(big)
        times.append(time.perf_counter() - t)
    print(f"live edit: validate_svg_text on a {len(big) / 1024:.1f} KB SVG: median "
          f"{statistics.median(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms (budget for findings "
          "within the 30 ms edit bar)")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()

"""``arxconsole demo init DIR [--force]``: install the demo workspace into a folder."""

from __future__ import annotations

import argparse

from ...engine.demo import DemoFolderNotEmpty, write_demo_workspace


def register(subparsers, common: argparse.ArgumentParser) -> None:
    demo = subparsers.add_parser("demo", parents=[common], help="the demo workspace",
                                 description="Install the demo workspace (3 systems, symbols, behavior profiles).")
    sub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    init = sub.add_parser("init", parents=[common], help="write the demo workspace into DIR",
                          description="Write the demo workspace into DIR (created when missing). "
                                      "An existing demo workspace is put back to its original files; "
                                      "files you added are kept.")
    init.add_argument("dir", metavar="DIR", help="target folder: new, empty, or an existing demo workspace")
    init.add_argument("--force", action="store_true",
                      help="write the demo files into a non-empty folder that is not a demo workspace "
                           "(same-named files are overwritten, other files are left alone)")
    init.set_defaults(func=_init)


def _init(ctx) -> int:
    try:
        summary = write_demo_workspace(ctx.args.dir, force=ctx.args.force)
    except DemoFolderNotEmpty as exc:
        # The engine's refusal plus the CLI spelling of the way out.
        raise DemoFolderNotEmpty(f"{exc}, or pass --force to write the demo files into it") from None
    verb = "Refreshed" if summary.refreshed else "Wrote"
    lines = [f"{verb} demo workspace {summary.root}: {len(summary.written)} files written, "
             f"{len(summary.unchanged)} unchanged"]
    for system, counts in summary.systems.items():
        lines.append(f"  {system:<12} {_n(counts['schemas'], 'schema')}, {_n(counts['symbols'], 'symbol')}, "
                     f"{_n(counts['profiles'], 'behavior profile')}")
    lines.append(f"Open it with: arxconsole --workspace {summary.root}")
    ctx.emit(summary.to_dict(), "\n".join(lines))
    return 0


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"

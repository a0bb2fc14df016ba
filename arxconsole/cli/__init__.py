"""The ``arxconsole`` command line: every engine capability headless, plus the GUI entry.

Exit codes: 0 clean, 1 findings of error severity or a failed operation, 2 usage error.
Subcommands live one per module in ``arxconsole.cli.commands``; each module has
``register(subparsers, common)`` and sets ``func(ctx) -> int`` on its parser, so a
capability adds its commands without editing a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .. import __version__
from ..engine.errors import UserError
from .context import CliContext

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand.

    Subcommand copies use SUPPRESS defaults so they never overwrite a value given
    before the subcommand (argparse's sub-parser defaults would otherwise win)."""
    d = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data-dir", metavar="DIR", default=d,
                   help="keep all console state (database, logs, backups, settings) here "
                        "(default: $ARXCONSOLE_DATA_DIR or the per-user data dir)")
    p.add_argument("--workspace", "-w", metavar="DIR", default=d, help="the workspace folder")
    p.add_argument("--demo", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="use the demo workspace (created on first use)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help="print one JSON document")
    return p


class _Parser(argparse.ArgumentParser):
    """argparse, remembering its error so that ``--json`` can print it as JSON too
    (sub-command parsers are made of the same class)."""

    last_error: str | None = None

    def error(self, message: str):  # type: ignore[override]
        _Parser.last_error = f"{self.prog}: {message}"
        super().error(message)


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="arxconsole", parents=[common_options(suppress=False)], add_help=with_commands,
        description="ArxConsole: operations console for the Arxos building-systems pipeline. "
                    "Without a command it opens the GUI.")
    parser.add_argument("--version", action="version", version=f"arxconsole {__version__}")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="render the main window offscreen to a PNG and exit")
    parser.add_argument("--selftest", action="store_true",
                        help="check Qt, SVG rendering, database, keyring and data dir; exit 1 on failure")
    parser.add_argument("--panel", metavar="NAME", help="with --screenshot or the GUI: the surface to show")
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_options(suppress=True)
    import pkgutil

    from . import commands

    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{mod.name}")
        module.register(sub, common)
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse without importing any command module when the line is a plain GUI start
    (no command, no --help): those imports pull in every engine and cost start-up time."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not {"-h", "--help"} & set(argv):
        gui_args, rest = build_parser(with_commands=False).parse_known_args(argv)
        if not rest:
            return gui_args
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None, *, gc_paused: bool = False) -> int:
    """``gc_paused``: the entry point paused the cyclic collector for start-up; commands
    get it back, the GUI replaces it with its GUI-thread collector (AppContext)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _Parser.last_error = None     # one process may run several commands (the tests do)
    try:
        args = parse_args(argv)
    except SystemExit as exc:
        # --json promises one JSON document on stdout: a bad command line is one too.
        if exc.code == EXIT_USAGE and "--json" in argv and _Parser.last_error:
            CliContext.print_json_error([_Parser.last_error], EXIT_USAGE)
        raise
    if gc_paused and (args.selftest or args.command is not None):
        import gc

        gc.enable()
    ctx = CliContext(args)
    code = EXIT_FAILED
    try:
        code = _run(ctx, args)
        return code
    except SystemExit as exc:    # ctx.usage_error: its message is already out
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        raise
    finally:
        ctx.finish(code)
        ctx.close()


def _run(ctx: CliContext, args: argparse.Namespace) -> int:
    try:
        if args.selftest:
            from ..selftest import run_selftest

            try:   # an unusable data folder is a failed check, reported with the others
                data_dir, problem = ctx.data_dir, None
            except UserError as exc:
                data_dir, problem = None, str(exc)
            return run_selftest(data_dir, data_dir_problem=problem)
        if args.command is None:
            from ..app import run_gui

            return run_gui(ctx)
        return int(args.func(ctx) or 0)
    except UserError as exc:
        ctx.error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        ctx.error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_FAILED

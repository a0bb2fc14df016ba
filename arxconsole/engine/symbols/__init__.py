"""Symbols: the library-format model, the three Arxos formats, safe SVG parsing and the
rules catalogue (SPEC §1–2).  No Qt here.

Public API
----------
Model and files (``model``):
    Symbol, Waiver, load_symbol_file(path) -> (Symbol | None, findings),
    read_json_object(path), save_symbol(path, symbol)
Formats (``formats``):
    detect_format(data) -> "library" | "normalized" | "legacy" | "unknown",
    to_library(data, source=, stem=) -> (library dict, MigrationNotes), make_symbol_id(...)
Validation (``rules``, ``svg_rules``, ``validate``, ``context``):
    ValidationContext.from_workspace(ws, index_symbols=False)
    validate_symbol(symbol, ctx, file=...) -> list[Finding]     (editor: on save / each edit)
    validate_svg_text(svg) -> list[Finding]                       (editor: each keystroke)
    validate_workspace(ws, system=None, progress=None, cancel=None, ctx=None, *, workers=None)
        -> ValidationReport   (large libraries: worker processes, same findings; ``parallel``)
    validate_paths(paths) -> ValidationReport                     (loose files, any format)
    catalogue() -> [{id, severity, description, hint, waivable}]
Import (``importer``):
    import_symbols(sources, ws, system=None, report_path=None, dry_run=False) -> ImportReport
    (never overwrites: an existing id is a conflict; migration report as JSON + Markdown)
Safe parsing (``safe_xml``): parse_svg(text) -> ParsedSvg(root | None, problem)

Locations in findings: JSON field paths (``connections.power.x``) or SVG element paths
(``svg/g[2]/script``, attributes ``…/rect/@onload``); ``Finding.data['line']`` is the
line inside the SVG text when known.
"""

from .catalogue import RULES, Rule, catalogue
from .context import ValidationContext
from .formats import (LEGACY, LIBRARY, NORMALIZED, UNKNOWN, MigrationNotes, detect_format, make_symbol_id,
                      to_library)
from .model import Symbol, Waiver, load_symbol_file, read_json_object, save_symbol
from .rules import content_key, validate_svg_text, validate_symbol
from .safe_xml import ParsedSvg, parse_svg
from .validate import ValidationReport, validate_paths, validate_workspace
from .importer import ImportReport, import_symbols  # noqa: E402  (imports validate)

__all__ = [
    "RULES", "Rule", "catalogue", "ValidationContext", "LEGACY", "LIBRARY", "NORMALIZED", "UNKNOWN",
    "MigrationNotes", "detect_format", "make_symbol_id", "to_library", "Symbol", "Waiver", "load_symbol_file",
    "read_json_object", "save_symbol", "content_key", "validate_svg_text", "validate_symbol", "ParsedSvg",
    "parse_svg", "ValidationReport", "validate_paths", "validate_workspace", "ImportReport", "import_symbols",
]

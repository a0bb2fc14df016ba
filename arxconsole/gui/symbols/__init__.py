"""The Symbols surface: author, preview and validate SVG symbols (SPEC §1–2, issue 3).

Modules: ``document`` (the edited symbol + one undo stack), ``canvas`` (live preview),
``source_editor`` (SVG source), ``form`` (metadata form and tables), ``findings_view``,
``editor`` (all of it together), ``library`` + ``thumbnails`` (browser),
``import_dialog`` (migration report), ``surface`` (actions).
"""

from .surface import SymbolsSurface

SURFACE = SymbolsSurface

__all__ = ["SURFACE", "SymbolsSurface"]

"""The three Arxos symbol formats, and conversion of the two older ones to the library format.

- **library** (what ArxConsole writes): ``svg`` is a complete ``<svg viewBox>`` document,
  ``connections`` a dict of named ports with x/y, an id like ``AV_Display_001``.
- **normalized**: ``svg`` is ``{content, width, height, scale}`` holding a ``<g id>``
  fragment; lower-case ``id`` equal to the file stem; empty ``category``/``subcategory``.
- **legacy rich**: no ``id``/``name``; ``display_name``; ``svg`` is a fragment string;
  ``connections`` is a list of ``{type, description}`` with no coordinates.

Conversion never guesses silently: every field it derives is listed in the
``MigrationNotes`` and everything it cannot decide (ports without coordinates, empty
drawings, quantities it cannot parse) is a "needs a human" item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from .quantities import looks_numeric, parse_quantity

LIBRARY, NORMALIZED, LEGACY, UNKNOWN = "library", "normalized", "legacy", "unknown"
DEFAULT_BOX = 20.0   # the normalized library's declared size, and the fallback

# Codes for the systems found in Arxos libraries; a workspace schema's "code" wins.
DEFAULT_SYSTEM_CODES = {
    "audiovisual": "AV", "av": "AV", "electrical": "EL", "mechanical": "ME", "plumbing": "PL",
    "fire_alarm": "FA", "security": "SE", "network": "NW", "building_controls": "BC",
    "telecommunications": "TC", "lighting": "LT",
}

_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_PAREN_RE = re.compile(r"\([^)]*\)")
_SNAKE_RE = re.compile(r"[^a-z0-9]+")
_PORT_NAME_RE = re.compile(r"[^a-z0-9_]+")


@dataclass
class MigrationNotes:
    """Per-file conversion report: what was converted, what needs a human."""

    source: str
    source_format: str
    symbol_id: str = ""
    converted: list[str] = field(default_factory=list)
    needs_human: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "source_format": self.source_format, "symbol_id": self.symbol_id,
                "converted": list(self.converted), "needs_human": list(self.needs_human)}


def detect_format(data: dict[str, Any]) -> str:
    svg = data.get("svg")
    if isinstance(svg, dict):
        return NORMALIZED
    fragment = isinstance(svg, str) and bool(svg.strip()) and not _is_full_document(svg)
    if "id" not in data and ("display_name" in data or isinstance(data.get("connections"), list) or fragment):
        return LEGACY
    if "id" in data or (isinstance(svg, str) and _is_full_document(svg)):
        return LIBRARY
    return UNKNOWN


def _is_full_document(svg: str) -> bool:
    s = svg.lstrip()
    if s.startswith("<?xml"):
        s = s[s.find("?>") + 2:].lstrip()
    while s.startswith("<!--"):
        s = s[s.find("-->") + 3:].lstrip()
    return s.startswith("<svg")


def system_code(system: str, codes: dict[str, str] | None = None) -> str:
    if codes and codes.get(system):
        return codes[system]
    if system in DEFAULT_SYSTEM_CODES:
        return DEFAULT_SYSTEM_CODES[system]
    parts = [p for p in _SNAKE_RE.split(system.lower()) if p]
    if len(parts) >= 2:
        return (parts[0][0] + parts[1][0]).upper()
    return (parts[0][:2] if parts else "XX").upper()


def camel_name(text: str) -> str:
    """"Air Handling Unit (AHU)" -> "AirHandlingUnit"; always starts with a letter."""
    words = _WORD_RE.findall(_PAREN_RE.sub(" ", text)) or _WORD_RE.findall(text)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if not name:
        return "Symbol"
    return name if name[0].isalpha() else "S" + name


def make_symbol_id(system: str, name: str, variant: int = 1, codes: dict[str, str] | None = None) -> str:
    return f"{system_code(system, codes)}_{camel_name(name)}_{variant:03d}"


def snake(text: str) -> str:
    return _SNAKE_RE.sub("_", text.lower()).strip("_")


def wrap_fragment(fragment: str, width: float, height: float) -> str:
    """A fragment (``<g id>…</g>``) inside a complete SVG document with a viewBox."""
    w, h = f"{width:g}", f"{height:g}"
    body = fragment.strip()
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
            f'width={quoteattr(w)} height={quoteattr(h)}>' + (f"\n{body}\n" if body else "") + "</svg>")


def convert_properties(props: Any, notes: MigrationNotes) -> Any:
    """String quantities -> {value, unit}; other values untouched."""
    if not isinstance(props, dict):
        return props
    out: dict[str, Any] = {}
    for key, value in props.items():
        if isinstance(value, str):
            q = parse_quantity(value)
            if q is not None:
                out[key] = q
                notes.converted.append(f"properties.{key}: {value!r} -> {q['value']} {q['unit']}")
                continue
            if looks_numeric(value):
                notes.needs_human.append(
                    f"properties.{key}: {value!r} looks like a quantity but is not one number with a unit "
                    "(range, list or ratio); left as text")
        out[key] = value
    return out


def convert_connections(conns: Any, notes: MigrationNotes) -> Any:
    """A list of {type, description} -> named ports (without coordinates: needs a human)."""
    if not isinstance(conns, list):
        return conns
    out: dict[str, Any] = {}
    for i, item in enumerate(conns):
        if not isinstance(item, dict):
            notes.needs_human.append(f"connections[{i}]: not an object ({item!r:.40}); dropped")
            continue
        base = _PORT_NAME_RE.sub("_", str(item.get("name") or item.get("type") or f"port{i + 1}").lower()).strip("_")
        base = base or f"port{i + 1}"
        if not base[0].isalpha():
            base = "p_" + base
        name, n = base, 2
        while name in out:
            name, n = f"{base}_{n}", n + 1
        port = {k: v for k, v in item.items() if k != "name"}
        out[name] = port
    if conns:
        notes.converted.append(f"connections: list of {len(conns)} -> named ports {', '.join(out)}")
        missing = [n for n, p in out.items() if not ("x" in p and "y" in p)]
        if missing:
            notes.needs_human.append(
                f"connections: {len(missing)} port(s) have no coordinates ({', '.join(missing)}); "
                "place them on the drawing")
    else:
        notes.converted.append("connections: empty list -> {}")
    return out


def _declared_size(props: Any) -> tuple[float, float] | None:
    if not isinstance(props, dict):
        return None
    w, h = props.get("width"), props.get("height")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in (w, h)):
        return float(w), float(h)
    return None


def to_library(data: dict[str, Any], *, source: str, stem: str, codes: dict[str, str] | None = None,
               system: str | None = None) -> tuple[dict[str, Any], MigrationNotes]:
    """Convert any of the three formats to a library-format dict (library input is copied)."""
    fmt = detect_format(data)
    notes = MigrationNotes(source=source, source_format=fmt)
    out = dict(data)
    if system:
        if out.get("system") != system:
            notes.converted.append(f"system: {out.get('system')!r} -> {system!r}")
        out["system"] = system
    if fmt == LIBRARY or fmt == UNKNOWN:
        notes.symbol_id = str(out.get("id") or "")
        if fmt == UNKNOWN:
            notes.needs_human.append("format not recognised (no svg/id/display_name); copied as is")
        return out, notes
    sys_name = str(out.get("system") or "")
    name = str(out.get("name") or out.get("display_name") or "").strip()
    old_id = str(out.get("id") or stem)
    if not name:
        name = old_id.replace("_", " ").title()
        notes.needs_human.append(f"name: missing; derived {name!r} from the file name")
    if "display_name" in out:
        out.pop("display_name")
        notes.converted.append(f"display_name -> name {name!r}")
    out["name"] = name
    new_id = make_symbol_id(sys_name, name, 1, codes)
    out["id"] = new_id
    notes.symbol_id = new_id
    notes.converted.append(f"id: {old_id!r} -> {new_id!r}")
    if not out.get("category"):
        out["category"] = snake(old_id)
        notes.converted.append(f"category: empty -> {out['category']!r} (from the old id/file name)")
    if "subcategory" in out:
        sub = out.pop("subcategory")
        if sub:
            out.setdefault("metadata", {})
            if isinstance(out["metadata"], dict):
                out["metadata"]["subcategory"] = sub
        notes.converted.append("subcategory: removed" + (" (moved to metadata)" if sub else " (was empty)"))
    # ---- drawing
    svg = out.get("svg")
    if fmt == NORMALIZED:
        content = str(svg.get("content") or "")
        width = svg.get("width") if isinstance(svg.get("width"), (int, float)) else DEFAULT_BOX
        height = svg.get("height") if isinstance(svg.get("height"), (int, float)) else DEFAULT_BOX
        scale = svg.get("scale")
        if scale not in (None, 1, 1.0):
            out.setdefault("metadata", {})
            if isinstance(out["metadata"], dict):
                out["metadata"]["scale"] = scale
            notes.converted.append(f"svg.scale {scale} -> metadata.scale")
        notes.converted.append(f"svg: object {{content, {width:g}x{height:g}}} -> <svg viewBox=\"0 0 {width:g} "
                               f"{height:g}\">")
    else:
        content = svg if isinstance(svg, str) else ""
        size = _declared_size(out.get("properties"))
        if size:
            width, height = size
            notes.converted.append(f"svg: fragment -> <svg viewBox=\"0 0 {width:g} {height:g}\"> "
                                   "(size from properties.width/height)")
        else:
            width = height = DEFAULT_BOX
            notes.converted.append(f"svg: fragment -> <svg viewBox=\"0 0 {width:g} {height:g}\">")
            notes.needs_human.append(f"svg: no declared size; viewBox set to the default "
                                     f"{width:g}x{height:g}: check the drawing fits")
    if not content.strip():
        notes.needs_human.append("svg: the drawing is empty; draw the symbol")
    out["svg"] = wrap_fragment(content, width, height)
    out["properties"] = convert_properties(out.get("properties", {}), notes)
    out["connections"] = convert_connections(out.get("connections", {}), notes)
    if not out.get("behavior_profile"):
        notes.needs_human.append("behavior_profile: none; link the symbol to a profile")
    meta = out.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    meta = dict(meta)
    meta.setdefault("version", "1.0.0")
    meta.setdefault("created_by", "arxconsole import")
    meta["imported_from"] = {"file": source, "format": fmt, "id": old_id}
    out["metadata"] = meta
    notes.converted.append(f"metadata.imported_from: {fmt} file {source}")
    return out, notes

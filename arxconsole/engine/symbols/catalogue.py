"""The symbol rules catalogue: every rule's stable id, severity, description and hint.

Rule ids are part of the product's contract (waivers, reports, the database and CI
scripts refer to them): never rename one; retire it and add a new id instead.
Checks live in ``rules.py`` / ``svg_rules.py``; they build findings through
``RULES[id].finding(...)`` so severity and hint come from one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    hint: str
    waivable: bool = True

    def finding(self, message: str, *, location: str = "", file: str = "", symbol_id: str = "",
                line: int | None = None, hint: str | None = None, **data: Any) -> Finding:
        if line is not None:
            data["line"] = line
        return Finding(rule=self.id, severity=self.severity, message=message,
                       hint=self.hint if hint is None else hint, file=file, location=location,
                       symbol_id=symbol_id, data=data)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity.value, "description": self.description,
                "hint": self.hint, "waivable": self.waivable}


_DEFS: list[Rule] = [
    # ---- the file itself -------------------------------------------------------------
    Rule("file.unreadable", E, "The symbol file cannot be read.", "Check the file exists and is readable.", False),
    Rule("file.too_large", E, "The symbol file is above the size limit and was not read.",
         "A symbol file is a few kilobytes; remove embedded data or split the drawing.", False),
    Rule("file.encoding", E, "The symbol file is not UTF-8 text.", "Re-save the file as UTF-8.", False),
    Rule("file.json.invalid", E, "The symbol file is not valid JSON (corrupt or truncated).",
         "Fix the JSON at the given line, or restore the file from a backup.", False),
    Rule("file.json.not_object", E, "The symbol file's JSON is not an object.",
         "A symbol file holds one JSON object: {\"id\": ..., \"svg\": ...}.", False),
    # ---- structure ---------------------------------------------------------------------
    Rule("structure.format.converted", I, "The file is in an older Arxos format and was converted in memory.",
         "Import it with `arxconsole import-symbols` to write it in the library format."),
    Rule("structure.field.missing", E, "A required field is missing or empty.",
         "Every symbol needs id, name, system, category and svg."),
    Rule("structure.field.type", E, "A field has the wrong JSON type.",
         "See the library format in docs/ARCHITECTURE.md for each field's type."),
    Rule("structure.id.pattern", E, "The symbol id does not follow the id pattern.",
         "Use CODE_Name_001: upper-case system code, a name starting with a letter, a 3-digit variant."),
    Rule("structure.id.file_name", E, "The symbol id differs from the file name.",
         "Rename the file to <id>.json or change the id to match the file name."),
    Rule("structure.id.prefix", W, "The id prefix is not the system's code from its schema.",
         "Start the id with the code declared in schemas/<system>/schema.json."),
    Rule("structure.id.duplicate", E, "Another symbol file uses the same id.",
         "Give one of the symbols a new variant number (…_002)."),
    Rule("structure.content.duplicate", W, "Another symbol has the same drawing, properties and connections.",
         "Delete the copy, or make it a real variant (different drawing or properties)."),
    Rule("structure.system.unknown", E, "The symbol's system is not known to the registry.",
         "Create schemas/<system>/schema.json (pipeline step define-schema) or fix the system name."),
    Rule("structure.system.folder", E, "The symbol's system differs from the system folder it is stored in.",
         "Move the file to arx-symbol-library/<system>/ or fix the system field."),
    Rule("structure.category.unknown", W, "The category is not an object type of the system's schema.",
         "Use the local name of an object type in the schema (electrical.smart_switch -> smart_switch)."),
    # ---- SVG document ------------------------------------------------------------------
    Rule("svg.xml.malformed", E, "The SVG is not well-formed XML.", "Fix the XML at the given line.", False),
    Rule("svg.size.limit", E, "The SVG is above the hard size limit and was not parsed.",
         "Simplify the drawing; embedded raster images belong outside the symbol.", False),
    Rule("svg.size.budget", W, "The SVG is above the size budget for a symbol.",
         "Simplify paths, remove editor metadata and unused definitions."),
    Rule("svg.root.not_svg", E, "The root element is not <svg>.", "Wrap the drawing in <svg viewBox=\"0 0 W H\">…</svg>."),
    Rule("svg.root.namespace", W, "The root <svg> does not declare the SVG namespace.",
         "Add xmlns=\"http://www.w3.org/2000/svg\" to the root element."),
    Rule("svg.viewbox.missing", E, "The root <svg> has no viewBox.",
         "Add viewBox=\"0 0 W H\"; port coordinates are in viewBox units."),
    Rule("svg.viewbox.invalid", E, "The viewBox is not four numbers with positive width and height.",
         "Write viewBox=\"min-x min-y width height\", e.g. \"0 0 40 40\"."),
    Rule("svg.compat.element", W, "Element outside SVG 1.2 Tiny (what Qt's SVG renderer draws).",
         "Replace it with Tiny elements (path, rect, circle, ellipse, line, polyline, polygon, text, g, use, "
         "gradients); it will not render in the preview or downstream tools."),
    Rule("svg.compat.attribute", W, "Attribute outside SVG 1.2 Tiny; Qt ignores it.",
         "Remove it or use the Tiny equivalent (presentation attributes such as fill, stroke, transform)."),
    Rule("svg.number.invalid", W, "A geometry attribute is not a valid number; the element will not render.",
         "Write plain numbers in user units (e.g. width=\"12\" or width=\"12.5\")."),
    Rule("svg.bbox.outside_viewbox", W, "Part of the drawing lies outside the viewBox and will be clipped.",
         "Enlarge the viewBox or move the shapes inside it."),
    Rule("svg.depth.budget", W, "Elements are nested deeper than the budget.", "Flatten nested groups."),
    Rule("svg.depth.limit", E, "Elements are nested deeper than the parser allows; the SVG was not parsed.",
         "Flatten nested groups: no drawing needs hundreds of levels.", False),
    Rule("svg.elements.budget", W, "The drawing has more elements than the budget.",
         "Simplify the drawing: merge paths, drop hidden shapes."),
    Rule("svg.id.duplicate", E, "Two elements share the same id.", "Give every element a unique id."),
    Rule("svg.ref.missing", W, "A local reference (#id) points at no element.",
         "Fix the reference or add the element it names."),
    Rule("svg.drawing.empty", W, "The symbol has no drawing (nothing visible inside <svg>).",
         "Draw the symbol: at least one shape or text."),
    # ---- security (never waivable) -----------------------------------------------------
    Rule("svg.security.doctype", E, "The SVG declares a DOCTYPE or entities (XXE / entity expansion).",
         "Remove the <!DOCTYPE …> and any <!ENTITY …> declarations; symbols never need them.", False),
    Rule("svg.security.script", E, "The SVG contains a script element.", "Remove the <script> element.", False),
    Rule("svg.security.event_handler", E, "An element carries an on* event-handler attribute.",
         "Remove the on… attribute; symbols are static drawings.", False),
    Rule("svg.security.javascript_url", E, "A link or reference uses a javascript: URL.",
         "Remove the javascript: link.", False),
    Rule("svg.security.external_reference", E, "A reference points outside the symbol (network or file).",
         "Only local references (#id) are allowed; embed what you need in the symbol.", False),
    Rule("svg.security.data_uri", E, "A data: URI that is not a raster image on an <image> element.",
         "Only PNG, JPEG or GIF data: URIs on <image> are allowed.", False),
    Rule("svg.security.foreign_object", E, "The SVG contains <foreignObject> (arbitrary HTML/XML).",
         "Remove the <foreignObject> element.", False),
    Rule("svg.security.external_stylesheet", E, "An external stylesheet or @import is referenced.",
         "Inline the style rules; remove @import and <?xml-stylesheet?>.", False),
    # ---- connections -------------------------------------------------------------------
    Rule("connection.name.invalid", E, "A port name is empty or not an identifier.",
         "Name ports with lower-case identifiers such as power, data_in."),
    Rule("connection.type.missing", E, "A port has no type.", "Give the port a type such as power, data, audio."),
    Rule("connection.position.missing", E, "A port has no numeric x/y position.",
         "Place the port on the drawing: x and y in viewBox units."),
    Rule("connection.position.outside", E, "A port position lies outside the viewBox.",
         "Move the port inside the drawing's viewBox."),
    Rule("connection.direction.invalid", W, "A port direction is not one of in, out, bidirectional.",
         "Use direction \"in\", \"out\" or \"bidirectional\", or leave it out."),
    Rule("connection.required.missing", E, "A port required by the behavior profile is missing.",
         "Add the port to connections with the type the profile names."),
    Rule("connection.required.type", W, "A port's type differs from the type the behavior profile requires.",
         "Change the port type to the one the profile names."),
    Rule("connection.marker.none", I, "No drawn shape marks the port position.",
         "Draw a small marker (e.g. a circle) where the port is, so people see where to connect."),
    # ---- metadata and properties --------------------------------------------------------
    Rule("metadata.behavior_profile.missing", W, "The symbol names no behavior profile.",
         "Set behavior_profile to the id of a profile under behavior/<system>/."),
    Rule("metadata.behavior_profile.unknown", E, "The behavior profile does not exist.",
         "Create behavior/<system>/<profile>.yaml or fix the profile id."),
    Rule("metadata.field.missing", W, "A metadata field is missing.",
         "Fill in metadata.version, created_by and created_at."),
    Rule("properties.quantity_as_text", W, "A quantity is written as text (\"400 nits\").",
         "Write it as {\"value\": 400, \"unit\": \"nits\"}."),
    Rule("properties.numeric.not_a_number", E, "A property the schema declares numeric is not a number.",
         "Write {\"value\": <number>, \"unit\": \"<unit>\"}."),
    Rule("properties.numeric.missing_unit", W, "A numeric property has no unit.",
         "Write {\"value\": <number>, \"unit\": \"<unit>\"} with the schema's unit."),
    Rule("properties.numeric.unit_mismatch", W, "A numeric property's unit differs from the schema's unit.",
         "Convert the value to the schema's unit."),
    # ---- waivers ---------------------------------------------------------------------
    Rule("waiver.invalid", E, "A waiver lacks a rule id or a reason.",
         "Each waiver needs {\"rule\", \"reason\", \"by\", \"at\"}.", False),
    Rule("waiver.not_waivable", E, "A waiver targets a rule that cannot be waived (security, unreadable files).",
         "Fix the problem instead; remove the waiver.", False),
    Rule("waiver.unused", I, "A waiver matches no finding.", "Remove the waiver if the problem is fixed."),
]

RULES: dict[str, Rule] = {r.id: r for r in _DEFS}
assert len(RULES) == len(_DEFS), "duplicate rule id in the catalogue"


def catalogue() -> list[dict[str, Any]]:
    """Every rule (id, severity, description, hint, waivable), sorted by id, for docs and the GUI."""
    return [RULES[k].to_dict() for k in sorted(RULES)]

"""The SVG rules: one hardened parse, one tree walk that dispatches per element.

Each element is visited once; security, compatibility, id, reference, depth and
geometry checks all happen in that visit (the walk is the hot loop of whole-library
validation, so it does no per-element allocation it can avoid).

Security decisions: references must be local (``#id``); the only ``data:`` URIs allowed
are PNG/JPEG/GIF on ``<image>`` (decoded as pixels by Qt's image plugins, never as
markup; an SVG or HTML ``data:`` URI would be a second, unchecked document); element
names are judged by local name whatever their namespace (Qt ignores namespaces, so
``<html:script>`` is still a script); security rules cannot be waived.

Locations are element paths (``svg/g[2]/script``, attributes as ``…/rect/@onload``);
``Finding.data['line']`` is the line within the SVG text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from lxml import etree

from ..findings import Finding
from . import geometry as geo
from .catalogue import RULES
from .safe_xml import MAX_SVG_BYTES, parse_svg
from .svg_vocab import (CHECKED_ATTR_NAMESPACES, DRAWN_ELEMENTS, NOT_RENDERED, RASTER_DATA_PREFIXES,
                        SCRIPT_ELEMENTS, SVG_NS, TINY_ATTRIBUTES, TINY_ELEMENTS)

SIZE_BUDGET = 64 * 1024
MAX_DEPTH = 16
MAX_ELEMENTS = 2000
# Overflow smaller than this (viewBox units, or 1 % of the larger side) is anti-aliasing,
# not a drawing mistake.
BBOX_TOLERANCE = 0.5

_URL_RE = re.compile(r"url\(\s*(['\"]?)([^'\")]*)\1\s*\)", re.IGNORECASE)
_IMPORT_RE = re.compile(r"@import", re.IGNORECASE)
_EXPRESSION_RE = re.compile(r"expression\s*\(|behavior\s*:|-moz-binding", re.IGNORECASE)
_CTRL_WS_RE = re.compile(r"[\x00-\x20]+")
_FONT_SIZE_STYLE_RE = re.compile(r"font-size\s*:\s*([-+]?(?:\d+\.?\d*|\.\d+))")
_ANCHOR_STYLE_RE = re.compile(r"text-anchor\s*:\s*(start|middle|end)")
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*:")

_LOCAL_CACHE: dict[str, str] = {}
_SVG_PREFIX = "{%s}" % SVG_NS
_IDENTITY = geo.IDENTITY
FAST_PATH = True   # tests turn it off to prove the fast path reports exactly what the slow one does
# Elements the fast path handles, by their exact tag (no namespace or the SVG one).
_FAST_NAMES = (DRAWN_ELEMENTS | {"svg", "g", "a", "switch", "defs", "title", "desc", "tspan", "linearGradient",
                                 "radialGradient", "stop", "solidColor"}) - SCRIPT_ELEMENTS
_FAST_TAGS: dict[str, str] = {**{n: n for n in _FAST_NAMES}, **{_SVG_PREFIX + n: n for n in _FAST_NAMES}}
_TEXT_STYLE_CARRIERS = frozenset({"svg", "g", "a", "switch", "text", "textArea", "use"})
# Raw-text markers of anything an attribute *value* check could report.  Absent all of
# them (and with no character references to hide them), value checks are skipped.
# Plain substring finds on the lower-cased text: for ASCII text (the only text this is
# used on) that is exactly a case-insensitive search, and ~50x cheaper than re's
# IGNORECASE alternation, which was the single biggest cost of a library pass.
_VALUE_MARKERS = ("href", "url(", "script", "data:", "@import", "expression", "behavior", "binding", "&#",
                  "style")


def _has_value_marker(ascii_text: str) -> bool:
    low = ascii_text.lower()
    for marker in _VALUE_MARKERS:
        if marker in low:
            return True
    return False


def _local(tag: str) -> str:
    name = _LOCAL_CACHE.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(_LOCAL_CACHE) < 4096:   # hostile input cannot grow it without bound
            _LOCAL_CACHE[tag] = name
    return name


def element_path(el) -> str:
    """``svg/g[2]/rect`` — position among same-named siblings, only when ambiguous."""
    parts: list[str] = []
    while el is not None:
        parent = el.getparent()
        name = _local(el.tag) if isinstance(el.tag, str) else "?"
        if parent is None:
            parts.append(name)
            break
        same = [c for c in parent if c.tag == el.tag]
        parts.append(f"{name}[{same.index(el) + 1}]" if len(same) > 1 else name)
        el = parent
    return "/".join(reversed(parts))


@dataclass
class SvgResult:
    """What the SVG checks found, plus facts the symbol rules reuse."""

    findings: list[Finding] = field(default_factory=list)
    parsed: bool = False
    viewbox: tuple[float, float, float, float] | None = None   # (min_x, min_y, width, height)
    drawn_box: geo.Box | None = None
    drawn_count: int = 0
    element_boxes: list[geo.Box] = field(default_factory=list)
    element_count: int = 0


class _Walker:
    """One walk over a parsed tree.  Holds the per-document state the visit needs."""

    __slots__ = ("res", "file", "sid", "prefix", "ids", "refs", "uses", "depth_reported",
                 "worst", "worst_el", "bad", "vb_box", "lim", "tol", "values", "has_style", "has_display", "has_transform")

    def __init__(self, res: SvgResult, file: str, sid: str, prefix: str):
        self.res = res
        self.file = file
        self.sid = sid
        self.prefix = prefix
        self.ids: dict[str, object] = {}
        self.refs: list[tuple[str, object, str]] = []
        self.uses: list[tuple[object, geo.Matrix, float, str]] = []
        self.depth_reported = False
        self.worst = 0.0
        self.worst_el = None
        self.bad: set = set()
        self.vb_box: geo.Box | None = None
        self.lim: geo.Box | None = None      # the viewBox grown by the tolerance
        self.tol = BBOX_TOLERANCE
        self.values = self.has_style = self.has_display = self.has_transform = True

    # ---- reporting -------------------------------------------------------------------
    def add(self, rule: str, message: str, el=None, attr: str | None = None, **data) -> None:
        loc = ""
        line = None
        if el is not None:
            loc = element_path(el)
            if attr:
                loc += "/@" + attr
            line = el.sourceline
        if self.prefix and loc:
            loc = f"{self.prefix}:{loc}"
        self.res.findings.append(RULES[rule].finding(
            message, location=loc, file=self.file, symbol_id=self.sid, line=line, **data))

    # ---- references --------------------------------------------------------------------
    def check_link(self, value: str, el, attr: str, name: str) -> None:
        s = value.strip()
        if not s:
            return
        if s[0] == "#":
            self.refs.append((s[1:], el, attr))
            return
        low = _CTRL_WS_RE.sub("", s[:80]).lower()
        if low.startswith(("javascript:", "vbscript:")):
            self.add("svg.security.javascript_url", f"<{name}> {attr} is a {low.split(':')[0]}: URL", el, attr)
        elif low.startswith("data:"):
            if not (name == "image" and low.startswith(RASTER_DATA_PREFIXES)):
                self.add("svg.security.data_uri",
                         f"<{name}> {attr} carries a data: URI ({low[:40]}…) that is not a raster image",
                         el, attr)
        else:
            self.add("svg.security.external_reference",
                     f"<{name}> {attr} points outside the symbol: {s[:100]}", el, attr)

    def check_css(self, css: str, el, attr: str, name: str) -> None:
        if _IMPORT_RE.search(css):
            self.add("svg.security.external_stylesheet", f"<{name}> {attr} uses @import", el, attr)
        if _EXPRESSION_RE.search(css):
            self.add("svg.security.script", f"<{name}> {attr} contains script-like CSS (expression/binding)",
                     el, attr)
        low = css.lower()
        if "javascript:" in _CTRL_WS_RE.sub("", low):
            self.add("svg.security.javascript_url", f"<{name}> {attr} contains a javascript: URL", el, attr)
        if "url(" in low:
            for m in _URL_RE.finditer(css):
                target = m.group(2).strip()
                if target.startswith("#"):
                    self.refs.append((target[1:], el, attr))
                elif not _CTRL_WS_RE.sub("", target.lower()).startswith("javascript:"):
                    self.check_link(target, el, attr, name)

    # ---- the walk ----------------------------------------------------------------------
    # The fast path handles the elements real symbols are made of, with attributes all in
    # the Tiny set and nothing in the text that could need a value check (decided once
    # per document from the raw text).  Anything else takes the slow path, which runs
    # every security and compatibility check on every attribute.
    def visit(self, el, depth: int, ctm: geo.Matrix, font_size: float, anchor: str, drawn: bool,
              in_meta: bool) -> None:
        res = self.res
        res.element_count += 1
        tag = el.tag
        name = _FAST_TAGS.get(tag) if FAST_PATH else None
        if depth > MAX_DEPTH and not self.depth_reported:
            self.depth_reported = True
            self.add("svg.depth.budget", f"<{_local(tag)}> is nested {depth} levels deep (budget {MAX_DEPTH})",
                     el, depth=depth)
        if name is None or in_meta:
            name = _local(tag)
            if not self.check_element(el, tag, name, in_meta):
                return                          # script / foreignObject: do not descend
            if name == "metadata":
                in_meta = True
            self.check_attributes(el, name, in_meta)
            if name == "style":
                self.check_css(el.text or "", el, "text", name)
                return
            if name in NOT_RENDERED or in_meta:
                drawn = False
        else:
            keys = el.keys()
            if self.values or not TINY_ATTRIBUTES.issuperset(keys):
                self.check_attributes(el, name, in_meta)     # registers the id too
            elif "id" in keys:
                ident = el.get("id")
                if ident in self.ids:
                    self.add("svg.id.duplicate", f"id {ident!r} is used twice (first on line "
                             f"{getattr(self.ids[ident], 'sourceline', '?')})", el, "id")
                else:
                    self.ids[ident] = el
            if name in NOT_RENDERED:
                drawn = False
            elif name == "svg" and depth > 1 and drawn:
                # A nested viewport maps its content through its own viewBox; rather than
                # guess that mapping, count it as drawn and do not measure inside it.
                res.drawn_count += 1
                drawn = False
        if drawn:
            get = el.get
            style = get("style") if self.has_style else None
            if self.has_display and (get("display") == "none" or (style and _DISPLAY_NONE_RE.search(style))):
                drawn = False
            else:
                if self.has_transform:
                    t = get("transform")
                    if t:
                        try:
                            ctm = geo.multiply(ctm, geo.parse_transform(t))
                        except geo.GeometryError:
                            self.add("svg.number.invalid", f"<{name}> transform {t[:60]!r} cannot be parsed",
                                     el, "transform")
                if name in _TEXT_STYLE_CARRIERS:
                    fs = get("font-size")
                    if fs is None and style:
                        m = _FONT_SIZE_STYLE_RE.search(style)
                        fs = m.group(1) if m else None
                    if fs:
                        try:
                            font_size = geo.parse_length(fs)
                        except geo.GeometryError:
                            pass
                    an = get("text-anchor")
                    if an is None and style:
                        m = _ANCHOR_STYLE_RE.search(style)
                        an = m.group(1) if m else None
                    if an:
                        anchor = an
                if name in DRAWN_ELEMENTS:
                    self.measure(el, name, ctm, font_size, anchor)
                    drawn = False            # text children (tspan) are part of the text's box
        depth += 1
        for child in el:
            if child.tag.__class__ is str:
                self.visit(child, depth, ctm, font_size, anchor, drawn, in_meta)
            elif child.tag is etree.PI:
                self.check_pi(child)

    def check_element(self, el, tag: str, name: str, in_meta: bool) -> bool:
        """Element-level security and compatibility; False when the subtree is skipped."""
        if name in SCRIPT_ELEMENTS:
            self.add("svg.security.script", f"<{name}> element: symbols must not carry scripts", el)
            return False
        if name == "foreignObject":
            self.add("svg.security.foreign_object", "<foreignObject> element: arbitrary embedded markup", el)
            return False
        if not in_meta and (name not in TINY_ELEMENTS or (tag[0] == "{" and not tag.startswith(_SVG_PREFIX))):
            self.add("svg.compat.element", f"<{name}> is not SVG 1.2 Tiny; Qt will not render it", el)
        return True

    def check_attributes(self, el, name: str, in_meta: bool) -> None:
        for key, value in el.items():
            if key[0] == "{":
                if key not in TINY_ATTRIBUTES:
                    ns = key[1:key.index("}")]
                    if ns in CHECKED_ATTR_NAMESPACES and not in_meta:
                        self.add("svg.compat.attribute", f"<{name}> attribute {_local(key)} is not SVG 1.2 Tiny",
                                 el, _local(key))
                    continue
                akey = _local(key)
            else:
                akey = key
                if key not in TINY_ATTRIBUTES:
                    if key[:2].lower() == "on":
                        self.add("svg.security.event_handler", f"<{name}> has event handler {key}=…", el, key)
                        continue
                    if not in_meta:
                        self.add("svg.compat.attribute", f"<{name}> attribute {key} is not SVG 1.2 Tiny", el, key)
            if akey == "href":
                self.check_link(value, el, akey, name)
            elif akey == "style":
                self.check_css(value, el, akey, name)
            elif "(" in value or ":" in value:
                low = value.lower()
                if "url(" in low or "javascript:" in _CTRL_WS_RE.sub("", low):
                    self.check_css(value, el, akey, name)
            if akey == "id" and key == "id":
                if value in self.ids:
                    self.add("svg.id.duplicate", f"id {value!r} is used twice (first on line "
                             f"{getattr(self.ids[value], 'sourceline', '?')})", el, "id")
                else:
                    self.ids[value] = el

    def check_pi(self, el) -> None:
        if el.target.lower() == "xml-stylesheet":
            self.add("svg.security.external_stylesheet",
                     f"<?xml-stylesheet {(el.text or '')[:80]}?> loads an external stylesheet", el.getparent()
                     if el.getparent() is not None else None)

    def measure(self, el, name: str, ctm: geo.Matrix, font_size: float, anchor: str) -> None:
        get = el.get
        try:
            if name == "rect" or name == "image":
                try:   # plain numbers are the norm: float() first, the unit-aware parser on failure
                    x, y = float(get("x") or 0), float(get("y") or 0)
                    w, h = float(get("width") or 0), float(get("height") or 0)
                except ValueError:
                    x, y = geo.parse_length(get("x")), geo.parse_length(get("y"))
                    w, h = geo.parse_length(get("width")), geo.parse_length(get("height"))
                if w <= 0 or h <= 0:
                    return
                box = (x, y, x + w, y + h) if ctm is _IDENTITY else geo.rect_box(x, y, w, h, ctm)
            elif name == "circle" or name == "ellipse":
                try:
                    cx, cy = float(get("cx") or 0), float(get("cy") or 0)
                    if name == "circle":
                        rx = ry = float(get("r") or 0)
                    else:
                        rx, ry = float(get("rx") or 0), float(get("ry") or 0)
                except ValueError:
                    cx, cy = geo.parse_length(get("cx")), geo.parse_length(get("cy"))
                    if name == "circle":
                        rx = ry = geo.parse_length(get("r"))
                    else:
                        rx, ry = geo.parse_length(get("rx")), geo.parse_length(get("ry"))
                if rx <= 0 or ry <= 0:
                    return
                box = ((cx - rx, cy - ry, cx + rx, cy + ry) if ctm is _IDENTITY
                       else geo.ellipse_box(cx, cy, rx, ry, ctm))
            elif name == "line":
                try:
                    x1, y1 = float(get("x1") or 0), float(get("y1") or 0)
                    x2, y2 = float(get("x2") or 0), float(get("y2") or 0)
                except ValueError:
                    x1, y1 = geo.parse_length(get("x1")), geo.parse_length(get("y1"))
                    x2, y2 = geo.parse_length(get("x2")), geo.parse_length(get("y2"))
                if ctm is _IDENTITY:
                    box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
                else:
                    box = geo.points_box([(x1, y1), (x2, y2)], ctm)
            elif name == "path":
                d = get("d")
                if not d:
                    return
                box = geo.path_box(d, ctm)
            elif name == "polyline" or name == "polygon":
                nums = geo.parse_numbers(get("points") or "")
                if len(nums) < 2:
                    return
                if ctm is _IDENTITY:
                    xs, ys = nums[0::2], nums[1::2]
                    if len(ys) < len(xs):      # an odd count: the last x has no y and is ignored
                        xs = xs[:-1]
                    box = (min(xs), min(ys), max(xs), max(ys))
                else:
                    box = geo.points_box(list(zip(nums[0::2], nums[1::2])), ctm)
            elif name == "text" or name == "textArea":
                text = "".join(el.itertext())
                xs, ys = get("x"), get("y")
                xn = geo.parse_numbers(xs) if xs else None
                yn = geo.parse_numbers(ys) if ys else None
                box = geo.text_box(xn[0] if xn else 0.0, yn[0] if yn else 0.0, text, font_size, anchor, ctm)
            else:  # use: resolved after the walk, when every id is known
                self.uses.append((el, ctm, font_size, anchor))
                self.res.drawn_count += 1
                return
        except geo.GeometryError as exc:
            if el not in self.bad:      # a <use>d element is measured once per use
                self.bad.add(el)
                self.add("svg.number.invalid", f"<{name}> has a value that is not a number: {str(exc)[:60]!r}", el)
            return
        self.res.drawn_count += 1
        if box is not None:
            self.add_box(box, el)

    def add_box(self, box: geo.Box, el) -> None:
        res = self.res
        res.element_boxes.append(box)
        d = res.drawn_box
        x0, y0, x1, y1 = box
        if d is None:
            res.drawn_box = box
        elif x0 < d[0] or y0 < d[1] or x1 > d[2] or y1 > d[3]:
            res.drawn_box = (min(x0, d[0]), min(y0, d[1]), max(x1, d[2]), max(y1, d[3]))
        lim = self.lim
        if lim is not None and (x0 < lim[0] or y0 < lim[1] or x1 > lim[2] or y1 > lim[3]):
            vb = self.vb_box
            over = max(vb[0] - x0, vb[1] - y0, x1 - vb[2], y1 - vb[3])
            if over > self.worst:
                self.worst, self.worst_el = over, el

    def resolve_uses(self) -> None:
        for el, ctm, fs, anchor in self.uses:
            href = el.get("href") or el.get("{http://www.w3.org/1999/xlink}href") or ""
            target = self.ids.get(href[1:]) if href.startswith("#") else None
            if target is None:
                continue
            try:
                x, y = geo.parse_length(el.get("x")), geo.parse_length(el.get("y"))
            except geo.GeometryError:
                continue
            m = geo.multiply(ctm, (1.0, 0.0, 0.0, 1.0, x, y))
            box = self._subtree_box(target, m, fs, anchor, 0)
            if box is not None:
                self.add_box(box, el)

    def _subtree_box(self, el, ctm, fs, anchor, depth) -> geo.Box | None:
        """Geometry only (no checks), for <use> targets; recursion-guarded."""
        if depth > 8 or not isinstance(el.tag, str):
            return None
        name = _local(el.tag)
        if name in NOT_RENDERED and depth > 0 or name == "use":
            return None
        t = el.get("transform")
        if t:
            try:
                ctm = geo.multiply(ctm, geo.parse_transform(t))
            except geo.GeometryError:
                return None
        # measure() accumulates into the walker; borrow it and put the totals back
        saved = (self.res.element_boxes, self.res.drawn_box, self.res.drawn_count, self.worst, self.worst_el)
        self.res.element_boxes, self.res.drawn_box = [], None
        try:
            if name in DRAWN_ELEMENTS:
                self.measure(el, name, ctm, fs, anchor)
            box = self.res.drawn_box
        finally:
            (self.res.element_boxes, self.res.drawn_box, self.res.drawn_count, self.worst,
             self.worst_el) = saved
        for child in el:
            box = geo.union(box, self._subtree_box(child, ctm, fs, anchor, depth + 1))
        return box


def parse_viewbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.replace(",", " ").split()
    if len(parts) != 4:
        raise geo.GeometryError(value)
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise geo.GeometryError(value) from None
    if not (w > 0 and h > 0) or not all(map(math.isfinite, (x, y, w, h))):
        raise geo.GeometryError(value)
    return (x, y, w, h)


def check_svg(svg_text: str, *, file: str = "", symbol_id: str = "", prefix: str = "") -> SvgResult:
    """Run every SVG rule on one drawing; never raises for bad input.

    ``prefix`` is prepended to locations (``svg:...``) when the drawing is one field of a
    larger document; element paths themselves always start at the root element.
    """
    res = SvgResult()
    w = _Walker(res, file, symbol_id, prefix)
    size = len(svg_text)
    parsed = parse_svg(svg_text, MAX_SVG_BYTES)
    if not parsed.ok:
        p = parsed.problem
        assert p is not None
        rule = {"too_large": "svg.size.limit", "doctype": "svg.security.doctype",
                "too_deep": "svg.depth.limit"}.get(p.kind, "svg.xml.malformed")
        if p.kind == "empty":
            rule = "svg.drawing.empty"
        loc = prefix or "svg"      # the whole drawing: the symbol's svg field
        res.findings.append(RULES[rule].finding(p.message, location=loc, file=file, symbol_id=symbol_id,
                                                line=p.line))
        return res
    res.parsed = True
    root = parsed.root
    if size > SIZE_BUDGET:
        w.add("svg.size.budget", f"SVG is {size:,} bytes (budget {SIZE_BUDGET:,})", root, size=size)
    root_name = _local(root.tag) if isinstance(root.tag, str) else ""
    drawn = True
    if root_name != "svg":
        w.add("svg.root.not_svg", f"root element is <{root_name}>, not <svg>", root)
        drawn = False
    else:
        if root.tag != "{%s}svg" % SVG_NS:
            w.add("svg.root.namespace", "root <svg> has no xmlns=\"http://www.w3.org/2000/svg\"", root)
        vb_attr = root.get("viewBox")
        if vb_attr is None:
            w.add("svg.viewbox.missing", "root <svg> has no viewBox", root, "viewBox")
        else:
            try:
                res.viewbox = parse_viewbox(vb_attr)
            except geo.GeometryError:
                w.add("svg.viewbox.invalid", f"viewBox {vb_attr[:60]!r} is not 'min-x min-y width height' "
                      "with positive size", root, "viewBox")
        if res.viewbox is not None:
            x, y, vw, vh = res.viewbox
            w.vb_box = (x, y, x + vw, y + vh)
            w.tol = tol = max(BBOX_TOLERANCE, 0.01 * max(vw, vh))
            w.lim = (x - tol, y - tol, x + vw + tol, y + vh + tol)
    # Processing instructions before the root (<?xml-stylesheet?>) are siblings, not children.
    sib = root.getprevious()
    while sib is not None:
        if sib.tag is etree.PI:
            w.check_pi(sib)
        sib = sib.getprevious()
    # XML attribute names are case-sensitive, so these plain finds are exact; a differently
    # cased name is an unknown attribute, which sends its element down the slow path anyway.
    w.values = not svg_text.isascii() or _has_value_marker(svg_text)
    w.has_style = "style" in svg_text
    w.has_display = "display" in svg_text
    w.has_transform = "transform" in svg_text
    w.visit(root, 1, geo.IDENTITY, 16.0, "start", drawn, False)
    w.resolve_uses()
    for ref, el, attr in w.refs:
        if ref not in w.ids:
            w.add("svg.ref.missing", f"reference #{ref} points at no element", el, attr, ref=ref)
    if res.element_count > MAX_ELEMENTS:
        w.add("svg.elements.budget", f"drawing has {res.element_count:,} elements (budget {MAX_ELEMENTS:,})",
              root, count=res.element_count)
    if root_name == "svg" and res.drawn_count == 0:
        w.add("svg.drawing.empty", "nothing is drawn: the <svg> holds no shape or text", root)
    if w.vb_box is not None and w.worst > w.tol and res.drawn_box is not None:
        b = res.drawn_box
        vb = w.vb_box
        w.add("svg.bbox.outside_viewbox",
              f"drawing spans x {b[0]:g}..{b[2]:g}, y {b[1]:g}..{b[3]:g} but the viewBox is "
              f"x {vb[0]:g}..{vb[2]:g}, y {vb[1]:g}..{vb[3]:g} (sticks out by {w.worst:.3g})",
              w.worst_el, bbox=[round(v, 3) for v in b], viewbox=list(res.viewbox or ()))
    return res

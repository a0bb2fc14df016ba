"""SVG rules: structure, compatibility, geometry, budgets and security."""

from __future__ import annotations

import pytest

from arxconsole.engine.symbols import validate_svg_text
from arxconsole.engine.symbols import svg_rules

NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(body: str, vb: str = "0 0 40 40", extra: str = "") -> str:
    return f'<svg {NS} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="{vb}"{extra}>{body}</svg>'


def rules(text: str) -> list[str]:
    return [f.rule for f in validate_svg_text(text)]


BOX = '<rect x="1" y="1" width="38" height="38" fill="none" stroke="#000"/>'


def test_clean_drawing():
    assert rules(svg(BOX + '<path d="M5 5 L35 35"/>')) == []


@pytest.mark.parametrize("text,rule", [
    ("<svg", "svg.xml.malformed"),
    (svg(BOX)[:-3], "svg.xml.malformed"),
    (f'<g {NS}><rect width="2" height="2"/></g>', "svg.root.not_svg"),
    ('<svg viewBox="0 0 4 4"><rect width="2" height="2"/></svg>', "svg.root.namespace"),
    (f'<svg {NS} width="4" height="4"><rect width="2" height="2"/></svg>', "svg.viewbox.missing"),
    (svg(BOX, vb="0 0 -4 4"), "svg.viewbox.invalid"),
    (svg(BOX, vb="0 0 four 4"), "svg.viewbox.invalid"),
    (svg(BOX + '<filter id="f"/>'), "svg.compat.element"),
    (svg(BOX + '<clipPath id="c"/>'), "svg.compat.element"),
    (svg(BOX.replace("<rect", '<rect clip-path="url(#a)"') + '<g id="a"/>'), "svg.compat.attribute"),
    (svg(BOX.replace('width="38"', 'width="wide"')), "svg.number.invalid"),
    (svg(BOX + '<g transform="spin(4)"/>'), "svg.number.invalid"),
    (svg('<rect id="a" width="2" height="2"/><circle id="a" cx="3" cy="3" r="1"/>'), "svg.id.duplicate"),
    (svg(BOX + '<use href="#nothing"/>'), "svg.ref.missing"),
    (svg(BOX.replace('fill="none"', 'fill="url(#nograd)"')), "svg.ref.missing"),
    (svg(""), "svg.drawing.empty"),
    (svg("<defs><rect width='5' height='5'/></defs><title>t</title>"), "svg.drawing.empty"),
    ("", "svg.drawing.empty"),
])
def test_structural_rules(text, rule):
    assert rule in rules(text)


def test_element_location_and_line():
    text = svg('\n<g>\n<rect width="1" height="1"/>\n</g>\n<g>\n<rect width="1" height="1"/>'
               '\n<script>x()</script></g>')
    f = next(f for f in validate_svg_text(text) if f.rule == "svg.security.script")
    assert f.location == "svg/g[2]/script"
    assert f.data["line"] == 7


def test_attribute_location():
    f = validate_svg_text(svg(BOX.replace("<rect", '<rect onload="evil()"')))[0]
    assert f.rule == "svg.security.event_handler" and f.location == "svg/rect/@onload"


# ---- bounding box --------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    '<rect x="0" y="0" width="40" height="40"/>',                                  # exactly the box
    '<g transform="translate(20,20) rotate(45)"><rect x="-10" y="-10" width="20" height="20"/></g>',
    '<circle cx="20" cy="20" r="19.8"/>',
    '<g transform="matrix(0.5 0 0 0.5 10 10)"><rect width="40" height="40"/></g>',
    '<g transform="scale(2)"><ellipse cx="10" cy="10" rx="9" ry="5"/></g>',
    '<path d="M2 20 C2 -4 38 -4 38 20"/>',           # control points outside, curve inside (max y 2)
    '<path d="M5 20 a15 15 0 0 1 30 0"/>',            # arc top at y=5
    '<path d="m5 5 h30 v30 h-30 z"/>',
    '<polygon points="20,1 39,39 1,39"/>',
    '<text x="20" y="30" font-size="8" text-anchor="middle">LABEL</text>',
    '<g display="none"><rect x="-100" width="10" height="10"/></g><rect width="5" height="5"/>',
    '<defs><rect id="big" x="-50" width="200" height="5"/></defs><rect width="5" height="5"/>',
    '<rect x="-0.3" y="0" width="40.3" height="40"/>',  # within tolerance
])
def test_bbox_inside(body):
    assert "svg.bbox.outside_viewbox" not in rules(svg(body))


@pytest.mark.parametrize("body", [
    '<rect x="0" y="0" width="41" height="40"/>',
    '<g transform="translate(30,0)"><rect width="20" height="10"/></g>',
    '<g transform="translate(20,20) rotate(45)"><rect x="-15" y="-15" width="30" height="30"/></g>',
    '<circle cx="20" cy="20" r="22"/>',
    '<path d="M2 20 C2 -20 38 -20 38 20"/>',          # curve rises to y=-10
    '<path d="M5 20 a15 15 0 0 0 30 0 l0 30"/>',
    '<line x1="0" y1="0" x2="45" y2="10"/>',
    '<polyline points="0,0 10,50"/>',
    '<text x="38" y="20" font-size="10">LONG LABEL</text>',
    '<g transform="scale(3)"><rect width="20" height="5"/></g>',
    '<defs><g id="m"><rect width="10" height="10"/></g></defs><use href="#m" x="35" y="0"/>',
])
def test_bbox_outside(body):
    found = [f for f in validate_svg_text(svg(body)) if f.rule == "svg.bbox.outside_viewbox"]
    assert len(found) == 1
    assert found[0].data["viewbox"] == [0, 0, 40, 40]


def test_bbox_respects_viewbox_origin():
    assert "svg.bbox.outside_viewbox" not in rules(svg('<rect x="-10" y="-10" width="20" height="20"/>',
                                                        vb="-10 -10 20 20"))
    assert "svg.bbox.outside_viewbox" in rules(svg('<rect x="0" y="0" width="20" height="20"/>', vb="-10 -10 20 20"))


# ---- budgets -------------------------------------------------------------------------------
def test_depth_budget():
    deep = "<g>" * (svg_rules.MAX_DEPTH + 2) + '<rect width="1" height="1"/>' + "</g>" * (svg_rules.MAX_DEPTH + 2)
    assert rules(svg(deep)).count("svg.depth.budget") == 1
    ok = "<g>" * 5 + '<rect width="1" height="1"/>' + "</g>" * 5
    assert "svg.depth.budget" not in rules(svg(ok))


def test_element_and_size_budgets():
    many = '<rect width="1" height="1"/>' * (svg_rules.MAX_ELEMENTS + 1)
    assert "svg.elements.budget" in rules(svg(many))
    big = svg(BOX + "<desc>" + "x" * (svg_rules.SIZE_BUDGET + 10) + "</desc>")
    assert "svg.size.budget" in rules(big)
    assert "svg.size.budget" not in rules(svg(BOX))


# ---- security ------------------------------------------------------------------------------
SECURITY = [
    (BOX + "<script>alert(1)</script>", "svg.security.script"),
    (BOX + '<script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>', "svg.security.script"),
    (BOX + '<handler type="application/ecmascript">x</handler>', "svg.security.script"),
    (BOX.replace("<rect", '<rect onclick="steal()"'), "svg.security.event_handler"),
    (BOX.replace("<rect", '<rect ONLOAD="steal()"'), "svg.security.event_handler"),
    ('<a href="javascript:alert(1)">' + BOX + "</a>", "svg.security.javascript_url"),
    ('<a xlink:href=" java\tscript:alert(1)">' + BOX + "</a>", "svg.security.javascript_url"),
    ('<a href="https://evil.example/">' + BOX + "</a>", "svg.security.external_reference"),
    (BOX + '<image href="file:///etc/passwd" width="4" height="4"/>', "svg.security.external_reference"),
    (BOX + '<image xlink:href="http://evil.example/p.png" width="4" height="4"/>', "svg.security.external_reference"),
    (BOX + '<use href="other.svg#icon"/>', "svg.security.external_reference"),
    (BOX.replace('fill="none"', 'fill="url(http://evil.example/g.svg#x)"'), "svg.security.external_reference"),
    (BOX + '<image href="data:image/svg+xml;base64,PHN2Zz4=" width="4" height="4"/>', "svg.security.data_uri"),
    (BOX + '<use href="data:text/html,hi"/>', "svg.security.data_uri"),
    (BOX + "<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>hi</div></foreignObject>",
     "svg.security.foreign_object"),
    (BOX + "<style>@import url(http://evil.example/x.css);</style>", "svg.security.external_stylesheet"),
    (BOX.replace("<rect", '<rect style="fill:red;@import \'x.css\'"'), "svg.security.external_stylesheet"),
    (BOX + "<style>rect { fill: url(https://evil.example/p.svg#g) }</style>", "svg.security.external_reference"),
    (BOX.replace("<rect", '<rect style="background:url(javascript:alert(1))"'), "svg.security.javascript_url"),
]


@pytest.mark.parametrize("body,rule", SECURITY, ids=[r for _, r in SECURITY])
def test_security_rules(body, rule):
    findings = validate_svg_text(svg(body))
    hits = [f for f in findings if f.rule == rule]
    assert hits, [f.rule for f in findings]
    assert hits[0].blocking and hits[0].location.startswith("svg")


def test_xml_stylesheet_processing_instruction():
    text = '<?xml-stylesheet type="text/css" href="http://evil.example/s.css"?>\n' + svg(BOX)
    assert "svg.security.external_stylesheet" in rules(text)


def test_allowed_references():
    body = ('<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
            '<g id="m"><circle cx="2" cy="2" r="1"/></g></defs>'
            + BOX.replace('fill="none"', 'fill="url(#g)"') + '<use xlink:href="#m" x="3" y="3"/>'
            '<image href="data:image/png;base64,iVBORw0KGgo=" x="5" y="5" width="4" height="4"/>'
            '<a href="#m"><rect width="2" height="2"/></a>')
    assert rules(svg(body)) == []


def test_editor_metadata_attributes_are_ignored():
    text = svg(BOX.replace("<rect", '<rect xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
                                    'inkscape:label="frame"'))
    assert rules(text) == []


def test_xml_declaration_is_accepted():
    assert rules('<?xml version="1.0" encoding="UTF-8"?>\n' + svg(BOX)) == []


# ---- geometry details ------------------------------------------------------------------------
def test_path_parsing_variants():
    from arxconsole.engine.symbols import geometry as geo

    I = geo.IDENTITY
    assert geo.path_box("M0 0 L10 0 L10 10", I) == (0, 0, 10, 10)
    assert geo.path_box("M0,0l10,5h-20v-10", I) == (-10, -5, 10, 5)
    compact = geo.path_box("M0 10a5 5 0 0110 0", I)            # compact arc flags: "0", "1", then 10
    spaced = geo.path_box("M0 10 a5 5 0 0 1 10 0", I)
    assert compact == pytest.approx(spaced) and spaced[1] == pytest.approx(5)
    s = geo.path_box("M0 0 C0 10 10 10 10 0 S20 -10 20 0", I)  # reflected control point dips to -7.5
    assert s[1] == pytest.approx(-7.5) and s[3] == pytest.approx(7.5)
    t = geo.path_box("M0 0 Q5 10 10 0 T20 0", I)
    assert t[1] == pytest.approx(-5) and t[3] == pytest.approx(5)
    with pytest.raises(geo.GeometryError):
        geo.path_box("M0 0 L10", I)
    with pytest.raises(geo.GeometryError):
        geo.path_box("10 10", I)


def test_fast_path_reports_exactly_what_the_slow_path_does(monkeypatch):
    samples = [svg(b) for b, _ in SECURITY] + [svg(BOX), svg(BOX + '<g id="a"><rect id="a" width="1" height="1"/></g>')]
    samples += [svg('<rect width="50" height="5" fill="red"/><text x="1" y="1" font-size="4">A</text>'),
                svg('<g transform="scale(2)"><rect width="30" height="5" unknown="1"/></g>')]
    fast = [[(f.rule, f.location) for f in validate_svg_text(s)] for s in samples]
    monkeypatch.setattr(svg_rules, "FAST_PATH", False)
    slow = [[(f.rule, f.location) for f in validate_svg_text(s)] for s in samples]
    assert fast == slow


@pytest.mark.parametrize("d,transform,expected", [
    ("M0 10 A10 10 0 0 1 20 10", None, (0, 0, 20, 10)),                 # upper half circle
    ("M0 10 A10 10 0 0 0 20 10", None, (0, 10, 20, 20)),                # lower half
    ("M10 0 A10 10 0 1 1 0 10", None, (0, 0, 20, 20)),                  # three quarters
    ("M0 0 A20 10 0 0 1 40 0", None, (0, -10, 40, 0)),                  # elliptical, y up
    ("M0 0 A5 5 0 0 1 40 0", None, (0, -20, 40, 0)),                    # radii scaled up to fit
    ("M0 10 A10 10 0 0 1 20 10", "rotate(90)", (-10, 0, 0, 20)),
    ("M-10 0 A10 5 30 1 1 -10 0.0001", None, None),                     # ~full rotated ellipse
])
def test_arc_boxes_are_exact(d, transform, expected):
    from arxconsole.engine.symbols import geometry as geo

    m = geo.parse_transform(transform) if transform else geo.IDENTITY
    box = geo.path_box(d, m)
    if expected is None:
        # an (almost) closed arc bounds like the whole ellipse, whose box has a closed form
        full = geo.ellipse_box(0, 0, 10, 5, geo.parse_transform("rotate(30)"))
        assert box[2] - box[0] == pytest.approx(full[2] - full[0], rel=1e-3)
        assert box[3] - box[1] == pytest.approx(full[3] - full[1], rel=1e-3)
    else:
        assert box == pytest.approx(expected, abs=1e-9)


def test_use_target_problems_reported_once():
    text = svg('<defs><rect id="r" width="bad" height="2"/></defs><use href="#r"/><use href="#r" x="1"/>')
    assert rules(text).count("svg.number.invalid") == 1


def test_unparsable_drawing_points_at_the_svg_field():
    f = validate_svg_text("<svg><g></svg>")[0]
    assert f.rule == "svg.xml.malformed" and f.location == "svg" and f.data["line"] == 1


def test_path_boxes_under_transforms_match_transformed_geometry():
    from arxconsole.engine.symbols import geometry as geo

    d = "M0 0 C0 10 10 10 10 0 Q15 -10 20 0 S30 10 30 0 L30 5 a5 5 0 0 1 -10 0 z"
    local = geo.path_box(d, geo.IDENTITY)
    moved = geo.path_box(d, geo.parse_transform("translate(5,7) scale(2)"))
    assert moved == pytest.approx((5 + 2 * local[0], 7 + 2 * local[1], 5 + 2 * local[2], 7 + 2 * local[3]))
    turned = geo.path_box("M0 0 L10 0", geo.parse_transform("rotate(90)"))
    assert turned == pytest.approx((0, 0, 0, 10), abs=1e-9)
    assert geo.path_box("M0 0 L10 0 S20 10 30 0", geo.IDENTITY)[3] > 0   # S after L: first control = current point


def test_nested_viewport_is_not_measured_in_parent_units():
    body = '<svg x="0" y="0" width="10" height="10" viewBox="0 0 1000 1000"><rect width="900" height="900"/></svg>'
    assert rules(svg(body)) == []


@pytest.mark.parametrize("body,rule", [
    ('<rect width="2" height="2" fill="URL(http://evil/x)"/>', "svg.security.external_reference"),
    ('<a HREF="x"><rect width="2" height="2"/></a>', "svg.compat.attribute"),
    ('<rect width="2" height="2" fill="url(#Missing)"/>', "svg.ref.missing"),
    ('<rect width="2" height="2" STYLE="x"/>', "svg.compat.attribute"),
    ('<rect width="2" height="2" stroke="Java&#83;cript:x"/>', "svg.security.javascript_url"),
])
def test_value_checks_run_whatever_the_case_of_the_marker(body, rule):
    # the per-document "could any value check report?" pre-scan is case-insensitive
    assert rule in rules(svg(BOX + body))

"""What Qt's SVG renderer (QSvgRenderer, SVG 1.2 Tiny static features) understands.

Derived from the element factories of Qt's qsvghandler.cpp (group, graphics, utility
and style factories) restricted to what SVG 1.2 Tiny defines, and the Tiny attribute
index.  ``style`` is not Tiny but Qt parses it (CSS), so it is allowed and its text is
checked by the security rules.  Elements Qt added after Tiny (filter, mask, pattern,
marker, symbol, clipPath) are reported: older Qt builds and downstream Tiny tools drop
them.
"""

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

TINY_ELEMENTS = frozenset({
    "svg", "g", "defs", "switch", "use", "a", "desc", "title", "metadata",
    "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "image",
    "text", "tspan", "textArea", "tbreak",
    "linearGradient", "radialGradient", "stop", "solidColor", "style",
    "font", "font-face", "font-face-name", "font-face-src", "font-face-uri", "glyph",
    "missing-glyph", "hkern",
    "animate", "set", "animateMotion", "animateColor", "animateTransform", "mpath", "discard",
})

# Elements whose content is never drawn: no bounding box contribution inside them.
NOT_RENDERED = frozenset({
    "defs", "title", "desc", "metadata", "linearGradient", "radialGradient", "solidColor", "style",
    "font", "font-face", "symbol", "clipPath", "mask", "pattern", "marker", "filter", "script",
    "foreignObject", "handler", "listener",
})

SCRIPT_ELEMENTS = frozenset({"script", "handler", "listener"})

# Shapes that put ink on the page.
DRAWN_ELEMENTS = frozenset({"rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
                            "text", "textArea", "image", "use"})

_TINY_ATTRS = (
    # core / structure
    "id class style transform version baseProfile viewBox preserveAspectRatio width height x y "
    "requiredFeatures requiredExtensions requiredFormats requiredFonts systemLanguage "
    "externalResourcesRequired focusable focusHighlight snapshotTime zoomAndPan playbackOrder "
    "timelineBegin contentScriptType contentStyleType type media title rel target role about property "
    "content datatype resource rev typeof "
    "nav-index nav-up nav-up-right nav-right nav-down-right nav-down nav-down-left nav-left nav-up-left "
    "nav-next nav-prev "
    # geometry
    "cx cy r rx ry x1 y1 x2 y2 points d pathLength rotate "
    # painting / presentation
    "fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-miterlimit "
    "stroke-dasharray stroke-dashoffset stroke-opacity opacity color color-rendering display visibility "
    "image-rendering shape-rendering text-rendering vector-effect buffered-rendering "
    "viewport-fill viewport-fill-opacity solid-color solid-opacity audio-level "
    "font-family font-size font-style font-weight font-variant text-anchor display-align "
    "line-increment text-align editable "
    # gradients
    "offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod fx fy "
    # animation
    "attributeName attributeType from to by values dur begin end repeatCount repeatDur fill restart "
    "min max calcMode keyTimes keySplines keyPoints additive accumulate path origin "
    # fonts
    "horiz-adv-x horiz-origin-x unicode glyph-name arabic-form lang u1 u2 g1 g2 k units-per-em "
    "ascent descent alphabetic mathematical ideographic hanging underline-position "
    "underline-thickness strikethrough-position strikethrough-thickness overline-position "
    "overline-thickness slope stemv stemh bbox cap-height x-height widths panose-1 unicode-range "
    "font-stretch "
    # links / media
    "href"
)

TINY_ATTRIBUTES = frozenset(_TINY_ATTRS.split()) | {
    "{%s}href" % XLINK_NS, "{%s}title" % XLINK_NS, "{%s}show" % XLINK_NS, "{%s}actuate" % XLINK_NS,
    "{%s}type" % XLINK_NS, "{%s}role" % XLINK_NS, "{%s}arcrole" % XLINK_NS,
    "{%s}space" % XML_NS, "{%s}lang" % XML_NS, "{%s}base" % XML_NS, "{%s}id" % XML_NS,
}

# Namespaces whose attributes are ours to judge; others (inkscape:, sodipodi:, rdf:)
# are editor metadata that every renderer ignores.
CHECKED_ATTR_NAMESPACES = frozenset({XLINK_NS, XML_NS})

# Raster data: URIs an <image> may carry (decoded by Qt's image plugins, not as markup).
RASTER_DATA_PREFIXES = ("data:image/png", "data:image/jpeg", "data:image/jpg", "data:image/gif")

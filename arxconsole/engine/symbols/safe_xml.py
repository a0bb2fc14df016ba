"""Hardened parsing of untrusted SVG text with lxml.

A symbol's drawing comes from files people download and paste, so the parser is locked
down: no entity substitution, no DTD loading, no network, no huge trees.  On top of
that, anything carrying a DOCTYPE or an entity declaration is refused *before* libxml2
sees it (XXE, billion laughs), and the text must fit a byte budget checked before
parsing, so a 10 MB drawing never becomes a 10 MB tree.

The parser object is module-level and reused: building one per call costs more than
parsing a typical symbol.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from lxml import etree

# Hard ceiling: above this the text is not parsed at all (memory stays bounded).
MAX_SVG_BYTES = 512 * 1024
# libxml2 stops a document nested deeper than this unless huge_tree is on (it never is).
PARSER_MAX_DEPTH = 256

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    huge_tree=False,
    load_dtd=False,
    dtd_validation=False,
    remove_blank_text=False,
    collect_ids=False,
)
# lxml parser objects must not be used by two threads at once (the GUI validates on
# keystrokes while a worker validates the library), so one reused parser per thread.
_PARSER = etree.XMLParser(**_PARSER_OPTIONS)
_local = threading.local()


def hardened_parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _PARSER if threading.current_thread() is threading.main_thread() \
            else etree.XMLParser(**_PARSER_OPTIONS)
        _local.parser = parser
    return parser

# XML is case-sensitive, but libxml2's recovery and other tools are not; refuse any
# spelling.  A declaration inside a comment is refused too: harmless, but never needed.
_DTD_RE = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\ufeff?\s*<\?xml\s[^>]*\?>")


@dataclass(frozen=True)
class ParseProblem:
    """Why an SVG text was not turned into a tree."""

    kind: str          # "too_large" | "too_deep" | "doctype" | "malformed" | "empty"
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class ParsedSvg:
    root: "etree._Element | None"
    problem: ParseProblem | None = None

    @property
    def ok(self) -> bool:
        return self.root is not None


def text_size(text: str) -> int:
    """Byte size of ``text`` as UTF-8, without encoding a huge string to find out."""
    n = len(text)
    # ASCII is the common case: a str's length is its UTF-8 size.  Otherwise an upper
    # bound (4 bytes per code point) is enough to decide against the budget cheaply.
    return n if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def parse_svg(text: str | bytes, max_bytes: int = MAX_SVG_BYTES) -> ParsedSvg:
    """Parse SVG text safely.  Never raises for bad input; never fetches anything."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            return ParsedSvg(None, ParseProblem(
                "too_large", f"SVG is {len(text):,} bytes, above the {max_bytes:,}-byte limit; not parsed"))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return ParsedSvg(None, ParseProblem("malformed", f"SVG is not valid UTF-8 (byte {exc.start})"))
    # UTF-8 never has fewer bytes than code points: a long str is refused without encoding it
    size = len(text) if (len(text) > max_bytes or len(text) * 4 <= max_bytes) else text_size(text)
    if size > max_bytes:
        return ParsedSvg(None, ParseProblem(
            "too_large", f"SVG is {size:,} bytes, above the {max_bytes:,}-byte limit; not parsed"))
    if not text.strip():
        return ParsedSvg(None, ParseProblem("empty", "SVG text is empty"))
    m = _DTD_RE.search(text) if "<!" in text else None    # plain find first: most drawings have no "<!"
    if m:
        line = text.count("\n", 0, m.start()) + 1
        return ParsedSvg(None, ParseProblem(
            "doctype", f"SVG contains a <!{m.group(1).upper()}> declaration (DTDs and entities are refused: "
                       "XXE and entity-expansion attacks)", line))
    # lxml refuses str input that carries an encoding declaration; the text is already
    # decoded, so the declaration says nothing useful.  Same length keeps line numbers.
    if text.startswith("<?xml") or text.startswith("\ufeff") or text.lstrip().startswith("<?xml"):
        text = _XML_DECL_RE.sub(lambda mm: " " * len(mm.group(0)), text, count=1)
    try:
        root = etree.fromstring(text, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line, col = (exc.position if exc.position else (None, None))
        if "Excessive depth" in (exc.msg or ""):
            # libxml2's own message advises XML_PARSE_HUGE: the very option refused here.
            return ParsedSvg(None, ParseProblem(
                "too_deep", f"SVG nests elements more than {PARSER_MAX_DEPTH} levels deep; not parsed", line, col))
        return ParsedSvg(None, ParseProblem("malformed", f"SVG is not well-formed XML: {exc.msg}", line, col))
    except (ValueError, TypeError) as exc:  # e.g. NUL characters lxml refuses
        return ParsedSvg(None, ParseProblem("malformed", f"SVG cannot be parsed: {exc}"))
    if root is None:
        return ParsedSvg(None, ParseProblem("empty", "SVG has no root element"))
    return ParsedSvg(root)


def local_name(tag: object) -> str:
    """Element or attribute local name without namespace ('' for comments and PIs)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag[0] == "{" else tag

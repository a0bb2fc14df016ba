"""Hostile SVG: XXE, entity expansion, network fetches, huge input.  Never a crash,
never a local-file or network read, memory bounded."""

from __future__ import annotations

import json
import socket
import time
import tracemalloc

import pytest
from lxml import etree

from arxconsole.engine.symbols import load_symbol_file, parse_svg, validate_svg_text, validate_symbol
from arxconsole.engine.symbols import safe_xml

SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text(SECRET)
    return p


def xxe_svg(target: str) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "{target}">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text x="1" y="5">&xxe;</text></svg>')


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&lol9;</text></svg>')


def test_xxe_local_file_is_refused_and_never_read(secret_file):
    text = xxe_svg(secret_file.as_uri())
    findings = validate_svg_text(text, file="evil.json")
    assert [f.rule for f in findings] == ["svg.security.doctype"]
    assert findings[0].data["line"] == 2 and findings[0].file == "evil.json"
    assert SECRET not in json.dumps([f.to_dict() for f in findings])


def test_the_parser_itself_does_not_resolve_external_entities(secret_file):
    # Belt and braces: even without the DOCTYPE pre-check, the hardened parser must not
    # substitute the file's content.
    root = etree.fromstring(xxe_svg(str(secret_file)).split("\n", 1)[1].encode(), safe_xml._PARSER)
    assert SECRET not in etree.tostring(root, encoding="unicode")


def test_xxe_over_network_makes_no_connection():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.3)
    port = server.getsockname()[1]
    try:
        text = xxe_svg(f"http://127.0.0.1:{port}/x")
        assert [f.rule for f in validate_svg_text(text)] == ["svg.security.doctype"]
        etree.fromstring(text.split("\n", 1)[1].encode(), safe_xml._PARSER)   # raw parser, no pre-check
        with pytest.raises(socket.timeout):
            server.accept()
    finally:
        server.close()


def test_billion_laughs_is_refused_quickly():
    t = time.perf_counter()
    findings = validate_svg_text(BILLION_LAUGHS)
    assert [f.rule for f in findings] == ["svg.security.doctype"]
    assert time.perf_counter() - t < 0.5
    # raw parser, without the pre-check: refuses or keeps entities unexpanded, never blows up
    try:
        root = etree.fromstring(BILLION_LAUGHS.encode(), safe_xml._PARSER)
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
    else:
        assert len(etree.tostring(root)) < 10_000


def test_lower_case_doctype_is_refused_too():
    assert parse_svg('<!doctype svg><svg/>').problem.kind == "doctype"


def test_ten_megabyte_svg_is_not_parsed():
    huge = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">' + "<g/>" * (10 * 1024 * 256) + "</svg>"
    assert len(huge) > 10_000_000
    tracemalloc.start()
    t = time.perf_counter()
    findings = validate_svg_text(huge)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [f.rule for f in findings] == ["svg.size.limit"]
    assert "10,485,8" in findings[0].message or "bytes" in findings[0].message
    assert peak < 1_000_000 and elapsed < 0.5


def test_ten_megabyte_svg_in_a_symbol_file_is_not_read(tmp_path):
    path = tmp_path / "EL_Huge_001.json"
    path.write_text(json.dumps({"id": "EL_Huge_001", "svg": "<svg>" + "x" * 10_000_000 + "</svg>"}))
    tracemalloc.start()
    sym, findings = load_symbol_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sym is None and [f.rule for f in findings] == ["file.too_large"]
    assert str(path) in findings[0].message and findings[0].file == str(path)
    assert peak < 1_000_000


def test_nesting_deeper_than_the_parser_allows_is_an_error_in_our_words():
    # libxml2's own message advises XML_PARSE_HUGE, which is refused here on purpose.
    deep = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' + "<g>" * 5000
            + '<rect width="1" height="1"/>' + "</g>" * 5000 + "</svg>")
    findings = validate_svg_text(deep)
    assert [(f.rule, f.severity.value) for f in findings] == [("svg.depth.limit", "error")]
    assert findings[0].message == "SVG nests elements more than 256 levels deep; not parsed"
    assert "HUGE" not in findings[0].message and findings[0].data.get("line") == 1


def test_large_svg_string_inside_symbol_gets_size_finding():
    sym = {"id": "EL_Big_001", "svg": "<svg>" + "<g/>" * 200_000 + "</svg>"}
    assert "svg.size.limit" in [f.rule for f in validate_symbol(sym)]


@pytest.mark.parametrize("text", ["<svg><g></svg>", "<svg>\x00</svg>", "not xml at all", "<svg>&undefined;</svg>",
                                  "<svg xmlns:a='x'><a:b:c/></svg>", "\ufeff<svg/>"])
def test_garbage_never_raises(text):
    findings = validate_svg_text(text)
    assert all(f.message for f in findings)


def test_bytes_input_and_non_utf8():
    assert parse_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>').ok
    assert parse_svg(b"<svg>\xff</svg>").problem.kind == "malformed"


def test_parser_is_reused(monkeypatch):
    made = []
    real = etree.XMLParser
    monkeypatch.setattr(etree, "XMLParser", lambda *a, **k: made.append(1) or real(*a, **k))
    assert parse_svg("<svg/>").ok and parse_svg("<svg/>").ok
    assert made == []          # no parser built per call


def test_one_parser_per_thread_and_concurrent_use():
    import threading

    parsers, errors = [], []
    text = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">' + '<rect width="1" height="1"/>' * 200 + "</svg>"

    def work():
        try:
            parsers.append(safe_xml.hardened_parser())
            for _ in range(50):
                assert parse_svg(text).ok
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({id(p) for p in parsers}) == 4 and safe_xml._PARSER not in parsers
    assert safe_xml.hardened_parser() is safe_xml.hardened_parser() is safe_xml._PARSER


def test_non_ascii_size_budget_counts_bytes():
    text = "<svg>" + "é" * 300 + "</svg>"            # 311 characters, 611 bytes
    assert parse_svg(text, max_bytes=500).problem.kind == "too_large"
    assert parse_svg(text, max_bytes=700).ok

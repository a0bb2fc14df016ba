"""Showing user content safely: Qt guesses that text containing tags is rich text, so a
message quoting ``<script>`` would vanish (or render markup).  Labels get PlainText;
tooltips, which cannot be told, get escaped HTML."""

from __future__ import annotations

import html


def tip(text: str) -> str:
    """A tooltip that shows ``text`` literally (line breaks kept)."""
    return "<qt>" + html.escape(text).replace("\n", "<br/>") + "</qt>" if text else ""

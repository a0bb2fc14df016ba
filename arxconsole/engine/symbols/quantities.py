"""Quantities written as text ("400 nits", "120W", "0.5_inches") -> {"value", "unit"}.

Conversion is deliberately narrow: a whole string must be one number followed by one
unit word (plus a known qualifier such as "DC" or a compound such as "degrees F").
Ranges ("-40_to_120_degrees_F"), lists ("120V_208V_240V"), ratios ("16:9") and
resolutions ("1920x1080") are left as text: guessing there would invent data.
"""

from __future__ import annotations

import re
from typing import Any

# Qualifiers that stay part of the unit ("12V DC" is not the same quantity as "12V AC").
_QUALIFIERS = "AC|DC|RMS|WC|RH|F|C|K"
_COMPOUND_HEADS = "degrees|degree|sq|square|cubic|cu"
_QUANTITY_RE = re.compile(
    r"^\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+))[ _]?"
    r"(?P<unit>(?:(?:" + _COMPOUND_HEADS + r")[ _][A-Za-z]+)"
    r"|[A-Za-z\u00b5\u03a9%\u00b0][A-Za-z\u00b5\u03a9%\u00b0/]*(?:[ _](?:" + _QUALIFIERS + r"))?)\s*$"
)
# Starts like a number: worth reporting when it could not be converted.
_NUMERIC_START_RE = re.compile(r"^\s*[-+]?\.?\d")


def parse_quantity(text: str) -> dict[str, Any] | None:
    """``"400 nits"`` -> ``{"value": 400, "unit": "nits"}``; None when not one quantity."""
    m = _QUANTITY_RE.match(text)
    if not m:
        return None
    num = m.group("num")
    value: int | float = float(num) if any(c in num for c in ".eE") else int(num)
    unit = m.group("unit").replace("_", " ")
    return {"value": value, "unit": unit}


def looks_numeric(text: str) -> bool:
    return bool(_NUMERIC_START_RE.match(text))


def is_quantity_dict(value: Any) -> bool:
    """``{"value": <number>, "unit": <non-empty str>}``."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("value"), (int, float))
        and not isinstance(value.get("value"), bool)
        and isinstance(value.get("unit"), str)
        and bool(value["unit"].strip())
    )

"""Shared bits of the benchmark scripts: ratio printing in one format."""

from __future__ import annotations

import statistics


def report(what: str, measured: float, unit: str, bar: float, *, lower_is_better: bool = True,
           reference: str = "") -> None:
    """Print ``measured`` against the SPEC §8 bar as a ratio (<= 1.0 meets the bar)."""
    ratio = measured / bar if lower_is_better else bar / measured if measured else float("inf")
    verdict = "meets" if ratio <= 1.0 else "MISSES"
    ref = f" ({reference})" if reference else ""
    cmp = "<=" if lower_is_better else ">="
    print(f"{what}: {measured:,.3f} {unit}{ref}; bar {cmp} {bar:,.3f} {unit}; "
          f"ratio to bar {ratio:.2f} -> {verdict} the bar")


def median(values):
    return statistics.median(values)

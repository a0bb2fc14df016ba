"""Bounding boxes of SVG shapes under transforms, for the "drawn inside the viewBox" rule.

Accuracy matters both ways: a false alarm on a correct drawing teaches people to ignore
the rule.  So boxes are exact for geometry (lines, polygons, rects, circles, ellipses and arcs under any
affine transform, Bézier extrema) and never larger than the truth where an estimate
is needed (text uses a lower-bound glyph size, having no font metrics).

A box is a tuple (min_x, min_y, max_x, max_y); a transform is (a, b, c, d, e, f) as in
SVG's ``matrix(a b c d e f)``: x' = a*x + c*y + e, y' = b*x + d*y + f.
"""

from __future__ import annotations

import math
import re

Box = tuple[float, float, float, float]
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_NUM_RE = re.compile(NUMBER)
_LENGTH_RE = re.compile(r"^\s*(" + NUMBER + r")\s*(px)?\s*$")
_TRANSFORM_RE = re.compile(r"\s*(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)\s*,?")
_PATH_TOKEN_RE = re.compile(r"([MmZzLlHhVvCcSsQqTtAa])|(" + NUMBER + r")|([^\s,])")
_SEP_RE = re.compile(r"[\s,]*")
_FLAG_RE = re.compile(r"[\s,]*([01])")
_NUMBER_AT_RE = re.compile(r"[\s,]*(" + NUMBER + r")")


class GeometryError(ValueError):
    """An attribute that should hold numbers does not."""


def parse_length(value: str | None, default: float = 0.0) -> float:
    """A user-unit length ("12", "12.5px").  Raises GeometryError for anything else."""
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        m = _LENGTH_RE.match(value)
        if not m:
            raise GeometryError(value) from None
        return float(m.group(1))


def parse_numbers(value: str) -> list[float]:
    return [float(x) for x in _NUM_RE.findall(value)]


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m ∘ n: apply n first, then m."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def parse_transform(value: str) -> Matrix:
    """Parse an SVG transform list; raises GeometryError when it is not one."""
    m = IDENTITY
    pos = 0
    value = value.strip()
    while pos < len(value):
        match = _TRANSFORM_RE.match(value, pos)
        if not match:
            raise GeometryError(value)
        pos = match.end()
        kind, args = match.group(1), parse_numbers(match.group(2))
        n = len(args)
        if kind == "matrix" and n == 6:
            t = tuple(args)
        elif kind == "translate" and n in (1, 2):
            t = (1.0, 0.0, 0.0, 1.0, args[0], args[1] if n == 2 else 0.0)
        elif kind == "scale" and n in (1, 2):
            t = (args[0], 0.0, 0.0, args[1] if n == 2 else args[0], 0.0, 0.0)
        elif kind == "rotate" and n in (1, 3):
            r = math.radians(args[0])
            cos, sin = math.cos(r), math.sin(r)
            t = (cos, sin, -sin, cos, 0.0, 0.0)
            if n == 3:
                cx, cy = args[1], args[2]
                t = multiply(multiply((1.0, 0.0, 0.0, 1.0, cx, cy), t), (1.0, 0.0, 0.0, 1.0, -cx, -cy))
        elif kind == "skewX" and n == 1:
            t = (1.0, 0.0, math.tan(math.radians(args[0])), 1.0, 0.0, 0.0)
        elif kind == "skewY" and n == 1:
            t = (1.0, math.tan(math.radians(args[0])), 0.0, 1.0, 0.0, 0.0)
        else:
            raise GeometryError(value)
        m = multiply(m, t)  # type: ignore[arg-type]
    return m


def points_box(points: list[tuple[float, float]], m: Matrix) -> Box | None:
    if not points:
        return None
    a, b, c, d, e, f = m
    if b == 0.0 and c == 0.0:
        xs = [a * x + e for x, _ in points]
        ys = [d * y + f for _, y in points]
    else:
        xs = [a * x + c * y + e for x, y in points]
        ys = [b * x + d * y + f for x, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def rect_box(x: float, y: float, w: float, h: float, m: Matrix) -> Box:
    a, b, c, d, e, f = m
    if b == 0.0 and c == 0.0:
        x1, x2 = a * x + e, a * (x + w) + e
        y1, y2 = d * y + f, d * (y + h) + f
        return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    return points_box([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], m)  # type: ignore[return-value]


def ellipse_box(cx: float, cy: float, rx: float, ry: float, m: Matrix) -> Box:
    """Exact box of an ellipse under an affine transform."""
    a, b, c, d, e, f = m
    px, py = a * cx + c * cy + e, b * cx + d * cy + f
    hx = math.hypot(a * rx, c * ry)
    hy = math.hypot(b * rx, d * ry)
    return (px - hx, py - hy, px + hx, py + hy)


def union(box: Box | None, other: Box | None) -> Box | None:
    if box is None:
        return other
    if other is None:
        return box
    return (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))


# ---- paths ------------------------------------------------------------------------------
def _cubic_extrema(p0: float, p1: float, p2: float, p3: float) -> list[float]:
    """Parameter values in (0, 1) where a cubic Bézier coordinate has zero derivative."""
    a = -p0 + 3 * p1 - 3 * p2 + p3
    b = 2 * (p0 - 2 * p1 + p2)
    c = p1 - p0
    ts: list[float] = []
    if abs(a) < 1e-12:
        if abs(b) > 1e-12:
            ts.append(-c / b)
    else:
        disc = b * b - 4 * a * c
        if disc >= 0:
            s = math.sqrt(disc)
            ts += [(-b + s) / (2 * a), (-b - s) / (2 * a)]
    return [t for t in ts if 0.0 < t < 1.0]


def _cubic_point(p0, p1, p2, p3, t):
    u = 1 - t
    return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3


def _arc_points(x1, y1, rx, ry, phi_deg, large, sweep, x2, y2, m: Matrix) -> list[tuple[float, float]]:
    """Device-space points that bound an SVG elliptical arc exactly: its end point plus,
    for each axis, the extreme points of the (transformed) ellipse that lie on the arc.
    Center parameterisation per SVG 1.1 implementation notes F.6.5."""
    a, b, c, d, e, f = m
    if rx == 0 or ry == 0 or (x1 == x2 and y1 == y2):
        return [(a * x2 + c * y2 + e, b * x2 + d * y2 + f)]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(phi_deg % 360)
    cos_p, sin_p = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x1p = cos_p * dx + sin_p * dy
    y1p = -sin_p * dx + cos_p * dy
    lam = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry)
    if lam > 1:
        k = math.sqrt(lam)
        rx, ry = rx * k, ry * k
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx = cos_p * cxp - sin_p * cyp + (x1 + x2) / 2
    cy = sin_p * cxp + cos_p * cyp + (y1 + y2) / 2
    ux, uy = (x1p - cxp) / rx, (y1p - cyp) / ry
    vx, vy = (-x1p - cxp) / rx, (-y1p - cyp) / ry
    t1 = math.atan2(uy, ux)
    dt = math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)
    if not sweep and dt > 0:
        dt -= 2 * math.pi
    elif sweep and dt < 0:
        dt += 2 * math.pi
    # point(t) = C + J (cos t, sin t), J = M2x2 * R(phi) * diag(rx, ry)
    j11 = (a * cos_p + c * sin_p) * rx
    j12 = (-a * sin_p + c * cos_p) * ry
    j21 = (b * cos_p + d * sin_p) * rx
    j22 = (-b * sin_p + d * cos_p) * ry
    pcx, pcy = a * cx + c * cy + e, b * cx + d * cy + f
    pts = [(a * x2 + c * y2 + e, b * x2 + d * y2 + f)]
    lo, hi = (t1, t1 + dt) if dt >= 0 else (t1 + dt, t1)
    two_pi = 2 * math.pi
    for base in (math.atan2(j12, j11), math.atan2(j22, j21)):
        for t in (base, base + math.pi):
            # bring t into [lo, lo + 2π) and keep it when the arc sweeps over it
            t = lo + (t - lo) % two_pi
            if t <= hi:
                ct, st = math.cos(t), math.sin(t)
                pts.append((pcx + j11 * ct + j12 * st, pcy + j21 * ct + j22 * st))
    return pts


def _path_args(d: str):
    """Yield (command, [numbers]) groups; arc flags may be written without separators."""
    pos, n = 0, len(d)
    cmd = None
    while True:
        m = _SEP_RE.match(d, pos)
        pos = m.end()
        if pos >= n:
            return
        ch = d[pos]
        if ch.isalpha():
            if ch not in "MmZzLlHhVvCcSsQqTtAa":
                raise GeometryError(f"unknown path command {ch!r}")
            cmd = ch
            pos += 1
            if ch in "Zz":
                yield ch, []
                continue
        elif cmd is None:
            raise GeometryError("path data must start with a command")
        elif cmd in "Zz":
            raise GeometryError("numbers after Z")
        arity = _ARITY[cmd]
        args: list[float] = []
        for i in range(arity):
            if cmd in "Aa" and i in (3, 4):
                m = _FLAG_RE.match(d, pos)
            else:
                m = _NUMBER_AT_RE.match(d, pos)
            if not m:
                raise GeometryError(f"bad arguments for path command {cmd!r}")
            args.append(float(m.group(1)))
            pos = m.end()
        yield cmd, args
        if cmd == "M":
            cmd = "L"
        elif cmd == "m":
            cmd = "l"


_FAST_TOKEN_RE = re.compile(r"[MmZzLlHhVvCcSsQqTtAa]|" + NUMBER + r"|[^\s,]")
_COMMANDS = frozenset("MmZzLlHhVvCcSsQqTtAa")


def _path_segments(d: str) -> list[tuple[str, list[float]]]:
    """Path data as (command, args) groups: one regex pass, then arity bookkeeping.

    Falls back to the character scanner when arc flags are written without separators
    ("a1 1 0 011 1"), which a number tokenizer cannot split."""
    toks = _FAST_TOKEN_RE.findall(d)
    out: list[tuple[str, list[float]]] = []
    i, n = 0, len(toks)
    cmd = None
    try:
        while i < n:
            t = toks[i]
            if t in _COMMANDS:
                cmd = t
                i += 1
                if t in "Zz":
                    out.append((t, []))
                    continue
            elif cmd is None or cmd in "Zz":
                raise GeometryError("path data must start with a command")
            arity = _ARITY[cmd]
            if i + arity > n:
                raise GeometryError(f"too few arguments for path command {cmd!r}")
            chunk = toks[i:i + arity]
            if cmd in "Aa" and (chunk[3] not in ("0", "1") or chunk[4] not in ("0", "1")):
                return list(_path_args(d))
            out.append((cmd, [float(x) for x in chunk]))
            i += arity
            if cmd == "M":
                cmd = "L"
            elif cmd == "m":
                cmd = "l"
    except ValueError:   # a stray character or command letter where a number belongs
        return list(_path_args(d))
    return out


_ARITY = {"M": 2, "L": 2, "T": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "A": 7}
_ARITY.update({k.lower(): v for k, v in _ARITY.items()})


def path_box(d: str, m: Matrix) -> Box | None:
    """Exact box of path data under transform m (Bézier extrema, arcs via their extreme
    angles).  Points are collected in local space and transformed once at the end; an
    identity transform (the common case) skips that step entirely."""
    xs: list[float] = []          # on-curve points, local space
    ys: list[float] = []
    curves: list[tuple[float, ...]] = []       # cubic control polygons, local space
    arc_pts: list[tuple[float, float]] = []    # already in device space
    cx = cy = sx = sy = 0.0
    lcx = lcy = 0.0               # last control point, for S/T reflection
    last = "M"                    # never "": '' is a substring of every string
    for cmd, args in _path_segments(d):
        rel = cmd.islower()
        up = cmd.upper()
        if rel:
            ox, oy = cx, cy
        else:
            ox = oy = 0.0
        if up == "M" or up == "L":
            cx, cy = args[0] + ox, args[1] + oy
            if up == "M":
                sx, sy = cx, cy
            xs.append(cx); ys.append(cy)
        elif up == "Z":
            cx, cy = sx, sy
        elif up == "H":
            cx = args[0] + ox
            xs.append(cx); ys.append(cy)
        elif up == "V":
            cy = args[0] + oy
            xs.append(cx); ys.append(cy)
        elif up == "A":
            ex, ey = args[5] + ox, args[6] + oy
            arc_pts.extend(_arc_points(cx, cy, args[0], args[1], args[2], args[3] != 0, args[4] != 0, ex, ey, m))
            cx, cy = ex, ey
        else:
            if up == "C":
                c1x, c1y = args[0] + ox, args[1] + oy
                c2x, c2y = args[2] + ox, args[3] + oy
                ex, ey = args[4] + ox, args[5] + oy
            elif up == "S":
                if last in "CcSs":
                    c1x, c1y = 2 * cx - lcx, 2 * cy - lcy
                else:
                    c1x, c1y = cx, cy
                c2x, c2y = args[0] + ox, args[1] + oy
                ex, ey = args[2] + ox, args[3] + oy
            else:
                if up == "Q":
                    qx, qy = args[0] + ox, args[1] + oy
                    ex, ey = args[2] + ox, args[3] + oy
                elif last in "QqTt":
                    qx, qy = 2 * cx - lcx, 2 * cy - lcy
                    ex, ey = args[0] + ox, args[1] + oy
                else:
                    qx, qy = cx, cy
                    ex, ey = args[0] + ox, args[1] + oy
                # elevate the quadratic to a cubic: same curve, one code path
                c1x, c1y = cx + 2 / 3 * (qx - cx), cy + 2 / 3 * (qy - cy)
                c2x, c2y = ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey)
            curves.append((cx, cy, c1x, c1y, c2x, c2y, ex, ey))
            xs.append(ex); ys.append(ey)
            if up == "Q" or up == "T":
                lcx, lcy = qx, qy
            else:
                lcx, lcy = c2x, c2y
            cx, cy = ex, ey
        last = cmd
    a, b, c, dd, e, f = m
    identity = m == IDENTITY
    if not identity:
        xs, ys = [a * x + c * y + e for x, y in zip(xs, ys)], [b * x + dd * y + f for x, y in zip(xs, ys)]
    for x0, y0, x1, y1, x2, y2, x3, y3 in curves:
        if not identity:
            x0, y0, x1, y1, x2, y2, x3, y3 = (a * x0 + c * y0 + e, b * x0 + dd * y0 + f,
                                              a * x1 + c * y1 + e, b * x1 + dd * y1 + f,
                                              a * x2 + c * y2 + e, b * x2 + dd * y2 + f,
                                              a * x3 + c * y3 + e, b * x3 + dd * y3 + f)
        # the end points are already in xs/ys; only interior extrema can add to the box
        for t in _cubic_extrema(x0, x1, x2, x3):
            xs.append(_cubic_point(x0, x1, x2, x3, t))
        for t in _cubic_extrema(y0, y1, y2, y3):
            ys.append(_cubic_point(y0, y1, y2, y3, t))
    for px, py in arc_pts:
        xs.append(px); ys.append(py)
    if not xs:
        return None
    return (min(xs), min(ys), max(xs), max(ys))


def text_box(x: float, y: float, text: str, font_size: float, anchor: str, m: Matrix) -> Box | None:
    """A lower-bound estimate of a text run's ink box (no font metrics without Qt).

    0.45 em per character and 0.6 em above the baseline are below real glyph sizes for
    the usual sans fonts, so a flagged text really sticks out.
    """
    n = len(text.strip())
    if n == 0:
        return None
    width = 0.45 * font_size * n
    if anchor == "middle":
        x0 = x - width / 2
    elif anchor == "end":
        x0 = x - width
    else:
        x0 = x
    return rect_box(x0, y - 0.6 * font_size, width, 0.6 * font_size, m)

"""Build ``ontology/external/world-atlas/world-map.json`` (projected, simplified SVG paths) from world-atlas.

Input: the world-atlas@2 TopoJSON ``countries-50m.json`` (Natural Earth 4.1.0, 1:50m admin-0 countries), a copy
of which is kept next to the output. Output: one SVG path per M49 code in the Equal Earth projection of
``sparql_api.web.worldmap`` (the same ``project`` the page uses for points), simplified per shared arc
(Douglas-Peucker, so neighbours keep a common border), cut at the antimeridian (Russia, Fiji) and rounded to
0.1 map unit.

    .venv/bin/python scripts/build_world_map.py                     # defaults below
    .venv/bin/python scripts/build_world_map.py SRC.json OUT.json --tolerance 0.25
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sparql_api.web.worldmap import HEIGHT, WIDTH, project  # noqa: E402

ATLAS_DIR = REPO / "ontology" / "external" / "world-atlas"
DEFAULT_SOURCE = ATLAS_DIR / "countries-50m.json"
DEFAULT_OUTPUT = ATLAS_DIR / "world-map.json"

# Natural Earth shapes without an ISO numeric id that UN M49 counts as part of a member state.
MERGE_INTO = {"Somaliland": "706", "N. Cyprus": "196"}
# UN member states Natural Earth 1:50m has no outline for: a dot at the capital (Funafuti, 8°31'S 179°12'E).
DOT_ONLY = {"798": ("Tuvalu", -8.5167, 179.2)}
# A country whose whole outline is smaller than this (map units) also gets a dot so it can be seen and hovered.
DOT_BELOW = 4.0
# Islands (rings) smaller than this are dropped, except a country's largest ring.
MIN_RING = 0.4

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """The topology's arcs as (lon, lat) degrees (TopoJSON quantised, delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _projected(point: Point) -> Point:
    return project(point[1], point[0])


def _distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker (iterative) on (lon, lat) points, distances measured on the map; end points kept."""
    if len(points) < 3:
        return list(points)
    xy = [_projected(p) for p in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(xy[i], xy[first], xy[last])
            if d > worst:
                worst, index = d, i
        if index > 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_points(ring: Iterable[int], arcs: list[list[Point]]) -> list[Point]:
    """Concatenate a ring's arcs (``~i`` = arc ``i`` reversed), dropping each joint's duplicate point."""
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _crosses_antimeridian(ring: Sequence[Point]) -> bool:
    """A jump of more than 180° of longitude, other than along a pole line (Antarctica's southern edge)."""
    return any(
        abs(a[0] - b[0]) > 180 and not (abs(a[1]) > 89 and abs(b[1]) > 89)
        for a, b in itertools.pairwise(ring)
    )


def _clip(ring: Sequence[Point], boundary: float, keep_west: bool) -> list[Point]:
    """Sutherland-Hodgman: the part of ``ring`` west (or east) of the meridian ``boundary``."""

    def inside(p: Point) -> bool:
        return p[0] <= boundary if keep_west else p[0] >= boundary

    out: list[Point] = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        if inside(current) != inside(previous):
            t = (boundary - previous[0]) / (current[0] - previous[0])
            out.append((boundary, previous[1] + t * (current[1] - previous[1])))
        if inside(current):
            out.append(current)
    return out


def split_at_antimeridian(ring: Sequence[Point]) -> list[list[Point]]:
    """A ring that crosses ±180° cut into one ring per side (others returned unchanged)."""
    if not _crosses_antimeridian(ring):
        return [list(ring)]
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:  # goes round a pole: leave it alone
        return [list(ring)]
    boundary = 180.0 if max(p[0] for p in unwrapped) > 180 else -180.0
    shift = -360.0 if boundary > 0 else 360.0
    near = _clip(unwrapped, boundary, keep_west=boundary > 0)
    far = [(lon + shift, lat) for lon, lat in _clip(unwrapped, boundary, keep_west=boundary < 0)]
    return [part for part in (near, far) if len(part) >= 3]


def _rounded(points: Iterable[Point]) -> list[Point]:
    """Project (lon, lat) points to the map, round to 0.1 and drop repeats (including the closing point)."""
    out: list[Point] = []
    for point in points:
        x, y = _projected(point)
        p = (round(x, 1), round(y, 1))
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _extent(points: Sequence[Point]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _size(points: Sequence[Point]) -> float:
    x0, y0, x1, y1 = _extent(points)
    return max(x1 - x0, y1 - y0)


def _path(rings: Sequence[Sequence[Point]]) -> str:
    def num(v: float) -> str:
        return f"{v:.1f}".rstrip("0").rstrip(".")

    return "".join(
        "M" + "L".join(f"{num(x)} {num(y)}" for x, y in ring) + "Z" for ring in rings
    )


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def build(topology: dict, tolerance: float) -> dict:
    """The world-map document: projection facts and one shape per M49 code (or per unnumbered area)."""
    arcs = [simplify(arc, tolerance) for arc in decode_arcs(topology)]
    grouped: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        code = geometry.get("id") or MERGE_INTO.get(name)
        key = code or name
        entry = grouped.setdefault(key, {"m49": code, "name": name, "rings": [], "weight": -1})
        polygons = _polygons(geometry)
        if geometry.get("id") and len(polygons) > entry["weight"]:  # Australia beats Ashmore and Cartier Is.
            entry["name"], entry["weight"] = name, len(polygons)
        for polygon in polygons:
            for ring in polygon:
                for part in split_at_antimeridian(ring_points(ring, arcs)):
                    entry["rings"].append(_rounded(part))
    shapes = [_shape(entry) for entry in grouped.values() if entry["rings"]]
    for code, (name, lat, lon) in DOT_ONLY.items():
        if code not in grouped:
            x, y = project(lat, lon)
            shapes.append({"m49": code, "name": name, "d": "", "dot": [round(x, 1), round(y, 1)]})
    shapes.sort(key=lambda s: (s["m49"] is None, s["m49"] or "", s["name"]))
    return {
        "source": "world-atlas 2.0.2 countries-50m.json (Natural Earth 4.1.0 admin-0, 1:50m)",
        "projection": "Equal Earth",
        "viewBox": [0, 0, WIDTH, HEIGHT],
        "tolerance": tolerance,
        "shapes": shapes,
    }


def _shape(entry: dict) -> dict:
    rings = sorted(entry["rings"], key=_size, reverse=True)
    kept = [rings[0], *(r for r in rings[1:] if len(r) >= 3 and _size(r) >= MIN_RING)]
    shape = {"m49": entry["m49"], "name": entry["name"], "d": _path(kept)}
    all_points = [p for r in kept for p in r]
    if _size(all_points) < DOT_BELOW:
        x0, y0, x1, y1 = _extent(rings[0])
        shape["dot"] = [round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1)]
    return shape


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--tolerance", type=float, default=0.25, help="simplification, map units (width 1000)")
    args = parser.parse_args(argv)
    document = build(json.loads(args.source.read_text("utf-8")), args.tolerance)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", "utf-8")
    print(f"{args.output}: {len(document['shapes'])} shapes, {len(text) / 1024:.0f} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

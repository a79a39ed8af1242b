"""An inline SVG world map (Equal Earth projection) drawn from country shapes shipped with the project.

No tiles, no scripts, no external references: ``render_world_map`` returns markup to put in a page. Pages that
highlight only a country or two (a case page) use ``render_overlay_map`` instead: the grey base map is one
cacheable file (``base_map_svg``, served at ``BASE_MAP_PATH``) under an inline layer holding just the highlighted
shapes and points — a few kB per page instead of ~230 kB of outlines, which also had to be compressed each time.
Countries are keyed by their three-digit UN M49 code (= ISO 3166-1 numeric); the caller says which CSS class
each one gets (``fills``) and may add points (e.g. case sites). The shapes come from
``ontology/external/world-atlas/world-map.json`` (built by ``scripts/build_world_map.py``; see its README).
Default colours are presentation attributes, so the map is legible without a stylesheet; CSS classes override them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

# Equal Earth (Šavrič, Patterson & Jenny 2018) polynomial coefficients.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_X_MAX = 2 * math.sqrt(3) * math.pi / (3 * _A1)  # half the width of the unit map (lon ±180°, lat 0)
_Y_MAX = (math.pi / 3) * (_A1 + _A2 * (math.pi / 3) ** 2 + _A3 * (math.pi / 3) ** 6 + _A4 * (math.pi / 3) ** 8)

WIDTH = 1000
SCALE = WIDTH / (2 * _X_MAX)
HEIGHT = round(2 * _Y_MAX * SCALE)
POINT_RADIUS = 3.5
DOT_RADIUS = 2.2

MAP_FILE = Path("world-atlas") / "world-map.json"
BASE_MAP_PATH = "/maps/world.svg"
_COUNTRY_STYLE = 'fill="#d4d4d4" stroke="#ffffff" stroke-width="0.3" fill-rule="evenodd" stroke-linejoin="round"'
_PACKAGED_EXTERNAL = Path(__file__).resolve().parents[2] / "ontology" / "external"


@dataclass(frozen=True)
class MapPoint:
    """A marker: WGS 84 latitude / longitude in degrees, a tooltip and an optional link."""

    lat: float
    lon: float
    label: str
    href: str | None = None


@dataclass(frozen=True)
class Shape:
    m49: str | None  # None: an area Natural Earth draws without a code (Kosovo, Siachen Glacier…)
    name: str  # Natural Earth's English name, the tooltip when the caller gives none
    d: str  # SVG path data in map units ("" for a state Natural Earth 1:50m has no outline for: a dot only)
    dot: tuple[float, float] | None  # centre of a country too small to see, drawn as a dot as well


def project(lat: float, lon: float) -> tuple[float, float]:
    """Map units (0..WIDTH, 0..HEIGHT, y down) of a point; out-of-range input is clamped to the globe."""
    phi = math.radians(max(-90.0, min(90.0, lat)))
    lam = math.radians(max(-180.0, min(180.0, lon)))
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * _A4 * t6 * t2 + 7 * _A3 * t6 + 3 * _A2 * t2 + _A1))
    y = theta * (_A4 * t6 * t2 + _A3 * t6 + _A2 * t2 + _A1)
    return WIDTH / 2 + x * SCALE, HEIGHT / 2 - y * SCALE


def map_file() -> Path:
    """The shapes file: under the configured resources if it has one, else the copy beside the package."""
    from ingest.paths import external_dir

    try:
        configured = external_dir() / MAP_FILE
    except FileNotFoundError:
        configured = None
    if configured is not None and configured.is_file():
        return configured
    return _PACKAGED_EXTERNAL / MAP_FILE


@cache
def shapes() -> tuple[Shape, ...]:
    """Every shipped shape, in file order (sorted by M49 code)."""
    document = json.loads(map_file().read_text("utf-8"))
    return tuple(
        Shape(s["m49"], s["name"], s["d"], tuple(s["dot"]) if s.get("dot") else None) for s in document["shapes"]
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _country(shape: Shape, fills: Mapping[str, str], labels: Mapping[str, str]) -> str:
    code = shape.m49
    css = fills.get(code, "") if code else "no-code"
    label = labels.get(code, shape.name) if code else shape.name
    attrs = f' data-m49="{escape(code)}"' if code else ""
    attrs += f' class="{escape(("country " + css).strip())}"'
    title = f"<title>{escape(label)}</title>"
    out = f'<path d="{shape.d}"{attrs}>{title}</path>' if shape.d else ""
    if shape.dot:
        cx, cy = shape.dot
        dot_attrs = attrs.replace('class="country', 'class="dot', 1)
        out += f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{DOT_RADIUS}"{dot_attrs}>{title}</circle>'
    return out


def _point(point: MapPoint) -> str:
    x, y = project(point.lat, point.lon)
    circle = (f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="{POINT_RADIUS}">'
              f"<title>{escape(point.label)}</title></circle>")
    return f'<a href="{escape(point.href)}">{circle}</a>' if point.href else circle


def _svg(title: str, countries: str, markers: str, under: str = "") -> Markup:
    return Markup(
        f'<svg class="worldmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">{under}'
        f'<g class="countries" {_COUNTRY_STYLE}>{countries}</g>'
        f'<g class="points" fill="#b03a2e" stroke="#ffffff" stroke-width="1">{markers}</g>'
        "</svg>"
    )


def render_world_map(
    fills: Mapping[str, str],
    *,
    points: Sequence[MapPoint] = (),
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> Markup:
    """The map as inline SVG: one ``<path data-m49=… class=…>`` per country, ``fills`` = M49 code → CSS class,
    ``labels`` = M49 code → tooltip (default: the shape's English name), ``points`` as circles on top."""
    labels = labels or {}
    countries = "".join(_country(shape, fills, labels) for shape in shapes())
    return _svg(title, countries, "".join(_point(p) for p in points))


def render_overlay_map(
    fills: Mapping[str, str],
    *,
    points: Sequence[MapPoint] = (),
    title: str = "",
    labels: Mapping[str, str] | None = None,
    base_href: str = BASE_MAP_PATH,
) -> Markup:
    """The same map, but only the ``fills`` countries are inline, drawn over the base map image (``base_href``):
    for pages that highlight a few countries."""
    labels = labels or {}
    countries = "".join(_country(shape, fills, labels) for shape in shapes() if shape.m49 in fills)
    under = f'<image href="{escape(base_href)}" x="0" y="0" width="{WIDTH}" height="{HEIGHT}"/>'
    return _svg(title, countries, "".join(_point(p) for p in points), under)


@cache
def base_map_svg() -> bytes:
    """Every country in the default grey, as a standalone SVG document (the layer under ``render_overlay_map``)."""
    countries = "".join(_country(shape, {}, {}) for shape in shapes())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + str(_svg("World", countries, ""))).encode("utf-8")

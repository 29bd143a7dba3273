"""The map of the school sites: a server-rendered SVG, no tiles, no script, no CDN.

Every site with a position is drawn as a point over a simple outline of Bochum; its
colour AND its shape say its gigabit status (reports.readiness, the one rule): a circle
is ready, a square has a fast link planned in time, a triangle is at risk. Each point is
a link to its school's page with a title (name, site, status). The figures are repeated
as a table (site_table()), the map's text alternative.

A site's position is its own coordinates; a main site without coordinates stands where
its school does. The outline is the convex hull of every school and site position in
the shipped public data (data/bochum_schools.csv, data/bochum_school_sites_city_poi.csv;
data/SOURCE.md), widened by about 700 m: a sketch of the city's extent, not its
boundary.

Colours come from SVG presentation attributes (fill="..."), never style="" attributes,
which the Content-Security-Policy (style-src 'self') blocks. Every text is escaped.
"""

import csv
import itertools
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from app import PROJECT_ROOT
from app.extensions import db
from reports.readiness import STATUS_AT_RISK, STATUS_PLANNED, STATUS_READY, SchoolReadiness
from schools.models import School, Site

DATA_DIR = PROJECT_ROOT / "data"
OUTLINE_SOURCES = (
    ("bochum_schools.csv", "lat", "lon"),
    ("bochum_school_sites_city_poi.csv", "lat", "lon"),
)
OUTLINE_MARGIN = 0.0065  # degrees (~700 m north-south) around the outermost positions

WIDTH = 640
MARGIN = 16
LEGEND_HEIGHT = 30
POINT_SIZE = 7
FONT_SIZE = 13

# Status -> (css class, fill colour). The fills are the badge colours of app.css; each has
# at least 3:1 contrast against the outline's fill and the white page (WCAG 1.4.11), and
# every point has a dark border.
STYLES = {
    STATUS_READY: ("ready", "#1b7f3b"),
    STATUS_PLANNED: ("planned", "#b35c00"),
    STATUS_AT_RISK: ("at-risk", "#b3261e"),
}
OUTLINE_FILL = "#f1f3f4"
OUTLINE_STROKE = "#5f6368"
POINT_STROKE = "#202124"

_ids = itertools.count(1)


@dataclass(frozen=True)
class MapPoint:
    site_id: int
    site_name: str
    is_main: bool
    school_number: str
    school_name: str
    status: str  # ready, planned, at_risk
    lat: Decimal | None
    lon: Decimal | None

    @property
    def on_map(self) -> bool:
        return self.lat is not None and self.lon is not None


def status_labels() -> dict[str, str]:
    return {
        STATUS_READY: _("Ready"),
        STATUS_PLANNED: _("Link planned in time"),
        STATUS_AT_RISK: _("At risk"),
    }


def site_positions(site_ids) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """{site id: (lat, lon)}: the site's own coordinates, a main site without them its
    school's; in one query."""
    if not site_ids:
        return {}
    rows = db.session.execute(
        sa.select(Site.id, Site.is_main, Site.lat, Site.lon, School.lat, School.lon)
        .join(School, School.id == Site.school_id)
        .where(Site.id.in_(list(site_ids)))
    )
    positions = {}
    for site_id, is_main, lat, lon, school_lat, school_lon in rows:
        if (lat is None or lon is None) and is_main:
            lat, lon = school_lat, school_lon
        positions[site_id] = (lat, lon)
    return positions


def map_points(schools: list[SchoolReadiness], first_school_day) -> list[MapPoint]:
    """One point per site of the schools, with its status against the first school day."""
    positions = site_positions([site.site_id for school in schools for site in school.sites])
    return [
        MapPoint(
            site_id=site.site_id,
            site_name=site.name,
            is_main=site.is_main,
            school_number=school.school_number,
            school_name=school.name,
            status=site.status_by(first_school_day),
            lat=positions.get(site.site_id, (None, None))[0],
            lon=positions.get(site.site_id, (None, None))[1],
        )
        for school in schools
        for site in school.sites
    ]


# --- the outline ---------------------------------------------------------------------


def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of (x, y) points, counter-clockwise (Andrew's monotone chain)."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for point in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    for point in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    return lower[:-1] + upper[:-1]


def widen(hull: list[tuple[float, float]], margin: float) -> list[tuple[float, float]]:
    """Each corner moved `margin` further away from the hull's centre."""
    if not hull:
        return []
    cx = sum(x for x, _y in hull) / len(hull)
    cy = sum(y for _x, y in hull) / len(hull)
    widened = []
    for x, y in hull:
        distance = math.hypot(x - cx, y - cy) or 1.0
        widened.append((x + (x - cx) / distance * margin, y + (y - cy) / distance * margin))
    return widened


@cache
def city_outline() -> tuple[tuple[float, float], ...]:
    """(lon, lat) corners of the outline, read once from the shipped data files."""
    positions = []
    for name, lat_column, lon_column in OUTLINE_SOURCES:
        path = DATA_DIR / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get(lat_column) and row.get(lon_column):
                    positions.append((float(row[lon_column]), float(row[lat_column])))
    return tuple(widen(convex_hull(positions), OUTLINE_MARGIN))


# --- drawing -------------------------------------------------------------------------


class Projection:
    """Longitude/latitude to SVG pixels: equirectangular, with the longitude scaled by the
    cosine of the middle latitude (true to shape at a city's size)."""

    def __init__(self, corners: list[tuple[float, float]]):
        lons = [lon for lon, _lat in corners] or [0.0]
        lats = [lat for _lon, lat in corners] or [0.0]
        self.west, east = min(lons), max(lons)
        south, self.north = min(lats), max(lats)
        self.x_scale = math.cos(math.radians((south + self.north) / 2))
        span_x = max((east - self.west) * self.x_scale, 1e-6)
        span_y = max(self.north - south, 1e-6)
        self.scale = (WIDTH - 2 * MARGIN) / span_x
        self.height = math.ceil(span_y * self.scale) + 2 * MARGIN

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.west) * self.x_scale * self.scale
        y = LEGEND_HEIGHT + MARGIN + (self.north - lat) * self.scale
        return x, y


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shape(status: str, x: float, y: float, size: float = POINT_SIZE) -> Markup:
    """The point of a status: circle (ready), square (planned), triangle (at risk)."""
    css, fill = STYLES.get(status, STYLES[STATUS_AT_RISK])
    common = Markup(
        'class="point {css}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"'
    ).format(css=css, fill=fill, stroke=POINT_STROKE)
    if status == STATUS_READY:
        return Markup('<circle cx="{x}" cy="{y}" r="{r}" {common}/>').format(
            x=_num(x), y=_num(y), r=_num(size * 0.85), common=common
        )
    if status == STATUS_PLANNED:
        side = size * 1.5
        return Markup('<rect x="{x}" y="{y}" width="{w}" height="{w}" {common}/>').format(
            x=_num(x - side / 2), y=_num(y - side / 2), w=_num(side), common=common
        )
    corners = [(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)]
    return Markup('<polygon points="{points}" {common}/>').format(
        points=" ".join(f"{_num(px)},{_num(py)}" for px, py in corners), common=common
    )


def point_title(point: MapPoint, labels: dict[str, str]) -> str:
    site = point.site_name if not point.is_main else _("%(name)s (main site)", name=point.site_name)
    return f"{point.school_name}, {site}: {labels.get(point.status, point.status)}"


def site_map(points: list[MapPoint], title: str, css_id: str | None = None) -> Markup:
    """The SVG map: the outline, a legend, and one linked point per site with a position."""
    outline = list(city_outline())
    placed = [point for point in points if point.on_map]
    corners = outline + [(float(p.lon), float(p.lat)) for p in placed]
    project = Projection(corners)
    height = LEGEND_HEIGHT + project.height
    labels = status_labels()
    map_id = css_id or f"site-map-{next(_ids)}"
    parts = [
        Markup(
            '<svg class="site-map" xmlns="http://www.w3.org/2000/svg" role="group" id="{id}" '
            'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMin meet" '
            'aria-labelledby="{id}-title" font-size="{font}" '
            'font-family="system-ui, sans-serif">'
            '<title id="{id}-title">{title}</title>'
        ).format(id=map_id, width=WIDTH, height=height, font=FONT_SIZE, title=title)
    ]
    if outline:
        parts.append(
            Markup(
                '<polygon class="outline" points="{points}" fill="{fill}" stroke="{stroke}" '
                'stroke-width="1.5"/>'
            ).format(
                points=" ".join(
                    "{},{}".format(*map(_num, project(lon, lat))) for lon, lat in outline
                ),
                fill=OUTLINE_FILL,
                stroke=OUTLINE_STROKE,
            )
        )
    x = MARGIN
    for status, text in labels.items():
        parts.append(
            Markup('<g class="legend">{shape}<text x="{x}" y="{y}">{text}</text></g>').format(
                shape=shape(status, x + POINT_SIZE, LEGEND_HEIGHT / 2), x=x + 20, y=20, text=text
            )
        )
        x += 36 + int(len(text) * FONT_SIZE * 0.55)
    # At-risk points last, so they are drawn on top where points overlap.
    order = {STATUS_READY: 0, STATUS_PLANNED: 1, STATUS_AT_RISK: 2}
    for point in sorted(placed, key=lambda p: (order.get(p.status, 3), p.site_id)):
        px, py = project(float(point.lon), float(point.lat))
        text = point_title(point, labels)
        parts.append(
            Markup(
                '<a class="map-point" href="{href}" data-site="{site}" aria-label="{text}">'
                "<title>{text}</title>{shape}</a>"
            ).format(
                href=url_for("schools.school_detail", school_number=point.school_number),
                site=point.site_id,
                text=text,
                shape=shape(point.status, px, py),
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def site_table(points: list[MapPoint], summary: str, css_id: str) -> Markup:
    """The map's figures as a table: every site with its school, status and position
    (also the sites without one, which the map cannot show)."""
    labels = status_labels()
    head = Markup("").join(
        Markup('<th scope="col">{text}</th>').format(text=text)
        for text in (_("School"), _("Site"), _("Gigabit status"), _("Position"))
    )
    parts = [
        Markup(
            '<details class="chart-data"><summary>{summary}</summary>'
            '<div class="table-scroll"><table id="{id}"><thead><tr>{head}</tr></thead><tbody>'
        ).format(summary=summary, id=css_id, head=head)
    ]
    for point in points:
        css = STYLES.get(point.status, STYLES[STATUS_AT_RISK])[0]
        badge = "not-ready" if css == "at-risk" else css
        position = (
            f"{format_decimal(point.lat, '0.000000')}; {format_decimal(point.lon, '0.000000')}"
            if point.on_map
            else _("not recorded")
        )
        site = _("%(name)s (main site)", name=point.site_name) if point.is_main else point.site_name
        parts.append(
            Markup(
                '<tr data-site="{site_id}"><td><a href="{href}">{school}</a></td><td>{site}</td>'
                '<td><span class="badge {badge}">{status}</span></td><td>{position}</td></tr>'
            ).format(
                site_id=point.site_id,
                href=url_for("schools.school_detail", school_number=point.school_number),
                school=point.school_name,
                site=site,
                badge=badge,
                status=labels.get(point.status, point.status),
                position=position,
            )
        )
    parts.append(Markup("</tbody></table></div></details>"))
    return Markup("").join(parts)

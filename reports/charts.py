"""Server-rendered SVG bar charts: no JavaScript, no chart library, works offline.

Colours come from SVG presentation attributes (fill="...", plus CSS classes a stylesheet
may refine); never style="" attributes, which the Content-Security-Policy
(style-src 'self') blocks. The SVG scales to its container's width. Every text is escaped.
"""

import itertools
from dataclasses import dataclass

from markupsafe import Markup

# CSS class -> fill colour (the same colours as app.css's badges).
COLOURS = {
    "ready": "#1b7f3b",
    "planned": "#b35c00",
    "at-risk": "#b3261e",
}

LABEL_WIDTH = 170
BAR_WIDTH = 290
VALUE_WIDTH = 90
ROW_HEIGHT = 26
BAR_HEIGHT = 16
LEGEND_HEIGHT = 28
FONT_SIZE = 13

_ids = itertools.count(1)


@dataclass
class Segment:
    css_class: str  # a key of COLOURS
    value: int
    title: str  # tooltip, e.g. "Bochum-Mitte: 12 ready"


@dataclass
class BarRow:
    label: str
    segments: list[Segment]
    caption: str  # shown right of the bar, e.g. "12 / 15"

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def stacked_bar_chart(
    title: str, rows: list[BarRow], legend: list[tuple[str, str]], css_id: str | None = None
) -> Markup:
    """A horizontal stacked bar chart; bars are scaled to the largest row total.

    legend: (css_class, label) pairs, drawn above the bars."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = LEGEND_HEIGHT + ROW_HEIGHT * max(len(rows), 1) + 4
    largest = max((row.total for row in rows), default=0) or 1
    title_id = css_id or f"chart-{next(_ids)}"
    # Markup(...).format() escapes every argument, so no label can break out of the SVG.
    parts = [
        Markup(
            '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            'aria-labelledby="{title_id}-title" font-size="{font}" '
            'font-family="system-ui, sans-serif">'
            '<title id="{title_id}-title">{title}</title>'
        ).format(width=width, height=height, title_id=title_id, font=FONT_SIZE, title=title)
    ]
    x = LABEL_WIDTH
    for css_class, text in legend:
        parts.append(
            Markup(
                '<rect class="swatch {css}" x="{x}" y="6" width="12" height="12" fill="{fill}"/>'
                '<text class="legend" x="{text_x}" y="16">{text}</text>'
            ).format(
                css=css_class, x=x, fill=COLOURS.get(css_class, "#5f6368"), text_x=x + 16, text=text
            )
        )
        x += 24 + int(len(text) * FONT_SIZE * 0.6)
    for index, row in enumerate(rows):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        text_y = y + BAR_HEIGHT - 3
        parts.append(
            Markup(
                '<g class="bar-row"><text class="label" x="{x}" y="{y}" text-anchor="end">'
                "{label}</text>"
            ).format(x=LABEL_WIDTH - 8, y=text_y, label=row.label)
        )
        offset = float(LABEL_WIDTH)
        for segment in row.segments:
            if segment.value <= 0:
                continue
            bar = BAR_WIDTH * segment.value / largest
            parts.append(
                Markup(
                    '<rect class="bar {css}" x="{x}" y="{y}" width="{w}" height="{h}" '
                    'fill="{fill}"><title>{title}</title></rect>'
                ).format(
                    css=segment.css_class,
                    x=_num(offset),
                    y=y,
                    w=_num(bar),
                    h=BAR_HEIGHT,
                    fill=COLOURS.get(segment.css_class, "#5f6368"),
                    title=segment.title,
                )
            )
            offset += bar
        parts.append(
            Markup('<text class="value" x="{x}" y="{y}">{caption}</text></g>').format(
                x=_num(offset + 6), y=text_y, caption=row.caption
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def data_table(
    summary: str, group_header: str, rows: list[BarRow], legend: list[tuple[str, str]]
) -> Markup:
    """The chart's figures as a table for screen readers and keyboard users, folded in a
    <details> element (opens without JavaScript)."""
    from flask_babel import gettext as _

    head = Markup("").join(
        Markup('<th scope="col" class="num">{text}</th>').format(text=text) for _css, text in legend
    )
    parts = [
        Markup(
            '<details class="chart-data"><summary>{summary}</summary>'
            '<div class="table-scroll"><table><thead><tr><th scope="col">{group}</th>{head}'
            '<th scope="col" class="num">{total}</th></tr></thead><tbody>'
        ).format(summary=summary, group=group_header, head=head, total=_("Total"))
    ]
    for row in rows:
        values = {segment.css_class: segment.value for segment in row.segments}
        cells = Markup("").join(
            Markup('<td class="num">{value}</td>').format(value=values.get(css, 0))
            for css, _text in legend
        )
        parts.append(
            Markup(
                '<tr><th scope="row">{label}</th>{cells}<td class="num">{total}</td></tr>'
            ).format(label=row.label, cells=cells, total=row.total)
        )
    parts.append(Markup("</tbody></table></div></details>"))
    return Markup("").join(parts)


def readiness_chart(title: str, groups, label_of, group_header: str = "") -> Markup:
    """Schools per group (city district, school form) by gigabit status, as stacked bars,
    followed by the same figures as a table.

    groups: reports.dashboard.GroupFigures; label_of(key) gives a group's display name."""
    from flask_babel import gettext as _

    rows = []
    for group in groups:
        name = str(label_of(group.key))
        rows.append(
            BarRow(
                label=name,
                segments=[
                    Segment(
                        "ready",
                        group.ready,
                        _("%(name)s: %(count)d ready", name=name, count=group.ready),
                    ),
                    Segment(
                        "planned",
                        group.planned,
                        _("%(name)s: %(count)d planned in time", name=name, count=group.planned),
                    ),
                    Segment(
                        "at-risk",
                        group.at_risk,
                        _("%(name)s: %(count)d at risk", name=name, count=group.at_risk),
                    ),
                ],
                caption=_("%(ready)d of %(total)d", ready=group.ready, total=group.total),
            )
        )
    legend = [
        ("ready", _("Ready")),
        ("planned", _("Planned in time")),
        ("at-risk", _("At risk")),
    ]
    return stacked_bar_chart(title, rows, legend) + data_table(
        _("Figures as a table"), group_header or _("Group"), rows, legend
    )

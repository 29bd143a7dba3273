"""Inventory labels: a PDF of A4 label sheets, each label with the QR code of the device's
page, its inventory number, the school and (optionally) the room.

The sheets' geometry is data (LAYOUTS); the web form, the CLI and the docs list what is
here. Rendering is fpdf2 (PDF) and segno (QR codes); the QR code holds the absolute URL of
the device page, built from the BASE_URL setting, never from the request's host, so a
label printed from any address points to the installation's public one.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.extensions import db
from inventory.models import Device
from schools.models import School, Site

if TYPE_CHECKING:
    from fpdf import FPDF

# fpdf2 (with fontTools and Pillow) and segno are imported where a sheet is drawn: every
# process of the app (a `flask import` of 100,000 rows too) would otherwise carry 17 MB.

PT = 25.4 / 72  # one point in mm


@dataclass(frozen=True)
class SheetLayout:
    """An A4 sheet of equal labels, measured in mm from the sheet's top left corner."""

    code: str
    product: str  # the sheet's common product name (not translated)
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float  # sheet edge to the first column
    top: float  # sheet edge to the first row
    pitch_x: float  # one label's left edge to the next one's
    pitch_y: float  # one label's top edge to the next one's
    padding: float  # kept free inside each label (edge-to-edge sheets: the printer's margin)
    page_width: float = 210.0
    page_height: float = 297.0

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def origin(self, slot: int) -> tuple[float, float]:
        """The top left corner of the label at slot 0 .. per_sheet - 1 (row by row)."""
        row, column = divmod(slot, self.columns)
        return self.left + column * self.pitch_x, self.top + row * self.pitch_y


LAYOUTS: dict[str, SheetLayout] = {
    layout.code: layout
    for layout in (
        SheetLayout(
            code="70x37",
            product="Avery Zweckform 3474",
            columns=3,
            rows=8,
            label_width=70.0,
            label_height=37.0,
            left=0.0,
            top=0.5,
            pitch_x=70.0,
            pitch_y=37.0,
            padding=4.0,
        ),
        SheetLayout(
            code="63x38",
            product="Avery Zweckform L7160",
            columns=3,
            rows=7,
            label_width=63.5,
            label_height=38.1,
            left=7.25,
            top=15.15,
            pitch_x=66.0,
            pitch_y=38.1,
            padding=3.0,
        ),
        SheetLayout(
            code="48x25",
            product="Avery Zweckform 3657",
            columns=4,
            rows=10,
            label_width=48.5,
            label_height=25.4,
            left=8.0,
            top=21.5,
            pitch_x=48.5,
            pitch_y=25.4,
            padding=2.0,
        ),
    )
}
DEFAULT_LAYOUT = "70x37"


@dataclass(frozen=True)
class Label:
    """What one label shows."""

    inventory_number: str
    url: str
    school: str  # "171001 Goethe-Gymnasium"
    room: str = ""


def device_url(inventory_number: str) -> str:
    """The absolute URL of the device page, under the configured BASE_URL (this works in a
    request, in the CLI and in a job alike, and ignores the Host a request came with)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(
        "inventory.device_detail", {"inventory_number": inventory_number}, force_external=True
    )


def devices_for_labels(
    school: School,
    *,
    site: Site | None = None,
    room: str | None = None,
    inventory_number: str | None = None,
) -> list[Device]:
    """The school's devices to label, by room and number. Retired devices are left out,
    unless one device is asked for by its number. A device without a site stands at the
    main site."""
    stmt = sa.select(Device).where(Device.school_id == school.id)
    if inventory_number:
        stmt = stmt.where(Device.inventory_number == inventory_number)
    else:
        stmt = stmt.where(Device.status != "retired")
    if site is not None:
        at_site = Device.site_id == site.id
        stmt = stmt.where(sa.or_(at_site, Device.site_id.is_(None)) if site.is_main else at_site)
    if room:
        stmt = stmt.where(Device.room == room)
    return list(db.session.scalars(stmt.order_by(Device.room, Device.inventory_number)))


def labels_for(school: School, devices: Iterable[Device], *, with_room: bool = True) -> list[Label]:
    school_text = f"{school.school_number} {school.name}"
    return [
        Label(
            inventory_number=device.inventory_number,
            url=device_url(device.inventory_number),
            school=school_text,
            room=device.room if with_room else "",
        )
        for device in devices
    ]


def render(
    labels: Sequence[Label],
    layout: SheetLayout,
    *,
    start: int = 1,
    outlines: bool = False,
    title: str = "",
) -> bytes:
    """The PDF: the labels from slot `start` (1 = top left) of the first sheet on, row by
    row; `outlines` draws each label's edge (for a test print on plain paper)."""
    if not labels:
        raise ValueError("no labels to print")
    if not 1 <= start <= layout.per_sheet:
        raise ValueError(f"start must be 1 .. {layout.per_sheet}")
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(layout.page_width, layout.page_height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Gute Schule")
    if title:
        pdf.set_title(_printable(title))
    for index, label in enumerate(labels, start=start - 1):
        slot = index % layout.per_sheet
        if slot == 0 or pdf.page == 0:
            pdf.add_page()
        x, y = layout.origin(slot)
        if outlines:
            pdf.set_draw_color(160, 160, 160)
            pdf.set_line_width(0.1)
            pdf.rect(x, y, layout.label_width, layout.label_height)
        _draw_label(pdf, label, layout, x, y)
    return bytes(pdf.output())


def _draw_label(pdf: FPDF, label: Label, layout: SheetLayout, x: float, y: float) -> None:
    pad = layout.padding
    qr_size = min(layout.label_height - 2 * pad, layout.label_width * 0.5)
    pdf.image(_qr_png(label.url), x=x + pad, y=y + pad, w=qr_size, h=qr_size)
    text_x = x + pad + qr_size + min(2.5, pad)
    text_w = x + layout.label_width - pad - text_x
    small = 6.5 if layout.label_height < 30 else 7.5
    cursor = y + pad
    # The number first and as large as fits: it is what people read and type.
    number = _printable(label.inventory_number)
    size = _fitting_size(pdf, number, text_w, "B", largest=13 if small > 7 else 10)
    pdf.set_font("helvetica", "B", size)
    for line in _wrap(pdf, number, text_w, max_lines=6, by_character=True):
        cursor += size * PT
        pdf.text(text_x, cursor, line)
        cursor += size * PT * 0.25
    cursor += size * PT * 0.3
    pdf.set_font("helvetica", "", small)
    # What room is left below the number goes to the school, but the room keeps its line.
    line_height = small * PT * 1.25
    free = int((y + layout.label_height - pad - cursor + small * PT * 0.25) // line_height)
    room = [_printable(_("Room %(room)s", room=label.room))] if label.room else []
    school_lines = min(3, max(1, free - len(room)))
    lines = _wrap(pdf, _printable(label.school), text_w, max_lines=school_lines)
    lines += [_wrap(pdf, text, text_w, max_lines=1)[0] for text in room]
    for line in lines[: max(free, 0)]:
        cursor += small * PT
        pdf.text(text_x, cursor, line)
        cursor += small * PT * 0.25


def _qr_png(url: str) -> io.BytesIO:
    return io.BytesIO(_qr_png_bytes(url))


@functools.lru_cache(maxsize=8192)
def _qr_png_bytes(url: str) -> bytes:
    """The QR code as a PNG with the standard quiet zone of 4 modules (a narrower one
    fails readers on the small labels); 4 pixels a module, so a viewer enlarging it does
    not blur it. Kept: segno's choice of the best mask is most of a sheet's time, and a
    school's labels are printed again (another layout, a test print first)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=4, border=4)
    return out.getvalue()


def _fitting_size(pdf: FPDF, text: str, width: float, style: str, largest: float) -> float:
    size = largest
    while size > 6:
        pdf.set_font("helvetica", style, size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 0.5
    return size


def _wrap(
    pdf: FPDF, text: str, width: float, *, max_lines: int, by_character: bool = False
) -> list[str]:
    """Lines of text that fit the width (by words, or by characters for a number); what
    does not fit in max_lines is cut at the last line's end, with "..."."""
    units = list(text) if by_character else text.split()
    joiner = "" if by_character else " "
    lines: list[list[str]] = []
    for unit in units:
        if lines and pdf.get_string_width(joiner.join([*lines[-1], unit])) <= width:
            lines[-1].append(unit)
        else:
            lines.append([unit])
    if len(lines) <= max_lines:
        return [joiner.join(line) for line in lines]
    kept = [joiner.join(line) for line in lines[: max_lines - 1]]
    rest = joiner.join(unit for line in lines[max_lines - 1 :] for unit in line)
    while rest and pdf.get_string_width(rest + "...") > width:
        rest = rest[:-1]
    return [*kept, rest.rstrip() + "..."]


_REPLACEMENTS = str.maketrans(
    {"–": "-", "—": "-", "„": '"', "“": '"', "”": '"', "‚": "'", "‘": "'", "’": "'", "€": "EUR"}
)


def _printable(text: str) -> str:
    """Text in the PDF core fonts' Latin-1 (umlauts and ß stay; other letters lose their
    accents, what has no Latin-1 form becomes "?")."""
    text = text.translate(_REPLACEMENTS)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def filename(school: School, today) -> str:
    """A German file name with the school number and the date."""
    return f"Etiketten-{school.school_number}-{today.isoformat()}.pdf"

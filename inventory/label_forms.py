"""The label form: which devices of a school, on which sheet, from which free label on."""

import dataclasses

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from app.codes import CodeChoice
from app.form_rules import Rule
from app.forms import BaseForm
from inventory.kinds import DEVICES
from inventory.labels import DEFAULT_LAYOUT, LAYOUTS, SheetLayout


def _mm(value: float) -> str:
    return format_decimal(value, "0.#")


def layout_text(layout: SheetLayout) -> str:
    return _(
        "%(product)s: %(width)s × %(height)s mm, %(count)s per sheet",
        product=layout.product,
        width=_mm(layout.label_width),
        height=_mm(layout.label_height),
        count=layout.per_sheet,
    )


class LabelForm(BaseForm):
    """A GET form (it only downloads a file, nothing changes): no CSRF token."""

    class Meta:
        csrf = False

    site = SelectField(_l("Site"), default="", validators=[Optional()])
    room = SelectField(_l("Room"), default="", validators=[Optional()])
    inventory_number = StringField(
        _l("Only this device (inventory number)"),
        validators=[Rule(dataclasses.replace(DEVICES["inventory_number"], required=False))],
        render_kw={"maxlength": 64},
    )
    layout = SelectField(_l("Label sheet"), default=DEFAULT_LAYOUT)
    start = IntegerField(
        _l("First free label on the sheet"),
        default=1,
        validators=[Optional(), NumberRange(min=1, message=_l("At least 1."))],
        render_kw={"inputmode": "numeric"},
    )
    with_room = BooleanField(_l("Print the room on the labels"), default=True)
    outlines = BooleanField(_l("Draw the label edges (for a test print on plain paper)"))

    def __init__(self, *args, sites, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.site.choices = [CodeChoice("", _l("All sites"))] + [
            CodeChoice(str(site.id), site.name) for site in sites
        ]
        self.room.choices = [CodeChoice("", _l("All rooms"))] + [
            CodeChoice(room, room) for room in rooms
        ]
        self.layout.choices = [
            CodeChoice(code, layout_text(layout)) for code, layout in LAYOUTS.items()
        ]

    @property
    def chosen_layout(self) -> SheetLayout:
        return LAYOUTS.get(self.layout.data) or LAYOUTS[DEFAULT_LAYOUT]

    @property
    def first_slot(self) -> int:
        return self.start.data or 1

    def validate_start(self, field) -> None:
        if field.data is not None and self.layout.data in LAYOUTS:
            count = LAYOUTS[self.layout.data].per_sheet
            if field.data > count:
                raise ValidationError(
                    _l("This sheet has %(count)s labels: 1 to %(count)s.", count=count)
                )

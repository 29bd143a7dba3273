"""Forms of the inventory. The web views, the importer and the API validate with them."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.codes import (
    DEVICE_CATEGORIES,
    DEVICE_STATUSES,
    FUNDING_SOURCES,
    LEARNING_LEVELS,
    LINK_STATUSES,
    LINK_TECHNOLOGIES,
    OFFERING_KINDS,
    OFFERING_STATUSES,
    CodeChoice,
    choices,
)
from app.extensions import db
from app.fields import GermanDecimalField
from app.forms import VersionedForm
from inventory.models import Device
from schools.models import School

MAX_MBPS = 100_000  # 100 Gbit/s: anything above is a typo


class Present:
    """Like DataRequired, but 0 counts as a value, so NumberRange can say what is wrong
    with it; input that is not a number keeps only its own error."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        if field.process_errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(field.gettext("This field is required."))


def _coerce_site(value):
    return int(value) if value not in (None, "", "None") else None


class SchoolRecordForm(VersionedForm):
    """A record that belongs to a school and (optionally) one of its sites."""

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self._school = school
        if hasattr(self, "site"):
            self.site.choices = [CodeChoice("", _l("Main site"))] + [
                CodeChoice(site.id, site.name) for site in school.sites
            ]


class DeviceForm(SchoolRecordForm):
    inventory_number = StringField(
        _l("Inventory number"), validators=[DataRequired(), Length(max=64)]
    )
    category = SelectField(
        _l("Category"), choices=choices(DEVICE_CATEGORIES, blank=True), validators=[DataRequired()]
    )
    site = SelectField(_l("Site"), coerce=_coerce_site, validators=[Optional()])
    manufacturer = StringField(_l("Manufacturer"), validators=[Optional(), Length(max=100)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=100)])
    serial_number = StringField(_l("Serial number"), validators=[Optional(), Length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=choices(DEVICE_STATUSES),
        default="in_use",
        validators=[DataRequired()],
    )
    room = StringField(_l("Room"), validators=[Optional(), Length(max=64)])
    learning_level = SelectField(
        _l("Learning level"), choices=choices(LEARNING_LEVELS, blank=True), validators=[Optional()]
    )
    purchase_date = DateField(_l("Purchase date"), validators=[Optional()])
    price = GermanDecimalField(
        _l("Price (EUR)"), places=2, validators=[Optional(), NumberRange(min=0, max=99_999_999)]
    )
    funding = SelectField(
        _l("Funding"), choices=choices(FUNDING_SOURCES, blank=True), validators=[Optional()]
    )
    warranty_until = DateField(_l("Warranty until"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, device: Device | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._device = device

    def validate_inventory_number(self, field):
        stmt = sa.select(Device.id).where(Device.inventory_number == field.data)
        if self._device is not None and self._device.id is not None:
            stmt = stmt.where(Device.id != self._device.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError(_l("A device with this inventory number exists already."))

    def validate_warranty_until(self, field):
        if field.data and self.purchase_date.data and field.data < self.purchase_date.data:
            raise ValidationError(_l("The warranty cannot end before the purchase date."))


class NetworkLinkForm(SchoolRecordForm):
    site = SelectField(_l("Site"), coerce=_coerce_site, validators=[Optional()])
    provider = StringField(_l("Provider"), validators=[Optional(), Length(max=100)])
    technology = SelectField(
        _l("Technology"),
        choices=choices(LINK_TECHNOLOGIES, blank=True),
        validators=[DataRequired()],
    )
    down_mbps = IntegerField(
        _l("Downstream (Mbit/s)"), validators=[Present(), NumberRange(min=1, max=MAX_MBPS)]
    )
    up_mbps = IntegerField(
        _l("Upstream (Mbit/s)"), validators=[Present(), NumberRange(min=1, max=MAX_MBPS)]
    )
    status = SelectField(
        _l("Status"), choices=choices(LINK_STATUSES, blank=True), validators=[DataRequired()]
    )
    planned_date = DateField(_l("Planned date"), validators=[Optional()])
    active_since = DateField(_l("Active since"), validators=[Optional()])
    contract_end = DateField(_l("Contract end"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class OfferingForm(SchoolRecordForm):
    learning_level = SelectField(
        _l("Learning level"),
        choices=choices(LEARNING_LEVELS, blank=True),
        validators=[DataRequired()],
    )
    kind = SelectField(
        _l("Kind"), choices=choices(OFFERING_KINDS, blank=True), validators=[DataRequired()]
    )
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    status = SelectField(
        _l("Status"),
        choices=choices(OFFERING_STATUSES),
        default="available",
        validators=[DataRequired()],
    )
    since = DateField(_l("Since"), validators=[Optional()])

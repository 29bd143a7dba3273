"""The stock-taking forms: start (site, room), one scanned number, confirm."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.codes import CodeChoice
from app.forms import BaseForm, VersionedForm


class StartStockTakeForm(BaseForm):
    site = SelectField(_l("Site"), coerce=int, validators=[DataRequired()])
    room = StringField(
        _l("Room (leave empty for the whole site)"), validators=[Optional(), Length(max=64)]
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.site.choices = [CodeChoice(site.id, site.name) for site in school.sites]


class ScanForm(BaseForm):
    # Typed, from a scanner that types and sends Enter, or a label's URL (the camera).
    inventory_number = StringField(
        _l("Inventory number"), validators=[DataRequired(), Length(max=2000)]
    )


class ConfirmStockTakeForm(VersionedForm):
    move_found_devices = BooleanField(
        _l("Record the devices found in another room or at another site here"), default=True
    )
    mark_missing = BooleanField(_l("Mark the devices not found as “missing”"), default=False)

"""The shared forms as the importer uses them: the same rules, minus the per-row queries.

Uniqueness (inventory number, school number) is checked by the importer against
data it preloaded once, so validating 10,000 rows does not cost 10,000 queries.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired, ValidationError

from app.forms import BaseForm
from inventory.forms import DeviceForm, NetworkLinkForm, OfferingForm
from schools.forms import SchoolForm, SiteForm


class ImportDeviceForm(DeviceForm):
    def validate_inventory_number(self, field):
        """Checked in memory by the importer."""


class ImportSchoolForm(SchoolForm):
    def validate_school_number(self, field):
        # The format rule of SchoolForm; uniqueness is checked in memory by the importer.
        if not re.fullmatch(r"\d{6}", field.data or ""):
            raise ValidationError(_l("The school number has exactly six digits."))


FORMS = {
    "schools": ImportSchoolForm,
    "sites": SiteForm,
    "devices": ImportDeviceForm,
    "links": NetworkLinkForm,
    "offerings": OfferingForm,
}


IMPORT_KINDS = {
    "devices": _l("Devices"),
    "links": _l("Network links"),
    "offerings": _l("Offerings"),
    "sites": _l("Sites"),
    "schools": _l("Schools"),
}


class ImportUploadForm(BaseForm):
    """Choose what to import and upload the file (the school is for rows without one)."""

    kind = SelectField(_l("What to import"), validators=[DataRequired()])
    school = SelectField(_l("School for rows without a school number"), default="")
    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[FileRequired(_l("Please choose a file."))],
        render_kw={"accept": ".xlsx,.csv"},
    )

    def __init__(self, *args, kinds: list[str], schools: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind, IMPORT_KINDS[kind]) for kind in kinds]
        self.school.choices = [("", _l("— from the file —"))] + [
            (number, f"{number} {name}") for number, name in schools
        ]

"""Forms of the school registry: fields made from the registry of kinds, plus school years."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.form_rules import form_fields
from app.forms import VersionedForm
from inventory.kinds import SCHOOLS, SITES

# Fields a school admin may change on their own school.
CONTACT_FIELDS = ("street", "postcode", "city", "it_contact_email", "students", "classes")

# A school's registry data (school admins get only CONTACT_FIELDS); uniqueness of the
# number is the service's (schools.service), the field rules the registry's.
SchoolForm = type(
    "SchoolForm", (VersionedForm,), {**form_fields(SCHOOLS), "CONTACT_FIELDS": CONTACT_FIELDS}
)

SiteForm = type("SiteForm", (VersionedForm,), form_fields(SITES))


class SchoolYearForm(VersionedForm):
    """Parses the label "2026/27" into its start year; the rules of a school year (unique,
    the first school day in the start year) are schools.service's."""

    label = StringField(_l("School year"), validators=[DataRequired(), Length(min=7, max=7)])
    first_school_day = DateField(_l("First school day"), validators=[DataRequired()])

    @property
    def start_year(self) -> int:
        return int(self.label.data[:4])

    def validate_label(self, field):
        match = re.fullmatch(r"(\d{4})/(\d{2})", field.data or "")
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValidationError(_l("Write the school year as 2026/27."))

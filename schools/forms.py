"""Forms of the school registry: fields made from the registry of kinds, plus school years."""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.extensions import db
from app.form_rules import form_fields
from app.forms import VersionedForm
from inventory.kinds import SCHOOLS, SITES
from schools.models import SchoolYear

# Fields a school admin may change on their own school.
CONTACT_FIELDS = ("street", "postcode", "city", "it_contact_email", "students", "classes")

# A school's registry data (school admins get only CONTACT_FIELDS); uniqueness of the
# number is the service's (schools.service), the field rules the registry's.
SchoolForm = type(
    "SchoolForm", (VersionedForm,), {**form_fields(SCHOOLS), "CONTACT_FIELDS": CONTACT_FIELDS}
)

SiteForm = type("SiteForm", (VersionedForm,), form_fields(SITES))


class SchoolYearForm(VersionedForm):
    label = StringField(_l("School year"), validators=[DataRequired(), Length(min=7, max=7)])
    first_school_day = DateField(_l("First school day"), validators=[DataRequired()])

    def __init__(self, *args, school_year: SchoolYear | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._school_year = school_year

    def validate_label(self, field):
        match = re.fullmatch(r"(\d{4})/(\d{2})", field.data or "")
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise ValidationError(_l("Write the school year as 2026/27."))
        stmt = sa.select(SchoolYear.id).where(SchoolYear.label == field.data)
        if self._school_year is not None and self._school_year.id is not None:
            stmt = stmt.where(SchoolYear.id != self._school_year.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError(_l("This school year exists already."))

    def validate_first_school_day(self, field):
        match = re.fullmatch(r"(\d{4})/\d{2}", self.label.data or "")
        if match and field.data and field.data.year != int(match.group(1)):
            raise ValidationError(
                _l("The first school day lies in the year the school year starts.")
            )

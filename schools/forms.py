"""Forms of the school registry; the importer and the API validate with them too."""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.codes import LEARNING_LEVELS, SCHOOL_FORMS, choices
from app.extensions import db
from app.forms import EmailAddress, VersionedForm
from schools.models import School, SchoolYear


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SchoolForm(VersionedForm):
    """A school's registry data. School admins may change only the contact fields."""

    school_number = StringField(
        _l("School number"),
        validators=[
            DataRequired(),
            # WTForms has no German text for "exactly 6 characters"; say it ourselves.
            Length(min=6, max=6, message=_l("The school number has exactly six digits.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    school_form = SelectField(
        _l("School form"), choices=choices(SCHOOL_FORMS, blank=True), validators=[DataRequired()]
    )
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    district = StringField(_l("City district"), validators=[Optional(), Length(max=100)])
    students = IntegerField(
        _l("Students"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    classes = IntegerField(_l("Classes"), validators=[Optional(), NumberRange(min=0, max=5_000)])
    it_contact_email = EmailField(
        _l("IT contact email"), validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    learning_levels = MultiCheckboxField(
        _l("Learning levels"), choices=choices(LEARNING_LEVELS), validators=[Optional()]
    )

    # Fields a school admin may change on their own school.
    CONTACT_FIELDS = ("street", "postcode", "city", "it_contact_email", "students", "classes")

    def __init__(self, *args, school: School | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._school = school

    def validate_school_number(self, field):
        if field.errors:  # the length is wrong already; one message is enough
            return
        if not re.fullmatch(r"\d{6}", field.data or ""):
            raise ValidationError(_l("The school number has exactly six digits."))
        stmt = sa.select(School.id).where(School.school_number == field.data)
        if self._school is not None and self._school.id is not None:
            stmt = stmt.where(School.id != self._school.id)
        if db.session.scalar(stmt) is not None:
            raise ValidationError(_l("A school with this number exists already."))


class SiteForm(VersionedForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    is_main = BooleanField(_l("Main site"))


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

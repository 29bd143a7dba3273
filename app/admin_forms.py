"""Forms of the user administration (admins only)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from app import user_service
from app.codes import ROLES
from app.forms import BaseForm, EmailAddress, VersionedForm
from app.rules import FieldError


def password_policy(_form, field) -> None:
    """The password rule of app/user_service.py, shown at the field."""
    if field.data:
        try:
            user_service.check_password(field.data)
        except FieldError as exc:
            raise ValidationError(str(exc.args[0])) from None


class _UserFields:
    """Name, role and schools: shared by the create and the edit form."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, label) for code, label in ROLES.items()],
        validators=[DataRequired()],
    )
    schools = SelectMultipleField(
        _l("Schools"),
        coerce=int,
        description=_l("The schools a school IT admin looks after."),
    )

    def set_school_choices(self, schools) -> None:
        self.schools.choices = [
            SelectChoice(s.id, f"{s.name} ({s.school_number})") for s in schools
        ]

    def validate_schools(self, field) -> None:
        try:
            user_service.check_role_schools(self.role.data, field.data or [])
        except FieldError as exc:
            raise ValidationError(str(exc.args[0])) from None


class UserCreateForm(_UserFields, BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), password_policy],
        description=_l(
            "At least 10 characters. Or leave it empty and let a password be generated."
        ),
    )
    generate_password = BooleanField(_l("Generate a password (shown once)"))

    def validate(self, extra_validators=None) -> bool:
        # Checked here, not in validate_password: Optional() skips that for an empty field.
        valid = super().validate(extra_validators)
        typed, generate = bool(self.password.data), bool(self.generate_password.data)
        if not typed and not generate:
            self.password.errors.append(_l("Enter a password or let one be generated."))
            valid = False
        elif typed and generate:
            self.password.errors.append(
                _l("Either enter a password or let one be generated, not both.")
            )
            valid = False
        return valid


class UserEditForm(_UserFields, VersionedForm):
    pass


class PasswordResetForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), password_policy],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

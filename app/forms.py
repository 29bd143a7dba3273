"""The base form all forms share, and the sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from app.input_guard import has_control_characters
from app.rules import FieldError, check_email_syntax


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def no_control_characters(_form, field) -> None:
    """NUL and other control characters are refused in every submitted value; a text area
    may hold line breaks and tabs. Stops the field's validation, so no later check (one
    that asks the database, say) ever sees the value."""
    allowed = "\r\n\t" if isinstance(field, TextAreaField) else ""
    for value in field.raw_data or ():
        if isinstance(value, str) and has_control_characters(value, allowed):
            field.errors[:] = []
            raise StopValidation(_l("Control characters (such as NUL) are not allowed here."))


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every text input and refuses control characters
    in every submitted value (no_control_characters runs before a field's own rules)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            filters.append(_strip)
            validators = [
                no_control_characters,
                *(unbound_field.kwargs.get("validators") or unbound_field.field_class.validators),
            ]
            return unbound_field.bind(form=form, filters=filters, validators=validators, **options)


class EmailAddress:
    """Any syntactically valid address, including internal and special-use domains
    (`it@schulamt.bochum.local`): city networks use them, so no domain is refused and
    nothing is looked up in DNS."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            check_email_syntax(field.data)
        except FieldError as exc:
            raise ValidationError(self.message or exc.args[0]) from exc


class VersionedForm(BaseForm):
    """A form that edits a versioned record: it carries the version it was loaded with."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class LoginForm(BaseForm):
    # Only looked up, never checked for syntax: any stored address can sign in.
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])

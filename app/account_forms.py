"""Forms of the own account page: password change and API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.admin_forms import MIN_PASSWORD_LENGTH, PASSWORD_LENGTH_MESSAGE
from app.forms import BaseForm


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=500)]
    )
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=500, message=PASSWORD_LENGTH_MESSAGE),
        ],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field) -> None:
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("The current password is wrong."))


class TokenForm(BaseForm):
    name = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What the token is for, e.g. “Inventory script, room 104”."),
    )

"""Forms of the own account page: password change and API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.admin_forms import PasswordResetForm
from app.forms import BaseForm


class PasswordChangeForm(PasswordResetForm):
    """The new password as an admin sets it, plus the user's current one."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=500)]
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

"""Form fields that read what German users type."""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.widgets import TextInput


def parse_decimal(text: str) -> Decimal:
    """'1.299,00', '1299,00', '1299.00', '1,299.00' -> Decimal('1299.00'); raises ValueError."""
    value = text.strip().replace(" ", "").replace("€", "").replace("EUR", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", value) or re.fullmatch(r"-?\d+,\d+", value):
        value = value.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", value):
        value = value.replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


class GermanDecimalField(DecimalField):
    """A DecimalField that also accepts a decimal comma and thousands dots.

    Rendered as a text input (inputmode=decimal): a browser's number input refuses
    "1.299,00" before the server could read it."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        render_kw = {"inputmode": "decimal", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def _value(self):
        """A stored amount is shown with a decimal comma (1299,00); typed input as typed."""
        text = super()._value()
        return text if self.raw_data else text.replace(".", ",")

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = parse_decimal(str(valuelist[0]))
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Not a valid amount, e.g. 1.299,00.")) from exc

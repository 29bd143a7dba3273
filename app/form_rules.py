"""WTForms fields made from the registry of kinds (inventory/kinds.py).

A form field only parses what a person typed (German dates, amounts, numbers); its one
validator, Rule, runs the field's rule from app.rules on the parsed value, the very
function the write services run. So a form and the services cannot disagree.
"""

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from app.codes import choices
from app.fields import GermanDecimalField
from app.rules import Field, FieldError, Kind, clean


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _coerce_site(value):
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError(value)
    return int(text)


class Rule:
    """Runs the registry rule of a field on the parsed value (and stores the cleaned value).

    An empty input is the field's empty value (its parse error, e.g. "not a number" for an
    empty number box, is dropped); a value that could not be parsed keeps its parse error."""

    def __init__(self, spec: Field):
        self.spec = spec
        self.field_flags = {"required": True} if spec.required else {}

    def __call__(self, form, field):
        raw = field.raw_data
        blank = not raw or (isinstance(raw[0], str) and not raw[0].strip())
        if self.spec.type in ("codes", "bool"):
            blank = False  # unchecked boxes are a value (none / no)
        if blank:
            field.errors[:] = []
        elif field.process_errors:
            raise StopValidation()
        try:
            field.data = clean(self.spec, None if blank else field.data)
        except FieldError as exc:
            raise StopValidation(str(exc.args[0])) from None


def _render_kw(spec: Field) -> dict:
    render_kw = {}
    if spec.max_length and spec.type in ("text", "multiline", "email"):
        render_kw["maxlength"] = spec.max_length
    if spec.type == "int":
        render_kw["inputmode"] = "numeric"
    return render_kw


def form_field(spec: Field):
    """The unbound WTForms field of one registry field."""
    options = {"validators": [Rule(spec)], "render_kw": _render_kw(spec)}
    if spec.default is not None:
        options["default"] = spec.default
    if spec.type == "text":
        return StringField(spec.label, **options)
    if spec.type == "multiline":
        return TextAreaField(spec.label, **options)
    if spec.type == "email":
        return EmailField(spec.label, **options)
    if spec.type == "int":
        return IntegerField(spec.label, **options)
    if spec.type == "decimal":
        return GermanDecimalField(spec.label, places=spec.places, **options)
    if spec.type == "date":
        return DateField(spec.label, **options)
    if spec.type == "code":
        blank = not spec.required or spec.default is None
        return SelectField(
            spec.label,
            choices=choices(spec.vocabulary, blank=blank),
            validate_choice=False,
            **options,
        )
    if spec.type == "codes":
        return MultiCheckboxField(
            spec.label, choices=choices(spec.vocabulary), validate_choice=False, **options
        )
    if spec.type == "bool":
        return BooleanField(spec.label, **options)
    if spec.type == "site":
        return SelectField(
            spec.label, coerce=_coerce_site, choices=[], validate_choice=False, **options
        )
    raise TypeError(f"no form field for type {spec.type}")


def form_fields(kind: Kind, only=None) -> dict:
    """{code: unbound field} for the editable fields of a kind (optionally only some)."""
    return {
        spec.code: form_field(spec) for spec in kind.editable if only is None or spec.code in only
    }


def form_values(form, kind: Kind) -> dict:
    """The cleaned values of the kind's fields the form has, by field code."""
    return {spec.code: form[spec.code].data for spec in kind.editable if spec.code in form}


def add_errors(form, fields: dict[str, list[str]]) -> None:
    """Show a service's refusal at the fields (or above the form for fields it lacks)."""
    for name, messages in fields.items():
        target = form[name].errors if name in form else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            form[name].errors = target
        target.extend(messages)

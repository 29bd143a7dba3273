"""Marshmallow schemas of the API, derived from the shared WTForms classes.

The forms state the rules once (required fields, lengths, code lists, number ranges);
schema_fields_from_form() turns them into marshmallow fields for type checking and for
the OpenAPI document. The business rules themselves (unique numbers, warranty after
purchase, ...) are checked by the forms, in api/service.py.
"""

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

from inventory.forms import DeviceForm, NetworkLinkForm, OfferingForm
from schools.forms import SchoolForm, SchoolYearForm, SiteForm

MAX_PER_PAGE = 500
MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database


def no_nul_character(value: str) -> None:
    """Text with a NUL character cannot be stored (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise ma.ValidationError("Text must not contain NUL characters.")


class JsonDecimal(fields.Decimal):
    """A decimal that is a JSON number on the wire (never NaN or infinite)."""

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


def _unbound_fields(form_class) -> list[tuple[str, UnboundField]]:
    found = [
        (name, getattr(form_class, name))
        for name in dir(form_class)
        if isinstance(getattr(form_class, name, None), UnboundField)
    ]
    return sorted(found, key=lambda item: item[1].creation_counter)


def _validators(unbound: UnboundField) -> list:
    validators = unbound.kwargs.get("validators")
    if validators is None and len(unbound.args) > 1:
        validators = unbound.args[1]
    return list(validators or [])


def _marks_required(validator) -> bool:
    """DataRequired, InputRequired or any validator flagging the field as required."""
    return bool(getattr(validator, "field_flags", {}).get("required"))


def _codes(unbound: UnboundField) -> list[str]:
    choices = unbound.kwargs.get("choices") or []
    values = [choice.value if hasattr(choice, "value") else choice[0] for choice in choices]
    return [value for value in values if value != ""]


def _field_from_form(unbound: UnboundField, *, required: bool, nullable: bool) -> fields.Field:
    """One marshmallow field with the type, length, range and codes of a form field."""
    field_class = unbound.field_class
    rules = []
    for validator in _validators(unbound):
        if isinstance(validator, Length):
            rules.append(
                validate.Length(
                    min=validator.min if validator.min >= 0 else None,
                    max=validator.max if validator.max >= 0 else None,
                )
            )
        elif isinstance(validator, NumberRange):
            rules.append(validate.Range(min=validator.min, max=validator.max))
    options = {"required": required, "allow_none": nullable, "validate": rules}

    if issubclass(field_class, SelectMultipleField):
        return fields.List(
            fields.String(validate=validate.OneOf(_codes(unbound))),
            required=required,
            allow_none=nullable,
        )
    if issubclass(field_class, SelectField):
        coerce = unbound.kwargs.get("coerce", str)
        if coerce is not str:  # e.g. the site select: a site id
            options["validate"] = [*rules, validate.Range(min=1, max=MAX_ID)]
            return fields.Integer(strict=True, **options)
        options["validate"] = [*rules, validate.OneOf(_codes(unbound))]
        return fields.String(**options)
    if issubclass(field_class, BooleanField):
        return fields.Boolean(required=required, allow_none=False)
    if issubclass(field_class, IntegerField):
        return fields.Integer(strict=True, **options)
    if issubclass(field_class, DecimalField):
        return JsonDecimal(places=unbound.kwargs.get("places", 2), **options)
    if issubclass(field_class, DateField):
        return fields.Date(**options)
    if issubclass(field_class, StringField | TextAreaField | EmailField):
        options["validate"] = [*rules, no_nul_character]
        return fields.String(**options)
    raise TypeError(f"no API type for {field_class.__name__}")


def schema_fields_from_form(
    form_class, *, partial: bool = False, exclude: tuple[str, ...] = ()
) -> dict[str, fields.Field]:
    """The marshmallow fields of a form's fields (without `version`)."""
    result = {}
    for name, unbound in _unbound_fields(form_class):
        if name == "version" or name in exclude:
            continue
        needed = any(_marks_required(v) for v in _validators(unbound))
        required = needed and not partial and "default" not in unbound.kwargs
        result[name] = _field_from_form(unbound, required=required, nullable=not needed)
    return result


def form_field_names(form_class) -> list[str]:
    return [name for name, _ in _unbound_fields(form_class) if name != "version"]


def _schema(name: str, field_map: dict, base: type[ma.Schema] = ma.Schema) -> type[ma.Schema]:
    return base.from_dict(field_map, name=name)


class PatchBodySchema(ma.Schema):
    """A PATCH body must name at least one field to change (a version alone changes
    nothing): an empty body answers 422, not 200."""

    @ma.validates_schema
    def _names_a_field(self, data, **_kwargs) -> None:
        if not set(data) - {"version"}:
            raise ma.ValidationError(_("Send at least one field to change."), "_schema")


def _read_only(**extra) -> dict:
    return {
        "version": fields.Integer(dump_only=True, metadata={"description": "Optimistic lock"}),
        **extra,
    }


def _version_in() -> dict:
    return {
        "version": fields.Integer(
            strict=True,
            validate=validate.Range(min=1, max=MAX_ID),
            metadata={"description": "The version last read; a stale one answers 409."},
        )
    }


def _school_number_of_record():
    return fields.Function(
        lambda record: record.school.school_number, dump_only=True, metadata={"type": "string"}
    )


def _resource_schemas(base: str, form_class, dump_extra: dict, rename: dict | None = None):
    """(full schema for responses and POST bodies, partial schema for PATCH bodies)."""
    full = schema_fields_from_form(form_class)
    patch = schema_fields_from_form(form_class, partial=True)
    for key, attribute in (rename or {}).items():
        full[key].attribute = attribute
        patch[key].attribute = attribute
    return (
        _schema(f"{base}Schema", {**_read_only(**dump_extra), **full}),
        _schema(f"{base}PatchSchema", {**_version_in(), **patch}, PatchBodySchema),
    )


SchoolSchema, SchoolPatchSchema = _resource_schemas("School", SchoolForm, {})
SiteSchema, SitePatchSchema = _resource_schemas(
    "Site",
    SiteForm,
    {
        "id": fields.Integer(dump_only=True),
        "school_number": _school_number_of_record(),
    },
)
_record_extra = {"id": fields.Integer(dump_only=True), "school_number": _school_number_of_record()}
DeviceSchema, DevicePatchSchema = _resource_schemas(
    "Device",
    DeviceForm,
    {"school_number": _school_number_of_record()},
    rename={"site": "site_id"},
)
LinkSchema, LinkPatchSchema = _resource_schemas(
    "Link", NetworkLinkForm, dict(_record_extra), rename={"site": "site_id"}
)
OfferingSchema, OfferingPatchSchema = _resource_schemas(
    "Offering", OfferingForm, dict(_record_extra)
)

SchoolYearSchema = _schema(
    "SchoolYearSchema",
    {
        "start_year": fields.Integer(dump_only=True),
        **_read_only(),
        **schema_fields_from_form(SchoolYearForm, exclude=("label",)),
        "label": fields.String(dump_only=True),
    },
)
SchoolYearPutSchema = _schema(
    "SchoolYearPutSchema",
    {**_version_in(), **schema_fields_from_form(SchoolYearForm, exclude=("label",))},
)


# --- lists -------------------------------------------------------------------------------


def _page_fields() -> dict:
    return {
        "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
        "per_page": fields.Integer(
            load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE)
        ),
    }


def _filter_fields(form_class, names: tuple[str, ...]) -> dict:
    """Query filters: the form's code fields, each optional."""
    available = schema_fields_from_form(form_class, partial=True)
    result = {}
    for name in names:
        field = available[name]
        if isinstance(field, fields.List):
            field = field.inner
        field.allow_none = False
        field.required = False
        if isinstance(field, fields.Integer):
            field.strict = False  # query values are text
        result[name] = field
    return result


def _query_schema(name: str, filters: dict) -> type[ma.Schema]:
    return _schema(name, {**_page_fields(), **filters})


SchoolQuerySchema = _query_schema(
    "SchoolQuerySchema",
    {
        **_filter_fields(SchoolForm, ("school_form", "district", "learning_levels")),
    },
)
SiteQuerySchema = _query_schema("SiteQuerySchema", _filter_fields(SiteForm, ("is_main",)))
DeviceQuerySchema = _query_schema(
    "DeviceQuerySchema",
    {
        **_filter_fields(
            DeviceForm, ("category", "status", "learning_level", "funding", "room", "site")
        ),
        "manufacturer": fields.String(validate=[validate.Length(max=100), no_nul_character]),
    },
)
LinkQuerySchema = _query_schema(
    "LinkQuerySchema", _filter_fields(NetworkLinkForm, ("technology", "status", "site"))
)
OfferingQuerySchema = _query_schema(
    "OfferingQuerySchema", _filter_fields(OfferingForm, ("learning_level", "kind", "status"))
)


def _page_schema(name: str, item_schema) -> type[ma.Schema]:
    return _schema(
        name,
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
    )


SchoolPageSchema = _page_schema("SchoolPageSchema", SchoolSchema)
SitePageSchema = _page_schema("SitePageSchema", SiteSchema)
DevicePageSchema = _page_schema("DevicePageSchema", DeviceSchema)
LinkPageSchema = _page_schema("LinkPageSchema", LinkSchema)
OfferingPageSchema = _page_schema("OfferingPageSchema", OfferingSchema)
SchoolYearListSchema = _schema(
    "SchoolYearListSchema", {"items": fields.List(fields.Nested(SchoolYearSchema), required=True)}
)


# --- readiness ---------------------------------------------------------------------------


class LinkSummarySchema(ma.Schema):
    id = fields.Integer()
    provider = fields.String()
    technology = fields.String()
    down_mbps = fields.Integer()
    up_mbps = fields.Integer()
    status = fields.String()
    planned_date = fields.Date(allow_none=True)


class SiteReadinessSchema(ma.Schema):
    id = fields.Integer(attribute="site_id")
    name = fields.String()
    is_main = fields.Boolean()
    ready = fields.Boolean()
    reason = fields.String(metadata={"enum": ["ready", "no_active_link", "too_slow"]})
    status = fields.String(metadata={"enum": ["ready", "planned", "at_risk"]})
    best_link = fields.Nested(LinkSummarySchema, allow_none=True)
    planned_link = fields.Nested(LinkSummarySchema, allow_none=True)


class SchoolReadinessSchema(ma.Schema):
    school_number = fields.String()
    name = fields.String()
    ready = fields.Boolean()
    status = fields.String(metadata={"enum": ["ready", "planned", "at_risk"]})
    planned_date = fields.Date(allow_none=True)
    sites = fields.List(fields.Nested(SiteReadinessSchema))


class ReadinessSchema(ma.Schema):
    school_year = fields.String(allow_none=True, metadata={"example": "2026/27"})
    first_school_day = fields.Date(allow_none=True)
    items = fields.List(fields.Nested(SchoolReadinessSchema))


class ReadinessQuerySchema(ma.Schema):
    school_year = fields.Integer(
        validate=validate.Range(min=1900, max=2999),
        metadata={"description": "Start year, e.g. 2026; default: the upcoming school year"},
    )


# --- errors ------------------------------------------------------------------------------


class ErrorDetailSchema(ma.Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )


class ErrorSchema(ma.Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)

"""Marshmallow schemas of the API, derived from the registry of kinds (inventory/kinds.py).

The schemas check the JSON types and describe the registry's rules (lengths, code lists,
ranges, patterns) in the OpenAPI document; the rules themselves are checked by the write
services (schools/service.py, inventory/service.py), as for every other channel.
"""

import datetime as dt
from decimal import Decimal

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields, validate

from app.rules import MAX_ID, Field, Kind
from inventory.kinds import DEVICES, LINKS, OFFERINGS, SCHOOLS, SITES

MAX_PER_PAGE = 500


def no_nul_character(value: str) -> None:
    """Text with a NUL character cannot be stored (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise ma.ValidationError("Text must not contain NUL characters.")


class JsonDecimal(fields.Decimal):
    """A decimal that is a JSON number on the wire (never NaN or infinite)."""

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


def _metadata(spec: Field) -> dict:
    """The registry's rules as JSON Schema words for the OpenAPI document (the rules
    themselves are checked by the write services, with the same messages as the forms)."""
    meta = {"description": str(spec.label)}
    if spec.max_length is not None:
        meta["maxLength"] = spec.max_length
    if spec.pattern is not None:
        meta["pattern"] = f"^{spec.pattern}$"
    if spec.min is not None:
        meta["minimum"] = int(spec.min)
    if spec.max is not None:
        meta["maximum"] = int(spec.max)
    if spec.type == "code":
        meta["enum"] = [*spec.vocabulary, *([] if spec.required else [None])]
    return meta


def api_field(spec: Field, *, required: bool) -> fields.Field:
    """The marshmallow field of one registry field: its JSON type; the rules are the services'."""
    options = {"required": required, "allow_none": not spec.required, "metadata": _metadata(spec)}
    if spec.type in ("text", "multiline", "email", "code"):
        return fields.String(validate=[no_nul_character], **options)
    if spec.type == "codes":
        inner = fields.String(validate=validate.OneOf(list(spec.vocabulary)))
        return fields.List(inner, **options)
    if spec.type == "bool":
        return fields.Boolean(required=required, allow_none=False, metadata=_metadata(spec))
    if spec.type == "int":
        return fields.Integer(strict=True, **options)
    if spec.type in ("site", "id"):
        return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **options)
    if spec.type == "decimal":
        return JsonDecimal(**options)
    if spec.type == "date":
        return fields.Date(**options)
    raise TypeError(f"no API type for {spec.type}")


def schema_fields(kind: Kind, *, partial: bool = False, exclude=()) -> dict[str, fields.Field]:
    """The marshmallow fields of a kind's editable fields."""
    return {
        spec.code: api_field(spec, required=spec.required and spec.default is None and not partial)
        for spec in kind.editable
        if spec.code not in exclude
    }


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


def _resource_schemas(base: str, kind: Kind, dump_extra: dict, rename: dict | None = None):
    """(full schema for responses and POST bodies, partial schema for PATCH bodies)."""
    full = schema_fields(kind)
    patch = schema_fields(kind, partial=True)
    for key, attribute in (rename or {}).items():
        full[key].attribute = attribute
        patch[key].attribute = attribute
    return (
        _schema(f"{base}Schema", {**_read_only(**dump_extra), **full}),
        _schema(f"{base}PatchSchema", {**_version_in(), **patch}, PatchBodySchema),
    )


SchoolSchema, SchoolPatchSchema = _resource_schemas("School", SCHOOLS, {})
SiteSchema, SitePatchSchema = _resource_schemas(
    "Site",
    SITES,
    {
        "id": fields.Integer(dump_only=True),
        "school_number": _school_number_of_record(),
    },
)
_record_extra = {"id": fields.Integer(dump_only=True), "school_number": _school_number_of_record()}
DeviceSchema, DevicePatchSchema = _resource_schemas(
    "Device",
    DEVICES,
    {"school_number": _school_number_of_record()},
    rename={"site": "site_id"},
)
LinkSchema, LinkPatchSchema = _resource_schemas(
    "Link", LINKS, dict(_record_extra), rename={"site": "site_id"}
)
OfferingSchema, OfferingPatchSchema = _resource_schemas("Offering", OFFERINGS, dict(_record_extra))

SchoolYearSchema = _schema(
    "SchoolYearSchema",
    {
        "start_year": fields.Integer(dump_only=True),
        **_read_only(),
        "first_school_day": fields.Date(required=True),
        "label": fields.String(dump_only=True),
    },
)
SchoolYearPutSchema = _schema(
    "SchoolYearPutSchema",
    {**_version_in(), "first_school_day": fields.Date(required=True)},
)


# --- lists -------------------------------------------------------------------------------


def _page_fields() -> dict:
    return {
        "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
        "per_page": fields.Integer(
            load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE)
        ),
    }


def _filter_fields(kind: Kind, names: tuple[str, ...]) -> dict:
    """Query filters on a kind's fields, each optional: codes must be known, text is bounded."""
    result = {}
    for name in names:
        spec = kind[name]
        meta = {"description": str(spec.label)}
        if spec.type in ("code", "codes"):
            result[name] = fields.String(
                validate=validate.OneOf(list(spec.vocabulary)), metadata=meta
            )
        elif spec.type == "bool":
            result[name] = fields.Boolean(metadata=meta)
        elif spec.type == "site":
            result[name] = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata=meta)
        else:
            rules = [validate.Length(max=spec.max_length), no_nul_character]
            result[name] = fields.String(validate=rules, metadata=meta)
    return result


def _query_schema(name: str, filters: dict) -> type[ma.Schema]:
    return _schema(name, {**_page_fields(), **filters})


SchoolQuerySchema = _query_schema(
    "SchoolQuerySchema",
    {
        **_filter_fields(
            SCHOOLS, ("school_form", "district", "learning_levels", "operator", "startchancen")
        ),
    },
)
SiteQuerySchema = _query_schema("SiteQuerySchema", _filter_fields(SITES, ("is_main",)))
DeviceQuerySchema = _query_schema(
    "DeviceQuerySchema",
    {
        **_filter_fields(
            DEVICES, ("category", "status", "learning_level", "funding", "room", "site")
        ),
        "manufacturer": fields.String(validate=[validate.Length(max=100), no_nul_character]),
    },
)
LinkQuerySchema = _query_schema(
    "LinkQuerySchema", _filter_fields(LINKS, ("technology", "status", "site"))
)
OfferingQuerySchema = _query_schema(
    "OfferingQuerySchema", _filter_fields(OFFERINGS, ("learning_level", "kind", "status"))
)


# Field types dumped without marshmallow's per-value machinery: the Python type a value
# of the field has, and how it is converted (None: as it is). A value of another type
# goes through the field itself.
FAST_TYPES = {
    fields.String: (str, None),
    fields.Integer: (int, None),
    fields.Boolean: (bool, None),
    fields.Date: (dt.date, dt.date.isoformat),
    JsonDecimal: (Decimal, float),
}


def _dump_plan(schema: ma.Schema) -> list[tuple]:
    """Per dumped field: (key, name, attribute, python type or None, convert, field)."""
    plan = []
    for name, field in schema.dump_fields.items():
        attribute = field.attribute or name
        python_type, convert = FAST_TYPES.get(type(field), (None, None))
        if (
            "." in attribute
            or getattr(field, "as_string", False)
            or getattr(field, "format", None) not in (None, "iso")
        ):
            python_type = None
        plan.append((field.data_key or name, name, attribute, python_type, convert, field))
    return plan


class RecordList(fields.List):
    """A list of nested records that dumps exactly as fields.List(fields.Nested(schema))
    does, but reads and converts the plain values itself: a page of 500 devices is 8,500
    values, and marshmallow's generic dump of each costs more than the page's queries.
    Loading and the OpenAPI document are fields.List's own."""

    def __init__(self, schema, **kwargs):
        super().__init__(fields.Nested(schema), **kwargs)
        self._plan = None

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if self._plan is None:
            self._plan = _dump_plan(self.inner.schema)
        plan = self._plan
        items = []
        for item in value:
            out = {}
            for key, name, attribute, python_type, convert, field in plan:
                if python_type is None:
                    out[key] = field.serialize(name, item)
                    continue
                data = getattr(item, attribute)
                if data is None:
                    out[key] = None
                elif type(data) is not python_type:
                    out[key] = field._serialize(data, attribute, item)
                else:
                    out[key] = data if convert is None else convert(data)
            items.append(out)
        return items


def _page_schema(name: str, item_schema) -> type[ma.Schema]:
    return _schema(
        name,
        {
            "items": RecordList(item_schema, required=True),
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
# --- funding programmes (read-only; the department edits them on /funding-programmes/) ---

FundingProgrammeSchema = _schema(
    "FundingProgrammeSchema",
    {
        "code": fields.String(dump_only=True),
        "name": fields.String(dump_only=True),
        "funder": fields.String(dump_only=True),
        "rate": JsonDecimal(dump_only=True, allow_none=True),
        "cap_per_device": JsonDecimal(dump_only=True, allow_none=True),
        "period_start": fields.Date(dump_only=True, allow_none=True),
        "period_end": fields.Date(dump_only=True, allow_none=True),
        "binding_years": fields.Integer(dump_only=True, allow_none=True),
        "bound_until": fields.Function(
            lambda programme: (d := programme.bound_until()) and d.isoformat(),
            dump_only=True,
            allow_none=True,
            metadata={"type": "string", "format": "date"},
        ),
        **_read_only(),
    },
)
FundingProgrammeListSchema = _schema(
    "FundingProgrammeListSchema",
    {"items": fields.List(fields.Nested(FundingProgrammeSchema), required=True)},
)


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

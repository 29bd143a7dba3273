"""Marshmallow schemas of the loan endpoints, from the registry's LOANS (inventory/kinds.py).

Like every body schema of the API they refuse unknown fields (marshmallow's RAISE): a loan
body with `pupil_name`, or any other field a loan does not have, answers 422."""

from marshmallow import fields, validate

from api.schemas import (
    MAX_PER_PAGE,
    PatchBodySchema,
    _page_schema,
    _read_only,
    _schema,
    _school_number_of_record,
    _version_in,
    schema_fields,
)
from inventory.kinds import LOANS

_device_number = {
    "id": fields.Integer(dump_only=True),
    "school_number": _school_number_of_record(),
    "inventory_number": fields.String(dump_only=True),
}
# The device is the URL's (/devices/<inventory_number>/loans): a body does not name it.
LoanSchema = _schema(
    "LoanSchema",
    {**_read_only(**_device_number), **schema_fields(LOANS, exclude=("inventory_number",))},
)
LoanPatchSchema = _schema(
    "LoanPatchSchema",
    {**_version_in(), **schema_fields(LOANS, partial=True, exclude=("inventory_number",))},
    PatchBodySchema,
)
LoanReturnSchema = _schema(
    "LoanReturnSchema",
    {
        **_version_in(),
        **{
            code: field
            for code, field in schema_fields(LOANS, partial=True).items()
            if code in ("returned_on", "condition_in", "damaged")
        },
        "returned_on": fields.Date(required=True),
    },
)
LoanQuerySchema = _schema(
    "LoanQuerySchema",
    {
        "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
        "per_page": fields.Integer(
            load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE)
        ),
        "open": fields.Boolean(metadata={"description": "Only loans not returned (or returned)"}),
        "overdue": fields.Boolean(metadata={"description": "Only open loans past their due date"}),
        "damaged": fields.Boolean(metadata={"description": "Only loans returned damaged"}),
    },
)
LoanPageSchema = _page_schema("LoanPageSchema", LoanSchema)

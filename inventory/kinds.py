"""The registry of kinds: schools, sites, devices, network links and offerings.

Each kind is defined once here: its natural key, its fields in column order with code,
label, type, rules and column width, and its sheet. The write services validate with it
(app.rules), the web forms are built from it (app.form_rules), the API schemas, the
import (headers, values, templates), the export sheets, the error workbook and the code
sheet all read it. Adding a column to any kind is one Field here plus a migration (the
school attributes operator, sozialindex, startchancen, lat and lon were added so).
"""

from flask_babel import lazy_gettext as _l

from app import codes
from app.rules import Field, Kind
from inventory.funding_rules import price_within_cap

SCHOOL_NUMBER_PATTERN = r"[0-9]{6}"
# Inventory numbers appear in URLs and file names: letters (German umlauts and ß too),
# digits, "-" and "_" only; never "/", "." or spaces.
INVENTORY_NUMBER_PATTERN = r"[0-9A-Za-zÄÖÜäöüß][0-9A-Za-zÄÖÜäöüß_-]{0,63}"
MAX_MBPS = 100_000  # 100 Gbit/s: anything above is a typo
MAX_MONTHLY_COST = 99_999_999  # EUR, as the device price
MAX_NOTICE_MONTHS = 120  # ten years: anything above is a typo
COORDINATE_PLACES = 6  # WGS84 degrees to about 0.1 m


def _school_number(**kwargs) -> Field:
    return Field(
        "school_number",
        _l("School number"),
        required=True,
        max_length=6,
        pattern=SCHOOL_NUMBER_PATTERN,
        pattern_message=_l("The school number has exactly six digits."),
        width=12,
        text_cell=True,
        **kwargs,
    )


def _id() -> Field:
    return Field("id", _l("ID"), "id", width=8, editable=False)


def _site() -> Field:
    return Field("site", _l("Site"), "site", width=10)


def _address(city_default: str | None = "Bochum") -> tuple[Field, ...]:
    return (
        Field("street", _l("Street"), max_length=200, width=26),
        Field("postcode", _l("Postcode"), max_length=10, width=9, text_cell=True),
        Field("city", _l("City"), max_length=100, default=city_default, width=14),
    )


def _coordinates() -> tuple[Field, ...]:
    """WGS84 latitude and longitude in degrees (the map on the dashboard)."""
    return (
        Field(
            "lat",
            _l("Latitude"),
            "decimal",
            min=-90,
            max=90,
            places=COORDINATE_PLACES,
            width=12,
        ),
        Field(
            "lon",
            _l("Longitude"),
            "decimal",
            min=-180,
            max=180,
            places=COORDINATE_PLACES,
            width=12,
        ),
    )


def _notes() -> Field:
    return Field("notes", _l("Notes"), "multiline", max_length=5000, width=40)


def _warranty_after_purchase(values: dict) -> dict:
    purchase, warranty = values.get("purchase_date"), values.get("warranty_until")
    if purchase and warranty and warranty < purchase:
        return {"warranty_until": _l("The warranty cannot end before the purchase date.")}
    return {}


SCHOOLS = Kind(
    name="schools",
    label=_l("Schools"),
    sheet="Schulen",
    key="school_number",
    fields=(
        _school_number(),
        Field("name", _l("Name"), required=True, max_length=200, width=40),
        Field(
            "school_form",
            _l("School form"),
            "code",
            required=True,
            vocabulary=codes.SCHOOL_FORMS,
            width=16,
        ),
        *_address(),
        Field("district", _l("City district"), max_length=100, width=20),
        Field("students", _l("Students"), "int", min=0, max=100_000, width=10),
        Field("classes", _l("Classes"), "int", min=0, max=5_000, width=10),
        Field("it_contact_email", _l("IT contact email"), "email", max_length=254, width=30),
        Field(
            "learning_levels",
            _l("Learning levels"),
            "codes",
            vocabulary=codes.LEARNING_LEVELS,
            width=16,
        ),
        Field(
            "operator",
            _l("Operator"),
            "code",
            required=True,
            vocabulary=codes.SCHOOL_OPERATORS,
            default="city",
            width=14,
        ),
        # NRW's Schulsozialindex: 1 (least) to 9 (most social strain); none for school forms
        # without one (Förderschulen, Berufskollegs, private schools).
        Field("sozialindex", _l("Social index"), "int", min=1, max=9, width=10),
        Field("startchancen", _l("Startchancen programme"), "bool", width=10),
        *_coordinates(),
    ),
)

SITES = Kind(
    name="sites",
    label=_l("Sites"),
    sheet="Standorte",
    key="id",
    fields=(
        _id(),
        _school_number(editable=False),
        Field("name", _l("Name"), required=True, max_length=200, width=30),
        # A site's blank city is its school's city (the service fills it in).
        *_address(city_default=None),
        Field("is_main", _l("Main site"), "bool", width=10),
        *_coordinates(),
    ),
)

DEVICES = Kind(
    name="devices",
    label=_l("Devices"),
    sheet="Geräte",
    key="inventory_number",
    fields=(
        _school_number(editable=False),
        _site(),
        Field(
            "inventory_number",
            _l("Inventory number"),
            required=True,
            max_length=64,
            pattern=INVENTORY_NUMBER_PATTERN,
            pattern_message=_l(
                "Letters (also ä, ö, ü, ß), digits, “-” and “_” only, starting with a letter "
                "or digit (at most 64 characters)."
            ),
            width=18,
            text_cell=True,
        ),
        Field(
            "category",
            _l("Category"),
            "code",
            required=True,
            vocabulary=codes.DEVICE_CATEGORIES,
            width=16,
        ),
        Field("manufacturer", _l("Manufacturer"), max_length=100, width=16),
        Field("model", _l("Model"), max_length=100, width=20),
        Field("serial_number", _l("Serial number"), max_length=100, width=16, text_cell=True),
        Field(
            "status",
            _l("Status"),
            "code",
            required=True,
            vocabulary=codes.DEVICE_STATUSES,
            default="in_use",
            width=12,
        ),
        Field("use", _l("Use"), "code", vocabulary=codes.DEVICE_USES, width=14),
        Field("room", _l("Room"), max_length=64, width=10, text_cell=True),
        Field(
            "learning_level",
            _l("Learning level"),
            "code",
            vocabulary=codes.LEARNING_LEVELS,
            width=12,
        ),
        Field("purchase_date", _l("Purchase date"), "date", width=12),
        Field("price", _l("Price (EUR)"), "decimal", min=0, max=99_999_999, width=12),
        Field("funding", _l("Funding"), "code", vocabulary=codes.FUNDING_SOURCES, width=14),
        Field("warranty_until", _l("Warranty until"), "date", width=12),
        _notes(),
        # Needed to retire a device still bound to its funding's purpose (funding_rules).
        Field("retired_reason", _l("Reason for retiring"), "multiline", max_length=1000, width=30),
    ),
    checks=(_warranty_after_purchase, price_within_cap),
)

LINKS = Kind(
    name="links",
    label=_l("Network links"),
    sheet="Netzanbindungen",
    key="id",
    fields=(
        _id(),
        _school_number(editable=False),
        _site(),
        Field("provider", _l("Provider"), max_length=100, width=18),
        Field(
            "technology",
            _l("Technology"),
            "code",
            required=True,
            vocabulary=codes.LINK_TECHNOLOGIES,
            width=14,
        ),
        Field("down_mbps", _l("Downstream (Mbit/s)"), "int", required=True, min=1, max=MAX_MBPS),
        Field("up_mbps", _l("Upstream (Mbit/s)"), "int", required=True, min=1, max=MAX_MBPS),
        Field(
            "status",
            _l("Status"),
            "code",
            required=True,
            vocabulary=codes.LINK_STATUSES,
            width=12,
        ),
        Field("planned_date", _l("Planned date"), "date", width=12),
        Field("active_since", _l("Active since"), "date", width=12),
        Field("contract_end", _l("Contract end"), "date", width=12),
        Field(
            "monthly_cost",
            _l("Monthly cost (EUR)"),
            "decimal",
            min=0,
            max=MAX_MONTHLY_COST,
            width=12,
        ),
        # The notice date (contract_end minus these months) is what the contract alerts
        # warn about (reports/alert_kinds/contract.py).
        Field(
            "notice_period_months",
            _l("Notice period (months)"),
            "int",
            min=0,
            max=MAX_NOTICE_MONTHS,
            width=12,
        ),
        _notes(),
    ),
)

OFFERINGS = Kind(
    name="offerings",
    label=_l("Offerings"),
    sheet="Angebote",
    key="id",
    fields=(
        _id(),
        _school_number(editable=False),
        Field(
            "learning_level",
            _l("Learning level"),
            "code",
            required=True,
            vocabulary=codes.LEARNING_LEVELS,
            width=14,
        ),
        Field("kind", _l("Kind"), "code", required=True, vocabulary=codes.OFFERING_KINDS, width=18),
        Field("description", _l("Description"), max_length=500, width=40),
        Field(
            "status",
            _l("Status"),
            "code",
            required=True,
            vocabulary=codes.OFFERING_STATUSES,
            default="available",
            width=12,
        ),
        Field("since", _l("Since"), "date", width=12),
    ),
)


def _returned_after_issue(values: dict) -> dict:
    issued, due, returned = (values.get(c) for c in ("issued_on", "due_on", "returned_on"))
    errors = {}
    if issued and due and due < issued:
        errors["due_on"] = _l("The due date cannot be before the issue date.")
    if issued and returned and returned < issued:
        errors["returned_on"] = _l("A device cannot come back before it was issued.")
    return errors


CONDITION_MAX = 2000

# A loan of a device (inventory/loan_service.py). It holds a loan-contract number, never a
# pupil's name, address or class (DSGVO Art. 5(1)(c), docs/loans.md): there is no such
# field, and every channel refuses one it does not know.
LOANS = Kind(
    name="loans",
    label=_l("Loans"),
    sheet="Leihen",
    key="id",
    fields=(
        _id(),
        _school_number(editable=False),
        Field(
            "inventory_number",
            _l("Inventory number"),
            required=True,
            max_length=64,
            pattern=INVENTORY_NUMBER_PATTERN,
            pattern_message=_l("This is not an inventory number (letters, digits, “-” and “_”)."),
            width=18,
            text_cell=True,
        ),
        Field(
            "loan_number",
            _l("Loan contract number"),
            required=True,
            max_length=64,
            width=18,
            text_cell=True,
        ),
        Field("issued_on", _l("Issued on"), "date", required=True, width=12),
        Field("due_on", _l("Due on"), "date", width=12),
        Field(
            "condition_out",
            _l("Condition at issue"),
            "multiline",
            max_length=CONDITION_MAX,
            width=30,
        ),
        Field("returned_on", _l("Returned on"), "date", width=12),
        Field(
            "condition_in",
            _l("Condition at return"),
            "multiline",
            max_length=CONDITION_MAX,
            width=30,
        ),
        Field("damaged", _l("Returned damaged"), "bool", width=10),
    ),
    checks=(_returned_after_issue,),
)

# The kinds of records with their own pages and forms; FILE_KINDS adds the loans, which have
# a sheet in the import and the export but their own pages and service.
KINDS: dict[str, Kind] = {kind.name: kind for kind in (SCHOOLS, SITES, DEVICES, LINKS, OFFERINGS)}
FILE_KINDS: dict[str, Kind] = {**KINDS, LOANS.name: LOANS}


def kind(name: str) -> Kind:
    return KINDS[name]

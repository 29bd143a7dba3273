"""The columns of the inventory files, defined once for the export and the importer.

COLUMNS[kind] is the ordered list of (field code, header label) of one kind of record;
the codes are DESIGN.md's "Field names and codes", the labels are the German labels
of our forms and templates. The export writes exactly these columns first (in this
order, code columns holding the CODES, `site` the site's id), so its sheets re-import
unchanged. An export sheet may carry further read-only columns after these (e.g. the
counts of the `Schulen` sheet); an importer ignores columns it does not know.
The importer accepts a header written as the field code or as the label in German or
English, case and spacing ignored (see header_map()).
"""

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

COLUMNS: dict[str, list[tuple[str, object]]] = {
    "schools": [
        ("school_number", _l("School number")),
        ("name", _l("Name")),
        ("school_form", _l("School form")),
        ("street", _l("Street")),
        ("postcode", _l("Postcode")),
        ("city", _l("City")),
        ("district", _l("City district")),
        ("students", _l("Students")),
        ("classes", _l("Classes")),
        ("it_contact_email", _l("IT contact email")),
        ("learning_levels", _l("Learning levels")),
    ],
    "sites": [
        ("id", _l("ID")),
        ("school_number", _l("School number")),
        ("name", _l("Name")),
        ("street", _l("Street")),
        ("postcode", _l("Postcode")),
        ("city", _l("City")),
        ("is_main", _l("Main site")),
    ],
    "devices": [
        ("school_number", _l("School number")),
        ("site", _l("Site")),
        ("inventory_number", _l("Inventory number")),
        ("category", _l("Category")),
        ("manufacturer", _l("Manufacturer")),
        ("model", _l("Model")),
        ("serial_number", _l("Serial number")),
        ("status", _l("Status")),
        ("room", _l("Room")),
        ("learning_level", _l("Learning level")),
        ("purchase_date", _l("Purchase date")),
        ("price", _l("Price (EUR)")),
        ("funding", _l("Funding")),
        ("warranty_until", _l("Warranty until")),
        ("notes", _l("Notes")),
    ],
    "links": [
        ("id", _l("ID")),
        ("school_number", _l("School number")),
        ("site", _l("Site")),
        ("provider", _l("Provider")),
        ("technology", _l("Technology")),
        ("down_mbps", _l("Downstream (Mbit/s)")),
        ("up_mbps", _l("Upstream (Mbit/s)")),
        ("status", _l("Status")),
        ("planned_date", _l("Planned date")),
        ("active_since", _l("Active since")),
        ("contract_end", _l("Contract end")),
        ("notes", _l("Notes")),
    ],
    "offerings": [
        ("id", _l("ID")),
        ("school_number", _l("School number")),
        ("learning_level", _l("Learning level")),
        ("kind", _l("Kind")),
        ("description", _l("Description")),
        ("status", _l("Status")),
        ("since", _l("Since")),
    ],
}

KINDS = tuple(COLUMNS)


def field_codes(kind: str) -> list[str]:
    """The field codes of a kind, in column order."""
    return [code for code, _label in COLUMNS[kind]]


def header_labels(kind: str, locale: str = "de") -> list[str]:
    """The column headers of a kind in the given language (needs an app context)."""
    with force_locale(locale):
        return [str(label) for _code, label in COLUMNS[kind]]


def normalize_header(text) -> str:
    """A header as compared: case and all spacing ignored ("Inventar nummer " = "inventarnummer")."""
    return re.sub(r"\s+", "", str(text or "")).casefold()


def header_map(kind: str, locales: tuple[str, ...] = ("de", "en")) -> dict[str, str]:
    """{normalized header: field code} for every accepted spelling of a kind's headers."""
    accepted = {normalize_header(code): code for code in field_codes(kind)}
    for locale in locales:
        for code, label in zip(field_codes(kind), header_labels(kind, locale), strict=True):
            accepted.setdefault(normalize_header(label), code)
    return accepted

"""The columns of the inventory files, as the export and the importer write and read them.

COLUMNS[kind] is the ordered list of (field code, header label) of one kind of record,
read from the registry of kinds (inventory/kinds.py); the codes are DESIGN.md's
"Field names and codes", the labels are the German labels of our forms and templates.
The export writes exactly these columns first (in this order, code columns holding the
CODES, `site` the site's id), so its sheets re-import unchanged. An export sheet may carry further read-only columns after these (e.g. the
counts of the `Schulen` sheet); an importer ignores columns it does not know.
The importer accepts a header written as the field code or as the label in German or
English, case and spacing ignored (see header_map()).
"""

import re

from flask_babel import force_locale

from inventory.kinds import FILE_KINDS as REGISTRY

# (field code, label) of each kind, in column order: read from the registry of kinds.
COLUMNS: dict[str, list[tuple[str, object]]] = {
    name: [(spec.code, spec.label) for spec in kind.fields] for name, kind in REGISTRY.items()
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

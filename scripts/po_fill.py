"""Fill msgstr entries of a .po file from a JSON object {msgid: translation}.

Usage: .venv/bin/python scripts/po_fill.py PACKAGE/translations/de/LC_MESSAGES/messages.po FILE.json
Lists the msgids that are still untranslated afterwards.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> int:
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    with open(json_path, encoding="utf-8") as fh:
        translations = json.load(fh)
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in translations:
            value = translations[key]
            # A plural message takes a list: [singular, plural].
            message.string = tuple(value) if isinstance(value, list) else value
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

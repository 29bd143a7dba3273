"""Every UI string has a German translation (the German UI never falls back to English)."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n import CATALOG_PACKAGES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", CATALOG_PACKAGES)
def test_every_string_of_the_package_is_translated_to_german(package, tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            package,
        ],
        cwd=ROOT,
        check=True,
    )
    with open(pot, "rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    if not wanted:
        return
    po_file = ROOT / package / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    assert po_file.exists(), f"{package} has UI strings but no German catalog"
    with open(po_file, "rb") as fh:
        translated = {m.id for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"untranslated in {package}: {missing}"


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_string_means_the_same_in_every_package(language):
    """The catalogs are merged at run time, so one package's translation of a msgid
    replaces another's: the same msgid must be translated alike everywhere."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for package in CATALOG_PACKAGES:
        po_file = ROOT / package / "translations" / language / "LC_MESSAGES" / "messages.po"
        if not po_file.exists():
            continue
        with open(po_file, "rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                key = str(message.id)
                if key in seen and seen[key][1] != message.string:
                    clashes.append(
                        f"{key!r}: {seen[key][0]} {seen[key][1]!r}, {package} {message.string!r}"
                    )
                seen.setdefault(key, (package, message.string))
    assert not clashes, "\n".join(clashes)

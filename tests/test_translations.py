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

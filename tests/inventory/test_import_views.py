"""The import pages: upload, preview, confirm, errors workbook, templates."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from inventory.models import Device
from tests.conftest import PASSWORD
from tests.inventory.test_import_helpers import csv_bytes, german_headers, xlsx_bytes

FIELDS = ["school_number", "inventory_number", "category", "status"]


@pytest.fixture
def school(make_school):
    return make_school("123456")


def device_rows(bad_category: str | None = None) -> list[list[str]]:
    return [
        german_headers("devices", FIELDS),
        ["123456", "WEB-1", "Laptop", "In Betrieb"],
        ["123456", "WEB-2", bad_category or "Tablet", "Reserve"],
        ["", "WEB-3", "desktop", ""],
    ]


def device_file(bad_category: str | None = None) -> bytes:
    return xlsx_bytes(device_rows(bad_category))


def upload(client, data: bytes, filename="geraete.xlsx", kind="devices", school=""):
    return client.post(
        "/imports/",
        data={"kind": kind, "school": school, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    location = response.headers["Location"]
    assert re.fullmatch(r"/imports/[A-Za-z0-9_-]{20,64}", location), location
    return location


def count_devices() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Device.id)))


def test_import_page_offers_kinds_and_templates(client, login_as, school):
    login_as("school_admin", school=school)
    page = client.get("/imports/").get_data(as_text=True)
    assert 'name="file"' in page and 'enctype="multipart/form-data"' in page
    assert "/imports/template/devices.xlsx" in page
    assert 'value="schools"' not in page  # only the department imports schools


def test_preview_shows_counts_and_bad_rows_then_valid_rows_import(client, login_as, school):
    login_as("school_admin", school=school)
    url = preview_url(upload(client, device_file(bad_category="Kaffeemaschine")))

    page = client.get(url).get_data(as_text=True)
    assert 'data-count="created">2<' in page
    assert 'data-count="bad">1<' in page
    assert "„Kaffeemaschine“ ist kein gültiger Wert." in page
    assert '<td>Geräte</td><td class="num">3</td>' in page
    assert "Nur gültige Zeilen importieren" in page
    assert count_devices() == 0

    # all-or-nothing refuses, nothing written
    response = client.post(url + "/confirm", data={"mode": "all"})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert count_devices() == 0

    response = client.post(url + "/confirm", data={"mode": "valid"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/schools/123456/devices/"
    assert count_devices() == 2
    # the upload is gone after the import
    assert client.get(url).status_code == 404


def test_errors_download_holds_the_bad_rows_with_a_fehler_column(client, login_as, school):
    login_as("school_admin", school=school)
    data = csv_bytes(device_rows(bad_category="=HYPERLINK(1)"))
    url = preview_url(upload(client, data, filename="geräte.csv"))

    response = client.get(url + "/errors.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert rows[0] == (*german_headers("devices", FIELDS), "Fehler")
    assert len(rows) == 2
    assert rows[1][1] == "WEB-2" and rows[1][2] == "=HYPERLINK(1)"  # text, not a formula
    category = german_headers("devices", ["category"])[0]
    assert rows[1][-1].startswith(f"Zeile 3: C ({category}): „=HYPERLINK(1)“ ist kein gültiger")


def test_valid_file_is_confirmed_without_uploading_again(client, login_as, school):
    login_as("school_admin", school=school)
    url = preview_url(upload(client, device_file()))
    page = client.get(url).get_data(as_text=True)
    assert 'data-count="created">3<' in page and 'data-count="bad">0<' in page

    response = client.post(url + "/confirm", data={"mode": "all"})

    assert response.status_code == 302
    assert count_devices() == 3
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "WEB-1" in listing and "WEB-3" in listing
    assert "3 neu" in listing  # the flash message


def test_another_user_cannot_see_or_confirm_my_upload(client, app, login_as, make_user, school):
    login_as("school_admin", school=school)
    url = preview_url(upload(client, device_file()))

    other_client = app.test_client()
    other = make_user("department")
    other_client.post("/login", data={"email": other.email, "password": PASSWORD})
    assert other_client.get(url).status_code == 404
    assert other_client.post(url + "/confirm", data={"mode": "all"}).status_code == 404
    assert other_client.get(url + "/errors.xlsx").status_code == 404
    assert count_devices() == 0


def test_school_admin_rows_for_another_school_are_errors(client, login_as, school, make_school):
    make_school("654321")
    login_as("school_admin", school=school)
    rows = [["school_number", "inventory_number", "category"], ["654321", "X-1", "laptop"]]
    page = client.get(preview_url(upload(client, xlsx_bytes(rows)))).get_data(as_text=True)
    assert "Schule 654321 gehört nicht zu Ihren Schulen oder existiert nicht." in page


def test_school_admin_may_not_upload_schools(client, login_as, school):
    login_as("school_admin", school=school)
    rows = [["school_number", "name", "school_form"], ["123456", "X", "gymnasium"]]
    response = upload(client, xlsx_bytes(rows), kind="schools")
    assert response.status_code == 200  # the form refuses the kind
    assert "/imports/template/schools.xlsx" not in response.get_data(as_text=True)
    assert client.get("/imports/template/schools.xlsx").status_code == 404


def test_bad_file_shows_the_message_on_the_preview(client, login_as, school):
    login_as("department")
    url = preview_url(upload(client, b"PK\x03\x04 nope", filename="kaputt.xlsx"))
    page = client.get(url).get_data(as_text=True)
    assert "Die Datei ist keine Excel-Arbeitsmappe (.xlsx)." in page
    assert "/confirm" not in page


def test_upload_over_the_size_limit_gets_413(make_app, make_school, make_user, tmp_path):
    app = make_app(MAX_CONTENT_LENGTH=2_000)
    with app.app_context():
        make_school("123456")
        email = make_user("department").email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    response = upload(client, b"x" * 5_000, filename="gross.csv")
    assert response.status_code == 413
    assert "Die Datei ist zu groß." in response.get_data(as_text=True)


def test_upload_and_confirm_need_the_csrf_token(make_app, make_school, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_school("123456")
        email = make_user("department").email
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})

    assert upload(client, device_file()).status_code == 400
    page = client.get("/imports/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/imports/",
        data={
            "kind": "devices",
            "school": "123456",  # for the row without a school number
            "csrf_token": token,
            "file": (io.BytesIO(device_file()), "g.xlsx"),
        },
        content_type="multipart/form-data",
    )
    url = preview_url(response)
    assert client.post(url + "/confirm", data={"mode": "all"}).status_code == 400
    with app.app_context():
        assert count_devices() == 0
    response = client.post(url + "/confirm", data={"mode": "all", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert count_devices() == 3


def test_expired_uploads_are_gone(make_app, make_school, make_user):
    app = make_app(IMPORT_UPLOAD_TTL=-1)
    with app.app_context():
        make_school("123456")
        email = make_user("department").email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    url = preview_url(upload(client, device_file()))
    assert client.get(url).status_code == 404


def test_template_has_german_headers_codes_sheet_and_drop_downs(client, login_as, school):
    login_as("school_admin", school=school)
    response = client.get("/imports/template/devices.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["Geräte"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == german_headers(
        "devices",
        [
            "school_number",
            "site",
            "inventory_number",
            "category",
            "manufacturer",
            "model",
            "serial_number",
            "status",
            "use",
            "room",
            "learning_level",
            "purchase_date",
            "price",
            "funding",
            "warranty_until",
            "notes",
            "retired_reason",
        ],
    )
    assert sheet.max_row == 1  # no example row
    codes = [row for row in workbook["Codes"].iter_rows(values_only=True)]
    assert (german_headers("devices", ["category"])[0], "tablet", "Tablet") in codes
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert any(ref.startswith("D2:") for ref in ranges)  # category
    assert all(formula.startswith("=Codes!$C$") for formula in ranges.values())


def test_template_reimports_as_an_empty_file(client, login_as, school):
    login_as("department")
    data = client.get("/imports/template/links.xlsx").data
    page = client.get(preview_url(upload(client, data, "vorlage.xlsx", kind="links")))
    assert "Die Datei hat unter der Kopfzeile keine Datenzeilen." in page.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["schools", "sites", "devices", "links", "offerings"])
def test_template_columns_keep_leading_zeros_show_german_dates_and_offer_codes(
    client, login_as, kind
):
    """Read back with openpyxl: number and serial columns are text ("@"), so Excel and
    LibreOffice keep "004711"; dates are TT.MM.JJJJ; each code column has a drop-down."""
    from openpyxl.utils import get_column_letter

    from inventory.kinds import KINDS

    login_as("department")
    workbook = load_workbook(io.BytesIO(client.get(f"/imports/template/{kind}.xlsx").data))
    sheet = workbook.worksheets[0]
    validated = {
        str(ref).split(":")[0].rstrip("0123456789")
        for validation in sheet.data_validations.dataValidation
        for ref in validation.sqref.ranges
    }
    for index, field in enumerate(KINDS[kind].fields, start=1):
        letter = get_column_letter(index)
        number_format = sheet.column_dimensions[letter].number_format
        if field.code in ("school_number", "inventory_number", "serial_number", "postcode"):
            assert number_format == "@", (kind, field.code)
        if field.type == "date":
            assert number_format == "DD.MM.YYYY", (kind, field.code)
        if field.vocabulary is not None and field.type != "codes":
            assert letter in validated, (kind, field.code)


def test_preview_names_each_changed_record_and_field_from_what_to_what_before_writing(
    client, login_as, school, make_device
):
    import datetime as dt
    from decimal import Decimal

    from lxml import html

    make_device(school, inventory_number="WEB-1", category="laptop", status="in_use")
    make_device(
        school,
        inventory_number="WEB-2",
        category="tablet",
        status="spare",
        price=Decimal("399.00"),
    )
    make_device(school, inventory_number="WEB-3", category="desktop", status="in_use")
    columns = ["school_number", "inventory_number", "category", "status", "price", "purchase_date"]
    rows = [
        german_headers("devices", columns),
        ["123456", "WEB-1", "Laptop", "In Reparatur", None, dt.date(2026, 8, 26)],
        ["123456", "WEB-2", "Tablet", "Reserve", "429,00", None],
        ["123456", "WEB-3", "Desktop-PC", "In Betrieb", None, None],  # unchanged
    ]
    login_as("department")
    page = client.get(preview_url(upload(client, xlsx_bytes(rows)))).get_data(as_text=True)
    doc = html.fromstring(page)

    table = doc.get_element_by_id("import-changes")
    cells = [
        [" ".join(cell.text_content().split()) for cell in tr.xpath("./td")]
        for tr in table.xpath("./tbody/tr")
    ]
    assert cells == [
        ["2", "WEB-1", "Status", "In Betrieb", "In Reparatur"],
        ["Kaufdatum", "—", "26.08.2026"],
        ["3", "WEB-2", "Preis (EUR)", "399,00 €", "429,00 €"],
    ]
    assert table.xpath(".//a[@href='/devices/WEB-1']")
    assert "WEB-3" not in table.text_content()
    # Nothing was written by the preview.
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(Device.status).where(Device.inventory_number == "WEB-1"))
        == "in_use"
    )

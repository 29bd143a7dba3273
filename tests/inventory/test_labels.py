"""Inventory labels: the PDF is read back (pypdf for pages and text, the pages rendered by
poppler's pdftoppm and their QR codes decoded by zbar), the form's choices, its
validation, the role scoping and the CLI."""

import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import ZBarSymbol, decode

from inventory.labels import LAYOUTS, Label, device_url, render
from schools.school_years import today_in_berlin

BASE = "http://gute-schule.test"
PX_PER_MM = 200 / 25.4


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def qr_codes(pdf: bytes, tmp_path, sheet) -> list[list]:
    """Per page, per label of the sheet, the QR codes zbar finds on it as printed: the
    pages rendered at 200 dpi, each label cut out (as a phone sees one label at a time)."""
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", source, tmp_path / "page"], check=True)
    pages = []
    for image in sorted(tmp_path.glob("page-*.png")):
        with Image.open(image) as page:
            slots = []
            for slot in range(sheet.per_sheet):
                left, top = sheet.origin(slot)
                box = (left, top, left + sheet.label_width, top + sheet.label_height)
                label = page.crop(tuple(round(mm * PX_PER_MM) for mm in box))
                slots.append(decode(label, symbols=[ZBarSymbol.QRCODE]))
            pages.append(slots)
    return pages


def decoded_urls(pages) -> list[str]:
    """The URLs of all labels, in the order of the sheets."""
    return [code.data.decode() for page in pages for slot in page for code in slot]


def filled(page) -> list[int]:
    """The slots (0 = top left) of a page whose label carries exactly one QR code."""
    assert all(len(slot) <= 1 for slot in page)
    return [index for index, slot in enumerate(page) if slot]


@pytest.fixture
def school(make_school):
    return make_school(school_number="171001", name="Goethe-Gymnasium")


@pytest.fixture
def admin_client(client, login_as, school):
    login_as("school_admin", school=school)
    return client


def numbers(devices) -> list[str]:
    return [device.inventory_number for device in devices]


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_device_gets_one_qr_code_of_its_url_on_the_sheets(
    admin_client, school, make_device, tmp_path, layout
):
    sheet = LAYOUTS[layout]
    count = sheet.per_sheet + 3
    devices = [
        make_device(school, inventory_number=f"BO-{index:04d}", room=f"A {index % 4}")
        for index in range(count)
    ]
    response = admin_client.get(f"/schools/171001/labels.pdf?layout={layout}&with_room=y")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    texts = pages_text(response.data)
    assert len(texts) == 2
    text = "\n".join(texts)
    for number in numbers(devices):
        assert number in text
    assert "171001" in text and "Goethe-Gymnasium" in text
    assert "Raum A 3" in text
    pages = qr_codes(response.data, tmp_path, sheet)
    assert [filled(page) for page in pages] == [list(range(sheet.per_sheet)), [0, 1, 2]]
    # Row by row, by room and number: a room's labels come together.
    in_order = sorted(devices, key=lambda device: (device.room, device.inventory_number))
    assert decoded_urls(pages) == [f"{BASE}/devices/{n}" for n in numbers(in_order)]


def test_start_leaves_the_used_labels_of_the_first_sheet_free(
    admin_client, school, make_device, tmp_path
):
    sheet = LAYOUTS["70x37"]
    for index in range(24):
        make_device(school, inventory_number=f"BO-{index:04d}")
    response = admin_client.get("/schools/171001/labels.pdf?layout=70x37&start=5")
    pages = qr_codes(response.data, tmp_path, sheet)
    assert [filled(page) for page in pages] == [list(range(4, 24)), [0, 1, 2, 3]]
    assert pages[0][4][0].data.decode() == f"{BASE}/devices/BO-0000"
    assert pages[1][3][0].data.decode() == f"{BASE}/devices/BO-0023"


def test_site_and_room_choose_the_devices(admin_client, school, make_site, make_device):
    annex = make_site(school, name="Nebenstelle Wiesental")
    at_main = make_device(school, inventory_number="MAIN-1", room="A 101")
    unplaced = make_device(school, inventory_number="MAIN-2", site=None, room="A 102")
    at_annex = make_device(school, inventory_number="ANNEX-1", site=annex, room="A 101")

    def printed(query):
        response = admin_client.get(f"/schools/171001/labels.pdf?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        text = "\n".join(pages_text(response.data))
        return {n for n in ("MAIN-1", "MAIN-2", "ANNEX-1") if n in text}

    assert printed(f"site={annex.id}") == {at_annex.inventory_number}
    # A device without a site stands at the main site.
    main = school.main_site.id
    assert printed(f"site={main}") == {at_main.inventory_number, unplaced.inventory_number}
    assert printed("room=A+101") == {"MAIN-1", "ANNEX-1"}
    assert printed(f"site={main}&room=A+101") == {"MAIN-1"}


def test_retired_devices_get_a_label_only_when_asked_for_by_number(
    admin_client, school, make_device
):
    make_device(school, inventory_number="IN-USE-1")
    make_device(school, inventory_number="RETIRED-1", status="retired")
    text = "\n".join(pages_text(admin_client.get("/schools/171001/labels.pdf").data))
    assert "IN-USE-1" in text and "RETIRED-1" not in text
    response = admin_client.get("/schools/171001/labels.pdf?inventory_number=RETIRED-1")
    assert pages_text(response.data)[0].count("RETIRED-1") == 1


def test_the_room_is_left_off_when_not_chosen(admin_client, school, make_device):
    make_device(school, inventory_number="BO-1", room="Physik 2")
    with_room = admin_client.get("/schools/171001/labels.pdf?with_room=y")
    without = admin_client.get("/schools/171001/labels.pdf")
    assert "Physik 2" in pages_text(with_room.data)[0]
    assert "Physik 2" not in pages_text(without.data)[0]


def test_download_is_not_cached_and_named_with_school_and_date(admin_client, school, make_device):
    make_device(school)
    response = admin_client.get("/schools/171001/labels.pdf")
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=Etiketten-171001-{today_in_berlin()}.pdf"


def test_the_qr_codes_use_base_url_not_the_requests_host(make_app, make_school, make_device):
    app = make_app(BASE_URL="https://inventar.bochum.de/gute-schule/")
    with app.app_context():
        assert device_url("BO-1") == "https://inventar.bochum.de/gute-schule/devices/BO-1"
    with app.test_request_context("/", base_url="http://10.0.0.5:8000"):
        assert device_url("BÜ 2") == "https://inventar.bochum.de/gute-schule/devices/B%C3%9C%202"


def test_school_admin_of_another_school_gets_404(client, login_as, make_school, make_device):
    own, other = make_school(), make_school()
    make_device(other, inventory_number="OTHER-1")
    login_as("school_admin", school=own)
    assert client.get(f"/schools/{other.school_number}/labels/").status_code == 404
    assert client.get(f"/schools/{other.school_number}/labels.pdf").status_code == 404


def test_another_schools_number_is_not_found_in_ones_own_school(
    admin_client, school, make_school, make_device
):
    make_device(school, inventory_number="OWN-1")
    make_device(make_school(), inventory_number="OTHER-1")
    response = admin_client.get("/schools/171001/labels.pdf?inventory_number=OTHER-1")
    assert response.status_code == 400
    assert "Diese Schule hat kein Gerät mit dieser Nummer." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "layout=A5",
        "start=0",
        "start=25",
        "layout=48x25&start=41",
        "start=zwei",
        "start=" + "9" * 40,
        "site=999999",
        "site=abc",
        "room=Keller",
        "inventory_number=%3Cscript%3E",
        "inventory_number=" + "X" * 65,
    ],
)
def test_bad_choices_show_the_form_again(admin_client, school, make_device, query):
    make_device(school, room="A 101")
    response = admin_client.get(f"/schools/171001/labels.pdf?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "data-error-summary" in html
    assert 'id="labels-form"' in html


@pytest.mark.parametrize("query", ["inventory_number=BO%00", "room=%00"])
def test_control_characters_are_refused(admin_client, school, make_device, query):
    make_device(school)
    assert admin_client.get(f"/schools/171001/labels.pdf?{query}").status_code == 400


def test_no_matching_devices_is_said_on_the_form(admin_client, school):
    response = admin_client.get("/schools/171001/labels.pdf")
    assert response.status_code == 400
    assert "Keine Geräte passen zu dieser Auswahl." in response.get_data(as_text=True)


def test_device_page_leads_to_its_label(admin_client, school, make_device):
    make_device(school, inventory_number="BO-0042")
    html = admin_client.get("/devices/BO-0042").get_data(as_text=True)
    link = re.search(r'href="(/schools/171001/labels/\?inventory_number=BO-0042)"', html)
    assert link, "no label button on the device page"
    form = admin_client.get(link.group(1)).get_data(as_text=True)
    assert re.search(r'name="inventory_number"[^>]*value="BO-0042"', form)
    assert f"{BASE}/devices/" in form  # where the QR codes lead


def test_labels_page_lists_the_sites_rooms_and_sheets(admin_client, school, make_device):
    make_device(school, room="Physik 2")
    html = admin_client.get("/schools/171001/labels/").get_data(as_text=True)
    assert "Hauptstandort" in html and "Physik 2" in html
    assert "Avery Zweckform 3474: 70 × 37 mm, 24 pro Bogen" in html
    assert "Avery Zweckform 3657: 48,5 × 25,4 mm, 40 pro Bogen" in html


def test_text_outside_latin_1_is_printed_as_near_as_the_font_allows(app, tmp_path):
    label = Label("BO-1", "http://x.test/devices/BO-1", "171001 Schule „Am Hang“ – Łódź €")
    with app.test_request_context():
        pdf = render([label], LAYOUTS["70x37"])
    assert 'Schule "Am Hang" - ?ódz EUR' in pages_text(pdf)[0].replace("\n", " ")


# --- CLI ---------------------------------------------------------------------------------


def test_cli_writes_the_labels_of_a_room(runner, school, make_device, tmp_path):
    for index in range(3):
        make_device(school, inventory_number=f"R1-{index}", room="R1")
    make_device(school, inventory_number="R2-0", room="R2")
    out = tmp_path / "etiketten.pdf"
    result = runner.invoke(args=["labels", str(out), "--school", "171001", "--room", "R1"])
    assert result.exit_code == 0, result.output
    assert "3 Etiketten" in result.output
    pdf = out.read_bytes()
    urls = decoded_urls(qr_codes(pdf, tmp_path, LAYOUTS["70x37"]))
    assert sorted(urls) == [f"{BASE}/devices/R1-{index}" for index in range(3)]


def test_cli_site_by_name_and_layout(runner, school, make_site, make_device, tmp_path):
    annex = make_site(school, name="Nebenstelle")
    make_device(school, inventory_number="ANNEX-1", site=annex)
    make_device(school, inventory_number="MAIN-1")
    out = tmp_path / "etiketten.pdf"
    args = ["labels", str(out), "--school", "171001", "--site", "Nebenstelle"]
    result = runner.invoke(args=[*args, "--layout", "48x25", "--start", "40"])
    assert result.exit_code == 0, result.output
    assert "ANNEX-1" in pages_text(out.read_bytes())[0]
    assert "MAIN-1" not in pages_text(out.read_bytes())[0]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--school", "999999"], "Es gibt keine Schule 999999."),
        (["--school", "171001", "--site", "Turnhalle"], "keinen Standort Turnhalle"),
        (["--school", "171001", "--start", "25"], "1 bis 24"),
        (["--school", "171001", "--room", "Keller"], "Keine Geräte"),
    ],
)
def test_cli_refuses_what_it_cannot_print(runner, school, make_device, tmp_path, extra, message):
    make_device(school)
    out = tmp_path / "etiketten.pdf"
    result = runner.invoke(args=["labels", str(out), *extra])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_long_school_name_is_cut_but_the_room_keeps_its_line(app, layout):
    name = "171001 Städtische Gemeinschaftsgrundschule Am Hang und Wiesental Wattenscheid-Höntrop"
    label = Label("BO-1", "http://x.test/devices/BO-1", name, "A 1.07")
    with app.test_request_context():
        text = pages_text(render([label], LAYOUTS[layout]))[0]
    assert "BO-1" in text
    assert "Raum A 1.07" in text
    assert "..." in text

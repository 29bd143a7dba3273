"""The department workbook: real .xlsx files written and read back with openpyxl."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from inventory.columns import COLUMNS, header_labels
from inventory.models import Device
from reports import exports
from reports.readiness import readiness

NASTY_TEXTS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    "=1+1",
    "#N/A",
    "\t=cmd",
]
SHEETS = ["Info", "Schulen", "Standorte", "Geräte", "Netzanbindungen", "Angebote"]


def _write(**kwargs):
    target = io.BytesIO()
    exports.write_workbook(target, **kwargs)
    target.seek(0)
    return load_workbook(target)


def _rows(sheet) -> list[dict]:
    """The data rows of a sheet as dicts keyed by header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _records(sheet, kind: str) -> list[dict]:
    """The data rows of a record sheet as dicts keyed by field code."""
    codes = [code for code, _label in COLUMNS[kind]]
    return [
        dict(zip(codes, row[: len(codes)], strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _cells(sheet, header: str):
    """The data cells of one column."""
    headers = [cell.value for cell in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def city(make_school, make_site, make_device, make_link, make_offering, make_school_year):
    year = make_school_year(2026, dt.date(2026, 8, 26))
    ready = make_school("100001", "Gymnasium am Park", students=400)
    annex = make_site(ready, "Nebenstelle Süd")
    make_link(ready, down_mbps=1000, up_mbps=1000, provider="Stadtwerke")
    make_link(ready, site=annex, down_mbps=2000, up_mbps=1000)
    slow = make_school("100002", "Grundschule Nord", school_form="grundschule", students=200)
    make_link(slow, technology="vdsl", down_mbps=250, up_mbps=40)
    make_link(slow, status="planned", planned_date=dt.date(2026, 7, 1), provider="Telekom")
    bare = make_school("100003", "Realschule Ost", school_form="realschule")
    for number in range(3):
        make_device(ready, category="laptop", inventory_number=f"GY-{number}")
    make_device(ready, category="tablet", status="spare")
    make_device(ready, category="tablet", status="retired")
    make_device(
        slow,
        category="projector",
        inventory_number="GS-1",
        purchase_date=dt.date(2024, 3, 5),
        warranty_until=dt.date(2027, 3, 5),
        price=Decimal("1299.50"),
        funding="digitalpakt",
        learning_level="primar",
        room="A1",
    )
    make_offering(ready, learning_level="sek1", kind="lms")
    make_offering(ready, learning_level="sek2", kind="lms")
    make_offering(ready, learning_level="sek2", kind="presentation", status="planned")
    make_offering(slow, learning_level="primar", kind="tablet_class_set", since=dt.date(2023, 8, 1))
    return {"year": year, "ready": ready, "slow": slow, "bare": bare, "annex": annex}


def test_workbook_has_every_sheet_and_the_importers_columns(city):
    workbook = _write(school_year="2026/27")
    assert workbook.sheetnames == [
        *SHEETS,
        "Leihen",
        "Gigabit-Status",
        "Sozialindex",
        "Ersatzbeschaffung",
        "Codes",
    ]
    for title, kind in [
        ("Standorte", "sites"),
        ("Geräte", "devices"),
        ("Netzanbindungen", "links"),
        ("Angebote", "offerings"),
    ]:
        headers = [cell.value for cell in workbook[title][1]]
        assert headers == header_labels(kind, "de"), title
    school_headers = [cell.value for cell in workbook["Schulen"][1]]
    assert school_headers[: len(COLUMNS["schools"])] == header_labels("schools", "de")
    for header in ["Gigabitfähig", "Endgeräte je Schüler/in", "Bestand zuletzt geändert"]:
        assert header in school_headers


def test_every_sheet_has_a_bold_frozen_header_and_an_autofilter(city):
    workbook = _write()
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        if sheet.title != "Info":
            assert sheet.auto_filter.ref == f"A1:{sheet[1][-1].column_letter}{sheet.max_row}"
        assert sheet.column_dimensions["A"].width > 5


def test_record_sheets_hold_one_row_per_record_with_codes(city):
    workbook = _write()
    devices = _records(workbook["Geräte"], "devices")
    assert len(devices) == 6
    projector = next(row for row in devices if row["inventory_number"] == "GS-1")
    assert projector["school_number"] == "100002"
    assert projector["category"] == "projector"
    assert projector["funding"] == "digitalpakt"
    assert projector["learning_level"] == "primar"
    assert projector["site"] == city["slow"].main_site.id
    sites = _records(workbook["Standorte"], "sites")
    assert {(row["id"], row["is_main"]) for row in sites if row["school_number"] == "100001"} == {
        (city["ready"].main_site.id, True),
        (city["annex"].id, False),
    }
    links = _records(workbook["Netzanbindungen"], "links")
    assert {row["status"] for row in links} == {"active", "planned"}
    assert len(_records(workbook["Angebote"], "offerings")) == 4
    codes_sheet = _rows(workbook["Codes"])
    assert {"Feld": "category", "Code": "projector", "Bedeutung": "Beamer"} in codes_sheet


def test_numbers_and_dates_are_typed(city):
    workbook = _write()
    devices = workbook["Geräte"]
    row = next(r for r in devices.iter_rows(min_row=2) if r[2].value == "GS-1")
    purchase = row[11]
    assert purchase.value == dt.datetime(2024, 3, 5)
    assert purchase.is_date and purchase.number_format == "DD.MM.YYYY"
    price = row[12]
    assert isinstance(price.value, float) and price.value == 1299.5
    assert price.number_format == "#,##0.00 €"
    assert isinstance(row[1].value, int)  # the site id
    schools = workbook["Schulen"]
    students = _cells(schools, header_labels("schools", "de")[7])
    assert all(isinstance(cell.value, int) for cell in students)
    since = _cells(workbook["Angebote"], header_labels("offerings", "de")[6])
    assert [cell.value for cell in since if cell.value] == [dt.datetime(2023, 8, 1)]
    assert all(cell.number_format == "DD.MM.YYYY" for cell in since if cell.value)


def test_user_text_never_becomes_a_formula(make_school, make_device, make_site):
    school = make_school(name='=HYPERLINK("http://x","y")')
    make_site(school, name="@SUM(A1)")
    for number, text in enumerate(NASTY_TEXTS):
        make_device(school, inventory_number=f"X-{number}", notes=text, room=text, model=text)
    workbook = _write()
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert cell.data_type != "e", (sheet.title, cell.coordinate, cell.value)
    devices = _records(workbook["Geräte"], "devices")
    assert [row["notes"] for row in devices] == NASTY_TEXTS
    assert [row["room"] for row in devices] == NASTY_TEXTS
    assert _records(workbook["Schulen"], "schools")[0]["name"] == school.name
    assert "@SUM(A1)" in [row["name"] for row in _records(workbook["Standorte"], "sites")]


def test_control_characters_are_stripped(make_school, make_device):
    # (PostgreSQL cannot store NUL; clean_text drops it as well, see below.)
    school = make_school(name="Schule\x01 am\x1b Berg")
    make_device(school, notes="a\x02b\x07c\td\ne\r\nf\x7f\ufffeg")
    workbook = _write()
    assert _records(workbook["Geräte"], "devices")[0]["notes"] == "abc\td\ne\nfg"
    assert _records(workbook["Schulen"], "schools")[0]["name"] == "Schule am Berg"


def test_clean_text_keeps_tabs_and_newlines_only():
    assert exports.clean_text("a\x00b\x0bc\td\ne\x1f") == "abc\td\ne"


def test_gigabit_columns_agree_with_readiness(city):
    workbook = _write(school_year="2026/27", today=dt.date(2026, 6, 1))
    rows = _rows(workbook["Gigabit-Status"])
    expected = []
    for school in sorted(readiness(), key=lambda s: s.school_number):
        for site in school.sites:
            expected.append(
                (
                    school.school_number,
                    site.name,
                    "ja" if site.ready else "nein",
                    site.best_link.down_mbps if site.best_link else None,
                    site.best_link.up_mbps if site.best_link else None,
                    dt.datetime.combine(site.planned_link.planned_date, dt.time())
                    if site.planned_link
                    else None,
                    {"ready": "bereit", "planned": "geplant", "at_risk": "gefährdet"}[
                        school.status_by(dt.date(2026, 8, 26))
                    ],
                )
            )
    got = [
        (
            row["Schulnummer"],
            row["Standort"],
            row["Standort gigabitfähig"],
            row["Beste aktive Anbindung Download (Mbit/s)"],
            row["Beste aktive Anbindung Upload (Mbit/s)"],
            row[list(row)[8]],
            row["Status der Schule"],
        )
        for row in rows
    ]
    assert got == expected
    assert [row["Status der Schule"] for row in rows] == [
        "bereit",
        "bereit",
        "geplant",
        "gefährdet",
    ]
    assert {row["Tage bis zum ersten Schultag"] for row in rows} == {86}
    reasons = {row["Schulnummer"]: row["Begründung"] for row in rows}
    assert reasons["100002"].startswith("Aktive Netzanbindung zu langsam")
    assert reasons["100003"] == "Keine aktive Netzanbindung"


def test_school_sheet_counts_devices_offerings_and_readiness(city):
    workbook = _write(school_year="2026/27")
    schools = {row["Schulnummer"]: row for row in _rows(workbook["Schulen"])}
    gym = schools["100001"]
    assert gym["Geräte: Laptop"] == 3
    assert gym["Geräte: Tablet"] == 1  # the retired one does not count
    assert gym["Geräte (gesamt)"] == 4
    assert gym["Endgeräte je Schüler/in"] == pytest.approx(0.01)
    assert gym["Gigabitfähig"] == "ja"
    assert gym["Angebote: Sekundarstufe II"] == 1  # the planned one does not count
    assert gym["Angebote: Sekundarstufe I"] == 1
    assert isinstance(gym["Bestand zuletzt geändert"], dt.datetime)
    assert _records(workbook["Schulen"], "schools")[0]["school_form"] == "gymnasium"
    assert gym["Schulform (Bezeichnung)"] == "Gymnasium"
    gs = schools["100002"]
    assert gs["Gigabitfähig"] == "nein"
    assert gs["Geplante Netzanbindung"].startswith("Glasfaser")
    assert gs["Geplanter Termin"] == dt.datetime(2026, 7, 1)
    assert schools["100003"]["Gigabitfähig"] == "nein"
    assert schools["100003"]["Endgeräte je Schüler/in"] == 0


def test_only_the_given_schools_are_exported(city):
    for school_ids in (
        [city["slow"].id],
        sa.select(sa.literal_column(str(city["slow"].id))),
        exports.select_schools(school_numbers=["100002"]),
    ):
        workbook = _write(school_ids=school_ids)
        for title in SHEETS[1:] + ["Gigabit-Status"]:
            numbers = {row[0] for row in workbook[title].iter_rows(min_row=2, values_only=True)}
            if title in ("Standorte", "Netzanbindungen", "Angebote"):
                numbers = {row[1] for row in workbook[title].iter_rows(min_row=2, values_only=True)}
            assert numbers == {"100002"}, title


def test_gigabit_status_workbook_has_only_info_and_status(city):
    target = io.BytesIO()
    exports.write_gigabit_status_workbook(
        target, school_year=city["year"], school_ids=[city["bare"].id]
    )
    target.seek(0)
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Info", "Gigabit-Status"]
    rows = _rows(workbook["Gigabit-Status"])
    assert [(row["Schulnummer"], row["Schuljahr"]) for row in rows] == [("100003", "2026/27")]
    info = dict(workbook["Info"].iter_rows(min_row=2, values_only=True))
    assert info["Schuljahr"] == "2026/27"
    assert info["Erster Schultag"] == dt.datetime(2026, 8, 26)


def test_info_sheet_names_time_author_filters_and_sources(city):
    workbook = _write(generated_by="schulamt@bochum.example", filters_text="Schulform: Gymnasium")
    info = list(workbook["Info"].iter_rows(min_row=2, values_only=True))
    values = dict(info)
    assert values["Erstellt von"] == "schulamt@bochum.example"
    assert values["Filter"] == "Schulform: Gymnasium"
    assert isinstance(values["Erstellt am"], dt.datetime)
    sources = " ".join(str(value) for item, value in info if item == "Datenquelle")
    assert "dl-de/by-2-0" in sources and "CC0" in sources
    assert "Codes" in values and "Codes" in workbook.sheetnames


@pytest.mark.parametrize("school_year", ["2090/91", "１２０２６", "9" * 30, "２０２６"])
def test_unknown_school_year_is_an_error(city, school_year):
    # Look-alike digits and a start year out of any integer's range are unknown years,
    # never a database error.
    with pytest.raises(exports.ExportError):
        exports.write_workbook(io.BytesIO(), school_year=school_year)


def test_statement_count_does_not_grow_with_the_devices(make_school, make_link, count_queries):
    schools = [make_school() for _ in range(3)]
    make_link(schools[0])

    def add_devices(count, start):
        db.session.execute(
            sa.insert(Device),
            [
                {
                    "school_id": schools[n % 3].id,
                    "site_id": schools[n % 3].main_site.id,
                    "inventory_number": f"BULK-{n:05d}",
                    "category": "tablet",
                    "status": "in_use",
                    "purchase_date": dt.date(2024, 1, 1),
                    "price": Decimal("399.00"),
                    "notes": "",
                    "version": 1,
                }
                for n in range(start, start + count)
            ],
        )
        db.session.commit()

    def statements():
        with count_queries() as counter:
            exports.write_workbook(io.BytesIO())
        return counter.count

    add_devices(10, 0)
    few = statements()
    add_devices(190, 10)
    many = statements()
    assert few == many
    assert few <= 21  # one statement per sheet (the loans sheet is the 21st)
    assert len(_rows(_write()["Geräte"])) == 200


def test_cli_export_writes_the_workbook(city, runner, tmp_path):
    target = tmp_path / "bericht.xlsx"
    result = runner.invoke(
        args=["export", str(target), "--school", "100001", "--school-year", "2026/27"]
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(target)
    assert workbook.sheetnames == [
        *SHEETS,
        "Leihen",
        "Gigabit-Status",
        "Sozialindex",
        "Ersatzbeschaffung",
        "Codes",
    ]
    assert {row[0] for row in workbook["Geräte"].iter_rows(min_row=2, values_only=True)} == {
        "100001"
    }
    info = dict(workbook["Info"].iter_rows(min_row=2, values_only=True))
    assert info["Schuljahr"] == "2026/27"
    from app.audit import AuditEntry

    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.actor == "cli" and entry.object_id == "bericht.xlsx"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--school", "999999"], "Keine Schule mit der Nummer 999999"),
        (["--school-year", "2090/91"], "Unbekanntes Schuljahr"),
        (["--school-year", "neunzehn"], "Unbekanntes Schuljahr"),
    ],
)
def test_cli_export_refuses_unknown_school_or_year(city, runner, tmp_path, args, message):
    target = tmp_path / "bericht.xlsx"
    result = runner.invoke(args=["export", str(target), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["schools", "sites", "devices", "links", "offerings"])
def test_record_sheets_re_import_unchanged(city, make_device, kind):
    """The export's sheets are the importer's files: read back, nothing changes."""
    importer = pytest.importorskip("inventory.importer")
    make_device(city["ready"], inventory_number="NASTY-1", notes='=HYPERLINK("http://x","y")')
    target = io.BytesIO()
    exports.write_workbook(target)
    report = importer.analyse(kind, target.getvalue(), "gute-schule.xlsx")
    assert report.ok, [str(error) for error in report.errors][:5] + report.file_errors
    counts = report.counts
    assert counts["created"] == counts["updated"] == counts["bad"] == 0
    assert (
        counts["unchanged"]
        == {
            "schools": 3,
            "sites": 4,
            "devices": 7,
            "links": 4,
            "offerings": 4,
        }[kind]
    )


def test_devices_per_student_counts_end_user_devices_in_use_like_the_school_page(
    app, make_school, make_device
):
    from schools.pages import device_counts, devices_per_student

    school = make_school("100009", "Kleine Schule", students=10)
    make_device(school, category="laptop")
    make_device(school, category="tablet")
    make_device(school, category="tablet", status="spare")
    make_device(school, category="tablet", status="in_repair")
    row = {r["Schulnummer"]: r for r in _rows(_write()["Schulen"])}["100009"]
    assert row["Geräte: Tablet"] == 3  # the stock: in use, in repair, spare
    assert row["Endgeräte je Schüler/in"] == pytest.approx(0.2)  # only the two in use
    assert devices_per_student(device_counts(school), school.students) == pytest.approx(0.2)

"""The proof-of-use workbook: real .xlsx files written and read back with openpyxl.

The expected cells are built from the fixture, not from the database, so the same test
passing on SQLite and on PostgreSQL means both write the same file."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db
from inventory.funding_models import FundingProgramme, FundingShare
from inventory.models import Device
from reports import proof_of_use

AS_OF = dt.date(2026, 6, 30)
AT = dt.datetime(2026, 7, 1, 6, 30)  # UTC: 08:30 in Berlin
BOUND = dt.datetime(2029, 12, 31)
DEVICE_HEADER = (
    "Schulnummer",
    "Schule",
    "Inventarnummer",
    "Seriennummer",
    "Kategorie",
    "Kaufdatum",
    "Preis",
    "Anteil des Programms",
    "Zuwendungsbescheid",
    "Status",
    "Zweckgebunden bis",
)


def _programme(code="gute_schule_2020", **fields) -> FundingProgramme:
    fields.setdefault("name", "Gute Schule 2020")
    fields.setdefault("funder", "NRW.BANK")
    fields.setdefault("rate", Decimal("100"))
    fields.setdefault("period_start", dt.date(2017, 1, 1))
    fields.setdefault("period_end", dt.date(2024, 12, 31))
    fields.setdefault("binding_years", 5)
    # The migration (and the shipped data) may hold the code already: set its fields.
    programme = db.session.scalar(db.select(FundingProgramme).filter_by(code=code))
    if programme is None:
        programme = FundingProgramme(code=code)
        db.session.add(programme)
    for name, value in fields.items():
        setattr(programme, name, value)
    db.session.commit()
    return programme


def _share(device, programme, amount=None, grant_reference="") -> None:
    db.session.add(
        FundingShare(
            device_id=device.id,
            programme_id=programme.id,
            amount=Decimal(amount) if amount is not None else None,
            grant_reference=grant_reference,
        )
    )
    db.session.commit()


@pytest.fixture
def funded(make_school, make_device):
    """Two schools; devices of the programme before, on and after the cut-off, without a
    purchase date, retired, whole-price and partial shares, a second programme."""
    gs = _programme()
    other = _programme("digitalpakt", name="DigitalPakt Schule", binding_years=None)
    park = make_school("100001", "Gymnasium am Park")
    nord = make_school("100002", "Grundschule Nord", school_form="grundschule")

    def device(school, number, price, bought, **fields):
        return make_device(
            school,
            inventory_number=number,
            price=Decimal(price) if price is not None else None,
            purchase_date=bought,
            **fields,
        )

    # Byte order: "C-1" before "a_2" before "b-1" (a locale would sort a, b, C).
    _share(
        device(park, "b-1", "800.00", dt.date(2025, 3, 1), serial_number="S1"),
        gs,
        "500.00",
        "GS-17/1",
    )
    _share(device(park, "C-1", "450.50", AS_OF, serial_number="S2"), gs, None, "GS-17/1")
    laptop = device(park, "a_2", "1000.00", dt.date(2020, 5, 5), category="tablet")
    _share(laptop, gs, "100.00", "GS-17/2")
    _share(laptop, other, "900.00", "DP-1")
    _share(device(park, "LATE-1", "999.00", dt.date(2026, 7, 1)), gs)  # after the cut-off
    _share(device(park, "UNDATED-1", "300.00", None), gs, None, "GS-17/3")
    _share(device(park, "ONLY-DP", "700.00", dt.date(2020, 1, 1)), other)
    _share(
        device(nord, "N-1", "1299.99", dt.date(2019, 8, 1), category="projector", status="retired"),
        gs,
        None,
        '=HYPERLINK("http://x","y")',
    )
    _share(device(nord, "N-2", None, dt.date(2019, 8, 1), serial_number="#N/A"), gs)
    return SimpleNamespace(programme=gs, other=other, park=park, nord=nord)


def _write(programme="gute_schule_2020", as_of=AS_OF, **kwargs):
    target = io.BytesIO()
    kwargs.setdefault("generated_at", AT)
    proof_of_use.write_proof_of_use(target, programme=programme, as_of=as_of, **kwargs)
    target.seek(0)
    return load_workbook(target)


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


EXPECTED_DEVICES = [
    ("100001", "Gymnasium am Park", "C-1", "S2", "Laptop", dt.datetime(2026, 6, 30), 450.5, 450.5, "GS-17/1", "In Betrieb", BOUND),
    ("100001", "Gymnasium am Park", "a_2", None, "Tablet", dt.datetime(2020, 5, 5), 1000.0, 100.0, "GS-17/2", "In Betrieb", BOUND),
    ("100001", "Gymnasium am Park", "b-1", "S1", "Laptop", dt.datetime(2025, 3, 1), 800.0, 500.0, "GS-17/1", "In Betrieb", BOUND),
    ("100002", "Grundschule Nord", "N-1", None, "Beamer", dt.datetime(2019, 8, 1), 1299.99, 1299.99, '=HYPERLINK("http://x","y")', "Ausgemustert", BOUND),
    ("100002", "Grundschule Nord", "N-2", "#N/A", "Laptop", dt.datetime(2019, 8, 1), None, None, None, "In Betrieb", BOUND),
]  # fmt: skip


def test_device_sheet_holds_exactly_the_expected_cells(funded):
    rows = _rows(_write()["Geräte"])
    assert rows[0] == DEVICE_HEADER
    assert rows[1:] == EXPECTED_DEVICES


def test_sheets_are_in_order(funded):
    assert _write().sheetnames == [
        "Info",
        "Schulen und Bereiche",
        "Geräte",
        "Ausgemustert, gebunden",
        "Ohne Kaufdatum",
    ]


def test_school_sheet_sums_reconcile_with_the_device_sheet(funded):
    workbook = _write()
    devices = _rows(workbook["Geräte"])[1:]
    schools = _rows(workbook["Schulen und Bereiche"])
    assert schools[0] == (
        "Schulnummer",
        "Schule",
        "Kategorie",
        "Geräte",
        "Summe der Preise",
        "Summe der Anteile des Programms",
    )
    body, total = schools[1:-1], schools[-1]
    assert body == [
        ("100001", "Gymnasium am Park", "Laptop", 2, 1250.5, 950.5),
        ("100001", "Gymnasium am Park", "Tablet", 1, 1000.0, 100.0),
        ("100002", "Grundschule Nord", "Laptop", 1, 0.0, 0.0),
        ("100002", "Grundschule Nord", "Beamer", 1, 1299.99, 1299.99),
    ]
    assert total == ("Gesamt", None, None, 5, 3550.49, 2350.49)

    def cents(values):
        return sum(Decimal(str(v)) for v in values if v is not None)

    assert total[3] == len(devices) == sum(row[3] for row in body)
    assert Decimal(str(total[4])) == cents(row[6] for row in devices) == cents(r[4] for r in body)
    assert Decimal(str(total[5])) == cents(row[7] for row in devices) == cents(r[5] for r in body)


def test_share_total_equals_the_sum_of_the_shares_in_the_database(funded):
    workbook = _write()
    total = _rows(workbook["Schulen und Bereiche"])[-1]
    shares = db.session.scalars(
        db.select(FundingShare).where(FundingShare.programme_id == funded.programme.id)
    ).all()
    counted = Decimal(0)
    for share in shares:
        device = db.session.get(proof_of_use.Device, share.device_id)
        if device.purchase_date is not None and device.purchase_date <= AS_OF:
            amount = share.amount if share.amount is not None else device.price
            counted += amount or 0
    assert Decimal(str(total[5])) == counted == Decimal("2350.49")


def test_cut_off_date_leaves_out_later_purchases(funded):
    later = _rows(_write(as_of=dt.date(2026, 7, 1))["Geräte"])
    assert "LATE-1" in {row[2] for row in later}
    earlier = _rows(_write(as_of=dt.date(2026, 6, 29))["Geräte"])
    assert {row[2] for row in earlier[1:]} == {"a_2", "b-1", "N-1", "N-2"}


def test_devices_without_a_purchase_date_have_their_own_sheet(funded):
    workbook = _write()
    assert _rows(workbook["Ohne Kaufdatum"])[1:] == [
        ("100001", "Gymnasium am Park", "UNDATED-1", None, "Laptop", None, 300.0, 300.0, "GS-17/3", "In Betrieb", BOUND),
    ]  # fmt: skip
    assert "UNDATED-1" not in {row[2] for row in _rows(workbook["Geräte"])}


def test_retired_devices_still_bound_are_listed_with_the_reason(funded):
    rows = _rows(_write()["Ausgemustert, gebunden"])
    assert rows[0] == (*DEVICE_HEADER, "Begründung")
    assert [row[2] for row in rows[1:]] == ["N-1"]
    assert rows[1][-1] in ("", None)


def test_no_retired_list_once_the_binding_has_ended(funded):
    rows = _rows(_write(as_of=dt.date(2030, 1, 1))["Ausgemustert, gebunden"])
    assert rows[1:] == []


def test_the_retired_list_gives_the_devices_reason(funded):
    device = db.session.scalar(sa.select(Device).filter_by(inventory_number="N-1"))
    device.retired_reason = "Wasserschaden; Ersatz beschafft"
    db.session.commit()
    rows = _rows(_write()["Ausgemustert, gebunden"])
    assert rows[1][2] == "N-1" and rows[1][-1] == "Wasserschaden; Ersatz beschafft"


def test_formula_like_text_stays_text(funded):
    sheet = _write()["Geräte"]
    cells = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    grant = cells["N-1"][8]
    assert grant.data_type == "s" and grant.value == '=HYPERLINK("http://x","y")'
    serial = cells["N-2"][3]
    assert serial.data_type == "s" and serial.value == "#N/A"


def test_info_names_programme_cut_off_and_totals(funded):
    info = dict(_rows(_write(generated_by="amt@stadt.example.org", filters_text="X")["Info"])[1:])
    assert info["Förderprogramm"] == "gute_schule_2020"
    assert info["Programmname"] == "Gute Schule 2020"
    assert info["Fördergeber"] == "NRW.BANK"
    assert info["Förderquote (%)"] == 100
    assert info["Stichtag"] == dt.datetime(2026, 6, 30)
    assert info["Zweckgebunden bis"] == BOUND
    assert info["Erstellt am"] == dt.datetime(2026, 7, 1, 8, 30)
    assert info["Erstellt von"] == "amt@stadt.example.org"
    assert info["Filter"] == "X"
    assert info["Geräte"] == 5
    assert info["Summe der Anteile des Programms"] == 2350.49
    assert info["Geräte ohne Kaufdatum"] == 1


def test_school_filter_keeps_to_the_given_schools(funded):
    rows = _rows(_write(school_ids=[funded.nord.id])["Geräte"])
    assert {row[0] for row in rows[1:]} == {"100002"}


def test_unknown_programme_is_refused(funded):
    with pytest.raises(proof_of_use.ProofOfUseError):
        _write(programme="nope")


def test_number_of_statements_does_not_grow_with_the_devices(funded, make_device, count_queries):
    def statements():
        with count_queries() as counter:
            _write()
        return counter.count

    few = statements()
    for _number in range(20):
        _share(make_device(funded.park, purchase_date=dt.date(2020, 1, 1)), funded.programme)
    assert statements() == few


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 4), dt.date(2026, 6, 30)),
        (dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
        (dt.date(2026, 6, 29), dt.date(2025, 12, 31)),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
    ],
)
def test_latest_cut_off_is_the_last_30_june_or_31_december(today, expected):
    assert proof_of_use.latest_cut_off(today) == expected

"""The history in words: labels and values as the UI shows them, the channel, links to
the records, and the school history's pages."""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from lxml import html

from app.audit import AuditEntry, acting_as, current_channel, via
from app.extensions import db
from app.history import describe


def _entries(device):
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "devices", AuditEntry.record_id == device.id)
        .order_by(AuditEntry.id.desc())
    ).all()


def _change_device(device, **values):
    for key, value in values.items():
        setattr(device, key, value)
    db.session.commit()


def test_device_history_shows_labels_codes_prices_and_dates_in_words(
    client, login_as, make_school, make_device
):
    school = make_school()
    device = make_device(school, inventory_number="INV-7", price=Decimal("399.00"))
    _change_device(
        device, status="in_repair", price=Decimal("429.00"), purchase_date=dt.date(2026, 8, 26)
    )
    login_as("department")

    page = html.fromstring(client.get("/devices/INV-7").get_data(as_text=True))
    changes = [
        " ".join(li.text_content().split()) for li in page.xpath("//ul[@class='changes']/li")
    ]

    assert "Status: In Betrieb → In Reparatur" in changes
    assert "Preis (EUR): 399,00 € → 429,00 €" in changes
    assert "Kaufdatum: — → 26.08.2026" in changes
    assert not [text for text in changes if "in_repair" in text or "429.00" in text]


def test_history_names_the_site_not_its_id(app, make_school, make_site, make_device):
    school = make_school()
    annex = make_site(school, name="Dependance Nord")
    device = make_device(school)
    _change_device(device, site_id=annex.id)
    with app.test_request_context():
        (row, *_rest) = describe(_entries(device))
    assert [(c.label, c.new) for c in row.changes] == [("Standort", "Dependance Nord")]


def test_channel_of_each_door(app):
    with app.test_request_context("/schools/"):
        assert current_channel() == "web"
    with app.test_request_context("/api/v1/devices/INV-1", method="PATCH"):
        assert current_channel() == "api"
    with app.test_request_context("/imports/"), via("import"):
        assert current_channel() == "import"
    with acting_as("cli"):
        assert current_channel() == "cli"


def test_web_change_is_recorded_as_web(client, login_as, make_school, make_device):
    school = make_school()
    device = make_device(school, inventory_number="INV-9")
    login_as("department")
    page = client.get("/devices/INV-9/edit").get_data(as_text=True)
    form = html.fromstring(page).xpath("//form[@method='post']")[-1]
    data = {
        field.name: field.value or ""
        for field in form.inputs
        if field.name and getattr(field, "type", "") != "submit"
    }
    data["status"] = "spare"
    response = client.post("/devices/INV-9/edit", data=data)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    (entry, *_older) = _entries(device)
    assert entry.channel == "web" and entry.changes["status"] == ["in_use", "spare"]


def test_school_history_links_records_and_has_pages(client, login_as, make_school, make_device):
    school = make_school()
    device = make_device(school, inventory_number="INV-10")
    gone = make_device(school, inventory_number="INV-11")
    db.session.delete(gone)
    db.session.commit()
    for number in range(55):
        _change_device(device, room=f"R{number}")
    login_as("department")

    first = html.fromstring(
        client.get(f"/schools/{school.school_number}/history").get_data(as_text=True)
    )
    rows = first.xpath("//table[@class='history']/tbody/tr")
    assert len(rows) == 50
    assert rows[0].xpath(".//a[@href='/devices/INV-10']")
    assert "Seite 1 von 2" in first.xpath("//nav[@class='pagination']")[0].text_content()

    second = html.fromstring(
        client.get(f"/schools/{school.school_number}/history?page=2").get_data(as_text=True)
    )
    rest = second.xpath("//table[@class='history']/tbody/tr")
    total = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.school_id == school.id))
    assert total > 55 and len(rest) == total - 50
    deleted = [row for row in rest if "INV-11" in row.text_content()]
    assert deleted and not [row for row in deleted if row.xpath(".//a[@href='/devices/INV-11']")]

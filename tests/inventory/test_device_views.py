"""The device pages: list (search, filters, sort, pages), new, detail, edit, delete."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit import AuditEntry
from app.extensions import db
from inventory.models import Device


def device_data(**overrides) -> dict:
    data = {
        "inventory_number": "BO-2026-0001",
        "category": "laptop",
        "site": "",
        "manufacturer": "Lenovo",
        "model": "ThinkPad L14",
        "serial_number": "SN-123",
        "status": "in_use",
        "room": "A 101",
        "learning_level": "sek1",
        "purchase_date": "2025-08-01",
        "price": "1.299,00",
        "funding": "digitalpakt",
        "warranty_until": "2028-07-31",
        "notes": "Klassensatz",
    }
    data.update(overrides)
    return data


def device_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Device.id)))


def field_error(html: str, field: str) -> str:
    """The error text shown at a field (the markup of _form.html's field macro)."""
    marker = f'id="{field}-error">'
    assert marker in html, f"no error at {field}"
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


@pytest.fixture
def school(make_school):
    return make_school()


@pytest.fixture
def admin_client(client, login_as, school):
    login_as("school_admin", school=school)
    return client


# --- new ---------------------------------------------------------------------------------


def test_new_device_form_shows_german_labels_and_main_site_default(admin_client, school, make_site):
    make_site(school, name="Nebengebäude")
    html = admin_client.get(f"/schools/{school.school_number}/devices/new").get_data(True)
    assert "Inventarnummer" in html
    site_select = re.search(r'<select[^>]*id="site".*?</select>', html, re.S).group(0)
    assert f'<option selected value="{school.main_site.id}">Hauptstandort</option>' in site_select
    assert "Nebengebäude" in site_select
    assert 'value=""' not in site_select  # no second "main site" entry


def test_valid_new_device_is_written_with_main_site_and_flash(admin_client, school):
    response = admin_client.post(f"/schools/{school.school_number}/devices/new", data=device_data())
    assert response.status_code == 302
    assert response.location.endswith(f"/schools/{school.school_number}/devices/")
    db.session.expire_all()
    device = db.session.scalar(sa.select(Device))
    assert device.inventory_number == "BO-2026-0001"
    assert device.price == Decimal("1299.00")
    assert device.site_id == school.main_site.id
    assert device.learning_level == "sek1"
    assert device.purchase_date == dt.date(2025, 8, 1)
    page = admin_client.get(response.location).get_data(True)
    assert "Gerät BO-2026-0001 wurde hinzugefügt." in page


def test_new_device_on_chosen_site(admin_client, school, make_site):
    annex = make_site(school, name="Nebengebäude")
    admin_client.post(
        f"/schools/{school.school_number}/devices/new", data=device_data(site=str(annex.id))
    )
    assert db.session.scalar(sa.select(Device.site_id)) == annex.id


def test_new_device_creation_is_audited(admin_client, school):
    admin_client.post(f"/schools/{school.school_number}/devices/new", data=device_data())
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "devices"))
    assert entry.action == "create"
    assert entry.object_id == "BO-2026-0001"
    assert entry.school_number == school.school_number


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "", "Dieses Feld ist erforderlich."),
        ("inventory_number", "", "Dieses Feld ist erforderlich."),
        ("price", "abc", "Kein gültiger Betrag, z. B. 1.299,00."),
        ("warranty_until", "2024-01-01", "Die Garantie kann nicht vor dem Kaufdatum enden."),
        (
            "category",
            "toaster",
            "Keine gültige Auswahl. Erlaubt: Laptop, Tablet, Desktop-PC, Interaktives Display, "
            "Beamer, Dokumentenkamera, Access Point, Switch, Router/Firewall, Server, Drucker, "
            "Sonstiges.",
        ),
        ("purchase_date", "31.02.2025", "Kein gültiges Datum."),
    ],
)
def test_invalid_new_device_shows_german_error_at_field_and_writes_nothing(
    admin_client, school, field, value, message
):
    response = admin_client.post(
        f"/schools/{school.school_number}/devices/new", data=device_data(**{field: value})
    )
    assert response.status_code == 422
    assert field_error(response.get_data(True), field) == message
    assert device_count() == 0


def test_duplicate_inventory_number_is_a_german_field_error(admin_client, school, make_device):
    make_device(school, inventory_number="BO-2026-0001")
    response = admin_client.post(f"/schools/{school.school_number}/devices/new", data=device_data())
    assert response.status_code == 422
    assert (
        field_error(response.get_data(True), "inventory_number")
        == "Ein Gerät mit dieser Inventarnummer gibt es bereits."
    )
    assert device_count() == 1


def test_duplicate_of_another_schools_device_is_refused_too(
    admin_client, school, make_school, make_device
):
    make_device(make_school(), inventory_number="BO-2026-0001")
    response = admin_client.post(f"/schools/{school.school_number}/devices/new", data=device_data())
    assert response.status_code == 422
    assert device_count() == 1


def test_duplicate_caught_at_commit_becomes_the_field_error(
    admin_client, school, make_device, monkeypatch
):
    """Two people saving the same number at once: the form check passes for both, the unique
    index refuses the second at commit; that must be the field error, never a 500."""
    from inventory import service

    make_device(school, inventory_number="BO-2026-0001")
    monkeypatch.setattr(service, "_refuse_duplicate", lambda kind, cleaned, record=None: None)
    response = admin_client.post(f"/schools/{school.school_number}/devices/new", data=device_data())
    assert response.status_code == 422
    assert (
        field_error(response.get_data(True), "inventory_number")
        == "Ein Gerät mit dieser Inventarnummer gibt es bereits."
    )
    assert device_count() == 1


def test_site_of_another_school_is_not_a_valid_choice(admin_client, school, make_school):
    foreign_site = make_school().main_site
    response = admin_client.post(
        f"/schools/{school.school_number}/devices/new",
        data=device_data(site=str(foreign_site.id)),
    )
    assert response.status_code == 422
    assert device_count() == 0


# --- detail, edit ------------------------------------------------------------------------


def test_detail_shows_all_fields_and_history(admin_client, school, make_device):
    device = make_device(
        school,
        inventory_number="BO-7",
        manufacturer="Apple",
        model="iPad 10",
        serial_number="XYZ",
        room="B 2",
        price=Decimal("1299.5"),
        purchase_date=dt.date(2025, 3, 4),
        funding="foerderverein",
        notes="Koffer 3",
    )
    html = admin_client.get(f"/devices/{device.inventory_number}").get_data(True)
    for text in (
        "BO-7",
        "Laptop",
        "Apple",
        "iPad 10",
        "XYZ",
        "B 2",
        "1.299,50\u00a0€",
        "04.03.2025",
    ):
        assert text in html
    assert "Förderverein" in html
    assert "Koffer 3" in html
    assert "angelegt" in html  # the history's create entry


def test_edit_form_is_filled_with_the_device(admin_client, school, make_device):
    device = make_device(school, manufacturer="HP", price=Decimal("10.00"))
    html = admin_client.get(f"/devices/{device.inventory_number}/edit").get_data(True)
    assert 'value="HP"' in html
    assert f'name="version" type="hidden" value="{device.version}"' in html
    assert "Verlauf" in html


def test_valid_edit_saves_and_is_in_the_history(admin_client, school, make_device):
    device = make_device(school, inventory_number="BO-1")
    data = device_data(inventory_number="BO-1", room="C 3", version=str(device.version))
    response = admin_client.post("/devices/BO-1/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Device, device.id).room == "C 3"
    html = admin_client.get("/devices/BO-1/edit").get_data(True)
    assert "C 3" in html
    assert "geändert" in html


def test_invalid_edit_writes_nothing(admin_client, school, make_device):
    device = make_device(school, inventory_number="BO-1", room="A 1")
    data = device_data(inventory_number="BO-1", room="Z 9", price="-5", version="1")
    response = admin_client.post("/devices/BO-1/edit", data=data)
    assert response.status_code == 422
    assert "Z 9" in response.get_data(True)  # the user's input is kept
    db.session.expire_all()
    assert db.session.get(Device, device.id).room == "A 1"


def test_edit_to_existing_inventory_number_is_refused(admin_client, school, make_device):
    make_device(school, inventory_number="BO-1")
    device = make_device(school, inventory_number="BO-2")
    response = admin_client.post(
        "/devices/BO-2/edit", data=device_data(inventory_number="BO-1", version="1")
    )
    assert response.status_code == 422
    assert "Ein Gerät mit dieser Inventarnummer gibt es bereits." in response.get_data(True)
    db.session.expire_all()
    assert db.session.get(Device, device.id).inventory_number == "BO-2"


def test_second_of_two_concurrent_edits_is_refused(
    client, make_app, login, make_user, school, make_device
):
    device = make_device(school, inventory_number="BO-1", room="A 1")
    user_a = make_user("school_admin", schools=[school], email="anna@schule.example.org")
    user_b = make_user("school_admin", schools=[school], email="bernd@schule.example.org")
    first = login(user_a, client=client)
    second = login(user_b, client=client.application.test_client())
    # Both open the same edit form (same version).
    for browser in (first, second):
        assert 'name="version" type="hidden" value="1"' in browser.get(
            "/devices/BO-1/edit"
        ).get_data(True)
    assert (
        first.post(
            "/devices/BO-1/edit",
            data=device_data(inventory_number="BO-1", room="Erster", version="1"),
        ).status_code
        == 302
    )
    response = second.post(
        "/devices/BO-1/edit", data=device_data(inventory_number="BO-1", room="Zweiter", version="1")
    )
    assert response.status_code == 409
    html = response.get_data(True)
    assert (
        "Dieses Gerät wurde inzwischen von anna@schule.example.org geändert. Ihre Änderungen "
        "wurden nicht gespeichert; unten sehen Sie den aktuellen Stand." in html
    )
    assert 'value="Erster"' in html  # the form shows the current state
    assert 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(Device, device.id).room == "Erster"
    assert db.session.get(Device, device.id).version == 2


# --- delete ------------------------------------------------------------------------------


def test_delete_get_shows_confirmation_and_deletes_nothing(admin_client, school, make_device):
    make_device(school, inventory_number="BO-1")
    response = admin_client.get("/devices/BO-1/delete")
    assert response.status_code == 200
    assert "BO-1" in response.get_data(True)
    assert 'method="post"' in response.get_data(True)
    assert device_count() == 1


def test_delete_post_deletes_and_is_audited(admin_client, school, make_device):
    make_device(school, inventory_number="BO-1")
    response = admin_client.post("/devices/BO-1/delete")
    assert response.status_code == 302
    assert device_count() == 0
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_id == "BO-1")
    ).all()
    assert "delete" in actions
    assert "Gerät BO-1 wurde gelöscht." in admin_client.get(response.location).get_data(True)


def test_delete_needs_csrf_token(make_app, login, make_user, school, make_device):
    app = make_app(WTF_CSRF_ENABLED=True)
    make_device(school, inventory_number="BO-1")
    browser = app.test_client()
    user = make_user("school_admin", schools=[school])
    page = browser.get("/login").get_data(True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    browser.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": token},
    )
    assert browser.post("/devices/BO-1/delete").status_code == 400
    assert device_count() == 1


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["/devices/{n}", "/devices/{n}/edit", "/devices/{n}/delete"])
def test_other_schools_device_is_404(admin_client, make_school, make_device, method, path):
    other = make_device(make_school(), inventory_number="OTHER-1", room="X")
    response = getattr(admin_client, method)(
        path.format(n=other.inventory_number),
        data=device_data(inventory_number="OTHER-1", room="Y", version="1"),
    )
    assert response.status_code == 404 if not (method == "post" and path == "/devices/{n}") else 405
    db.session.expire_all()
    assert db.session.get(Device, other.id).room == "X"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["/schools/{n}/devices/", "/schools/{n}/devices/new"])
def test_other_schools_device_pages_are_404(admin_client, make_school, method, path):
    other = make_school()
    response = getattr(admin_client, method)(path.format(n=other.school_number), data=device_data())
    assert response.status_code == (405 if method == "post" and path.endswith("devices/") else 404)
    assert device_count() == 0


def test_signed_out_user_is_sent_to_login(client, school):
    response = client.get(f"/schools/{school.school_number}/devices/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_department_sees_every_schools_devices(client, login_as, school, make_device):
    make_device(school, inventory_number="BO-1")
    login_as("department")
    assert "BO-1" in client.get(f"/schools/{school.school_number}/devices/").get_data(True)


def test_edit_form_shows_the_price_with_a_decimal_comma(admin_client, school, make_device):
    device = make_device(school, price=Decimal("1299.5"))
    html = admin_client.get(f"/devices/{device.inventory_number}/edit").get_data(True)
    assert 'inputmode="decimal"' in html
    assert 'value="1299,50"' in html

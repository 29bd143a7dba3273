"""The network link and offering forms: new, edit (with optimistic locking), delete, access."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from inventory.models import NetworkLink, Offering
from tests.inventory.test_device_views import field_error


def link_data(**overrides) -> dict:
    data = {
        "site": "",
        "provider": "Stadtwerke Bochum",
        "technology": "fibre",
        "down_mbps": "1000",
        "up_mbps": "500",
        "status": "planned",
        "planned_date": "2026-12-01",
        "active_since": "",
        "contract_end": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def offering_data(**overrides) -> dict:
    data = {
        "learning_level": "sek1",
        "kind": "tablet_class_set",
        "description": "iPad-Koffer Jahrgang 7",
        "status": "available",
        "since": "2025-09-01",
    }
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.fixture
def school(make_school):
    return make_school()


@pytest.fixture
def admin_client(client, login_as, school):
    login_as("school_admin", school=school)
    return client


# --- network links -----------------------------------------------------------------------


def test_new_link_is_written_on_the_main_site(admin_client, school):
    html = admin_client.get(f"/schools/{school.school_number}/links/new").get_data(True)
    assert "Netzanbindung hinzufügen" in html
    assert "Download (Mbit/s)" in html
    response = admin_client.post(f"/schools/{school.school_number}/links/new", data=link_data())
    assert response.status_code == 302
    link = db.session.scalar(sa.select(NetworkLink))
    assert (link.down_mbps, link.up_mbps, link.status) == (1000, 500, "planned")
    assert link.site_id == school.main_site.id
    assert link.planned_date == dt.date(2026, 12, 1)
    assert "Die Netzanbindung wurde hinzugefügt." in admin_client.get(response.location).get_data(
        True
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("down_mbps", "0", "Muss zwischen 1 und 100000 liegen."),
        ("up_mbps", "abc", "Keine gültige, ganze Zahl."),
        ("technology", "", "Dieses Feld ist erforderlich."),
        (
            "status",
            "broken",
            "Keine gültige Auswahl. Erlaubt: Geplant, Bestellt, Aktiv, Gekündigt.",
        ),
    ],
)
def test_invalid_new_link_shows_german_error_and_writes_nothing(
    admin_client, school, field, value, message
):
    response = admin_client.post(
        f"/schools/{school.school_number}/links/new", data=link_data(**{field: value})
    )
    assert response.status_code == 422
    assert field_error(response.get_data(True), field) == message
    assert count(NetworkLink) == 0


def test_link_edit_saves_and_shows_history(admin_client, school, make_link):
    link = make_link(school, down_mbps=100)
    html = admin_client.get(f"/links/{link.id}/edit").get_data(True)
    assert 'value="100"' in html
    assert "Verlauf" in html
    assert f"/links/{link.id}/delete" in html
    response = admin_client.post(
        f"/links/{link.id}/edit", data=link_data(down_mbps="2000", status="active", version="1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(NetworkLink, link.id).down_mbps == 2000
    html = admin_client.get(f"/links/{link.id}/edit").get_data(True)
    assert "100 → 2.000" in html  # formatted as the UI shows numbers


def test_invalid_link_edit_writes_nothing(admin_client, school, make_link):
    link = make_link(school, down_mbps=100)
    response = admin_client.post(
        f"/links/{link.id}/edit", data=link_data(down_mbps="0", version="1")
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(NetworkLink, link.id).down_mbps == 100


def test_stale_link_edit_is_refused(client, login, make_user, school, make_link):
    link = make_link(school, provider="Alt")
    anna = make_user("school_admin", schools=[school], email="anna@schule.example.org")
    bernd = make_user("school_admin", schools=[school], email="bernd@schule.example.org")
    first = login(anna, client=client)
    second = login(bernd, client=client.application.test_client())
    assert (
        first.post(
            f"/links/{link.id}/edit", data=link_data(provider="Erster", version="1")
        ).status_code
        == 302
    )
    response = second.post(
        f"/links/{link.id}/edit", data=link_data(provider="Zweiter", version="1")
    )
    assert response.status_code == 409
    assert (
        "Diese Netzanbindung wurde inzwischen von anna@schule.example.org geändert."
        in response.get_data(True)
    )
    db.session.expire_all()
    assert db.session.get(NetworkLink, link.id).provider == "Erster"


def test_link_delete_only_by_post(admin_client, school, make_link):
    link = make_link(school)
    page = admin_client.get(f"/links/{link.id}/delete")
    assert page.status_code == 200
    assert "Netzanbindung löschen?" in page.get_data(True)
    assert count(NetworkLink) == 1
    assert admin_client.post(f"/links/{link.id}/delete").status_code == 302
    assert count(NetworkLink) == 0


# --- offerings ---------------------------------------------------------------------------


def test_new_offering_is_written(admin_client, school):
    response = admin_client.post(
        f"/schools/{school.school_number}/offerings/new", data=offering_data()
    )
    assert response.status_code == 302
    offering = db.session.scalar(sa.select(Offering))
    assert (offering.kind, offering.learning_level) == ("tablet_class_set", "sek1")
    assert offering.since == dt.date(2025, 9, 1)
    assert "Das Angebot wurde hinzugefügt." in admin_client.get(response.location).get_data(True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("learning_level", "", "Dieses Feld ist erforderlich."),
        ("kind", "", "Dieses Feld ist erforderlich."),
        ("since", "gestern", "Kein gültiges Datum."),
        ("description", "x" * 501, "Höchstens 500 Zeichen (hier 501)."),
    ],
)
def test_invalid_new_offering_shows_german_error_and_writes_nothing(
    admin_client, school, field, value, message
):
    response = admin_client.post(
        f"/schools/{school.school_number}/offerings/new", data=offering_data(**{field: value})
    )
    assert response.status_code == 422
    assert field_error(response.get_data(True), field) == message
    assert count(Offering) == 0


def test_offering_edit_saves(admin_client, school, make_offering):
    offering = make_offering(school, description="Alt")
    html = admin_client.get(f"/offerings/{offering.id}/edit").get_data(True)
    assert 'value="Alt"' in html
    response = admin_client.post(
        f"/offerings/{offering.id}/edit", data=offering_data(description="Neu", version="1")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).description == "Neu"


def test_stale_offering_edit_is_refused(admin_client, school, make_offering):
    offering = make_offering(school, description="Alt")
    offering.description = "Von jemand anderem"
    db.session.commit()  # version 2 now
    response = admin_client.post(
        f"/offerings/{offering.id}/edit", data=offering_data(description="Meins", version="1")
    )
    assert response.status_code == 409
    html = response.get_data(True)
    assert "Dieses Angebot wurde inzwischen von" in html
    assert 'value="Von jemand anderem"' in html
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).description == "Von jemand anderem"


def test_edit_without_version_applies_to_the_current_record(admin_client, school, make_offering):
    """One meaning of "no version" in every channel (app/saving.py): the change applies."""
    offering = make_offering(school, description="Alt")
    response = admin_client.post(
        f"/offerings/{offering.id}/edit", data=offering_data(description="Meins")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Offering, offering.id).description == "Meins"


def test_offering_delete_only_by_post(admin_client, school, make_offering):
    offering = make_offering(school)
    page = admin_client.get(f"/offerings/{offering.id}/delete")
    assert "Angebot löschen?" in page.get_data(True)
    assert count(Offering) == 1
    assert admin_client.post(f"/offerings/{offering.id}/delete").status_code == 302
    assert count(Offering) == 0


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["edit", "delete"])
def test_other_schools_link_and_offering_are_404(
    admin_client, make_school, make_link, make_offering, method, action
):
    other = make_school()
    link = make_link(other, provider="Fremd")
    offering = make_offering(other, description="Fremd")
    send = getattr(admin_client, method)
    assert send(f"/links/{link.id}/{action}", data=link_data(version="1")).status_code == 404
    assert (
        send(f"/offerings/{offering.id}/{action}", data=offering_data(version="1")).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(NetworkLink, link.id).provider == "Fremd"
    assert db.session.get(Offering, offering.id).description == "Fremd"


@pytest.mark.parametrize("method", ["get", "post"])
def test_new_link_and_offering_for_other_school_are_404(admin_client, make_school, method):
    other = make_school()
    send = getattr(admin_client, method)
    assert send(f"/schools/{other.school_number}/links/new", data=link_data()).status_code == 404
    assert (
        send(f"/schools/{other.school_number}/offerings/new", data=offering_data()).status_code
        == 404
    )
    assert count(NetworkLink) == 0
    assert count(Offering) == 0


def test_unknown_ids_are_404(admin_client):
    assert admin_client.get("/links/999999/edit").status_code == 404
    assert admin_client.get("/offerings/999999/delete").status_code == 404
    assert admin_client.get("/devices/NOPE/edit").status_code == 404

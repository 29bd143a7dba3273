"""History belongs to the record, inside its school: a reused inventory number, school
number or id shows only its own history; a renamed record keeps its history."""

import sqlalchemy as sa

from app.audit import AuditEntry, history_of
from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from tests.inventory.test_device_views import device_data
from tests.inventory.test_import_helpers import csv_bytes

SECRET = "Tresor im Keller von Schule B"


def _edit_device(client, device: Device, **changes):
    data = device_data(
        **{"inventory_number": device.inventory_number, "version": str(device.version), **changes}
    )
    response = client.post(f"/devices/{device.inventory_number}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def test_reused_inventory_number_shows_only_its_own_history(
    client, app, login_as, make_school, make_device
):
    school_a, school_b = make_school(), make_school()
    client_b = app.test_client()
    admin_b = login_as("school_admin", school=school_b, client=client_b)
    old = make_device(school_b, inventory_number="REUSE-0001")
    _edit_device(client_b, old, notes=SECRET, room="Keller 7")
    assert client_b.post("/devices/REUSE-0001/delete").status_code == 302

    admin_a = login_as("school_admin", school=school_a)
    response = client.post(
        f"/schools/{school_a.school_number}/devices/new",
        data=device_data(inventory_number="REUSE-0001", notes="", room=""),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    page = client.get("/devices/REUSE-0001").get_data(as_text=True)
    assert admin_a.email in page
    assert SECRET not in page and "Keller 7" not in page and admin_b.email not in page


def test_renamed_device_keeps_its_history_and_the_old_number_starts_afresh(
    client, login_as, make_school, make_device
):
    school = make_school()
    login_as("school_admin", school=school)
    device = make_device(school, inventory_number="OLD-1")
    _edit_device(client, device, notes=SECRET)
    db.session.refresh(device)
    _edit_device(client, device, inventory_number="NEW-1", notes=SECRET)
    renamed = client.get("/devices/NEW-1").get_data(as_text=True)
    assert SECRET in renamed and "OLD-1 → NEW-1" in renamed

    make_device(school, inventory_number="OLD-1")
    fresh = client.get("/devices/OLD-1").get_data(as_text=True)
    assert SECRET not in fresh and "NEW-1" not in fresh


def test_deleted_link_id_is_never_given_again(app, make_school, make_link):
    school_a, school_b = make_school(), make_school()
    make_link(school_a)
    old = make_link(school_b, provider="Geheimnetz B")
    old_id = old.id
    db.session.delete(old)
    db.session.commit()
    new = make_link(school_a, provider="Stadtwerke")
    assert new.id > old_id
    assert all(
        e.changes.get("provider", [None, None])[1] != "Geheimnetz B" for e in history_of(new)
    )


def test_deleted_offering_id_is_never_given_again(app, make_school, make_offering):
    school = make_school()
    old = make_offering(school, description="alt")
    old_id = old.id
    db.session.delete(old)
    db.session.commit()
    assert make_offering(school, description="neu").id > old_id


def test_import_never_reuses_the_id_of_a_deleted_link(
    app, runner, tmp_path, make_school, make_link
):
    school_a, school_b = make_school(), make_school()
    old = make_link(school_b, provider="Geheimnetz B")
    old_id = old.id
    db.session.delete(old)
    db.session.commit()
    path = tmp_path / "links.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["school_number", "provider", "technology", "down_mbps", "up_mbps", "status"],
                [school_a.school_number, "Stadtwerke", "fibre", "1000", "1000", "active"],
            ]
        )
    )
    result = runner.invoke(args=["import", "links", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    (imported,) = db.session.scalars(
        sa.select(NetworkLink).where(NetworkLink.school_id == school_a.id)
    ).all()
    assert imported.id > old_id
    assert [e.action for e in history_of(imported)] == ["create"]


def test_reused_school_number_shows_only_the_new_schools_history(
    client, login_as, make_school, make_device
):
    old = make_school("765432", name="Alte Schule")
    make_device(old, inventory_number="GONE-1", notes=SECRET)
    db.session.delete(old)
    db.session.commit()
    make_school("765432", name="Neue Schule")
    login_as("department")
    html = client.get("/schools/765432/history").get_data(as_text=True)
    assert "Neue Schule" in html
    assert "Alte Schule" not in html and "GONE-1" not in html and SECRET not in html


def test_history_of_a_record_stays_inside_its_school(app, make_school, make_offering):
    school_a, school_b = make_school(), make_school()
    offering = make_offering(school_a)
    # An entry that names the same table and id but another school is not this record's.
    db.session.add(
        AuditEntry(
            actor="x@b.de",
            action="update",
            object_type="offerings",
            object_id=str(offering.id),
            record_id=offering.id,
            school_id=school_b.id,
            school_number=school_b.school_number,
            changes={"description": [SECRET, "x"]},
        )
    )
    db.session.commit()
    assert [e.actor for e in history_of(offering)] == ["system"]
    assert db.session.get(Offering, offering.id) is not None

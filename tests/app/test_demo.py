import sqlalchemy as sa

from app.audit import acting_as
from app.demo import seed_demo
from app.extensions import db


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_seed_demo_loads_bochum_and_is_idempotent(app):
    with acting_as("test"):
        seed_demo()
    first = _row_counts()
    assert first["schools"] == 97
    assert first["school_years"] == 7
    assert first["sites"] > 97
    assert first["devices"] > 1000 and first["network_links"] >= first["sites"]
    assert first["users"] == 3
    with acting_as("test"):
        seed_demo()
    assert _row_counts() == first


def test_seed_demo_marks_its_data_as_demo(app):
    from inventory.models import Device
    from schools.models import School

    with acting_as("test"):
        seed_demo()
    assert db.session.scalar(sa.select(sa.func.count()).where(~School.is_demo)) == 0
    notes = set(db.session.scalars(sa.select(Device.notes).distinct()))
    assert notes == {"DEMO-Daten"}
    emails = db.session.scalars(sa.select(School.it_contact_email)).all()
    assert all(email.endswith("@schulen.example.org") for email in emails)

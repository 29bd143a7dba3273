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


def test_seed_demo_fills_the_school_attributes_from_the_shipped_data(app):
    from decimal import Decimal

    from schools.models import School, Site

    with acting_as("test"):
        seed_demo()

    def count(*criteria) -> int:
        return db.session.scalar(sa.select(sa.func.count(School.id)).where(*criteria))

    assert count(School.operator == "private") == 14
    assert count(School.operator == "other_public") == 3  # the LWL-Förderschulen
    assert count(School.sozialindex.is_not(None)) == 66
    assert count(School.startchancen) == 19
    assert count(School.lat.is_(None)) == 0
    alice = db.session.scalar(sa.select(School).where(School.school_number == "179681"))
    assert (alice.lat, alice.lon) == (Decimal("51.479065"), Decimal("7.233909"))
    assert (alice.main_site.lat, alice.main_site.lon) == (alice.lat, alice.lon)
    annex = next(site for site in alice.sites if site.street == "Von-der-Recke-Str. 53")
    assert (annex.lat, annex.lon) == (Decimal("51.490918"), Decimal("7.187960"))
    assert db.session.scalar(sa.select(sa.func.count(Site.id)).where(Site.lat.is_(None))) == 0


def test_seed_demo_gives_older_demo_schools_their_attributes(app):
    from schools.models import School, Site

    with acting_as("test"):
        seed_demo()
    # a demo city seeded before the attributes existed
    db.session.execute(sa.update(Site).values(lat=None, lon=None))
    db.session.execute(sa.update(School).values(lat=None, lon=None, sozialindex=None))
    db.session.commit()
    with acting_as("test"):
        summary = seed_demo()
    assert "Schulen mit ihren Merkmalen ergänzt: 97" in summary
    assert db.session.scalar(sa.select(sa.func.count()).where(School.lat.is_(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(School.sozialindex > 0)) == 66
    main_sites = sa.select(sa.func.count(Site.id)).where(Site.is_main, Site.lat.is_(None))
    assert db.session.scalar(main_sites) == 0

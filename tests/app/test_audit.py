"""The audit log: every create/update/delete is recorded in the same transaction."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_login import login_user

from app.audit import AuditEntry, acting_as, history_of, history_of_school, record
from app.extensions import db
from app.users import ApiToken, User
from inventory.models import Device


def _entries(**criteria) -> list[AuditEntry]:
    db.session.expire_all()
    stmt = sa.select(AuditEntry).filter_by(**criteria).order_by(AuditEntry.id)
    return db.session.scalars(stmt).all()


def _committed_entry_count() -> int:
    """Counted on a separate connection: sees only what is committed."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_device_create_in_a_request_names_the_signed_in_user(app, make_school, make_user):
    school = make_school()
    user = make_user(role="school_admin", schools=[school])
    with app.test_request_context("/"):
        login_user(user)
        db.session.add(
            Device(
                school=school,
                site=school.main_site,
                inventory_number="AUD-1",
                category="tablet",
                status="in_use",
                price=Decimal("1299.00"),
                purchase_date=dt.date(2025, 8, 1),
            )
        )
        db.session.commit()
    [entry] = _entries(object_type="devices")
    assert (entry.action, entry.object_id) == ("create", "AUD-1")
    assert (entry.actor, entry.user_id) == (user.email, user.id)
    assert entry.school_number == school.school_number
    assert entry.changes["category"] == [None, "tablet"]
    assert entry.changes["price"] == [None, "1299.00"]
    assert entry.changes["purchase_date"] == [None, "2025-08-01"]
    assert "version" not in entry.changes


def test_device_update_records_old_and_new_values_only_of_changed_fields(
    app, make_school, make_device
):
    school = make_school()
    device = make_device(school, inventory_number="AUD-2", status="in_use", room="101")
    device.status = "in_repair"
    device.room = "101"  # unchanged value: not logged
    db.session.commit()
    [entry] = _entries(object_type="devices", action="update")
    assert entry.object_id == "AUD-2"
    assert entry.school_number == school.school_number
    assert entry.changes == {"status": ["in_use", "in_repair"]}
    assert (entry.actor, entry.user_id) == ("system", None)


def test_device_delete_records_the_last_values(app, make_school, make_device):
    school = make_school()
    device = make_device(school, inventory_number="AUD-3", manufacturer="Lenovo")
    with acting_as("cli"):
        db.session.delete(device)
        db.session.commit()
    [entry] = _entries(object_type="devices", action="delete")
    assert (entry.object_id, entry.actor) == ("AUD-3", "cli")
    assert entry.school_number == school.school_number
    assert entry.changes["manufacturer"] == ["Lenovo", None]
    assert entry.changes["inventory_number"] == ["AUD-3", None]


def test_update_in_a_request_and_delete_through_the_session_directly(
    app, make_school, make_device, make_user
):
    school = make_school()
    user = make_user(role="department")
    device = make_device(school, inventory_number="AUD-4", room="1")
    with app.test_request_context("/"):
        login_user(user)
        device.room = "2"
        db.session.commit()
    db.session.execute(sa.delete(Device).where(Device.id == -1))  # a no-op bulk statement
    db.session.delete(db.session.get(Device, device.id))
    db.session.commit()
    entries = _entries(object_type="devices", object_id="AUD-4")
    assert [(e.action, e.actor) for e in entries] == [
        ("create", "system"),
        ("update", user.email),
        ("delete", "system"),
    ]


def test_entry_is_written_in_the_same_transaction(app, make_school):
    school = make_school()
    before = _committed_entry_count()
    db.session.add(
        Device(school=school, inventory_number="AUD-5", category="laptop", status="in_use")
    )
    db.session.flush()
    # Visible inside the transaction, not yet outside it.
    inside = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.object_id == "AUD-5")
    )
    assert inside == 1
    assert _committed_entry_count() == before
    db.session.commit()
    assert _committed_entry_count() == before + 1


def test_rolled_back_change_leaves_no_entry(app, make_school, make_device):
    school = make_school()
    device = make_device(school, inventory_number="AUD-6", room="A")
    count = len(_entries())
    device.room = "B"
    db.session.add(
        Device(school=school, inventory_number="AUD-7", category="laptop", status="in_use")
    )
    db.session.flush()
    db.session.rollback()
    assert len(_entries()) == count
    assert db.session.get(Device, device.id).room == "A"
    # After the rollback the session logs normally again (nothing stale is left pending).
    device.room = "C"
    db.session.commit()
    assert _entries(action="update")[-1].changes == {"room": ["A", "C"]}


def test_failed_flush_leaves_no_entry(app, make_school, make_device):
    school = make_school()
    make_device(school, inventory_number="AUD-8")
    count = len(_entries())
    db.session.add(
        Device(school=school, inventory_number="AUD-8", category="laptop", status="in_use")
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(_entries()) == count


def test_record_logs_a_non_row_event(app, make_school, make_user):
    school = make_school()
    user = make_user(role="department")
    with app.test_request_context("/"):
        login_user(user)
        record("import", "devices", "geraete.xlsx", school.school_number, {"created": 12})
        db.session.commit()
    [entry] = _entries(action="import")
    assert (entry.object_type, entry.object_id) == ("devices", "geraete.xlsx")
    assert (entry.actor, entry.user_id) == (user.email, user.id)
    assert entry.school_number == school.school_number
    assert entry.changes == {"created": 12}
    assert history_of_school(school.id)[0].id == entry.id


def test_record_is_discarded_with_a_rollback(app):
    with acting_as("scheduler"):
        record("import", "devices", "x.csv")
    db.session.rollback()
    assert _entries(action="import") == []


def test_history_of_lists_one_objects_entries_newest_first(app, make_school, make_device):
    school = make_school()
    device = make_device(school, inventory_number="AUD-9", room="1")
    make_device(school, inventory_number="AUD-10")
    device.room = "2"
    db.session.commit()
    assert [e.action for e in history_of(device)] == ["update", "create"]


def test_password_and_token_hashes_never_appear_in_the_log(app, make_school):
    school = make_school()
    user = User(email="geheim@stadt.example.org", role="school_admin", schools=[school])
    user.set_password("erstes-passwort")
    db.session.add(user)
    db.session.commit()
    first_hash = user.password_hash
    user.set_password("zweites-passwort")
    _token, plain = ApiToken.issue(user, "Skript")
    db.session.commit()
    entries = _entries()
    users = [e for e in entries if e.object_type == "users"]
    assert [e.action for e in users] == ["create"]  # a password change alone logs nothing
    text = str([(e.object_id, e.changes) for e in entries])
    for secret in (first_hash, user.password_hash, plain, ApiToken.hash(plain), "scrypt:"):
        assert secret not in text
    assert all("password_hash" not in e.changes and "token_hash" not in e.changes for e in entries)

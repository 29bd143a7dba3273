"""The migration that opens the alert outbox to more kinds keeps every existing delivery:
each becomes a gigabit alert keyed by its school and school year, so a mail that was
sent is not queued again."""

import datetime as dt

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from app.model_base import utcnow
from reports import outbox

BEFORE = "40e0b9971ae0"


def test_existing_deliveries_are_kept_as_gigabit_alerts(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO schools (id, school_number, name, school_form, street, postcode,"
                " city, district, it_contact_email, learning_levels, is_demo, operator,"
                " startchancen, version) VALUES (1, '111111', 'A', 'gymnasium', '', '',"
                " 'Bochum', 'Mitte', 'it@a.de', 'sek1', false, 'city', false, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO school_years (id, start_year, label, first_school_day, version)"
                " VALUES (5, 2026, '2026/27', '2026-09-02', 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO alert_deliveries (id, kind, school_key, school_id, school_year_id,"
                " stage, recipient, status, subject, attempts, last_error, created_at,"
                " updated_at, sent_at) VALUES"
                " (1, 'school', '111111', 1, 5, 'lead-84', 'it@a.de', 'sent', 'S', 1, '',"
                "  '2026-06-10', '2026-06-10', '2026-06-10'),"
                " (2, 'digest', 'all', NULL, 5, 'lead-84', 'amt@stadt.de', 'pending', 'D', 2,"
                "  '451', '2026-06-10', '2026-06-10', NULL)"
            )
        )
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequence past them
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence('alert_deliveries', 'id'), 2)")
            )
    upgrade()

    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, alert_kind, kind, record_key, school_year_id, stage, status, attempts"
                " FROM alert_deliveries ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, "gigabit", "school", "111111:5", 5, "lead-84", "sent", 1),
        (2, "gigabit", "digest", "all:5", 5, "lead-84", "pending", 2),
    ]
    # The same mail again is no new row: the new unique key covers the old rows.
    again = {
        "alert_kind": "gigabit",
        "kind": "school",
        "school_key": "111111",
        "school_id": 1,
        "record_key": "111111:5",
        "school_year_id": 5,
        "stage": "lead-84",
        "recipient": "it@a.de",
        "subject": "S",
    }
    assert outbox.queue([again], utcnow()) == 0
    # A row of another kind has no school year.
    contract = again | {
        "alert_kind": "contract",
        "record_key": f"link:1@{dt.date(2027, 6, 30).isoformat()}",
        "school_year_id": None,
        "stage": "lead-90",
    }
    assert outbox.queue([contract], utcnow()) == 1

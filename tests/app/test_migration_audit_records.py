"""The migration that keys audit entries by record carries today's entries over: each
goes to the record that has its key now, unless it is about an earlier record with that
key (older than the key's latest "create") or about another school."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

BEFORE = "1355e42ec9b4"


def _entry(conn, entry_id, action, object_type, object_id, school_number):
    conn.execute(
        sa.text(
            "INSERT INTO audit_entries (id, created_at, actor, action, object_type, object_id,"
            " school_number, changes) VALUES (:id, '2026-01-01', 'x', :a, :t, :o, :s, '{}')"
        ),
        {"id": entry_id, "a": action, "t": object_type, "o": object_id, "s": school_number},
    )


def test_existing_entries_are_carried_over_to_their_records(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO schools (id, school_number, name, school_form, street, postcode,"
                " city, district, it_contact_email, learning_levels, is_demo,"
                " version) VALUES (1, '111111', 'A', 'gymnasium', '', '', 'Bochum', 'Mitte', '',"
                " 'sek1', false, 1), (2, '222222', 'B', 'gymnasium', '', '', 'Bochum',"
                " 'Mitte', '', 'sek1', false, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO sites (id, school_id, name, street, postcode, city, is_main, version)"
                " VALUES (1, 1, 'Haupt', '', '', 'Bochum', true, 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO devices (id, school_id, site_id, inventory_number, category, status,"
                " manufacturer, model, serial_number, room, notes, version)"
                " VALUES (7, 1, 1, 'REUSE-0001', 'laptop', 'in_use', '', '', '', '', '', 1)"
            )
        )
        # School B's old device REUSE-0001, then school A's new one.
        _entry(conn, 1, "create", "devices", "REUSE-0001", "222222")
        _entry(conn, 2, "update", "devices", "REUSE-0001", "222222")
        _entry(conn, 3, "delete", "devices", "REUSE-0001", "222222")
        _entry(conn, 4, "create", "devices", "REUSE-0001", "111111")
        _entry(conn, 5, "update", "devices", "REUSE-0001", "111111")
        # A site of school A (by id), a deleted link (gone), a school-level event.
        _entry(conn, 6, "update", "sites", "1", "111111")
        _entry(conn, 7, "delete", "network_links", "99", "222222")
        _entry(conn, 8, "update", "schools", "111111", "111111")
    upgrade()

    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, record_id, school_id FROM audit_entries ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [
            (1, None, 2),
            (2, None, 2),
            (3, None, 2),
            (4, 7, 1),
            (5, 7, 1),
            (6, 1, 1),
            (7, None, 2),
            (8, 1, 1),
        ]
        if conn.dialect.name == "sqlite":
            # The deleted link's id 99 is never handed out again (the counter may be
            # higher still: earlier tests' links counted too, and table rebuilds by later
            # migrations keep it).
            seq = conn.execute(
                sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'network_links'")
            ).scalar()
            assert seq >= 99
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM devices")).scalar() == 1

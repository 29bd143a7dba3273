"""The migration to funding programmes keeps every device's funding: the old single code
becomes one share of that programme for the whole price (amount NULL)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db

BEFORE = "40e0b9971ae0"
CODES = ["digitalpakt", "schultraeger", "foerderverein", "other", None]


def test_each_old_funding_code_becomes_a_whole_price_share_of_its_programme(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO schools (id, school_number, name, school_form, street, postcode,"
                " city, district, it_contact_email, learning_levels, is_demo,"
                " version) VALUES (1, '111111', 'A', 'gymnasium', '', '', 'Bochum', 'Mitte', '',"
                " 'sek1', false, 1)"
            )
        )
        for number, code in enumerate(CODES, start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO devices (id, school_id, inventory_number, category, status,"
                    " manufacturer, model, serial_number, room, notes, funding, price, version)"
                    " VALUES (:id, 1, :number, 'laptop', 'in_use', '', '', '', '', '', :code,"
                    " 499.99, 1)"
                ),
                {"id": number, "number": f"MIG-{number}", "code": code},
            )
    upgrade()

    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT funding_shares.device_id, funding_programmes.code, funding_shares.amount,"
                " funding_shares.grant_reference FROM funding_shares JOIN funding_programmes"
                " ON funding_programmes.id = funding_shares.programme_id"
                " ORDER BY funding_shares.device_id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, "digitalpakt", None, ""),
        (2, "schultraeger", None, ""),
        (3, "foerderverein", None, ""),
        (4, "other", None, ""),
    ]

"""The real funding programmes of Bochum's school IT: Gute Schule 2020, the DigitalPakt's
immediate equipment programmes, REACT-EU and the NRW equipment offensive

Their facts come from the public sources listed in data/SOURCE.md ("Funding
programmes"); what could not be sourced stays empty. DigitalPakt Schule gets its period.
A device's `funding` code may now name any of them (the CHECK on devices.funding).

Revision ID: c5e7a9b1d3f4
Revises: b7d2e4f6a813
Create Date: 2026-12-05 00:00:00
"""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild
from alembic import op

revision = "c5e7a9b1d3f4"
down_revision = "b7d2e4f6a813"
branch_labels = None
depends_on = None

OLD_CODES = ["digitalpakt", "schultraeger", "foerderverein", "other"]
NEW_CODES = [
    "gute_schule_2020",
    "sofortausstattung",
    "leihgeraete_lehrkraefte",
    "react_eu",
    "ausstattungsoffensive",
]
# In the order of app/codes.py FUNDING_SOURCES, as the model's CHECK lists them.
ALL_CODES = [
    "gute_schule_2020",
    "digitalpakt",
    "sofortausstattung",
    "leihgeraete_lehrkraefte",
    "react_eu",
    "ausstattungsoffensive",
    "schultraeger",
    "foerderverein",
    "other",
]
NEW_LIST = ", ".join(f"'{code}'" for code in NEW_CODES)

CAP = Decimal("500.00")
# code, name, funder, rate %, cap per device, period start, period end, binding years, notes
PROGRAMMES = [
    (
        "gute_schule_2020",
        "NRW.BANK.Gute Schule 2020",
        "Land NRW über die NRW.BANK",
        Decimal("100"),
        None,
        dt.date(2017, 1, 1),
        dt.date(2020, 12, 31),
        20,
        "Kreditkontingente von 2 Mrd. EUR (je 500 Mio. EUR 2017–2020); Tilgung und Zinsen "
        "trägt das Land, kein Eigenanteil. Zweckbindungsfrist = Darlehenslaufzeit von 20 "
        "Jahren je Tranche; hier vorsichtig ab der letzten Tranche (2020) gerechnet. "
        "Verwendungsnachweis binnen 48 Monaten nach Auszahlung der Tranche.",
    ),
    (
        "sofortausstattung",
        "Sofortausstattungsprogramm (Schülerinnen und Schüler)",
        "Bund und Land NRW (Zusatzvereinbarung DigitalPakt Schule)",
        Decimal("90"),
        CAP,
        dt.date(2020, 3, 16),
        dt.date(2020, 12, 31),
        None,
        "Mobile Endgeräte zur Ausleihe an Schülerinnen und Schüler; höchstens 500 EUR je "
        "Gerät, 10 % Eigenanteil des Schulträgers. Vorzeitiger Maßnahmenbeginn 16.03.2020, "
        "Mittel möglichst bis 31.12.2020 abzurufen. Zweckbindung: nicht belegt.",
    ),
    (
        "leihgeraete_lehrkraefte",
        "Dienstliche Endgeräte für Lehrkräfte",
        "Bund und Land NRW (Zusatzvereinbarung Leihgeräte für Lehrkräfte)",
        None,
        CAP,
        dt.date(2021, 1, 28),
        None,
        None,
        "Festbetragsfinanzierung, höchstens 500 EUR (brutto) je mobilem Endgerät; "
        "Zusatzvereinbarung in Kraft seit 28.01.2021. Ende und Zweckbindung: nicht belegt.",
    ),
    (
        "react_eu",
        "REACT-EU: Endgeräte für Schulen",
        "EU (EFRE, REACT-EU) und Land NRW",
        None,
        CAP,
        dt.date(2021, 3, 18),
        None,
        None,
        "Schulgebundene Endgeräte für Schülerinnen und Schüler an sozial benachteiligten "
        "Standorten und Berufskollegs, unentgeltlich als Leihgabe; höchstens 500 EUR je "
        "Gerät; Doppel- und Überförderung unzulässig. Anträge bis 30.06.2022.",
    ),
    (
        "ausstattungsoffensive",
        "Digitale Ausstattungsoffensive NRW (zweites Ausstattungsprogramm)",
        "Land NRW",
        None,
        CAP,
        None,
        None,
        None,
        "Endgeräte für Schülerinnen und Schüler an sozial benachteiligten Standorten und "
        "Förderschulen (184 Mio. EUR landesweit), höchstens 500 EUR je Gerät; Anträge bis "
        "30.06.2022.",
    ),
]

PROGRAMME_TABLE = sa.table(
    "funding_programmes",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("funder", sa.String),
    sa.column("rate", sa.Numeric),
    sa.column("cap_per_device", sa.Numeric),
    sa.column("period_start", sa.Date),
    sa.column("period_end", sa.Date),
    sa.column("binding_years", sa.Integer),
    sa.column("notes", sa.Text),
    sa.column("version", sa.Integer),
)


def _funding_check(batch_op, codes) -> None:
    allowed = ", ".join(f"'{code}'" for code in codes)
    batch_op.drop_constraint(op.f("ck_devices_funding_code"), type_="check")
    batch_op.create_check_constraint(
        op.f("ck_devices_funding_code"), f"funding IS NULL OR funding IN ({allowed})"
    )


def upgrade():
    with (
        sqlite_rebuild(op),
        op.batch_alter_table("devices", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op,
    ):
        _funding_check(batch_op, ALL_CODES)
    op.bulk_insert(
        PROGRAMME_TABLE,
        [
            dict(
                zip(
                    ("code", "name", "funder", "rate", "cap_per_device", "period_start")
                    + ("period_end", "binding_years", "notes"),
                    row,
                    strict=True,
                ),
                version=1,
            )
            for row in PROGRAMMES
        ],
    )
    # DigitalPakt Schule 2019 bis 2024: in force since 17.05.2019; bound to the end of the
    # fifth calendar year after the period (the binding years came with the programme).
    op.execute(
        PROGRAMME_TABLE.update()
        .where(PROGRAMME_TABLE.c.code == "digitalpakt")
        .values(period_start=dt.date(2019, 5, 17), period_end=dt.date(2024, 12, 31))
    )


def downgrade():
    op.execute(
        PROGRAMME_TABLE.update()
        .where(PROGRAMME_TABLE.c.code == "digitalpakt")
        .values(period_start=None, period_end=None)
    )
    # The old schema has no code for the new programmes: their devices lose the code and
    # the shares (which go with the programmes).
    op.execute(
        "DELETE FROM funding_shares WHERE programme_id IN"
        f" (SELECT id FROM funding_programmes WHERE code IN ({NEW_LIST}))"
    )
    op.execute(f"UPDATE devices SET funding = NULL WHERE funding IN ({NEW_LIST})")
    op.execute(f"DELETE FROM funding_programmes WHERE code IN ({NEW_LIST})")
    with (
        sqlite_rebuild(op),
        op.batch_alter_table("devices", schema=None, table_kwargs=NEVER_REUSE_IDS) as batch_op,
    ):
        _funding_check(batch_op, OLD_CODES)

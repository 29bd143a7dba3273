"""Audit entries name their record (table + id) and its school's id; SQLite never reuses ids

History was looked up by a record's public key (an inventory number, a school number, an
id), so a number or id used again showed the history of the record that had it before.
Entries now point to the record's primary key and its school's id, and ids are never
reused (AUTOINCREMENT on SQLite; PostgreSQL's sequences never reuse them anyway).

Today's entries are carried over: an entry belongs to the record that has its key now,
unless the entry is older than that key's latest "create" entry (then it is about an
earlier record with that key, which is gone) or lies in another school. Entries of
records that are gone keep record_id NULL and show on no record's page.

Revision ID: bed0074bcd94
Revises: 1355e42ec9b4
Create Date: 2026-12-02 07:59:01.982144

"""
from alembic import op
import sqlalchemy as sa

from app.migration_helpers import NEVER_REUSE_IDS, sqlite_rebuild


# revision identifiers, used by Alembic.
revision = 'bed0074bcd94'
down_revision = '1355e42ec9b4'
branch_labels = None
depends_on = None

# Tables whose entries name the record by a public key rather than its id (app/audit.py).
KEY_COLUMNS = {
    "schools": "school_number",
    "devices": "inventory_number",
    "users": "email",
    "school_years": "label",
    "alert_recipients": "email",
}
# Every table with a surrogate id, in an order where parents come before children.
ID_TABLES = [
    "alert_recipients",
    "job_runs",
    "school_years",
    "schools",
    "users",
    "alert_deliveries",
    "api_tokens",
    "audit_entries",
    "inventory_confirmations",
    "offerings",
    "sites",
    "devices",
    "network_links",
]
BATCH = 5000


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('school_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_audit_entries_object'))
        batch_op.create_index('ix_audit_entries_record', ['object_type', 'record_id'], unique=False)
        batch_op.create_index('ix_audit_entries_school_id_created_at', ['school_id', 'created_at'], unique=False)

    _carry_over_entries(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        _never_reuse_sqlite_ids(op.get_bind())


def downgrade():
    # AUTOINCREMENT stays on SQLite's tables: it changes nothing but that ids are not reused.
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_school_id_created_at')
        batch_op.drop_index('ix_audit_entries_record')
        batch_op.create_index(batch_op.f('ix_audit_entries_object'), ['object_type', 'object_id'], unique=False)
        batch_op.drop_column('school_id')
        batch_op.drop_column('record_id')


def _carry_over_entries(conn) -> None:
    tables = set(sa.inspect(conn).get_table_names())
    last_create = {
        (object_type, object_id): entry_id
        for object_type, object_id, entry_id in conn.execute(
            sa.text(
                "SELECT object_type, object_id, MAX(id) FROM audit_entries"
                " WHERE action = 'create' GROUP BY object_type, object_id"
            )
        )
    }
    # (table, key) -> (record id, the record's school id or None)
    current = {}
    for table in ID_TABLES:
        if table not in tables or table == "audit_entries":
            continue
        columns = {c["name"] for c in sa.inspect(conn).get_columns(table)}
        key = KEY_COLUMNS.get(table, "id")
        school = "id" if table == "schools" else ("school_id" if "school_id" in columns else "NULL")
        for record_id, record_key, school_id in conn.execute(
            sa.text(f"SELECT id, {key}, {school} FROM {table}")
        ):
            current[(table, str(record_key))] = (record_id, school_id)
    school_ids = {
        number: school_id for (table, number), (school_id, _) in current.items() if table == "schools"
    }

    def school_of(entry_id, number):
        """The id of the school the entry's number names, if the entry is about that school
        (not about an earlier school with the same number)."""
        if number is None or number not in school_ids:
            return None
        if entry_id < last_create.get(("schools", number), 0):
            return None
        return school_ids[number]

    update = sa.text("UPDATE audit_entries SET record_id = :r, school_id = :s WHERE id = :i")
    last_id = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, object_type, object_id, school_number FROM audit_entries"
                " WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            break
        changes = []
        for entry_id, object_type, object_id, number in rows:
            school_id = school_of(entry_id, number)
            record_id = None
            found = current.get((object_type, object_id))
            if found is not None and entry_id >= last_create.get((object_type, object_id), 0):
                candidate, record_school = found
                if record_school is None or record_school == school_id:
                    record_id = candidate
            if record_id is not None or school_id is not None:
                changes.append({"r": record_id, "s": school_id, "i": entry_id})
        if changes:
            conn.execute(update, changes)
        last_id = rows[-1][0]


def _never_reuse_sqlite_ids(conn) -> None:
    """Rebuild SQLite's tables with AUTOINCREMENT (only a new table can have it), with
    foreign keys off and checked afterwards (app/migration_helpers.sqlite_rebuild)."""
    with sqlite_rebuild(op):
        for table in ID_TABLES:
            with op.batch_alter_table(table, recreate="always", table_kwargs=NEVER_REUSE_IDS):
                pass
        # Ids seen in the log of rows deleted before today are not handed out either.
        for table in ID_TABLES:
            if table in KEY_COLUMNS:
                continue
            highest = conn.execute(
                sa.text(
                    "SELECT MAX(CAST(object_id AS INTEGER)) FROM audit_entries"
                    " WHERE object_type = :t AND object_id NOT GLOB '*[^0-9]*' AND object_id != ''"
                ),
                {"t": table},
            ).scalar()
            if highest:
                _raise_sequence(conn, table, int(highest))


def _raise_sequence(conn, table: str, value: int) -> None:
    current = conn.execute(
        sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}
    ).scalar()
    if current is None:
        conn.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :v)"), {"t": table, "v": value})
    elif current < value:
        conn.execute(sa.text("UPDATE sqlite_sequence SET seq = :v WHERE name = :t"), {"t": table, "v": value})

"""Building blocks shared by the models: code checks and optimistic locking."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# A table's last element of __table_args__: SQLite then never hands out the id of a deleted
# row again (AUTOINCREMENT), as PostgreSQL's sequences never do. An id names one record for
# good, so the audit log of a deleted record never shows on a new one.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def code_check(column: str, codes, nullable: bool = False) -> sa.CheckConstraint:
    """A CHECK that a column holds one of the codes (named <column>_code)."""
    allowed = ", ".join(f"'{code}'" for code in codes)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=f"{column}_code")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps `version`; a stale one fails."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}

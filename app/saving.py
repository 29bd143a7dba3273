"""Saving a change in one transaction with optimistic locking: the one mechanism that
the web forms, the API and the settings pages share. Nothing is ever half-written."""

import contextlib

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db


class StaleVersionError(Exception):
    """The record was changed by someone else since it was loaded."""


class SaveConflictError(Exception):
    """The database refused the change (e.g. a unique key taken meanwhile)."""


def check_version(record, version: int | None) -> None:
    """An edit must be based on the record's current version (new records pass)."""
    if record.id is not None and version != record.version:
        raise StaleVersionError()


@contextlib.contextmanager
def saving():
    """Commit what the block changed. A concurrent change (the UPDATE's version check
    fails) or a unique key taken meanwhile rolls everything back and is raised as
    StaleVersionError / SaveConflictError."""
    try:
        yield
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleVersionError() from error
    except IntegrityError as error:
        db.session.rollback()
        raise SaveConflictError(str(error.orig)) from error


def commit() -> None:
    with saving():
        pass

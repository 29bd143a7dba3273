"""Who owns the transaction: the caller of a write service (a web view, an API view, an
import run, the seed, a CLI command) wraps its calls in saving(), which commits once.
The services themselves only flush. Nothing is ever half-written.

The one meaning of a version, for every channel: a caller that names the version it
read (a web form's hidden field, an API body's `version` or `If-Match`) is refused with
StaleVersionError when the record has moved on since; a caller that names none (an API
client that knows no versions, the import, the seed) applies its change to the current
record. Either way, a concurrent change between our read and our commit is caught by
the UPDATE's version check (version_id_col) and refused as well.
"""

import contextlib

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import SaveConflictError, StaleVersionError
from app.extensions import db

__all__ = ["SaveConflictError", "StaleVersionError", "check_version", "commit", "saving"]


def check_version(record, version: int | None) -> None:
    """Refuse a change based on another version than the record's current one (see above)."""
    if record.id is not None and version is not None and version != record.version:
        raise StaleVersionError()


@contextlib.contextmanager
def saving():
    """Commit what the block changed. A concurrent change (the UPDATE's version check
    fails) or a unique key taken meanwhile rolls everything back and is raised as
    StaleVersionError / SaveConflictError; any other error rolls back and propagates."""
    try:
        yield
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise StaleVersionError() from error
    except IntegrityError as error:
        db.session.rollback()
        raise SaveConflictError(str(error.orig)) from error
    except BaseException:
        db.session.rollback()
        raise


def commit() -> None:
    with saving():
        pass

"""The domain errors every write service raises and every channel maps to its own answer
(a field error on a web form, a 4xx JSON answer in the API, a row error in the import)."""


class DomainError(Exception):
    """A write was refused; nothing was written."""


class InvalidFieldsError(DomainError):
    """One or more fields break their rules: {field code: [messages]}."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in fields.items()))
        self.fields = fields


class DuplicateError(DomainError):
    """A natural key (school number, inventory number, school year) is taken."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class StaleVersionError(DomainError):
    """The record was changed by someone else since the caller read it."""


class SaveConflictError(DomainError):
    """The database refused the change at commit (e.g. a unique key taken meanwhile)."""


class MainSiteNotDeletableError(DomainError):
    """The main site of a school cannot be deleted; make another site main first."""


class NoSchoolYearError(DomainError):
    """There is no (upcoming) school year to attach the change to."""

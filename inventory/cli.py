"""CLI commands of the inventory package: flask import KIND FILE [--school N] [--dry-run]."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.audit import acting_as
from app.extensions import db
from app.i18n import cli_messages
from inventory.importer import (
    KINDS,
    ImportRefusedError,
    ImportScope,
    analyse,
    apply,
)
from schools.models import School


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--school",
    "school_number",
    default=None,
    help="School number: rows without one belong to it, rows of other schools are refused.",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_command(kind: str, file: Path, school_number: str | None, dry_run: bool) -> None:
    """Import schools, sites, devices, links or offerings from an .xlsx or .csv file.

    Every bad row is printed as "sheet, row, column: message"; when any row is bad
    nothing is written and the exit status is 1.
    """
    with cli_messages():
        if not file.exists():
            _fail(_("The file %(file)s does not exist.", file=str(file)))
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if limit and file.stat().st_size > limit:
            _fail(
                _(
                    "%(file)s: The file is too large (at most %(mb)s MB).",
                    file=file.name,
                    mb=limit // (1024 * 1024),
                )
            )
        if school_number is not None:
            exists = db.session.scalar(
                sa.select(School.id).where(School.school_number == school_number)
            )
            if exists is None:
                _fail(_("There is no school %(number)s.", number=school_number))
        scope = ImportScope(user=None, default_school=school_number, only_school=school_number)
        with acting_as("cli"):
            report = analyse(kind, file.read_bytes(), file.name, scope)
            for message in report.file_errors:
                click.echo(f"{file.name}: {message}", err=True)
            for error in report.errors:
                click.echo(str(error), err=True)
            counts = report.counts
            summary = _(
                "%(sheet)s: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, "
                "%(bad)s bad.",
                sheet=report.sheet or file.name,
                **counts,
            )
            if report.file_errors or not report.ok:
                db.session.rollback()
                click.echo(summary)
                _fail(_("Nothing was imported."))
            if dry_run:
                db.session.rollback()
                click.echo(summary)
                click.echo(_("Dry run: nothing was saved."))
                return
            try:
                apply(report)
            except ImportRefusedError as exc:
                _fail(str(exc))
        click.echo(summary)
        click.echo(_("Imported."))


commands: list = [import_command]

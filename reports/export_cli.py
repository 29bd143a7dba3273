"""CLI: flask export FILE.xlsx [--school NUMBER]... [--school-year 2026/27]."""

import os
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.audit import acting_as, record
from app.extensions import db
from app.i18n import translated


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--school", "schools", multiple=True, help="School number (repeatable).")
@click.option(
    "--school-year", default=None, help="School year for the gigabit sheet, e.g. 2026/27."
)
@with_appcontext
@translated
def export_command(file: Path, schools: tuple[str, ...], school_year: str | None) -> None:
    """Write the department workbook (all schools, or the given ones) to FILE.xlsx."""
    from reports import exports

    unknown = exports.unknown_school_numbers(schools)
    if unknown:
        raise click.ClickException(
            _("No school with number %(numbers)s.", numbers=", ".join(unknown))
        )
    try:
        year = exports.resolve_school_year(school_year)
    except exports.ExportError as exc:
        raise click.ClickException(
            _("Unknown school year %(year)s (write it as 2026/27).", year=repr(school_year))
        ) from exc
    school_ids = exports.select_schools(school_numbers=schools) if schools else None
    filters_text = exports.describe_filters(
        school_numbers=schools, school_year=year.label if year else None
    )
    # Written next to the target and renamed: a failed export leaves no half file.
    target = file.resolve()
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            exports.write_workbook(
                fh,
                school_ids=school_ids,
                school_year=year,
                generated_by="cli",
                filters_text=filters_text,
            )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)  # mkstemp made it private; a normal file is wanted
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    with acting_as("cli"):
        record("export", "workbook", target.name, changes={"filters": filters_text})
        db.session.commit()
    click.echo(_("Wrote %(file)s.", file=str(target)))


commands = [export_command]

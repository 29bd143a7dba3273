"""CLI: flask export FILE.xlsx [--school NUMBER]... [--school-year 2026/27];
flask export-funding FILE.xlsx --programme CODE --as-of YYYY-MM-DD [--school NUMBER]...."""

import datetime as dt
import os
import re
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
    target = _write_atomically(
        file,
        lambda fh: exports.write_workbook(
            fh,
            school_ids=school_ids,
            school_year=year,
            generated_by="cli",
            filters_text=filters_text,
        ),
    )
    with acting_as("cli"):
        record("export", "workbook", target.name, changes={"filters": filters_text})
        db.session.commit()
    click.echo(_("Wrote %(file)s.", file=str(target)))


def _write_atomically(file: Path, write) -> Path:
    """write(fh) into a file next to the target, renamed when done: a failed export
    leaves no half file."""
    target = file.resolve()
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)  # mkstemp made it private; a normal file is wanted
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return target


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _parse_cut_off(value: str) -> dt.date:
    """--as-of, parsed inside the command so the message speaks the terminal's language."""
    try:
        if not _ISO_DAY.fullmatch(value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise click.BadParameter(
            _("use YYYY-MM-DD, e.g. 2026-06-30"), param_hint="'--as-of'"
        ) from exc


@click.command("export-funding")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--programme", required=True, help="Funding programme code, e.g. digitalpakt.")
@click.option("--as-of", "as_of_text", required=True, help="Cut-off date (YYYY-MM-DD).")
@click.option("--school", "schools", multiple=True, help="School number (repeatable).")
@with_appcontext
@translated
def export_funding_command(
    file: Path, programme: str, as_of_text: str, schools: tuple[str, ...]
) -> None:
    """Write the proof-of-use workbook of one funding programme at a cut-off date."""
    from reports import exports, proof_of_use

    as_of = _parse_cut_off(as_of_text)
    try:
        found = proof_of_use.find_programme(programme)
    except proof_of_use.ProofOfUseError as exc:
        raise click.ClickException(
            _(
                "No funding programme with code %(code)s (known: %(codes)s).",
                code=repr(programme),
                codes=", ".join(proof_of_use.programme_codes()) or "—",
            )
        ) from exc
    unknown = exports.unknown_school_numbers(schools)
    if unknown:
        raise click.ClickException(
            _("No school with number %(numbers)s.", numbers=", ".join(unknown))
        )
    school_ids = exports.select_schools(school_numbers=schools) if schools else None
    filters_text = exports.describe_filters(school_numbers=schools)
    target = _write_atomically(
        file,
        lambda fh: proof_of_use.write_proof_of_use(
            fh,
            programme=found,
            as_of=as_of,
            school_ids=school_ids,
            generated_by="cli",
            filters_text=filters_text,
        ),
    )
    with acting_as("cli"):
        record(
            "export",
            "workbook",
            target.name,
            changes={"programme": found.code, "as_of": as_of.isoformat(), "filters": filters_text},
        )
        db.session.commit()
    click.echo(_("Wrote %(file)s.", file=str(target)))


commands = [export_command, export_funding_command]

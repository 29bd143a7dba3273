"""flask labels FILE.pdf --school NUMBER [--site ID] [--room ROOM] [--layout CODE] [--start N]"""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.extensions import db
from inventory import labels
from inventory.importer import messages_context
from schools.models import School


@click.command("labels")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--school", "school_number", required=True, help="School number.")
@click.option("--site", "site_ref", default=None, help="Only this site (its id or name).")
@click.option("--room", default=None, help="Only this room.")
@click.option(
    "--layout",
    type=click.Choice(list(labels.LAYOUTS)),
    default=labels.DEFAULT_LAYOUT,
    show_default=True,
    help="The label sheet.",
)
@click.option("--start", type=click.IntRange(min=1), default=1, help="First free label (1..).")
@click.option("--no-room", is_flag=True, help="Leave the room off the labels.")
@with_appcontext
def labels_command(file, school_number, site_ref, room, layout, start, no_room) -> None:
    """Write the inventory labels of a school (or one site or room) as a PDF: per device
    the QR code of its page, its inventory number and the school."""
    with messages_context():
        school = db.session.scalar(sa.select(School).where(School.school_number == school_number))
        if school is None:
            raise click.ClickException(_("There is no school %(number)s.", number=school_number))
        site = None
        if site_ref is not None:
            site = next(
                (s for s in school.sites if str(s.id) == site_ref or s.name == site_ref), None
            )
            if site is None:
                raise click.ClickException(_("The school has no site %(site)s.", site=site_ref))
        sheet = labels.LAYOUTS[layout]
        if start > sheet.per_sheet:
            raise click.ClickException(
                _("This sheet has %(count)s labels: 1 to %(count)s.", count=sheet.per_sheet)
            )
        devices = labels.devices_for_labels(school, site=site, room=room)
        if not devices:
            raise click.ClickException(_("No devices match this choice."))
        pdf = labels.render(
            labels.labels_for(school, devices, with_room=not no_room),
            sheet,
            start=start,
            title=_("Inventory labels %(school)s", school=school.school_number),
        )
        file.write_bytes(pdf)
        click.echo(_("%(count)s labels written to %(file)s.", count=len(devices), file=str(file)))


commands: list = [labels_command]

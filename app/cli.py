"""CLI commands: flask --app wsgi <command>. Each package adds its own in init_app."""

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app import user_service
from app.audit import acting_as
from app.codes import ROLES
from app.errors import DomainError
from app.extensions import db
from app.i18n import translated
from app.saving import saving
from app.users import ApiToken, User
from schools.models import School


def _read_password() -> str:
    """From stdin when piped, else a hidden prompt with confirmation."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)


def _refused(error: DomainError) -> click.ClickException:
    messages = getattr(error, "fields", None) or {"": [str(error)]}
    return click.ClickException(
        " ".join(f"{code}: {m}" if code else m for code, ms in messages.items() for m in ms)
    )


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--school", "schools", multiple=True, help="School number (repeatable).")
@click.option("--name", default="")
@with_appcontext
@translated
def create_user_command(email: str, role: str, schools: tuple[str, ...], name: str) -> None:
    """Create a user; the password is read from stdin or prompted."""
    assigned = []
    for number in schools:
        school = db.session.scalar(sa.select(School).where(School.school_number == number))
        if school is None:
            raise click.ClickException(_("No school with number %(number)s.", number=number))
        assigned.append(school)
    try:
        # Checked before the prompt, so nobody types a password for nothing.
        user_service.clean_new_user(email, role, name=name, schools=assigned)
        password = _read_password()
        with acting_as("cli"), saving():
            user = user_service.create_user(
                email, role, password=password, name=name, schools=assigned
            )
    except DomainError as error:
        raise _refused(error) from None
    click.echo(_("Created %(role)s %(email)s.", role=str(ROLES[role]), email=user.email))


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="", help="A label for the token.")
@with_appcontext
@translated
def create_token_command(email: str, name: str) -> None:
    """Print a new API token for the user, alone on the last line."""
    user = db.session.scalar(sa.select(User).where(User.email == User.normalize_email(email)))
    if user is None or not user.active:
        raise click.ClickException(_("No active user %(email)s.", email=email))
    with acting_as("cli"):
        _token, plain = ApiToken.issue(user, name)
        db.session.commit()
    click.echo(_("Token for %(email)s (shown once, stored hashed):", email=user.email))
    click.echo(plain)


@click.command("seed-demo")
@with_appcontext
@translated
def seed_demo_command() -> None:
    """Load Bochum's schools, the NRW school years and a demo inventory (idempotent)."""
    from app.demo import seed_demo

    with acting_as("seed-demo"):
        summary = seed_demo()
    for line in summary:
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (create_user_command, create_token_command, seed_demo_command):
        app.cli.add_command(command)
    from inventory.cli import commands as import_commands
    from inventory.label_cli import commands as label_commands
    from reports.alert_cli import commands as alert_commands
    from reports.export_cli import commands as export_commands

    for command in (*import_commands, *label_commands, *export_commands, *alert_commands):
        app.cli.add_command(command)

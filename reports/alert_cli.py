"""CLI: flask alerts run [--today YYYY-MM-DD] [--dry-run], flask scheduler."""

import contextlib
import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from app.audit import acting_as
from app.i18n import translated

alerts = AppGroup("alerts", help="The alert job: gigabit readiness, contracts, warranties.")


def _parse_day(value: str | None) -> dt.date | None:
    """--today, parsed inside the command so the message speaks the terminal's language."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            _("use YYYY-MM-DD, e.g. 2026-06-10"), param_hint="'--today'"
        ) from exc


@alerts.command("run")
@click.option("--today", "today_text", help="Run as on this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write nothing.")
@translated
def run_command(today_text: str | None, dry_run: bool) -> None:
    """Check gigabit readiness, contracts and warranties once and send the mails that are due."""
    from reports.alerts import run_alerts

    today = _parse_day(today_text)
    with acting_as("alerts"):
        result = run_alerts(today, trigger="manual", dry_run=dry_run)
    if result.stage is None:
        click.echo(_("%(day)s: no alert stage is due.", day=result.today.isoformat()))
    else:
        click.echo(
            _(
                "%(day)s: school year %(year)s, stage %(stage)s, %(count)d schools not "
                "gigabit-ready.",
                day=result.today.isoformat(),
                year=result.school_year,
                stage=result.stage,
                count=result.not_ready,
            )
        )
    from reports.alert_kinds import record_kind

    for name, kind_result in result.kinds.items():
        kind = record_kind(name)
        click.echo(
            ngettext(
                "%(kind)s: %(num)d record due.",
                "%(kind)s: %(num)d records due.",
                kind_result.due,
                kind=kind.label if kind else name,
            )
        )
    if dry_run:
        click.echo(
            ngettext(
                "Dry run: %(num)d mail would be sent, nothing was written.",
                "Dry run: %(num)d mails would be sent, nothing was written.",
                len(result.planned),
            )
        )
        for mail in result.planned:
            click.echo(f"  {mail.alert_kind:8} {mail.kind:6} {mail.recipient:40} {mail.subject}")
        return
    click.echo(
        _(
            "Queued %(queued)d, sent %(sent)d, failed %(failed)d, closed as superseded "
            "%(superseded)d.",
            queued=result.queued,
            sent=result.sent,
            failed=result.failed,
            superseded=result.superseded,
        )
    )
    if not result.ok:
        for error in result.errors:
            click.echo(_("not sent: %(error)s", error=error), err=True)
        raise click.ClickException(
            _(
                "%(count)d mails could not be sent; they stay pending for the next run.",
                count=result.failed,
            )
        )


@click.command("scheduler")
@with_appcontext
@translated
def scheduler_command() -> None:
    """Run the scheduler in the foreground (its own process; run exactly one)."""
    from app.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    click.echo(
        _(
            "Scheduler started: gigabit alerts at %(schedule)s (%(timezone)s). Stop with Ctrl+C.",
            schedule=repr(app.config["ALERT_SCHEDULE"]),
            timezone=app.config["ALERT_TIMEZONE"],
        )
    )
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


commands: list = [alerts, scheduler_command]

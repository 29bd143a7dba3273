"""CLI: flask alerts run [--today YYYY-MM-DD] [--dry-run], flask scheduler."""

import contextlib
import datetime as dt
import logging

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.audit import acting_as

alerts = AppGroup("alerts", help="The gigabit alert job.")


def _parse_day(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-06-10") from exc


@alerts.command("run")
@click.option("--today", callback=_parse_day, help="Run as on this day (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; write nothing.")
def run_command(today: dt.date | None, dry_run: bool) -> None:
    """Check gigabit readiness once and send the mails that are due."""
    from reports.alerts import run_alerts

    with acting_as("alerts"):
        result = run_alerts(today, trigger="manual", dry_run=dry_run)
    if result.stage is None:
        click.echo(f"{result.today.isoformat()}: no alert stage is due.")
    else:
        click.echo(
            f"{result.today.isoformat()}: school year {result.school_year}, stage "
            f"{result.stage}, {result.not_ready} schools not gigabit-ready."
        )
    if dry_run:
        click.echo(f"Dry run: {len(result.planned)} mails would be sent, nothing was written.")
        for mail in result.planned:
            click.echo(f"  {mail.kind:6} {mail.recipient:40} {mail.subject}")
        return
    click.echo(
        f"Queued {result.queued}, sent {result.sent}, failed {result.failed}, "
        f"closed as superseded {result.superseded}."
    )
    if not result.ok:
        for error in result.errors:
            click.echo(f"not sent: {error}", err=True)
        raise click.ClickException(
            f"{result.failed} mails could not be sent; they stay pending for the next run."
        )


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in the foreground (its own process; run exactly one)."""
    from app.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    click.echo(
        f"Scheduler started: gigabit alerts at {app.config['ALERT_SCHEDULE']!r} "
        f"({app.config['ALERT_TIMEZONE']}). Stop with Ctrl+C."
    )
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


commands: list = [alerts, scheduler_command]

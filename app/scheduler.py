"""Scheduler wiring: APScheduler in its own process (`flask scheduler`), never in the
web workers and never inside create_app().

Run exactly one scheduler process per installation. A second one would not send mails
twice (the alert outbox guarantees that), but it would do the work twice.
"""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

log = logging.getLogger(__name__)

ALERT_JOB_ID = "gigabit-alerts"


CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday_item(item: str) -> str:
    """One item of crontab's day-of-week field (0 or 7 = Sunday) as weekday names."""
    start, dash, end = item.partition("-")
    if not start.isdigit() or (dash and not end.isdigit()):
        return item  # "*", names, steps: the same in both
    first, last = int(start), int(end) if dash else int(start)
    if not (0 <= first <= 7 and 0 <= last <= 7):
        return item  # let the trigger reject it
    if not dash:
        return CRON_WEEKDAYS[first]
    if first == 0 and last >= 1:
        return f"sun,mon-{CRON_WEEKDAYS[last]}" if last < 7 else "mon-sun"
    return f"{CRON_WEEKDAYS[first]}-{CRON_WEEKDAYS[last]}"


def crontab_weekdays_as_names(expr: str) -> str:
    """APScheduler 3 counts weekdays from Monday = 0, crontab from Sunday = 0; name them
    so that "30 6 * * 1-5" means Monday to Friday, as an administrator expects."""
    fields = expr.split()
    if len(fields) == 5:
        fields[4] = ",".join(_weekday_item(item) for item in fields[4].split(","))
    return " ".join(fields)


def alert_trigger(app: Flask) -> CronTrigger:
    return CronTrigger.from_crontab(
        crontab_weekdays_as_names(app.config["ALERT_SCHEDULE"]),
        timezone=app.config["ALERT_TIMEZONE"],
    )


def run_alert_job(app: Flask) -> None:
    """The scheduled job: one alert run (gigabit, then every kind about records, see
    reports/alert_kinds/) inside its own app context, recorded as a JobRun."""
    from app.audit import acting_as
    from reports.alerts import run_alerts

    with app.app_context(), acting_as("scheduler"):
        try:
            result = run_alerts(trigger="scheduler")
        except Exception:
            log.exception("alert run failed")
            return
        if result.ok:
            log.info("alerts: %s", result.counts())
        else:
            log.warning("alerts: %s; not sent: %s", result.counts(), result.errors)


def build_scheduler(app: Flask, scheduler_class=BlockingScheduler):
    """The scheduler with the alert job registered (not started)."""
    scheduler = scheduler_class(timezone=app.config["ALERT_TIMEZONE"])
    scheduler.add_job(
        run_alert_job,
        alert_trigger(app),
        args=[app],
        id=ALERT_JOB_ID,
        name="Gigabit alerts",
        misfire_grace_time=3600,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return scheduler

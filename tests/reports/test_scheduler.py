"""The scheduler wiring: its own process, the alert job with the configured trigger."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from app.extensions import db
from app.scheduler import ALERT_JOB_ID, build_scheduler
from reports.models import AlertDelivery, JobRun


def cron_fields(trigger: CronTrigger) -> dict[str, str]:
    return {field.name: str(field) for field in trigger.fields}


def test_alert_job_is_registered_with_the_configured_trigger(make_app):
    app = make_app(ALERT_SCHEDULE="15 5 * * 1-5", ALERT_TIMEZONE="Europe/Berlin")
    scheduler = build_scheduler(app, scheduler_class=BlockingScheduler)
    job = scheduler.get_job(ALERT_JOB_ID)
    assert isinstance(job.trigger, CronTrigger)
    fields = cron_fields(job.trigger)
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("15", "5", "mon-fri")
    assert (fields["day"], fields["month"]) == ("*", "*")
    assert str(job.trigger.timezone) == "Europe/Berlin"
    assert job.misfire_grace_time == 3600
    assert job.coalesce is True
    assert job.max_instances == 1
    assert [job.id for job in scheduler.get_jobs()] == [ALERT_JOB_ID]


@pytest.mark.parametrize(
    ("crontab", "weekdays"),
    [("1-5", "mon-fri"), ("0", "sun"), ("7", "sun"), ("0-2", "sun,mon-tue"), ("1,3", "mon,wed")],
)
def test_crontab_weekdays_keep_their_crontab_meaning(make_app, crontab, weekdays):
    job = build_scheduler(make_app(ALERT_SCHEDULE=f"0 7 * * {crontab}")).get_job(ALERT_JOB_ID)
    assert cron_fields(job.trigger)["day_of_week"] == weekdays


def test_default_schedule_is_half_past_six_in_berlin(make_app):
    job = build_scheduler(make_app()).get_job(ALERT_JOB_ID)
    fields = cron_fields(job.trigger)
    assert (fields["minute"], fields["hour"]) == ("30", "6")
    berlin = ZoneInfo("Europe/Berlin")
    after = dt.datetime(2026, 6, 10, 7, 0, tzinfo=berlin)
    assert job.trigger.get_next_fire_time(None, after) == dt.datetime(
        2026, 6, 11, 6, 30, tzinfo=berlin
    )


def test_create_app_starts_no_scheduler(make_app):
    before = {thread.name for thread in threading.enumerate()}
    make_app()
    after = {thread.name for thread in threading.enumerate()}
    assert after == before


def test_scheduled_job_run_reaches_the_outbox(
    app, make_app, smtp_server, make_school, make_school_year
):
    scheduler_app = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    today = dt.datetime.now(ZoneInfo("Europe/Berlin")).date()
    make_school_year(today.year, today + dt.timedelta(days=10))  # lead-14 is due today
    school = make_school()

    job = build_scheduler(scheduler_app).get_job(ALERT_JOB_ID)
    job.func(*job.args, **job.kwargs)

    db.session.expire_all()
    delivery = db.session.scalars(sa.select(AlertDelivery)).one()
    assert (delivery.school_id, delivery.stage, delivery.status) == (school.id, "lead-14", "sent")
    run = db.session.scalars(sa.select(JobRun)).one()
    assert (run.trigger, run.outcome) == ("scheduler", "success")
    assert [rcpts for rcpts, _message in smtp_server.messages] == [[school.it_contact_email]]


def test_scheduler_command_is_registered(runner):
    result = runner.invoke(args=["scheduler", "--help"])
    assert result.exit_code == 0 and "its own process" in result.output

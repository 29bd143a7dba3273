"""The gigabit alert job (shared/DESIGN.md "Alerts").

Stages. Against the first school day (FSD) of the upcoming school year, the stage
"lead-<n>" is due from FSD-n until the next stage starts, for each n in
ALERT_LEAD_DAYS; the smallest lead stage stays due until a week after the FSD. From
then on "overdue-<w>" is due from FSD+7w for ALERT_OVERDUE_WEEKS weeks; after that
the school waits for the next school year's stages. A run only ever sends the one
stage that is due on its day, never a backlog of stages it missed.

Exactly once. For the due stage, every mail is first written to the outbox
(reports/outbox.py: alert kind "gigabit", the school and school year as the record,
stage, recipient), claimed, then sent; see there.

Superseded mails. Pending rows of any other stage than the one due now (a stage whose
mail never went out) are not sent any more: the newer stage's mail replaces them. They
are closed as failed with last_error starting "superseded:". Likewise a pending school
mail whose school has become gigabit-ready is closed with "cancelled:".

One run of the job (run_alerts) sends the gigabit alerts and then the alerts of every
kind about single records (reports/record_alerts.py, reports/alert_kinds/).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.mail import Mailer
from app.model_base import utcnow
from reports import outbox
from reports.models import (
    DIGEST_SCHOOL_KEY,
    GIGABIT,
    AlertDelivery,
    AlertRecipient,
    JobRun,
    gigabit_record_key,
)
from reports.outbox import CANCELLED, SUPERSEDED, delivery_state
from reports.readiness import SchoolReadiness, readiness
from schools.school_years import current_school_year, upcoming_school_year

log = logging.getLogger(__name__)

# The job's name in job_runs; it sends every alert kind, the gigabit alerts first.
JOB_NAME = "gigabit_alerts"
__all__ = ["CANCELLED", "SUPERSEDED", "delivery_state"]  # for the pages that show rows


# --- stages -------------------------------------------------------------------


def lead_stage(days: int) -> str:
    return f"lead-{days}"


def overdue_stage(week: int) -> str:
    return f"overdue-{week}"


def stage_on(
    first_school_day: dt.date, today: dt.date, lead_days: list[int], overdue_weeks: int
) -> str | None:
    """The stage due on `today` for a school year starting on `first_school_day`."""
    days_left = (first_school_day - today).days
    leads = sorted({int(days) for days in lead_days if int(days) >= 0})
    weeks_past = -days_left // 7 if days_left < 0 else 0
    if weeks_past >= 1:
        return overdue_stage(weeks_past) if weeks_past <= overdue_weeks else None
    # Before the first school day, or in its first week: the latest lead stage reached.
    reached = [days for days in leads if days_left <= days]
    return lead_stage(reached[0]) if reached else None


@dataclass(frozen=True)
class DueStage:
    school_year_id: int
    label: str  # of the school year, "2026/27"
    first_school_day: dt.date
    stage: str
    today: dt.date

    @property
    def days_left(self) -> int:
        """Days until the first school day (negative once it has passed)."""
        return (self.first_school_day - self.today).days

    @property
    def is_overdue(self) -> bool:
        return self.stage.startswith("overdue-")


def alert_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(current_app.config["ALERT_TIMEZONE"])).date()


def stage_settings() -> tuple[list[int], int]:
    """ALERT_LEAD_DAYS and ALERT_OVERDUE_WEEKS from the config."""
    config = current_app.config
    lead_days = config["ALERT_LEAD_DAYS"]
    if isinstance(lead_days, str | int):  # "84,42,14" or a single number from the environment
        lead_days = str(lead_days).split(",")
    return [int(days) for days in lead_days], int(config["ALERT_OVERDUE_WEEKS"])


def next_stage(today: dt.date) -> DueStage | None:
    """The next stage to become due after `today`: its school year, stage and the day it
    starts (as `today` of the DueStage). None: no school year ahead has stages."""
    from schools.models import SchoolYear

    lead_days, overdue_weeks = stage_settings()
    earliest = today - dt.timedelta(weeks=overdue_weeks + 1)
    first_days = db.session.scalars(
        sa.select(SchoolYear.first_school_day)
        .where(SchoolYear.first_school_day >= earliest)
        .order_by(SchoolYear.first_school_day)
    )
    starts: set[dt.date] = set()
    for first_day in first_days:
        starts.update(first_day - dt.timedelta(days=days) for days in lead_days if days >= 0)
        starts.update(first_day + dt.timedelta(weeks=week) for week in range(1, overdue_weeks + 1))
    now = due_stage(today)
    current = (now.school_year_id, now.stage) if now else None
    for start in sorted(day for day in starts if day > today):
        due = due_stage(start)
        if due is None or (due.school_year_id, due.stage) == current:
            continue
        before = due_stage(start - dt.timedelta(days=1))
        if before is None or (before.school_year_id, before.stage) != (
            due.school_year_id,
            due.stage,
        ):
            return due
    return None


def due_stage(today: dt.date) -> DueStage | None:
    """The one stage due on that day: the upcoming school year's lead stage, else the
    overdue stage of the school year that has just begun."""
    lead_days, overdue_weeks = stage_settings()
    for school_year in (upcoming_school_year(today), current_school_year(today)):
        if school_year is None:
            continue
        stage = stage_on(school_year.first_school_day, today, lead_days, overdue_weeks)
        if stage:
            return DueStage(
                school_year.id, school_year.label, school_year.first_school_day, stage, today
            )
    return None


# --- what is due ----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMail:
    kind: str  # "school" or "digest"
    school_key: str
    school_id: int | None
    recipient: str
    subject: str
    alert_kind: str = GIGABIT

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.school_key, self.recipient)


@dataclass
class AlertPlan:
    today: dt.date
    due: DueStage | None
    not_ready: list[SchoolReadiness] = field(default_factory=list)
    mails: list[PlannedMail] = field(default_factory=list)

    @property
    def stage(self) -> str | None:
        return self.due.stage if self.due else None


def normalize_email(address: str) -> str:
    return (address or "").strip().lower()


def configured_recipients() -> list[str]:
    """ALERT_RECIPIENTS from the config (a list, or a comma-separated string)."""
    value = current_app.config.get("ALERT_RECIPIENTS") or []
    if isinstance(value, str):
        value = value.split(",")
    return [normalize_email(address) for address in value if normalize_email(address)]


def digest_recipients() -> list[str]:
    """The department's digest addresses: the config list plus the AlertRecipient rows."""
    addresses = configured_recipients()
    addresses += [
        normalize_email(email)
        for email in db.session.scalars(
            sa.select(AlertRecipient.email).order_by(AlertRecipient.email)
        )
    ]
    return list(dict.fromkeys(address for address in addresses if address))


def plan_alerts(today: dt.date) -> AlertPlan:
    """Everything the due stage asks for on that day (before looking at the outbox)."""
    from reports.alert_mail import digest_subject, school_subject

    due = due_stage(today)
    plan = AlertPlan(today=today, due=due)
    if due is None:
        return plan
    plan.not_ready = [school for school in readiness() if not school.ready]
    for school in plan.not_ready:
        recipient = normalize_email(school.it_contact_email)
        if recipient:
            plan.mails.append(
                PlannedMail(
                    "school",
                    school.school_number,
                    school.school_id,
                    recipient,
                    school_subject(school, due),
                )
            )
    if plan.not_ready:
        subject = digest_subject(len(plan.not_ready), due)
        for recipient in digest_recipients():
            plan.mails.append(PlannedMail("digest", DIGEST_SCHOOL_KEY, None, recipient, subject))
    return plan


def mails_to_send(plan: AlertPlan) -> list[PlannedMail]:
    """The planned mails a run would send now: new ones and pending retries."""
    if plan.due is None or not plan.mails:
        return []
    done = set(
        db.session.execute(
            sa.select(AlertDelivery.kind, AlertDelivery.school_key, AlertDelivery.recipient).where(
                AlertDelivery.alert_kind == GIGABIT,
                AlertDelivery.school_year_id == plan.due.school_year_id,
                AlertDelivery.stage == plan.due.stage,
                AlertDelivery.status != "pending",
            )
        ).tuples()
    )
    return [mail for mail in plan.mails if mail.key not in done]


# --- the run --------------------------------------------------------------------


@dataclass
class KindResult:
    """What a run did for one kind of alerts about records (contract, warranty, ...)."""

    due: int = 0  # records due today
    queued: int = 0  # outbox rows written
    sent: int = 0  # mails sent (each lists one or more rows)
    failed: int = 0  # mails not sent in this run (retried, or failed for good)
    superseded: int = 0  # rows closed as no longer due

    def counts(self) -> dict:
        return {
            "due": self.due,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "superseded": self.superseded,
        }


@dataclass
class RunResult:
    today: dt.date
    stage: str | None = None
    school_year: str | None = None
    not_ready: int = 0
    # Totals over every alert kind; `kinds` has the kinds about records one by one.
    queued: int = 0
    sent: int = 0
    failed: int = 0  # send attempts that failed in this run (retried, or failed for good)
    superseded: int = 0
    kinds: dict[str, KindResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    planned: list[PlannedMail] = field(default_factory=list)  # dry run: what would go out
    job_run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, name: str, kind_result: KindResult) -> None:
        self.kinds[name] = kind_result
        self.queued += kind_result.queued
        self.sent += kind_result.sent
        self.failed += kind_result.failed
        self.superseded += kind_result.superseded

    def counts(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "stage": self.stage,
            "school_year": self.school_year,
            "not_ready": self.not_ready,
            "queued": self.queued,
            "sent": self.sent,
            "failed": self.failed,
            "superseded": self.superseded,
            "kinds": {name: result.counts() for name, result in self.kinds.items()},
        }


def run_alerts(
    today: dt.date | None = None, *, trigger: str = "manual", dry_run: bool = False
) -> RunResult:
    """Run the alert job once for that day: the gigabit alerts, then every kind about
    records. A dry run only plans and writes nothing."""
    from reports import record_alerts

    today = today or alert_today()
    if dry_run:
        plan = plan_alerts(today)
        result = _result_for(plan)
        result.planned = mails_to_send(plan)
        record_alerts.preview(today, result)
        db.session.rollback()
        return result

    job_run = JobRun(job=JOB_NAME, trigger=trigger, started_at=utcnow(), outcome="running")
    db.session.add(job_run)
    db.session.commit()
    job_run_id = job_run.id
    try:
        result = _run(today)
        record_alerts.run(today, result)
    except Exception as exc:
        db.session.rollback()
        _finish(job_run_id, "failed", {"today": today.isoformat()}, outbox.describe(exc))
        raise
    result.job_run_id = job_run_id
    _finish(
        job_run_id,
        "success" if result.ok else "failed",
        result.counts(),
        "\n".join(result.errors),
    )
    return result


def _finish(job_run_id: int, outcome: str, counts: dict, error: str) -> None:
    db.session.execute(
        sa.update(JobRun)
        .where(JobRun.id == job_run_id)
        .values(finished_at=utcnow(), outcome=outcome, counts=counts, error=error[:10_000])
    )
    db.session.commit()


def _result_for(plan: AlertPlan) -> RunResult:
    return RunResult(
        today=plan.today,
        stage=plan.stage,
        school_year=plan.due.label if plan.due else None,
        not_ready=len(plan.not_ready),
    )


def _run(today: dt.date) -> RunResult:
    plan = plan_alerts(today)
    result = _result_for(plan)
    due = plan.due
    now = utcnow()
    if due is not None:
        result.queued = _queue(due, plan.mails, now)
    result.superseded = _supersede(due, plan, now)
    if due is None:
        return result
    claimed = outbox.claim(
        sa.and_(
            AlertDelivery.alert_kind == GIGABIT,
            AlertDelivery.school_year_id == due.school_year_id,
            AlertDelivery.stage == due.stage,
        ),
        now,
    )
    if claimed:
        _send(claimed, plan, result)
    return result


def _queue(due: DueStage, mails: list[PlannedMail], now: dt.datetime) -> int:
    """Write the due stage's mails to the outbox; rows that exist already stay as they are."""
    return outbox.queue(
        [
            {
                "alert_kind": GIGABIT,
                "kind": mail.kind,
                "school_key": mail.school_key,
                "school_id": mail.school_id,
                "record_key": gigabit_record_key(mail.school_key, due.school_year_id),
                "school_year_id": due.school_year_id,
                "stage": due.stage,
                "recipient": mail.recipient,
                "subject": mail.subject,
            }
            for mail in mails
        ],
        now,
    )


def _supersede(due: DueStage | None, plan: AlertPlan, now: dt.datetime) -> int:
    """Close pending rows that are no longer due: other stages, and schools now ready."""
    gigabit = AlertDelivery.alert_kind == GIGABIT
    other_stage = sa.true()
    if due is not None:
        other_stage = sa.or_(
            AlertDelivery.school_year_id != due.school_year_id, AlertDelivery.stage != due.stage
        )
    label = f"{due.label} {due.stage}" if due else "none"
    closed = outbox.close(
        sa.and_(gigabit, other_stage),
        f"{SUPERSEDED} not sent, the stage due now is {label}",
        now,
    )
    if due is not None:
        not_ready = [school.school_id for school in plan.not_ready]
        closed += outbox.close(
            sa.and_(
                gigabit,
                AlertDelivery.kind == "school",
                AlertDelivery.school_id.not_in(not_ready),
            ),
            f"{CANCELLED} the school is gigabit-ready now",
            now,
        )
    return closed


def _send(ids: list[int], plan: AlertPlan, result: RunResult) -> None:
    """Send the claimed rows over one SMTP connection; each outcome committed at once."""
    from reports.alert_mail import digest_message, school_message

    deliveries = outbox.claimed_rows(ids)
    by_school = {school.school_id: school for school in plan.not_ready}
    digest_attachment = None
    with Mailer() as mailer:
        for delivery in deliveries:
            values: dict = {"claimed_until": None, "updated_at": utcnow()}
            school = by_school.get(delivery.school_id)
            if delivery.kind == "school" and school is None:  # became ready meanwhile
                values.update(
                    status="failed", last_error=f"{CANCELLED} the school is gigabit-ready now"
                )
                outbox.update(delivery.id, values)
                result.superseded += 1
                continue
            try:
                if delivery.kind == "school":
                    message = school_message(delivery, school, plan.due)
                else:
                    if digest_attachment is None:
                        from reports.alert_mail import digest_workbook

                        digest_attachment = digest_workbook(plan)
                    message = digest_message(delivery, plan, digest_attachment)
                mailer.send(message)
            except Exception as exc:  # noqa: BLE001 - one bad mail must never stop the others
                db.session.rollback()
                failed, error = outbox.failure(delivery, exc)
                outbox.update(delivery.id, values | failed)
                result.failed += 1
                result.errors.append(f"{delivery.recipient} ({delivery.subject}): {error}")
                continue
            values.update(
                status="sent", attempts=delivery.attempts + 1, last_error="", sent_at=utcnow()
            )
            outbox.update(delivery.id, values)
            result.sent += 1

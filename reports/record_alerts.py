"""The alert job's part for the kinds about single records (reports/alert_kinds/).

For each kind, a run:
1. asks the kind what is due today (records, each with its stage and text);
2. writes one outbox row per record and recipient: the school's IT contact (the
   school's `it_contact_email`, as for the gigabit alerts; none, no school row) and
   each of the department's digest recipients; INSERT ... ON CONFLICT DO NOTHING on
   (kind, record, stage, recipient), so nothing is queued twice;
3. closes pending rows that are no longer due (another stage is due now:
   "superseded:", the record is not due at all any more: "cancelled:");
4. claims the kind's pending rows (reports/outbox.py: locks and a lease) and sends
   them bundled: one mail per school and IT contact listing that school's rows, one
   digest per department recipient listing all of its rows by school. Each mail's
   rows are recorded sent together, or stay pending with its error for the next run.

A row is sent once: a stopped SMTP server leaves them pending, and the next run's
mail lists them (and whatever became due meanwhile).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale, gettext, ngettext

from app.extensions import db
from app.mail import Mailer, build_message
from app.model_base import utcnow
from reports import outbox
from reports.alert_kinds import DueRecord, RecordAlertKind, record_kinds
from reports.alert_mail import MAIL_LOCALE, school_url
from reports.models import DIGEST_SCHOOL_KEY, AlertDelivery
from reports.outbox import CANCELLED, SUPERSEDED
from schools.models import School


@dataclass
class RecordPlan:
    kind: RecordAlertKind
    today: dt.date
    records: dict[tuple[str, str], DueRecord] = field(default_factory=dict)
    schools: dict[int, School] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)


def plan(kind: RecordAlertKind, today: dt.date) -> RecordPlan:
    """What the kind asks for on that day, as outbox rows (before looking at the outbox)."""
    from reports.alerts import digest_recipients, normalize_email

    with force_locale(MAIL_LOCALE):
        records = list(kind.due(today))
    result = RecordPlan(kind, today, {(r.record_key, r.stage): r for r in records})
    school_ids = {record.school_id for record in records}
    if school_ids:
        result.schools = {
            school.id: school
            for school in db.session.scalars(sa.select(School).where(School.id.in_(school_ids)))
        }
    department = digest_recipients() if records else []
    for record in result.records.values():
        school = result.schools[record.school_id]
        base = {
            "alert_kind": kind.name,
            "school_id": school.id,
            "record_key": record.record_key,
            "stage": record.stage,
            "subject": record.text,
        }
        contact = normalize_email(school.it_contact_email)
        if contact:
            result.rows.append(
                base | {"kind": "school", "school_key": school.school_number, "recipient": contact}
            )
        for recipient in department:
            result.rows.append(
                base | {"kind": "digest", "school_key": DIGEST_SCHOOL_KEY, "recipient": recipient}
            )
    return result


def run(today: dt.date, result) -> None:
    """Queue and send every kind's alerts; one kind's failure does not stop the others."""
    from reports.alerts import KindResult

    for kind in record_kinds():
        kind_result = KindResult()
        try:
            _run_kind(kind, today, kind_result, result.errors)
        except Exception as exc:  # noqa: BLE001 - recorded in the JobRun; the next kind runs
            db.session.rollback()
            outbox.log.exception("%s alerts failed", kind.name)
            result.errors.append(f"{kind.name}: {outbox.describe(exc)}")
        result.add(kind.name, kind_result)


def _run_kind(kind: RecordAlertKind, today: dt.date, kind_result, errors: list[str]) -> None:
    now = utcnow()
    kind_plan = plan(kind, today)
    kind_result.due = len(kind_plan.records)
    kind_result.queued = outbox.queue(kind_plan.rows, now)
    kind_result.superseded = _close_not_due(kind_plan, now)
    ids = outbox.claim(AlertDelivery.alert_kind == kind.name, now)
    if ids:
        _send(kind_plan, outbox.claimed_rows(ids), kind_result, errors)


def _not_due_reason(kind_plan: RecordPlan, record_key: str) -> str:
    stages = [stage for key, stage in kind_plan.records if key == record_key]
    if stages:
        return f"{SUPERSEDED} not sent, the stage due now is {stages[0]}"
    return f"{CANCELLED} not due any more"


def _close_not_due(kind_plan: RecordPlan, now: dt.datetime) -> int:
    """Close the kind's pending rows whose record and stage are not due today."""
    pending = db.session.execute(
        sa.select(AlertDelivery.id, AlertDelivery.record_key, AlertDelivery.stage).where(
            AlertDelivery.alert_kind == kind_plan.kind.name,
            AlertDelivery.status == "pending",
            outbox.not_claimed(now),
        )
    ).all()
    by_reason: dict[str, list[int]] = defaultdict(list)
    for row_id, record_key, stage in pending:
        if (record_key, stage) not in kind_plan.records:
            by_reason[_not_due_reason(kind_plan, record_key)].append(row_id)
    closed = 0
    for reason, ids in by_reason.items():
        for start in range(0, len(ids), outbox.INSERT_BATCH):
            chunk = ids[start : start + outbox.INSERT_BATCH]
            closed += outbox.close(AlertDelivery.id.in_(chunk), reason, now)
    return closed


def _mail_key(mail_kind: str, school_id: int | None, recipient: str) -> tuple:
    """The mail a row goes out in: one per school and IT contact, one digest per address."""
    return (mail_kind, school_id if mail_kind == "school" else None, recipient)


def _send(kind_plan: RecordPlan, deliveries: list[AlertDelivery], kind_result, errors) -> None:
    mails: dict[tuple, list[AlertDelivery]] = defaultdict(list)
    for delivery in deliveries:
        record = kind_plan.records.get((delivery.record_key, delivery.stage))
        if record is None or record.school_id not in kind_plan.schools:
            # Became due elsewhere meanwhile (a concurrent run of another day): not ours.
            outbox.update(
                delivery.id,
                {
                    "status": "failed",
                    "last_error": _not_due_reason(kind_plan, delivery.record_key),
                    "claimed_until": None,
                    "updated_at": utcnow(),
                },
            )
            kind_result.superseded += 1
            continue
        mails[_mail_key(delivery.kind, delivery.school_id, delivery.recipient)].append(delivery)
    with Mailer() as mailer:
        for (mail_kind, school_id, recipient), rows in mails.items():
            try:
                message = _message(kind_plan, mail_kind, school_id, recipient, rows)
                mailer.send(message)
            except Exception as exc:  # noqa: BLE001 - one bad mail must never stop the others
                db.session.rollback()
                for delivery in rows:
                    failed, error = outbox.failure(delivery, exc)
                    outbox.update(
                        delivery.id, failed | {"claimed_until": None, "updated_at": utcnow()}
                    )
                kind_result.failed += 1
                errors.append(f"{recipient} ({kind_plan.kind.name}, {len(rows)}): {error}")
                continue
            sent_at = utcnow()
            for delivery in rows:
                outbox.update(
                    delivery.id,
                    {
                        "status": "sent",
                        "attempts": delivery.attempts + 1,
                        "last_error": "",
                        "sent_at": sent_at,
                        "claimed_until": None,
                        "updated_at": sent_at,
                    },
                )
            kind_result.sent += 1


# --- the mails -------------------------------------------------------------------


def _by_school(kind_plan: RecordPlan, keys: list[tuple[str, str]]) -> list[tuple]:
    """[(school, [records])] in school number order, each school's records in the kind's
    order."""
    order = {key: index for index, key in enumerate(kind_plan.records)}
    grouped: dict[int, list[DueRecord]] = defaultdict(list)
    for key in sorted(set(keys), key=order.__getitem__):
        record = kind_plan.records[key]
        grouped[record.school_id].append(record)
    schools = sorted(grouped, key=lambda school_id: kind_plan.schools[school_id].school_number)
    return [(kind_plan.schools[school_id], grouped[school_id]) for school_id in schools]


def subject(kind: RecordAlertKind, mail_kind: str, groups: list[tuple]) -> str:
    count = sum(len(records) for _school, records in groups)
    with force_locale(MAIL_LOCALE):
        what = kind.what(count)
        if mail_kind == "school":
            school = groups[0][0]
            return gettext(
                "%(what)s: %(number)s %(name)s",
                what=what,
                number=school.school_number,
                name=school.name,
            )
        return ngettext(
            "%(what)s in %(num)d school", "%(what)s in %(num)d schools", len(groups), what=what
        )


def _message(kind_plan: RecordPlan, mail_kind: str, school_id, recipient: str, rows: list):
    groups = _by_school(kind_plan, [(row.record_key, row.stage) for row in rows])
    context = {
        "kind": kind_plan.kind,
        "digest": mail_kind == "digest",
        "groups": groups,
        "school_url": school_url,
        "today": kind_plan.today.strftime("%d.%m.%Y"),
    }
    with force_locale(MAIL_LOCALE):
        text = render_template("reports/mail/records.txt", **context)
        html = render_template("reports/mail/records.html", **context)
    return build_message(
        subject=subject(kind_plan.kind, mail_kind, groups),
        recipient=recipient,
        text=text,
        html=html,
    )


# --- the dry run -------------------------------------------------------------------


def preview(today: dt.date, result) -> None:
    """Add the mails a run would send now to result.planned (writes nothing)."""
    from reports.alerts import KindResult, PlannedMail

    for kind in record_kinds():
        kind_plan = plan(kind, today)
        done = set(
            db.session.execute(
                sa.select(
                    AlertDelivery.kind,
                    AlertDelivery.record_key,
                    AlertDelivery.stage,
                    AlertDelivery.recipient,
                ).where(AlertDelivery.alert_kind == kind.name, AlertDelivery.status != "pending")
            ).tuples()
        )
        mails: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
        for row in kind_plan.rows:
            if (row["kind"], row["record_key"], row["stage"], row["recipient"]) not in done:
                key = _mail_key(row["kind"], row["school_id"], row["recipient"])
                mails[key].append((row["record_key"], row["stage"]))
        for (mail_kind, school_id, recipient), keys in mails.items():
            groups = _by_school(kind_plan, keys)
            school = kind_plan.schools.get(school_id)
            result.planned.append(
                PlannedMail(
                    mail_kind,
                    school.school_number if school else DIGEST_SCHOOL_KEY,
                    school_id,
                    recipient,
                    subject(kind, mail_kind, groups),
                    alert_kind=kind.name,
                )
            )
        result.kinds[kind.name] = KindResult(due=len(kind_plan.records))

"""The alert mails: subjects, German text and HTML bodies, the digest's workbook."""

import io

from flask import current_app, render_template
from flask_babel import force_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.mail import build_message
from reports.readiness import (
    GROUP_IN_TIME,
    GROUP_LATE,
    GROUP_NO_PLAN,
    PLAN_GROUPS,
    PLAN_OVERDUE,
    PLAN_TOO_LATE,
    REASON_NO_LINK,
    REASON_TOO_SLOW,
    SchoolReadiness,
)
from schools.models import SchoolYear

MAIL_LOCALE = "de"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REASONS = {
    REASON_NO_LINK: _l("no active internet link"),
    REASON_TOO_SLOW: _l("the active link is slower than the gigabit threshold"),
}

# The digest's groups, in its order.
GROUP_TITLES = {
    GROUP_NO_PLAN: _l("Not ready, no fast link planned (or no date)"),
    GROUP_LATE: _l("Planned too late: after the first school day, or the date has passed"),
    GROUP_IN_TIME: _l("Planned in time for the first school day"),
}


def school_url(school_number: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/schools/{school_number}"


def stage_label(stage: str | None) -> str:
    """A stage code ("lead-84", "overdue-2") in words."""
    kind, _, number = (stage or "").rpartition("-")
    if not (number.isascii() and number.isdigit()):
        return stage or ""
    if kind == "overdue":
        return gettext("reminder %(week)d after the first school day", week=int(number))
    return gettext("%(days)d days before the first school day", days=int(number))


def delivery_stage_label(stage: str | None, alert_kind: str = "gigabit") -> str:
    """A stage in words for its alert kind (the kinds about records word their own)."""
    from reports.alert_kinds import record_kind

    kind = record_kind(alert_kind)
    return kind.stage_label(stage or "") if kind is not None else stage_label(stage)


def alert_kind_label(alert_kind: str) -> str:
    from reports.alert_kinds import record_kind

    kind = record_kind(alert_kind)
    return str(kind.label) if kind is not None else gettext("Gigabit")


def stage_text(due) -> str:
    return stage_label(due.stage)


def _days_lead(due) -> str:
    """The subject's lead: the days left, or how long the school year has run."""
    if due.days_left > 0:
        return ngettext("%(num)d day left", "%(num)d days left", due.days_left)
    if due.days_left == 0:
        return gettext("School starts today")
    return ngettext("%(num)d day overdue", "%(num)d days overdue", -due.days_left)


def school_subject(school: SchoolReadiness, due) -> str:
    """Led by the days left and the school number, so a long name cannot hide them."""
    with force_locale(MAIL_LOCALE):
        return gettext(
            "%(lead)s: %(number)s %(name)s is not gigabit-ready (school year %(year)s)",
            lead=_days_lead(due),
            number=school.school_number,
            name=school.name,
            year=due.label,
        )


def digest_subject(count: int, due) -> str:
    with force_locale(MAIL_LOCALE):
        return gettext(
            "%(lead)s: %(count)d schools not gigabit-ready (school year %(year)s, %(stage)s)",
            lead=_days_lead(due),
            year=due.label,
            count=count,
            stage=stage_text(due),
        )


def plan_notes() -> dict[str, str]:
    """Why a plan needs attention, by plan state (only the late ones have a note)."""
    return {
        PLAN_OVERDUE: gettext("the planned date has passed and the link is not active yet"),
        PLAN_TOO_LATE: gettext("planned only after the first school day"),
    }


def grouped(schools: list[SchoolReadiness], due) -> list[tuple[str, list[SchoolReadiness]]]:
    """The schools by the digest's groups (no plan, late, in time); empty groups left out."""
    groups: dict[str, list[SchoolReadiness]] = {group: [] for group in PLAN_GROUPS}
    for school in schools:
        groups[school.plan_group(due.today, due.first_school_day)].append(school)
    return [(group, members) for group, members in groups.items() if members]


def _context(due) -> dict:
    config = current_app.config
    return {
        "due": due,
        "first_school_day": due.first_school_day.strftime("%d.%m.%Y"),
        "min_down": config["GIGABIT_MIN_DOWN_MBPS"],
        "min_up": config["GIGABIT_MIN_UP_MBPS"],
        "reasons": REASONS,
        "format_date": lambda day: day.strftime("%d.%m.%Y") if day else "",
        "plan_state": lambda site: site.plan_state(due.today, due.first_school_day),
    }


def school_message(delivery, school: SchoolReadiness, due):
    """The mail to a school's IT contact about its sites that are not ready."""
    context = _context(due) | {"school": school, "school_url": school_url(school.school_number)}
    with force_locale(MAIL_LOCALE):
        context["plan_notes"] = plan_notes()
        text = render_template("reports/mail/school.txt", **context)
        html = render_template("reports/mail/school.html", **context)
    return build_message(
        subject=delivery.subject, recipient=delivery.recipient, text=text, html=html
    )


def digest_message(delivery, plan, attachment: tuple[str, str, bytes]):
    """The department's digest: all schools that are not ready, the workbook attached."""
    context = _context(plan.due) | {
        "schools": plan.not_ready,
        "groups": grouped(plan.not_ready, plan.due),
        "group_titles": GROUP_TITLES,
        "school_url": school_url,
    }
    with force_locale(MAIL_LOCALE):
        context["stage_text"] = stage_text(plan.due)
        context["plan_notes"] = plan_notes()
        text = render_template("reports/mail/digest.txt", **context)
        html = render_template("reports/mail/digest.html", **context)
    return build_message(
        subject=delivery.subject,
        recipient=delivery.recipient,
        text=text,
        html=html,
        attachments=[attachment],
    )


def digest_workbook(plan) -> tuple[str, str, bytes]:
    """(filename, MIME type, content) of the Gigabit-Status workbook of the not-ready schools."""
    from reports.exports import write_gigabit_status_workbook

    school_year = db.session.get(SchoolYear, plan.due.school_year_id)
    target = io.BytesIO()
    write_gigabit_status_workbook(
        target,
        school_year=school_year,
        school_ids=[school.school_id for school in plan.not_ready],
        generated_by="Gute Schule (Benachrichtigungen)",
        today=plan.today,
    )
    filename = f"Gigabit-Status-{plan.due.label.replace('/', '-')}.xlsx"
    return filename, XLSX, target.getvalue()

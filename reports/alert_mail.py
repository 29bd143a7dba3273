"""The alert mails: subjects, German text and HTML bodies, the digest's workbook."""

import io

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.mail import build_message
from reports.readiness import REASON_NO_LINK, REASON_TOO_SLOW, SchoolReadiness
from schools.models import SchoolYear

MAIL_LOCALE = "de"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REASONS = {
    REASON_NO_LINK: _l("no active internet link"),
    REASON_TOO_SLOW: _l("the active link is slower than the gigabit threshold"),
}


def school_url(school_number: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/schools/{school_number}"


def stage_label(stage: str | None) -> str:
    """A stage code ("lead-84", "overdue-2") in words."""
    kind, _, number = (stage or "").rpartition("-")
    if not number.isdigit():
        return stage or ""
    if kind == "overdue":
        return gettext("reminder %(week)d after the first school day", week=int(number))
    return gettext("%(days)d days before the first school day", days=int(number))


def stage_text(due) -> str:
    return stage_label(due.stage)


def school_subject(school: SchoolReadiness, due) -> str:
    with force_locale(MAIL_LOCALE):
        if due.days_left >= 0:
            return gettext(
                "Gigabit: %(name)s is not gigabit-ready, %(days)d days left until %(year)s",
                name=school.name,
                days=due.days_left,
                year=due.label,
            )
        return gettext(
            "Gigabit: %(name)s is still not gigabit-ready, school year %(year)s has begun",
            name=school.name,
            year=due.label,
        )


def digest_subject(count: int, due) -> str:
    with force_locale(MAIL_LOCALE):
        return gettext(
            "Gigabit status %(year)s: %(count)d schools not ready (%(stage)s)",
            year=due.label,
            count=count,
            stage=stage_text(due),
        )


def _context(due) -> dict:
    config = current_app.config
    return {
        "due": due,
        "first_school_day": due.first_school_day.strftime("%d.%m.%Y"),
        "min_down": config["GIGABIT_MIN_DOWN_MBPS"],
        "min_up": config["GIGABIT_MIN_UP_MBPS"],
        "reasons": REASONS,
        "format_date": lambda day: day.strftime("%d.%m.%Y") if day else "",
    }


def school_message(delivery, school: SchoolReadiness, due):
    """The mail to a school's IT contact about its sites that are not ready."""
    context = _context(due) | {"school": school, "school_url": school_url(school.school_number)}
    with force_locale(MAIL_LOCALE):
        text = render_template("reports/mail/school.txt", **context)
        html = render_template("reports/mail/school.html", **context)
    return build_message(
        subject=delivery.subject, recipient=delivery.recipient, text=text, html=html
    )


def digest_message(delivery, plan, attachment: tuple[str, str, bytes]):
    """The department's digest: all schools that are not ready, the workbook attached."""
    context = _context(plan.due) | {
        "schools": plan.not_ready,
        "school_url": school_url,
    }
    with force_locale(MAIL_LOCALE):
        context["stage_text"] = stage_text(plan.due)
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

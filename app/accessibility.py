"""The accessibility statement (Barrierefreiheitserklärung, BITV 2.0 / BITV NRW) and its
feedback form, which mails the installation's accessibility contact."""

import datetime as dt

from flask import Blueprint, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.access import PUBLIC, access
from app.extensions import limiter
from app.forms import BaseForm
from app.mail import MailError, build_message, send_mail

bp = Blueprint("accessibility", __name__)

STATUS_TEXTS = {
    "full": _l("This application is fully compliant with the requirements of BITV 2.0."),
    "partial": _l(
        "This application is partially compliant with the requirements of BITV 2.0. "
        "The parts that are not accessible are listed below."
    ),
    "none": _l("This application is not yet compliant with the requirements of BITV 2.0."),
}

DEFAULT_KNOWN_LIMITS = [
    _l(
        "The Excel files (exports, import templates and error lists) are generated "
        "automatically; they have not been checked for accessibility."
    ),
    _l(
        "The charts on the overview are images; their figures are available as a table "
        "below each chart."
    ),
]

DEFAULT_ENFORCEMENT = _l(
    "If our answer does not satisfy you, you can turn to the Ombudsstelle für "
    "barrierefreie Informationstechnik des Landes Nordrhein-Westfalen at the Beauftragte "
    "der Landesregierung für Menschen mit Behinderung (Fürstenwall 25, 40219 Düsseldorf) "
    "for a conciliation procedure."
)


class FeedbackForm(BaseForm):
    message = TextAreaField(
        _l("Your message"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("Which barrier did you find, on which page?"),
    )
    page = StringField(_l("Page concerned (optional)"), validators=[Optional(), Length(max=500)])
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    email = EmailField(
        _l("Your email address for our answer (optional)"),
        validators=[Optional(), Email(), Length(max=254)],
    )


def statement_facts() -> dict:
    """The statement's configurable content, with the defaults filled in."""
    config = current_app.config
    status = config["ACCESSIBILITY_STATUS"]
    limits = config["ACCESSIBILITY_KNOWN_LIMITS"]
    created = config["ACCESSIBILITY_STATEMENT_DATE"]
    if isinstance(created, str):
        created = dt.date.fromisoformat(created)
    return {
        "status": status,
        "status_text": STATUS_TEXTS.get(status, STATUS_TEXTS["partial"]),
        "known_limits": [
            str(text) for text in (DEFAULT_KNOWN_LIMITS if limits is None else limits)
        ],
        "date": format_date(created, "long") if created else None,
        "contact_name": config["ACCESSIBILITY_CONTACT_NAME"],
        "contact_email": config["ACCESSIBILITY_CONTACT_EMAIL"],
        "contact_phone": config["ACCESSIBILITY_CONTACT_PHONE"],
        "enforcement": config["ACCESSIBILITY_ENFORCEMENT"] or str(DEFAULT_ENFORCEMENT),
    }


def feedback_message(form: FeedbackForm, recipient: str):
    """The mail to the accessibility contact; the sender's address goes into Reply-To."""
    who = form.name.data or _("(no name given)")
    lines = [
        _("Feedback on the accessibility of Gute Schule"),
        "",
        _("From: %(who)s", who=who),
        _("Email: %(email)s", email=form.email.data or "—"),
        _("Page concerned: %(page)s", page=form.page.data or "—"),
        _("Signed in as: %(account)s", account=current_user.email)
        if current_user.is_authenticated
        else _("Not signed in"),
        "",
        form.message.data,
    ]
    message = build_message(
        subject=_("Accessibility feedback: %(who)s", who=who)[:200],
        recipient=recipient,
        text="\n".join(lines),
    )
    if form.email.data:
        message["Reply-To"] = form.email.data
    return message


def _feedback_rate_limit() -> str:
    return current_app.config["ACCESSIBILITY_FEEDBACK_RATE_LIMIT"]


@bp.route("/accessibility", methods=["GET", "POST"])
@limiter.limit(_feedback_rate_limit, methods=["POST"])
@access(PUBLIC)
def statement():
    facts = statement_facts()
    form = FeedbackForm()
    if request.method == "GET" and not form.page.data:
        form.page.data = request.args.get("page", "")[:500]
    status = 200
    sent = False
    if facts["contact_email"] and form.validate_on_submit():
        try:
            send_mail(feedback_message(form, facts["contact_email"]))
        except MailError as exc:
            current_app.logger.warning("accessibility feedback not sent: %s", exc)
            form.form_errors.append(
                _(
                    "Your message could not be sent just now. Please try again later or "
                    "write to %(email)s.",
                    email=facts["contact_email"],
                )
            )
            status = 503
        else:
            sent = True
            form = FeedbackForm(formdata=None)
    elif form.errors:
        status = 422
    return render_template(
        "accessibility/statement.html", facts=facts, form=form, sent=sent
    ), status

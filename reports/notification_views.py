"""The department's "Benachrichtigungen" page (alert runs, outbox, preview, recipients);
routes on the reports blueprint."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import DEPARTMENT, access
from app.audit import acting_as
from app.errors import DuplicateError
from app.extensions import db
from app.saving import SaveConflictError, saving
from reports import alert_settings as settings
from reports import bp
from reports.alert_kinds import record_kinds
from reports.alert_mail import alert_kind_label, delivery_stage_label, stage_label
from reports.alerts import (
    alert_today,
    configured_recipients,
    delivery_state,
    next_stage,
    run_alerts,
)
from reports.models import AlertRecipient

TRIGGER_LABELS = {
    "manual": _l("command line"),
    "scheduler": _l("schedule"),
    "web": _l("this page"),
}


def _notifications_page(form: settings.RecipientForm, status_code: int = 200):
    status = request.args.get("status", "", type=str)
    if status not in settings.OUTBOX_FILTERS:
        status = ""
    outbox = db.paginate(
        settings.outbox_query(status),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "reports/notifications.html",
        runs=settings.recent_runs(),
        outbox=outbox,
        outbox_counts=settings.outbox_counts(),
        status=status,
        delivery_state=delivery_state,
        stage_label=stage_label,
        delivery_stage_label=delivery_stage_label,
        alert_kind_label=alert_kind_label,
        record_kinds=record_kinds(),
        trigger_labels=TRIGGER_LABELS,
        preview=run_alerts(alert_today(), dry_run=True),
        next_stage=next_stage(alert_today()),
        configured=configured_recipients(),
        recipients=settings.saved_recipients(),
        form=form,
    ), status_code


@bp.get("/notifications/")
@access(DEPARTMENT)
def notifications():
    return _notifications_page(settings.RecipientForm(formdata=None))


@bp.post("/notifications/run")
@access(DEPARTMENT)
def notifications_run():
    """Run the alert job now, synchronously, and report its outcome."""
    try:
        with acting_as("web"):
            result = run_alerts(alert_today(), trigger="web")
    except Exception as exc:  # recorded as a failed JobRun; shown, not a 500
        current_app.logger.exception("alert run from the web failed")
        flash(_("The alert run failed: %(error)s", error=str(exc)[:300]), "error")
        return redirect(url_for("reports.notifications"))
    if result.stage is None and result.sent == 0 and result.ok:
        flash(_("The alert run is done: no stage is due today."), "success")
    elif result.stage is None and result.ok:
        flash(
            _("The alert run is done: %(sent)d mails sent.", sent=result.sent),
            "success",
        )
    elif result.ok:
        flash(
            _(
                "The alert run is done (stage %(stage)s): %(sent)d mails sent.",
                stage=result.stage,
                sent=result.sent,
            ),
            "success",
        )
    else:
        flash(
            _(
                "The alert run is done (stage %(stage)s): %(sent)d mails sent, %(failed)d "
                "could not be sent and will be retried.",
                stage=result.stage or "–",
                sent=result.sent,
                failed=result.failed,
            ),
            "error",
        )
    return redirect(url_for("reports.notifications"))


@bp.post("/notifications/recipients")
@access(DEPARTMENT)
def notification_recipient_add():
    form = settings.RecipientForm()
    if form.validate():
        try:
            with saving():
                recipient = settings.add_recipient(form.email.data)
        except DuplicateError as error:
            form.email.errors.append(str(error.message))
        except SaveConflictError:  # the same address added at the same moment
            form.email.errors.append(_("This address receives the digest already."))
        else:
            flash(_("%(email)s now receives the digest.", email=recipient.email), "success")
            return redirect(url_for("reports.notifications") + "#recipients")
    return _notifications_page(form, 422)


@bp.post("/notifications/recipients/<int:recipient_id>/delete")
@access(DEPARTMENT)
def notification_recipient_delete(recipient_id: int):
    recipient = db.session.get(AlertRecipient, recipient_id)
    if recipient is None:
        abort(404)
    email = recipient.email
    with saving():
        settings.remove_recipient(recipient)
    flash(_("%(email)s no longer receives the digest.", email=email), "success")
    return redirect(url_for("reports.notifications") + "#recipients")

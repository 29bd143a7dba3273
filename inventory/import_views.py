"""The import pages: choose and upload a file, preview what it would change, confirm.

Routes on the inventory blueprint; the work is done by inventory.importer.
"""

import io
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import SIGNED_IN, access, scope_to_user
from app.extensions import db
from app.input_guard import attachment_name
from inventory import bp, import_uploads
from inventory.import_forms import IMPORT_KINDS, ImportUploadForm
from inventory.import_preview import changed_rows
from inventory.import_workbooks import MIME_TYPE, errors_workbook, template_workbook
from inventory.importer import ImportRefusedError, ImportScope, analyse, apply
from inventory.kinds import KINDS
from schools.models import School

MAX_ERRORS_SHOWN = 500


def _kinds() -> list[str]:
    return [k for k in IMPORT_KINDS if k != "schools" or current_user.is_department]


def _visible_schools() -> list[tuple[str, str]]:
    stmt = scope_to_user(sa.select(School.school_number, School.name), School.id)
    return [tuple(row) for row in db.session.execute(stmt.order_by(School.school_number))]


def _upload_or_404(token: str) -> import_uploads.Upload:
    upload = import_uploads.load(token, current_user.id)
    if upload is None or upload.kind not in _kinds():
        abort(404)
    return upload


def _scope(upload: import_uploads.Upload, schools: list[tuple[str, str]]) -> ImportScope:
    default = upload.school or None
    if default is None and not current_user.sees_all_schools and len(schools) == 1:
        default = schools[0][0]  # a school admin of one school need not name it
    return ImportScope(user=current_user._get_current_object(), default_school=default)


def _analyse(upload: import_uploads.Upload):
    schools = _visible_schools()
    return analyse(upload.kind, upload.read(), upload.filename, _scope(upload, schools))


@bp.route("/imports/", methods=["GET", "POST"])
@access(SIGNED_IN)
def imports():
    schools = _visible_schools()
    form = ImportUploadForm(kinds=_kinds(), schools=schools)
    if request.method == "GET" and request.args.get("kind") in _kinds():
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        file = form.file.data
        # The user's own file name (umlauts and all) names the sheet of a CSV in messages.
        filename = PurePosixPath((file.filename or "").replace("\\", "/")).name[-120:]
        upload = import_uploads.save(
            file.read(),
            filename or "import",
            form.kind.data,
            form.school.data or "",
            current_user.id,
        )
        return redirect(url_for("inventory.import_preview", token=upload.token))
    return render_template(
        "inventory/imports/index.html",
        form=form,
        kinds=[(kind, IMPORT_KINDS[kind]) for kind in _kinds()],
    )


@bp.get("/imports/template/<kind>.xlsx")
@access(SIGNED_IN)
def import_template(kind):
    if kind not in _kinds():
        abort(404)
    return send_file(
        io.BytesIO(template_workbook(kind)),
        mimetype=MIME_TYPE,
        as_attachment=True,
        download_name=f"Vorlage-{KINDS[kind].sheet}.xlsx",
    )


@bp.get("/imports/<token>")
@access(SIGNED_IN)
def import_preview(token):
    upload = _upload_or_404(token)
    report = _analyse(upload)
    changed, more_changed = changed_rows(report)  # before the rollback expires the records
    db.session.rollback()
    errors = report.errors
    return render_template(
        "inventory/imports/preview.html",
        changed=changed,
        more_changed=more_changed,
        upload=upload,
        kind_label=IMPORT_KINDS[upload.kind],
        report=report,
        counts=report.counts,
        errors=errors[:MAX_ERRORS_SHOWN],
        more_errors=max(0, len(errors) - MAX_ERRORS_SHOWN),
    )


@bp.post("/imports/<token>/confirm")
@access(SIGNED_IN)
def import_confirm(token):
    upload = _upload_or_404(token)
    only_valid = request.form.get("mode") == "valid"
    report = _analyse(upload)
    try:
        counts = apply(report, only_valid=only_valid)
    except ImportRefusedError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("inventory.import_preview", token=token))
    import_uploads.discard(token)
    flash(
        _(
            "Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.",
            **counts,
        ),
        "success",
    )
    if only_valid and counts["bad"]:
        flash(_("%(bad)s bad rows were not imported.", bad=counts["bad"]), "warning")
    return redirect(_after_import(upload.kind, report))


def _after_import(kind: str, report) -> str:
    """The list that shows what was imported: the school's page when it is one school."""
    schools = {row.school.school_number for row in report.rows if row.school is not None}
    if kind == "schools":
        return url_for("schools.school_list")
    if len(schools) == 1:
        number = schools.pop()
        if kind == "devices":
            return url_for("inventory.device_list", school_number=number)
        return url_for("schools.school_detail", school_number=number)
    return url_for("inventory.imports")


@bp.get("/imports/<token>/errors.xlsx")
@access(SIGNED_IN)
def import_errors(token):
    upload = _upload_or_404(token)
    report = _analyse(upload)
    db.session.rollback()
    stem = attachment_name(upload.filename.rsplit(".", 1)[0])
    return send_file(
        io.BytesIO(errors_workbook(report)),
        mimetype=MIME_TYPE,
        as_attachment=True,
        download_name=f"{stem}-Fehler.xlsx",
    )

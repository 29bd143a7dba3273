"""Device, network link and offering pages."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from app.access import SCHOOL, access, record_or_404, school_or_404
from app.templating import label
from inventory import bp, records
from inventory.forms import DeviceForm, NetworkLinkForm, OfferingForm
from inventory.listing import SORT_COLUMNS, DeviceFilters, device_page, rooms_of
from inventory.models import Device, NetworkLink, Offering
from inventory.records import Outcome


@bp.app_template_filter("inventory_date")
def _format_date(value) -> str:
    return format_date(value, "dd.MM.yyyy") if value else ""


@bp.app_template_filter("inventory_money")
def _format_money(value) -> str:
    return f"{format_decimal(value, '#,##0.00')}\u00a0€" if value is not None else ""


def school_page(school) -> str:
    """Where a school's links and offerings are listed: its detail page."""
    if "schools.school_detail" in current_app.view_functions:
        return url_for("schools.school_detail", school_number=school.school_number)
    return url_for("inventory.device_list", school_number=school.school_number)


def with_sites(form, school):
    """The site select lists the school's real sites, without the blank "main site" entry
    next to the main site itself (a blank post still means the main site)."""
    if school.main_site is not None:
        form.site.choices = [choice for choice in form.site.choices if choice.value != ""]
    return form


def main_site_id(school) -> int | None:
    return school.main_site.id if school.main_site is not None else None


# --- Devices -----------------------------------------------------------------------------


@bp.get("/schools/<school_number>/devices/")
@access(SCHOOL)
def device_list(school_number):
    school = school_or_404(school_number)
    filters = DeviceFilters.from_args(request.args)
    result = device_page(school, filters, current_app.config["PER_PAGE"])
    return render_template(
        "inventory/device_list.html",
        school=school,
        filters=filters,
        result=result,
        rooms=rooms_of(school),
        sort_columns=SORT_COLUMNS,
        school_page=school_page(school),
    )


def _device_form_page(school, form, device=None, stale_message=None):
    if device is None:
        title = _("Add device")
        cancel_url = url_for("inventory.device_list", school_number=school.school_number)
        delete_url = None
    else:
        number = device.inventory_number
        title = _("Edit device %(number)s", number=number)
        cancel_url = url_for("inventory.device_detail", inventory_number=number)
        delete_url = url_for("inventory.device_delete", inventory_number=number)
    return render_template(
        "inventory/record_form.html",
        school=school,
        form=form,
        record=device,
        title=title,
        stale_message=stale_message,
        delete_url=delete_url,
        cancel_url=cancel_url,
        history=records.history(device) if device is not None else [],
    )


def _save_device(school, form, device, is_new):
    """Save and redirect, or render the form again with what went wrong."""
    outcome, device = records.save(device, form, school)
    if outcome is Outcome.SAVED:
        message = _("Device %(number)s was added.") if is_new else _("Device %(number)s was saved.")
        flash(message % {"number": device.inventory_number}, "success")
        if is_new:
            return redirect(url_for("inventory.device_list", school_number=school.school_number))
        return redirect(
            url_for("inventory.device_detail", inventory_number=device.inventory_number)
        )
    if outcome is Outcome.STALE:
        return _stale_device(school, device)
    if outcome is Outcome.REJECTED and not form.errors:
        form.form_errors.append(_("The entry could not be saved. Please check your input."))
    return _device_form_page(school, form, None if is_new else device), 422


def _stale_device(school, device):
    """Show the current state of the record instead of the refused changes."""
    form = DeviceForm(formdata=None, obj=device, school=school)
    form.site.data = device.site_id
    with_sites(form, school)
    message = _(
        "This device was changed by %(actor)s in the meantime. Your changes were not saved; "
        "below you see the current state."
    ) % {"actor": records.last_editor(device)}
    return _device_form_page(school, form, device, stale_message=message), 409


@bp.route("/schools/<school_number>/devices/new", methods=["GET", "POST"])
@access(SCHOOL)
def device_new(school_number):
    school = school_or_404(school_number)
    form = with_sites(DeviceForm(school=school), school)
    if not form.is_submitted():
        form.site.data = main_site_id(school)  # a new device stands at the main site
    if form.validate_on_submit():
        return _save_device(school, form, Device(), is_new=True)
    status = 422 if form.is_submitted() else 200
    return _device_form_page(school, form), status


@bp.get("/devices/<inventory_number>")
@access(SCHOOL)
def device_detail(inventory_number):
    device = record_or_404(Device, Device.inventory_number == inventory_number)
    return render_template(
        "inventory/device_detail.html",
        device=device,
        school=device.school,
        history=records.history(device),
    )


@bp.route("/devices/<inventory_number>/edit", methods=["GET", "POST"])
@access(SCHOOL)
def device_edit(inventory_number):
    device = record_or_404(Device, Device.inventory_number == inventory_number)
    school = device.school
    if request.method == "GET":
        form = with_sites(DeviceForm(obj=device, school=school), school)
        form.site.data = device.site_id
        return _device_form_page(school, form, device)
    form = with_sites(DeviceForm(school=school), school)
    if records.is_stale(device, form):
        return _stale_device(school, device)
    if form.validate():
        return _save_device(school, form, device, is_new=False)
    return _device_form_page(school, form, device), 422


@bp.route("/devices/<inventory_number>/delete", methods=["GET", "POST"])
@access(SCHOOL)
def device_delete(inventory_number):
    device = record_or_404(Device, Device.inventory_number == inventory_number)
    school = device.school
    if request.method == "POST":
        if records.delete(device) is Outcome.STALE:
            flash(_("The entry was changed or deleted meanwhile and was not deleted."), "error")
        else:
            flash(_("Device %(number)s was deleted.") % {"number": inventory_number}, "success")
        return redirect(url_for("inventory.device_list", school_number=school.school_number))
    return render_template(
        "inventory/confirm_delete.html",
        school=school,
        title=_("Delete device %(number)s?") % {"number": device.inventory_number},
        what=_("The device %(number)s (%(description)s) will be deleted. Its history is kept.")
        % {"number": device.inventory_number, "description": _device_description(device)},
        cancel_url=url_for("inventory.device_detail", inventory_number=device.inventory_number),
    )


def _device_description(device) -> str:
    parts = [label("DEVICE_CATEGORIES", device.category), device.manufacturer, device.model]
    return " ".join(part for part in parts if part)


# --- Network links and offerings ---------------------------------------------------------

KINDS = {
    NetworkLink: {
        "form": NetworkLinkForm,
        "new": "inventory.link_new",
        "edit": "inventory.link_edit",
        "delete": "inventory.link_delete",
    },
    Offering: {
        "form": OfferingForm,
        "new": "inventory.offering_new",
        "edit": "inventory.offering_edit",
        "delete": "inventory.offering_delete",
    },
}


def _titles(model, record=None) -> dict:
    """The texts of a link or offering page."""
    if model is NetworkLink:
        return {
            "new": _("Add network link"),
            "edit": _("Edit network link"),
            "added": _("The network link was added."),
            "saved": _("The network link was saved."),
            "deleted": _("The network link was deleted."),
            "delete": _("Delete network link?"),
            "stale": _(
                "This network link was changed by %(actor)s in the meantime. Your changes "
                "were not saved; below you see the current state."
            ),
            "what": _("The network link %(description)s will be deleted. Its history is kept.")
            % {"description": _link_description(record)}
            if record is not None
            else "",
        }
    return {
        "new": _("Add offering"),
        "edit": _("Edit offering"),
        "added": _("The offering was added."),
        "saved": _("The offering was saved."),
        "deleted": _("The offering was deleted."),
        "delete": _("Delete offering?"),
        "stale": _(
            "This offering was changed by %(actor)s in the meantime. Your changes were not "
            "saved; below you see the current state."
        ),
        "what": _("The offering %(description)s will be deleted. Its history is kept.")
        % {"description": _offering_description(record)}
        if record is not None
        else "",
    }


def _link_description(link) -> str:
    parts = [
        label("LINK_TECHNOLOGIES", link.technology),
        f"{link.down_mbps}/{link.up_mbps} Mbit/s",
        link.provider,
    ]
    return " ".join(part for part in parts if part)


def _offering_description(offering) -> str:
    parts = [
        label("OFFERING_KINDS", offering.kind),
        f"({label('LEARNING_LEVELS', offering.learning_level)})",
        offering.description,
    ]
    return " ".join(part for part in parts if part)


def _record_form_page(model, school, form, record=None, stale_message=None):
    titles = _titles(model)
    return render_template(
        "inventory/record_form.html",
        school=school,
        form=form,
        record=record,
        title=titles["edit"] if record is not None else titles["new"],
        stale_message=stale_message,
        delete_url=url_for(KINDS[model]["delete"], **_id_arg(model, record)) if record else None,
        cancel_url=school_page(school),
        history=records.history(record) if record is not None else [],
    )


def _id_arg(model, record) -> dict:
    return {"link_id": record.id} if model is NetworkLink else {"offering_id": record.id}


def _form_for(model, school, record=None):
    """The form with the posted data, or (given a record) filled with the record's values.
    A posted form never falls back to the record's values for fields missing in the post."""
    form_class = KINDS[model]["form"]
    if record is None:
        form = form_class(school=school)
    else:
        form = form_class(formdata=None, obj=record, school=school)
    if hasattr(form, "site"):
        with_sites(form, school)
        if record is not None:
            form.site.data = record.site_id
        elif not form.is_submitted():
            form.site.data = main_site_id(school)
    return form


def _stale_record(model, school, record):
    form = _form_for(model, school, record)
    message = _titles(model)["stale"] % {"actor": records.last_editor(record)}
    return _record_form_page(model, school, form, record, stale_message=message), 409


def _save_record(model, school, form, record, is_new):
    outcome, record = records.save(record, form, school)
    if outcome is Outcome.SAVED:
        flash(_titles(model)["added" if is_new else "saved"], "success")
        return redirect(school_page(school))
    if outcome is Outcome.STALE:
        return _stale_record(model, school, record)
    if not form.errors:
        form.form_errors.append(_("The entry could not be saved. Please check your input."))
    return _record_form_page(model, school, form, None if is_new else record), 422


def _new_record(model, school_number):
    school = school_or_404(school_number)
    form = _form_for(model, school)
    if form.validate_on_submit():
        return _save_record(model, school, form, model(), is_new=True)
    status = 422 if form.is_submitted() else 200
    return _record_form_page(model, school, form), status


def _edit_record(model, record_id):
    record = record_or_404(model, model.id == record_id)
    school = record.school
    if request.method == "GET":
        return _record_form_page(model, school, _form_for(model, school, record), record)
    form = _form_for(model, school)
    if records.is_stale(record, form):
        return _stale_record(model, school, record)
    if form.validate():
        return _save_record(model, school, form, record, is_new=False)
    return _record_form_page(model, school, form, record), 422


def _delete_record(model, record_id):
    record = record_or_404(model, model.id == record_id)
    school = record.school
    titles = _titles(model, record)
    if request.method == "POST":
        if records.delete(record) is Outcome.STALE:
            flash(_("The entry was changed or deleted meanwhile and was not deleted."), "error")
        else:
            flash(titles["deleted"], "success")
        return redirect(school_page(school))
    return render_template(
        "inventory/confirm_delete.html",
        school=school,
        title=titles["delete"],
        what=titles["what"],
        cancel_url=url_for(KINDS[model]["edit"], **_id_arg(model, record)),
    )


@bp.route("/schools/<school_number>/links/new", methods=["GET", "POST"])
@access(SCHOOL)
def link_new(school_number):
    return _new_record(NetworkLink, school_number)


@bp.route("/links/<int:link_id>/edit", methods=["GET", "POST"])
@access(SCHOOL)
def link_edit(link_id):
    return _edit_record(NetworkLink, link_id)


@bp.route("/links/<int:link_id>/delete", methods=["GET", "POST"])
@access(SCHOOL)
def link_delete(link_id):
    return _delete_record(NetworkLink, link_id)


@bp.route("/schools/<school_number>/offerings/new", methods=["GET", "POST"])
@access(SCHOOL)
def offering_new(school_number):
    return _new_record(Offering, school_number)


@bp.route("/offerings/<int:offering_id>/edit", methods=["GET", "POST"])
@access(SCHOOL)
def offering_edit(offering_id):
    return _edit_record(Offering, offering_id)


@bp.route("/offerings/<int:offering_id>/delete", methods=["GET", "POST"])
@access(SCHOOL)
def offering_delete(offering_id):
    return _delete_record(Offering, offering_id)

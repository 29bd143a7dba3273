"""Label printing: the form of a school's labels and its PDF download (routes on the
inventory blueprint)."""

from flask import Response, render_template, request
from flask_babel import gettext as _

from app.access import SCHOOL, access, school_or_404
from inventory import labels
from inventory.label_forms import LabelForm
from inventory.listing import rooms_of
from inventory.views import bp, school_page
from schools.school_years import today_in_berlin


def _form(school, formdata) -> LabelForm:
    return LabelForm(formdata, sites=school.sites, rooms=rooms_of(school))


def _page(school, form, status: int = 200):
    return (
        render_template(
            "inventory/labels.html",
            school=school,
            form=form,
            # What the QR codes hold: this address, then the inventory number.
            url_prefix=labels.device_url("0").removesuffix("0"),
            school_page=school_page(school),
        ),
        status,
    )


@bp.get("/schools/<school_number>/labels/")
@access(SCHOOL)
def labels_form(school_number):
    school = school_or_404(school_number)
    form = _form(school, None)
    # The device page's button asks for that one device's label.
    form.inventory_number.data = request.args.get("inventory_number", "")[:64]
    return _page(school, form)


@bp.get("/schools/<school_number>/labels.pdf")
@access(SCHOOL)
def labels_pdf(school_number):
    school = school_or_404(school_number)
    form = _form(school, request.args)
    if not form.validate():
        return _page(school, form, 400)
    site = next((s for s in school.sites if str(s.id) == form.site.data), None)
    devices = labels.devices_for_labels(
        school,
        site=site,
        room=form.room.data or None,
        inventory_number=form.inventory_number.data or None,
    )
    if not devices:
        if form.inventory_number.data:
            form.inventory_number.errors.append(_("This school has no device with this number."))
        else:
            form.form_errors.append(_("No devices match this choice."))
        return _page(school, form, 400)
    pdf = labels.render(
        labels.labels_for(school, devices, with_room=form.with_room.data),
        form.chosen_layout,
        start=form.first_slot,
        outlines=form.outlines.data,
        title=_("Inventory labels %(school)s", school=school.school_number),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "attachment", filename=labels.filename(school, today_in_berlin())
    )
    return response

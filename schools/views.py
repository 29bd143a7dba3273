"""School registry pages: the school list, a school's page and history, and the school
and site forms. The work is done in schools/pages.py."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.routing import BuildError

from app.access import DEPARTMENT, SCHOOL, SIGNED_IN, access, record_or_404, school_or_404
from app.codes import SCHOOL_FORMS
from app.errors import (
    DuplicateError,
    InvalidFieldsError,
    MainSiteNotDeletableError,
    SaveConflictError,
    StaleVersionError,
)
from app.form_rules import add_errors, form_values
from app.saving import saving
from inventory.kinds import SCHOOLS, SITES
from schools import bp, pages, service
from schools.forms import SchoolForm, SiteForm
from schools.models import Site

STALE_MESSAGE = _l(
    "Someone else has changed this record in the meantime. Your changes were not saved; "
    "the form now shows the current values. Please enter your changes again."
)
DUPLICATE_NUMBER = _l("A school with this number exists already.")
MAIN_SITE_CONFLICT = _l("Another site became the main site at the same time. Please try again.")
MAIN_SITE_NOT_DELETABLE = _l(
    "The main site cannot be deleted. Make another site the main site first."
)


@bp.context_processor
def _link_helper():
    def link_to(endpoint: str, **values) -> str | None:
        """The URL of an endpoint, or None while that page does not exist (yet)."""
        if endpoint not in current_app.view_functions:
            return None
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    return {"link_to": link_to, "badge_classes": pages.BADGE_CLASSES}


def _may_edit_registry() -> bool:
    return current_user.is_department


# --- list, page, history ---------------------------------------------------------------


@bp.get("/schools/")
@access(SIGNED_IN)
def school_list():
    q = request.args.get("q", "", type=str)[:200]
    school_form = request.args.get("school_form", "", type=str)
    if school_form not in SCHOOL_FORMS:
        school_form = ""
    district = request.args.get("district", "", type=str)[:100]
    listing = pages.school_list(q=q, school_form=school_form, district=district)
    return render_template(
        "schools/list.html",
        listing=listing,
        q=q,
        school_form=school_form,
        district=district,
        may_create=_may_edit_registry(),
    )


@bp.get("/schools/<school_number>")
@access(SCHOOL)
def school_detail(school_number):
    school = school_or_404(school_number)
    return render_template(
        "schools/detail.html",
        page=pages.school_page(school),
        school=school,
        may_edit_registry=_may_edit_registry(),
    )


@bp.get("/schools/<school_number>/history")
@access(SCHOOL)
def school_history(school_number):
    school = school_or_404(school_number)
    pagination = pages.history_page(school, request.args.get("page", 1, type=int))
    return render_template("schools/history.html", school=school, pagination=pagination)


# --- schools -----------------------------------------------------------------------------


@bp.route("/schools/new", methods=["GET", "POST"])
@access(DEPARTMENT)
def school_new():
    form = SchoolForm()
    if request.method == "GET":
        form.city.data = "Bochum"
    if form.validate_on_submit():
        try:
            with saving():
                school = service.create_school(form_values(form, SCHOOLS))
        except InvalidFieldsError as exc:
            add_errors(form, exc.fields)
        except (DuplicateError, SaveConflictError):
            form.school_number.errors.append(DUPLICATE_NUMBER)
        else:
            flash(_("The school has been created."), "success")
            return redirect(url_for("schools.school_detail", school_number=school.school_number))
    return render_template("schools/school_form.html", form=form, school=None, contact_only=False)


def _school_form(school, formdata=None):
    """The edit form; a school admin's form holds only the contact fields."""
    form = SchoolForm() if formdata is not None else SchoolForm(formdata=None, obj=school)
    if not _may_edit_registry():
        for name in list(form._fields):
            if name not in SchoolForm.CONTACT_FIELDS and name not in ("version", "csrf_token"):
                del form[name]
    return form


@bp.route("/schools/<school_number>/edit", methods=["GET", "POST"])
@access(SCHOOL)
def school_edit(school_number):
    school = school_or_404(school_number)
    stale = False
    if request.method == "POST":
        form = _school_form(school, request.form)
        if form.validate():
            try:
                with saving():
                    service.update_school(
                        school, form_values(form, SCHOOLS), version=form.version.data
                    )
            except StaleVersionError:
                stale = True
            except InvalidFieldsError as exc:
                add_errors(form, exc.fields)
            except (DuplicateError, SaveConflictError):
                # Only the registry form has the number; a school admin's cannot clash.
                (form.school_number or form.it_contact_email).errors.append(DUPLICATE_NUMBER)
            else:
                flash(_("The changes have been saved."), "success")
                return redirect(
                    url_for("schools.school_detail", school_number=school.school_number)
                )
        if stale:
            school = school_or_404(school_number)
            form = _school_form(school)
    else:
        form = _school_form(school)
    return render_template(
        "schools/school_form.html",
        form=form,
        school=school,
        contact_only=not _may_edit_registry(),
        stale=stale,
        stale_message=STALE_MESSAGE,
    ), (409 if stale else 200)


@bp.route("/schools/<school_number>/delete", methods=["GET", "POST"])
@access(DEPARTMENT)
def school_delete(school_number):
    school = school_or_404(school_number)
    if request.method == "POST":
        name = school.name
        with saving():
            service.delete_school(school)
        flash(_("The school %(name)s has been deleted.", name=name), "success")
        return redirect(url_for("schools.school_list"))
    return render_template(
        "schools/school_delete.html", school=school, impact=pages.school_delete_impact(school)
    )


# --- sites -------------------------------------------------------------------------------


def _site_form(site=None, formdata=None):
    form = SiteForm() if formdata is not None else SiteForm(formdata=None, obj=site)
    if site is not None and site.is_main:
        # The main site stays main until another site is made the main site.
        del form["is_main"]
    return form


@bp.route("/schools/<school_number>/sites/new", methods=["GET", "POST"])
@access(SCHOOL)
def site_new(school_number):
    school = school_or_404(school_number)
    form = SiteForm()
    if request.method == "GET":
        form.city.data = school.city or "Bochum"
    if form.validate_on_submit():
        try:
            with saving():
                service.create_site(school, form_values(form, SITES))
        except InvalidFieldsError as exc:
            add_errors(form, exc.fields)
        except (SaveConflictError, StaleVersionError):
            form.is_main.errors.append(MAIN_SITE_CONFLICT)
        else:
            flash(_("The site has been created."), "success")
            return redirect(url_for("schools.school_detail", school_number=school_number))
    return render_template("schools/site_form.html", form=form, school=school, site=None)


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@access(SCHOOL)
def site_edit(site_id):
    site = record_or_404(Site, Site.id == site_id)
    school = site.school
    stale = False
    if request.method == "POST":
        form = _site_form(site, request.form)
        if form.validate():
            try:
                with saving():
                    service.update_site(site, form_values(form, SITES), version=form.version.data)
            except StaleVersionError:
                stale = True
            except InvalidFieldsError as exc:
                add_errors(form, exc.fields)
            except SaveConflictError:
                (form.is_main or form.name).errors.append(MAIN_SITE_CONFLICT)
            else:
                flash(_("The changes have been saved."), "success")
                return redirect(
                    url_for("schools.school_detail", school_number=school.school_number)
                )
        if stale:
            site = record_or_404(Site, Site.id == site_id)
            school = site.school
            form = _site_form(site)
    else:
        form = _site_form(site)
    return render_template(
        "schools/site_form.html",
        form=form,
        school=school,
        site=site,
        stale=stale,
        stale_message=STALE_MESSAGE,
    ), (409 if stale else 200)


@bp.route("/sites/<int:site_id>/delete", methods=["GET", "POST"])
@access(SCHOOL)
def site_delete(site_id):
    site = record_or_404(Site, Site.id == site_id)
    school = site.school
    if request.method == "POST":
        name = site.name
        try:
            with saving():
                service.delete_site(site)
        except MainSiteNotDeletableError:
            flash(str(MAIN_SITE_NOT_DELETABLE), "error")
            return redirect(url_for("schools.site_edit", site_id=site.id))
        flash(_("The site %(name)s has been deleted.", name=name), "success")
        return redirect(url_for("schools.school_detail", school_number=school.school_number))
    return render_template(
        "schools/site_delete.html",
        site=site,
        school=school,
        impact=pages.site_delete_impact(site),
        main_site_message=MAIN_SITE_NOT_DELETABLE,
    )

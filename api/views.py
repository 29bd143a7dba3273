"""The JSON API v1 (shared/DESIGN.md "JSON API (v1)"): thin views over api/service.py.

Scoping is the web's: scope_to_user / school_or_404 / record_or_404 with the token's
user as the current user; another school's data answers 404. Bodies and query strings
are type-checked by the marshmallow schemas (api/schemas.py), the rules are the write services'.
"""

import sqlalchemy as sa
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.utils import get_appcontext
from sqlalchemy.exc import DataError

from api import service
from api.auth import authenticate, rate_limit, rate_limit_key, set_request_user
from api.parsing import ApiParser
from api.schemas import (
    DevicePageSchema,
    DevicePatchSchema,
    DeviceQuerySchema,
    DeviceSchema,
    FundingProgrammeListSchema,
    LinkPageSchema,
    LinkPatchSchema,
    LinkQuerySchema,
    LinkSchema,
    OfferingPageSchema,
    OfferingPatchSchema,
    OfferingQuerySchema,
    OfferingSchema,
    ReadinessQuerySchema,
    ReadinessSchema,
    SchoolPageSchema,
    SchoolPatchSchema,
    SchoolQuerySchema,
    SchoolSchema,
    SchoolYearListSchema,
    SchoolYearPutSchema,
    SchoolYearSchema,
    SitePageSchema,
    SitePatchSchema,
    SiteQuerySchema,
    SiteSchema,
)
from app.access import DEPARTMENT, SIGNED_IN, access, record_or_404, school_or_404, scope_to_user
from app.extensions import csrf, db, limiter
from app.security import api_error
from inventory.funding_models import FundingProgramme
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, SchoolYear, Site


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Schools, sites, devices, network links, offerings, school years, readiness.",
)
# Bearer tokens, no cookies: nothing for a cross-site form to ride on.
csrf.exempt(bp)
limiter.limit(rate_limit, key_func=rate_limit_key)(bp)


@bp.before_request
def _authenticate_token():
    user = authenticate()
    set_request_user(user)
    if user is None:
        return api_error(
            401,
            _("A valid API token is needed: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="gute-schule"'},
        )
    return None


@bp.before_request
def _refuse_nul_characters():
    """Path and query text with NUL cannot be compared in PostgreSQL: 400, not 500."""
    values = [*(request.view_args or {}).values(), *request.args.values(), *request.args.keys()]
    if any(isinstance(value, str) and "\x00" in value for value in values):
        return api_error(400, "NUL characters are not allowed in paths and parameters.")
    return None


@bp.after_request
def _response_headers(response):
    """Answers hold one user's data: no shared caches. An object's version is its ETag,
    so a client can send it back as If-Match."""
    response.headers.setdefault("Cache-Control", "no-store")
    if response.is_json and response.status_code in (200, 201):
        # What the view's schema dumped (flask-smorest keeps it): no need to parse the body.
        body = get_appcontext().get("result_dump")
        if body is None:
            body = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("version"), int):
            response.headers["ETag"] = f'"{body["version"]}"'
    return response


@bp.errorhandler(DataError)
def _data_error(error: DataError):
    """A value the database refuses (a last line of defence; schemas catch these first)."""
    db.session.rollback()
    return api_error(422, _("Some fields are not valid."))


@bp.errorhandler(service.ApiError)
def _api_error(error: service.ApiError):
    return api_error(error.status, error.message, error.fields)


def _parse_error(error):
    """webargs' 400/415/422: the messages per field, flattened to lists of strings."""
    data = getattr(error, "data", None) or {}
    fields = {}
    general = []
    for messages in (data.get("messages") or {}).values():
        if isinstance(messages, dict):
            for name, field_messages in messages.items():
                fields[str(name)] = _flatten(field_messages)
        else:
            general.extend(_flatten(messages))
    message = " ".join(general) or (error.description or "")
    if error.code == 422:
        message = " ".join(general) or _("Some fields are not valid.")
    return api_error(error.code, message, fields)


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [text for value in messages for text in _flatten(value)]
    return [str(messages)]


for _code in (400, 415, 422):
    bp.register_error_handler(_code, _parse_error)


# --- schools -----------------------------------------------------------------------------


@bp.route("/schools", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(SchoolQuerySchema, location="query")
@bp.response(200, SchoolPageSchema)
def school_list(args):
    """The schools the caller may see."""
    criteria = service.equal_filters(
        School, args, ("school_form", "district", "operator", "startchancen")
    )
    if args.get("learning_levels"):
        criteria.append(School.learning_levels_codes.contains(args["learning_levels"]))
    stmt = scope_to_user(sa.select(School).where(*criteria), School.id)
    return service.page_of(
        stmt, (School.name, School.school_number), args["page"], args["per_page"]
    )


@bp.route("/schools", methods=["POST"])
@access(DEPARTMENT)
@bp.arguments(SchoolSchema)
@bp.response(201, SchoolSchema)
def school_create(payload):
    """Create a school with its main site (department and admin)."""
    return service.create_school(payload)


@bp.route("/schools/<school_number>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, SchoolSchema)
def school_get(school_number):
    """One school."""
    return school_or_404(school_number)


@bp.route("/schools/<school_number>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(SchoolPatchSchema)
@bp.response(200, SchoolSchema)
def school_patch(payload, school_number):
    """Change a school; school admins only its contact fields."""
    school = school_or_404(school_number)
    if not current_user.is_department and not service.school_admin_may_change(payload):
        abort(403)
    return service.update_school(school, payload)


@bp.route("/schools/<school_number>", methods=["DELETE"])
@access(SIGNED_IN)
@bp.response(204)
def school_delete(school_number):
    """Delete a school with everything it has (department and admin)."""
    school = school_or_404(school_number)  # another school's admin: 404, as for every read
    if not current_user.is_department:
        abort(403)
    service.delete(school)


# --- sites -------------------------------------------------------------------------------


@bp.route("/schools/<school_number>/sites", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(SiteQuerySchema, location="query")
@bp.response(200, SitePageSchema)
def site_list(args, school_number):
    """A school's sites, the main site first."""
    school = school_or_404(school_number)
    criteria = service.equal_filters(Site, args, ("is_main",))
    stmt = sa.select(Site).where(Site.school_id == school.id, *criteria)
    return service.page_of(
        stmt, (Site.is_main.desc(), Site.name, Site.id), args["page"], args["per_page"], school
    )


@bp.route("/schools/<school_number>/sites", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(SiteSchema)
@bp.response(201, SiteSchema)
def site_create(payload, school_number):
    """Add a site to a school."""
    return service.create_site(school_or_404(school_number), payload)


@bp.route("/sites/<int(max=2147483647):site_id>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, SiteSchema)
def site_get(site_id):
    """One site."""
    return record_or_404(Site, Site.id == site_id)


@bp.route("/sites/<int(max=2147483647):site_id>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(SitePatchSchema)
@bp.response(200, SiteSchema)
def site_patch(payload, site_id):
    """Change a site; is_main=true makes it the main site."""
    return service.update_site(record_or_404(Site, Site.id == site_id), payload)


@bp.route("/sites/<int(max=2147483647):site_id>", methods=["DELETE"])
@access(SIGNED_IN)
@bp.response(204)
def site_delete(site_id):
    """Delete a site (not the main site); its devices and links move to the main site."""
    service.delete_site(record_or_404(Site, Site.id == site_id))


# --- devices -----------------------------------------------------------------------------


@bp.route("/schools/<school_number>/devices", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(DeviceQuerySchema, location="query")
@bp.response(200, DevicePageSchema)
def device_list(args, school_number):
    """A school's devices, filtered by field."""
    school = school_or_404(school_number)
    criteria = service.equal_filters(
        Device, args, ("category", "status", "learning_level", "funding", "room", "manufacturer")
    )
    criteria += service.site_filter(Device, school, args.get("site"))
    stmt = sa.select(Device).where(Device.school_id == school.id, *criteria)
    return service.page_of(stmt, (Device.inventory_number,), args["page"], args["per_page"], school)


@bp.route("/schools/<school_number>/devices", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(DeviceSchema)
@bp.response(201, DeviceSchema)
def device_create(payload, school_number):
    """Add a device; a taken inventory number answers 409."""
    return service.create_record("devices", school_or_404(school_number), payload)


def _device(inventory_number: str) -> Device:
    return record_or_404(Device, Device.inventory_number == inventory_number)


@bp.route("/devices/<inventory_number>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, DeviceSchema)
def device_get(inventory_number):
    """One device."""
    return _device(inventory_number)


@bp.route("/devices/<inventory_number>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(DevicePatchSchema)
@bp.response(200, DeviceSchema)
def device_patch(payload, inventory_number):
    """Change a device."""
    return service.update_record(_device(inventory_number), payload)


@bp.route("/devices/<inventory_number>", methods=["DELETE"])
@access(SIGNED_IN)
@bp.response(204)
def device_delete(inventory_number):
    """Delete a device."""
    service.delete(_device(inventory_number))


# --- network links -----------------------------------------------------------------------


@bp.route("/schools/<school_number>/links", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(LinkQuerySchema, location="query")
@bp.response(200, LinkPageSchema)
def link_list(args, school_number):
    """A school's network links."""
    school = school_or_404(school_number)
    criteria = service.equal_filters(NetworkLink, args, ("technology", "status"))
    criteria += service.site_filter(NetworkLink, school, args.get("site"))
    stmt = sa.select(NetworkLink).where(NetworkLink.school_id == school.id, *criteria)
    return service.page_of(stmt, (NetworkLink.id,), args["page"], args["per_page"], school)


@bp.route("/schools/<school_number>/links", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(LinkSchema)
@bp.response(201, LinkSchema)
def link_create(payload, school_number):
    """Add a network link."""
    return service.create_record("links", school_or_404(school_number), payload)


@bp.route("/links/<int(max=2147483647):link_id>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, LinkSchema)
def link_get(link_id):
    """One network link."""
    return record_or_404(NetworkLink, NetworkLink.id == link_id)


@bp.route("/links/<int(max=2147483647):link_id>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(LinkPatchSchema)
@bp.response(200, LinkSchema)
def link_patch(payload, link_id):
    """Change a network link."""
    return service.update_record(record_or_404(NetworkLink, NetworkLink.id == link_id), payload)


@bp.route("/links/<int(max=2147483647):link_id>", methods=["DELETE"])
@access(SIGNED_IN)
@bp.response(204)
def link_delete(link_id):
    """Delete a network link."""
    service.delete(record_or_404(NetworkLink, NetworkLink.id == link_id))


# --- offerings ---------------------------------------------------------------------------


@bp.route("/schools/<school_number>/offerings", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(OfferingQuerySchema, location="query")
@bp.response(200, OfferingPageSchema)
def offering_list(args, school_number):
    """A school's learning-level offerings."""
    school = school_or_404(school_number)
    criteria = service.equal_filters(Offering, args, ("learning_level", "kind", "status"))
    stmt = sa.select(Offering).where(Offering.school_id == school.id, *criteria)
    return service.page_of(stmt, (Offering.id,), args["page"], args["per_page"], school)


@bp.route("/schools/<school_number>/offerings", methods=["POST"])
@access(SIGNED_IN)
@bp.arguments(OfferingSchema)
@bp.response(201, OfferingSchema)
def offering_create(payload, school_number):
    """Add an offering."""
    return service.create_record("offerings", school_or_404(school_number), payload)


@bp.route("/offerings/<int(max=2147483647):offering_id>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, OfferingSchema)
def offering_get(offering_id):
    """One offering."""
    return record_or_404(Offering, Offering.id == offering_id)


@bp.route("/offerings/<int(max=2147483647):offering_id>", methods=["PATCH"])
@access(SIGNED_IN)
@bp.arguments(OfferingPatchSchema)
@bp.response(200, OfferingSchema)
def offering_patch(payload, offering_id):
    """Change an offering."""
    offering = record_or_404(Offering, Offering.id == offering_id)
    return service.update_record(offering, payload)


@bp.route("/offerings/<int(max=2147483647):offering_id>", methods=["DELETE"])
@access(SIGNED_IN)
@bp.response(204)
def offering_delete(offering_id):
    """Delete an offering."""
    service.delete(record_or_404(Offering, Offering.id == offering_id))


# --- school years and readiness ----------------------------------------------------------


@bp.route("/school-years", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, SchoolYearListSchema)
def school_year_list():
    """All school years with their first school day."""
    years = db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.start_year)).all()
    return {"items": years}


def _school_year(start_year: int) -> SchoolYear:
    year = db.session.scalar(sa.select(SchoolYear).where(SchoolYear.start_year == start_year))
    if year is None:
        abort(404)
    return year


@bp.route("/school-years/<int(max=9999):start_year>", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, SchoolYearSchema)
def school_year_get(start_year):
    """One school year, by the year it starts in (2026 for 2026/27)."""
    return _school_year(start_year)


@bp.route("/school-years/<int(max=9999):start_year>", methods=["PUT"])
@access(DEPARTMENT)
@bp.arguments(SchoolYearPutSchema)
@bp.response(200, SchoolYearSchema)
@bp.alt_response(201, schema=SchoolYearSchema, description="Created")
def school_year_put(payload, start_year):
    """Set a school year's first school day (creates the year if new; department)."""
    if not 1900 <= start_year <= 2999:
        abort(404)
    year, created = service.put_school_year(start_year, payload)
    return year, 201 if created else 200


@bp.route("/funding-programmes", methods=["GET"])
@access(SIGNED_IN)
@bp.response(200, FundingProgrammeListSchema)
def funding_programme_list():
    """The funding programmes a device's `funding` can name, with their facts."""
    programmes = db.session.scalars(sa.select(FundingProgramme).order_by(FundingProgramme.code))
    return {"items": programmes.all()}


@bp.route("/readiness", methods=["GET"])
@access(SIGNED_IN)
@bp.arguments(ReadinessQuerySchema, location="query")
@bp.response(200, ReadinessSchema)
def readiness(args):
    """Gigabit readiness of the caller's schools against a school year's first school day."""
    return service.readiness_report(args.get("school_year"))

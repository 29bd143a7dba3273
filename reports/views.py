"""Dashboard and report downloads."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import codes
from app.access import SCHOOL, SIGNED_IN, access, school_or_404, visible_school_ids
from app.errors import NoSchoolYearError
from app.saving import saving
from reports import bp, need, replacement, site_map
from reports import dashboard as figures_service
from reports.charts import readiness_chart
from schools import service as schools_service


def _has_school_pages() -> bool:
    return "schools.school_detail" in current_app.view_functions


@bp.get("/")
@access(SIGNED_IN)
def dashboard():
    if not current_user.sees_all_schools:
        return render_template(
            "reports/dashboard_school.html",
            figures=figures_service.own_schools_figures(),
            school_pages=_has_school_pages(),
            replacement_totals=_replacement_totals(),
        )
    figures = figures_service.city_figures()
    charts = {
        "district": readiness_chart(
            _("Schools by city district"),
            figures.by_district,
            lambda key: key or _("No district"),
            _("City district"),
        ),
        "school_form": readiness_chart(
            _("Schools by school form"),
            figures.by_school_form,
            lambda key: codes.SCHOOL_FORMS.get(key, key),
            _("School form"),
        ),
    }
    operator = need.parse_operator(request.args.get("operator"))
    return render_template(
        "reports/dashboard.html",
        figures=figures,
        charts=charts,
        city_map=_city_map(figures),
        need_rows=need.devices_by_sozialindex(operator=operator),
        need_operator=operator or "",
        unconfirmed=_page_of(figures.unconfirmed, "unconfirmed_page"),
        floor_work=figures_service.floor_work_by_school(today=figures.deadline.today),
        school_pages=_has_school_pages(),
        replacement_totals=_replacement_totals(),
    )


def _city_map(figures) -> dict:
    """The map of every site and its table (the map's text alternative)."""
    points = site_map.map_points(figures.schools, figures.deadline.first_school_day)
    return {
        "svg": site_map.site_map(
            points, _("Map of the school sites by gigabit status"), "city-map"
        ),
        "table": site_map.site_table(points, _("The sites as a table"), "city-map-sites"),
        "unplaced": sum(1 for point in points if not point.on_map),
    }


def _replacement_totals():
    """The next three years of the replacement plan, for the user's schools."""
    return replacement.plan(visible_school_ids(), years=3).totals_by_year()


class ListPage:
    """One page of an already computed list (the dashboard's lists are small)."""

    def __init__(self, items: list, page: int, per_page: int):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(page, 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = items[start : start + per_page]


def _page_of(items: list, parameter: str) -> ListPage:
    page = request.args.get(parameter, 1, type=int) or 1
    return ListPage(items, page, int(current_app.config["PER_PAGE"]))


@bp.post("/schools/<school_number>/inventory-confirmation")
@access(SCHOOL)
def confirm_inventory(school_number):
    school = school_or_404(school_number)
    try:
        with saving():
            created = schools_service.confirm_inventory(school, current_user)[1]
    except NoSchoolYearError:
        flash(_("There is no current school year to confirm the inventory for."), "error")
    else:
        if created:
            flash(
                _("The inventory of %(name)s is confirmed as complete.", name=school.name),
                "success",
            )
        else:
            flash(
                _("The inventory of %(name)s was already confirmed.", name=school.name), "success"
            )
    return redirect(url_for("reports.dashboard"))

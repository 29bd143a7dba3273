"""The dashboard: the city's gigabit picture for the department, a school admin's own
schools, inventory confirmation, constant query counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from lxml import html

from app.audit import AuditEntry
from app.extensions import db
from reports import dashboard
from reports.charts import BarRow, Segment, stacked_bar_chart
from schools.models import InventoryConfirmation
from schools.school_years import today_in_berlin
from tests.conftest import PASSWORD

TODAY = today_in_berlin()


@pytest.fixture
def years(make_school_year):
    """A current school year (began 60 days ago) and the next one (first day in 100 days)."""
    current_start = TODAY - dt.timedelta(days=60)
    upcoming_start = TODAY + dt.timedelta(days=100)
    current = make_school_year(current_start.year - 1, current_start)
    upcoming = make_school_year(current_start.year, upcoming_start)
    return current, upcoming


def _page(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.fromstring(response.get_data(as_text=True))


def _text(doc, css_id):
    return " ".join(doc.get_element_by_id(css_id).text_content().split())


# --- the department's city figures --------------------------------------------------


def test_department_sees_share_of_ready_schools_and_sites(
    client, login_as, make_school, make_site, make_link, years
):
    schools = [make_school(name=f"Schule {i}") for i in range(4)]
    for school in schools[:3]:
        make_link(school)
    # A ready school's second site with its own fast link: 4 of 5 sites are ready.
    extra = make_site(schools[0], name="Nebenstelle")
    make_link(schools[0], site=extra)
    login_as("department")

    doc = _page(client.get("/"))

    assert "75" in _text(doc, "share-schools")
    assert "3 von 4" in _text(doc, "share-schools")
    assert "80" in _text(doc, "share-sites")
    assert "4 von 5" in _text(doc, "share-sites")
    assert _text(doc, "count-ready") == "3"
    assert _text(doc, "count-at-risk") == "1"


def test_empty_city_without_school_years_renders_without_figures(client, login_as):
    login_as("department")
    doc = _page(client.get("/"))
    assert _text(doc, "share-schools").startswith("—")
    assert "Es ist noch kein kommendes Schuljahr eingetragen." in doc.text_content()
    assert "Es gibt noch kein laufendes Schuljahr." in doc.text_content()


def test_city_figures_count_ready_schools_by_the_readiness_rule(make_school, make_link, years):
    fast, slow, none = make_school(), make_school(), make_school()
    make_link(fast)
    make_link(slow, down_mbps=1000, up_mbps=50)  # "gigabit" cable: not ready
    make_link(none, status="planned", planned_date=None)

    figures = dashboard.city_figures()

    assert figures.schools_ready == 1
    assert figures.school_share == pytest.approx(1 / 3)
    assert figures.ready_flags == {
        fast.school_number: True,
        slow.school_number: False,
        none.school_number: False,
    }


def test_days_until_the_next_first_school_day(client, login_as, years):
    login_as("department")
    doc = _page(client.get("/"))
    text = " ".join(doc.text_content().split())
    assert "100 Tage" in text
    assert years[1].label in text


def test_plan_before_the_first_school_day_is_planned_after_it_is_at_risk(
    make_school, make_link, years
):
    first_day = years[1].first_school_day
    in_time = make_school(name="Rechtzeitig")
    make_link(in_time, status="ordered", planned_date=first_day - dt.timedelta(days=1))
    on_the_day = make_school(name="Am Tag")
    make_link(on_the_day, status="planned", planned_date=first_day)
    late = make_school(name="Zu spaet")
    make_link(late, status="planned", planned_date=first_day + dt.timedelta(days=1))
    slow_plan = make_school(name="Langsamer Plan")
    make_link(slow_plan, status="planned", planned_date=first_day, up_mbps=100)
    no_plan = make_school(name="Ohne Plan")

    figures = dashboard.city_figures()

    assert figures.statuses == {
        in_time.school_number: "planned",
        on_the_day.school_number: "planned",
        late.school_number: "at_risk",
        slow_plan.school_number: "at_risk",
        no_plan.school_number: "at_risk",
    }
    at_risk = {item.school.school_number: item for item in figures.at_risk}
    assert set(at_risk) == {late.school_number, slow_plan.school_number, no_plan.school_number}
    assert at_risk[late.school_number].planned_date == first_day + dt.timedelta(days=1)
    assert at_risk[no_plan.school_number].planned_date is None
    assert [site.name for site in at_risk[no_plan.school_number].missing_sites] == ["Hauptstandort"]


def test_at_risk_list_names_school_what_is_missing_and_the_planned_date(
    client, login_as, make_school, make_link, years
):
    first_day = years[1].first_school_day
    late_date = first_day + dt.timedelta(days=30)
    late = make_school(name="Späte Schule")
    make_link(late, status="planned", planned_date=late_date)
    make_link(late, down_mbps=250, up_mbps=40)
    ready = make_school(name="Fertige Schule")
    make_link(ready)
    login_as("department")

    doc = _page(client.get("/"))

    rows = doc.xpath("//table[@id='at-risk-list']/tbody/tr")
    assert [row.get("data-school") for row in rows] == [late.school_number]
    row_text = " ".join(rows[0].text_content().split())
    assert "Späte Schule" in row_text
    assert "250/40 Mbit/s" in row_text
    assert late_date.strftime("%d.%m.%Y") in row_text
    if "schools.school_detail" in client.application.view_functions:
        assert rows[0].xpath(f".//a[@href='/schools/{late.school_number}']")


def test_at_risk_list_flags_plans_too_late_and_plans_whose_date_has_passed(
    client, login_as, make_school, make_link, years
):
    first_day = years[1].first_school_day
    late = make_school(name="Späte Schule")
    make_link(late, status="planned", planned_date=first_day + dt.timedelta(days=30))
    slipped = make_school(name="Verpasste Schule")  # in time by the day, but the date is past
    make_link(slipped, status="ordered", planned_date=TODAY - dt.timedelta(days=3))
    in_time = make_school(name="Pünktliche Schule")
    make_link(in_time, status="ordered", planned_date=TODAY + dt.timedelta(days=10))
    login_as("department")

    doc = _page(client.get("/"))

    rows = {
        row.get("data-school"): row for row in doc.xpath("//table[@id='at-risk-list']/tbody/tr")
    }
    assert set(rows) == {late.school_number, slipped.school_number}
    assert rows[late.school_number].xpath(".//*[@data-plan='too_late']")
    assert "nach dem ersten Schultag geplant" in rows[late.school_number].text_content()
    assert rows[slipped.school_number].xpath(".//*[@data-plan='overdue']")
    assert "geplanter Termin verstrichen" in rows[slipped.school_number].text_content()


def test_charts_have_a_bar_row_per_district_and_school_form(
    client, login_as, make_school, make_link, years
):
    make_link(make_school(district="Wattenscheid", school_form="grundschule"))
    make_school(district="Bochum-Süd", school_form="grundschule")
    make_school(district="Bochum-Süd", school_form="gymnasium")
    login_as("department")

    doc = _page(client.get("/"))

    district_labels = [
        t.text for t in doc.xpath("//*[@id='chart-district']//svg//text[@class='label']")
    ]
    assert district_labels == ["Bochum-Süd", "Wattenscheid"]
    form_labels = [
        t.text for t in doc.xpath("//*[@id='chart-school-form']//svg//text[@class='label']")
    ]
    assert form_labels == ["Grundschule", "Gymnasium"]
    assert len(doc.xpath("//*[@id='chart-district']//svg//rect[@class='bar ready']")) == 1
    at_risk = doc.xpath("//*[@id='chart-district']//svg//rect[@class='bar at-risk']")
    assert [bar.xpath("string(title)") for bar in at_risk] == ["Bochum-Süd: 2 gefährdet"]
    assert not doc.xpath("//*[@style]")  # the CSP blocks inline styles


def test_chart_escapes_labels():
    chart = stacked_bar_chart(
        "<Titel>",
        [BarRow('<script>alert("x")</script>', [Segment("ready", 2, "a & b")], "2 / 2")],
        [("ready", "Bereit")],
    )
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    assert "a &amp; b" in chart
    assert "style=" not in chart
    svg = html.fromstring(str(chart))
    assert svg.xpath("//rect[@class='bar ready']")[0].get("width") == "290"


def test_devices_per_student_by_school_form_counts_end_user_devices_in_use(
    client, login_as, make_school, make_device, years
):
    school = make_school(school_form="realschule", students=4)
    make_device(school, category="laptop")
    make_device(school, category="tablet")
    make_device(school, category="projector")  # not an end-user device
    make_device(school, category="laptop", status="in_repair")  # not in use
    make_school(school_form="realschule", students=4)
    login_as("department")

    figures = dashboard.devices_by_school_form()
    assert [(f.school_form, f.devices, f.students) for f in figures] == [("realschule", 2, 8)]

    doc = _page(client.get("/"))
    assert "0,25" in _text(doc, "devices-per-student")


def test_coverage_matrix_counts_schools_with_available_offerings(
    client, login_as, make_school, make_offering, years
):
    a, b, c = make_school(), make_school(), make_school()
    make_offering(a, learning_level="sek1", kind="lms")
    make_offering(a, learning_level="sek1", kind="lms", description="second one")
    make_offering(b, learning_level="sek1", kind="lms")
    make_offering(c, learning_level="sek1", kind="lms", status="planned")
    login_as("department")

    doc = _page(client.get("/"))

    cell = doc.xpath("//table[@id='coverage']//td[@data-level='sek1' and @data-kind='lms']")[0]
    assert cell.text == "2"
    assert (
        doc.xpath("//table[@id='coverage']//td[@data-level='sek2' and @data-kind='lms']")[0].text
        == "0"
    )
    assert dashboard.offering_coverage()[1]["sek1"] == 3


# --- a school admin's view ---------------------------------------------------------


def test_school_admin_sees_only_their_school(
    client, login_as, make_school, make_link, make_device, make_offering, years
):
    own = make_school(name="Eigene Schule")
    other = make_school(name="Fremde Schule", district="Anderswo")
    make_link(other)
    make_device(other)
    make_offering(other)
    make_device(own, category="tablet")
    login_as("school_admin", school=own)

    body = client.get("/").get_data(as_text=True)

    assert "Eigene Schule" in body
    assert "Fremde Schule" not in body
    assert other.school_number not in body
    assert "Anderswo" not in body


def test_school_box_shows_status_devices_offerings_and_what_is_missing(
    client, login_as, make_school, make_site, make_link, make_device, make_offering, years
):
    school = make_school(students=10)
    school.learning_levels = ["sek1", "sek2"]
    db.session.commit()
    annex = make_site(school, name="Außenstelle Nord")
    make_link(school)
    make_link(school, site=annex, status="planned", planned_date=years[1].first_school_day)
    for _ in range(3):
        make_device(school, category="tablet")
    make_offering(school, learning_level="sek1", kind="lms")
    make_offering(school, learning_level="sek2", kind="computer_science", status="planned")
    login_as("school_admin", school=school)

    doc = _page(client.get("/"))

    box = " ".join(doc.get_element_by_id(f"school-{school.school_number}").text_content().split())
    assert "Rechtzeitig geplant" in box or "planned" in box.lower()
    assert "Außenstelle Nord" in box
    assert "0,30" in box  # 3 tablets for 10 students
    missing = " ".join(doc.xpath("//ul[@class='missing']")[0].text_content().split())
    assert "Außenstelle Nord" in missing
    assert "Sekundarstufe II" in missing
    assert "Sekundarstufe I." not in missing
    assert years[0].label in missing  # inventory not confirmed for the current year
    assert doc.xpath("//form[contains(@class, 'confirm-inventory')]")


def test_school_admin_without_schools_sees_a_hint(client, login_as, make_school, years):
    make_school(name="Irgendeine Schule")
    login_as("school_admin")
    body = client.get("/").get_data(as_text=True)
    assert "Irgendeine Schule" not in body


# --- inventory confirmation --------------------------------------------------------


def _confirmations():
    db.session.expire_all()
    return db.session.scalars(sa.select(InventoryConfirmation)).all()


def test_school_admin_confirms_inventory_once_per_school_year(client, login_as, make_school, years):
    school = make_school()
    user = login_as("school_admin", school=school)
    url = f"/schools/{school.school_number}/inventory-confirmation"

    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # twice is harmless

    confirmations = _confirmations()
    assert [(c.school_id, c.school_year_id, c.user_id) for c in confirmations] == [
        (school.id, years[0].id, user.id)
    ]
    doc = _page(client.get("/"))
    assert not doc.xpath("//form[contains(@class, 'confirm-inventory')]")
    assert doc.xpath("//p[@class='confirmed']")


def test_confirming_another_schools_inventory_answers_404(client, login_as, make_school, years):
    own, other = make_school(), make_school()
    login_as("school_admin", school=own)
    response = client.post(f"/schools/{other.school_number}/inventory-confirmation")
    assert response.status_code == 404
    assert _confirmations() == []


def test_confirmation_needs_a_csrf_token(make_app, make_school, make_user, years):
    app = make_app(WTF_CSRF_ENABLED=True)
    school = make_school()
    user = make_user("school_admin", schools=[school])
    client = app.test_client()
    # Sign in with the token from the login form.
    login_page = html.fromstring(client.get("/login").get_data(as_text=True))
    token = login_page.xpath("//input[@name='csrf_token']")[0].get("value")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    url = f"/schools/{school.school_number}/inventory-confirmation"

    assert client.post(url).status_code == 400
    assert _confirmations() == []

    dashboard_page = html.fromstring(client.get("/").get_data(as_text=True))
    form = dashboard_page.xpath("//form[contains(@class, 'confirm-inventory')]")[0]
    data = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    assert client.post(form.get("action"), data=data).status_code == 302
    assert len(_confirmations()) == 1


def test_confirmation_without_a_current_school_year_writes_nothing(
    client, login_as, make_school, make_school_year
):
    make_school_year(TODAY.year + 1, TODAY + dt.timedelta(days=400))
    school = make_school()
    login_as("school_admin", school=school)
    response = client.post(f"/schools/{school.school_number}/inventory-confirmation")
    assert response.status_code == 302
    assert _confirmations() == []


def test_department_lists_unconfirmed_schools_with_their_last_change(
    client, login_as, make_school, make_device, years
):
    confirmed = make_school(name="Bestätigte Schule")
    unconfirmed = make_school(name="Offene Schule")
    make_device(unconfirmed)
    db.session.add(InventoryConfirmation(school_id=confirmed.id, school_year_id=years[0].id))
    # An older year's confirmation does not count for the current one.
    old = make_school(name="Alte Bestätigung")
    db.session.add(InventoryConfirmation(school_id=old.id, school_year_id=years[1].id))
    db.session.commit()
    latest = db.session.scalar(
        sa.select(sa.func.max(AuditEntry.created_at)).where(
            AuditEntry.school_number == unconfirmed.school_number
        )
    )
    login_as("department")

    doc = _page(client.get("/"))

    rows = doc.xpath("//table[@id='unconfirmed-list']/tbody/tr")
    assert [row.get("data-school") for row in rows] == [
        old.school_number,
        unconfirmed.school_number,
    ]
    # Stored in UTC, shown in Berlin time: near midnight the two dates differ.
    shown = latest.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Berlin"))
    assert shown.strftime("%d.%m.%Y %H:%M") in rows[1].text_content()


def test_department_may_confirm_for_a_school(client, login_as, make_school, years):
    school = make_school()
    login_as("department")
    response = client.post(f"/schools/{school.school_number}/inventory-confirmation")
    assert response.status_code == 302
    assert len(_confirmations()) == 1
    doc = _page(client.get("/"))
    assert not doc.xpath("//table[@id='unconfirmed-list']")


# --- query counts -------------------------------------------------------------------


def _populate(make_school, make_site, make_link, make_device, make_offering, count):
    schools = []
    for i in range(count):
        school = make_school(
            district=f"Bezirk {i % 4}", school_form=("grundschule", "gymnasium")[i % 2]
        )
        if i % 3 == 0:
            make_site(school, name=f"Nebenstelle {i}")
        make_link(school, status=("active", "planned")[i % 2], planned_date=TODAY)
        make_device(school)
        make_offering(school)
        schools.append(school)
    return schools


@pytest.mark.parametrize("role", ["department", "school_admin"])
def test_dashboard_query_count_does_not_grow_with_the_schools(
    client,
    login_as,
    make_school,
    make_site,
    make_link,
    make_device,
    make_offering,
    count_queries,
    years,
    role,
):
    few = _populate(make_school, make_site, make_link, make_device, make_offering, 3)
    user = login_as(role, schools=few if role == "school_admin" else ())
    with count_queries() as small:
        assert client.get("/").status_code == 200

    more = _populate(make_school, make_site, make_link, make_device, make_offering, 27)
    if role == "school_admin":
        user.schools = few + more
        db.session.commit()
    with count_queries() as large:
        assert client.get("/").status_code == 200

    assert large.count == small.count, large.statements

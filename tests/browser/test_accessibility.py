"""Browser: WCAG 2.1 AA (BITV 2.0) on every page, for every role, in German and English.

axe-core (shipped inside axe-playwright-python, no CDN) checks every page reachable from
the navigation, found by following the links of each page (one page per URL pattern),
plus the states a crawler does not reach: forms submitted empty or invalid and the
import preview of a bad file. A reflow test opens the same pages at 390 px and checks
that none scrolls sideways; a keyboard test checks the error summary's focus handling.

One live server and one data set serve the whole module; each (role, language) signs in
once and its browser context is reused by every test.
"""

import datetime as dt
import re
import threading
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.users import User
from inventory.funding_models import FundingProgramme
from inventory.models import Device, NetworkLink, Offering
from inventory.stocktake_models import StockTake, StockTakeScan
from reports.models import AlertDelivery, AlertRecipient, JobRun
from schools.models import School, SchoolYear, Site
from schools.school_years import today_in_berlin
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import PASSWORD, _empty_all_tables, free_port
from tests.inventory.test_import_helpers import german_headers, xlsx_bytes

ROLES = ["school_admin", "department", "admin"]
LANGUAGES = ["de", "en"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Links a crawler must not follow: downloads, the JSON document, sign-out, language switch.
NOT_PAGES = re.compile(r"(\.xlsx|\.json|\.pdf|\.csv)$|^/logout|^/language/|^/static/")
MAX_PAGES = 80

OWN = "171001"
SECOND = "171002"
OTHER = "171003"

pytestmark = pytest.mark.browser


def _seed() -> None:
    """Three schools (ready, planned in time, at risk), a second site, more devices than
    fit on one page, links, offerings, school years, an alert run and its outbox."""
    today = today_in_berlin()
    year = today.year if today.month < 8 else today.year + 1
    db.session.add(
        SchoolYear(
            start_year=year, label=SchoolYear.label_for(year), first_school_day=dt.date(year, 9, 1)
        )
    )
    db.session.add(
        SchoolYear(
            start_year=year + 1,
            label=SchoolYear.label_for(year + 1),
            first_school_day=dt.date(year + 1, 8, 26),
        )
    )
    schools = {}
    # Coordinates put the first two schools on the maps; the third has none (the table
    # lists it as not recorded).
    for number, name, form, district, lat, lon in (
        (OWN, "Goethe-Gymnasium", "gymnasium", "Bochum-Mitte", "51.481845", "7.216236"),
        (SECOND, "Städt. Gem. Grundschule Am Hang", "grundschule", "Bochum-Süd", "51.44", "7.25"),
        (OTHER, "Städt. Gem. Grundschule Zeche", "grundschule", "Wattenscheid", None, None),
    ):
        school = School(
            school_number=number,
            name=name,
            school_form=form,
            district=district,
            street="Schulstr. 1",
            postcode="44787",
            city="Bochum",
            students=480,
            classes=20,
            it_contact_email=f"it-{number}@schule.example.org",
            sozialindex=4 if form == "grundschule" else None,
            lat=Decimal(lat) if lat else None,
            lon=Decimal(lon) if lon else None,
        )
        school.learning_levels = ["primar"] if form == "grundschule" else ["sek1", "sek2"]
        school.sites.append(Site(name="Hauptstandort", street="Schulstr. 1", is_main=True))
        db.session.add(school)
        schools[number] = school
    db.session.flush()
    own = schools[OWN]
    annex = Site(
        school=own,
        name="Nebenstelle Wiesental",
        street="Wiesenweg 3",
        is_main=False,
        lat=Decimal("51.47"),
        lon=Decimal("7.2"),
    )
    db.session.add(annex)
    for site in (own.main_site, annex):
        db.session.add(
            NetworkLink(
                school=own,
                site=site,
                provider="Stadtwerke",
                technology="fibre",
                down_mbps=1000,
                up_mbps=1000,
                status="active",
                active_since=dt.date(2024, 5, 2),
            )
        )
    db.session.add(
        NetworkLink(
            school=schools[SECOND],
            site=schools[SECOND].main_site,
            technology="fibre",
            down_mbps=1000,
            up_mbps=1000,
            status="ordered",
            planned_date=dt.date(year, 6, 30),
        )
    )
    db.session.add(
        NetworkLink(
            school=schools[OTHER],
            site=schools[OTHER].main_site,
            technology="vdsl",
            down_mbps=100,
            up_mbps=40,
            status="active",
        )
    )
    for index in range(7):
        db.session.add(
            Device(
                school=own,
                site=own.main_site if index % 2 else annex,
                inventory_number=f"BO-A11Y-{index:04d}",
                category="laptop" if index % 2 else "tablet",
                status="in_use",
                manufacturer="Lenovo",
                model="ThinkPad E14",
                room=f"A {100 + index}",
                purchase_date=dt.date(2024, 8, 1),
                price=Decimal("899.00"),
                learning_level="sek1",
                notes="Beamer-Wagen Nord" if index == 0 else None,
            )
        )
    if not db.session.query(FundingProgramme).filter_by(code="gute_schule_2020").count():
        db.session.add(FundingProgramme(code="gute_schule_2020", name="Gute Schule 2020"))
    db.session.add(Offering(school=own, learning_level="sek1", kind="lms", status="available"))
    db.session.add(
        Offering(school=own, learning_level="sek2", kind="tablet_class_set", status="planned")
    )
    for role, email, assigned in (
        ("school_admin", "school_admin@a11y.example.org", [own, schools[SECOND]]),
        ("department", "department@a11y.example.org", []),
        ("admin", "admin@a11y.example.org", []),
    ):
        user = User(email=email, role=role, name=f"Test {role}", schools=assigned)
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.add(AlertRecipient(email="schulamt@stadt.example.org"))
    db.session.flush()
    school_year = db.session.query(SchoolYear).filter_by(start_year=year).one()
    _seed_stock_takes(own, annex, school_year)
    db.session.add(
        JobRun(
            job="gigabit_alerts",
            trigger="manual",
            finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            outcome="success",
            counts={"stage": "lead-84", "school_year": school_year.label, "sent": 1},
        )
    )
    db.session.add(
        AlertDelivery(
            kind="school",
            school_key=OTHER,
            school=schools[OTHER],
            school_year=school_year,
            stage="lead-84",
            recipient=schools[OTHER].it_contact_email,
            status="sent",
            subject="Gigabit: Städt. Gem. Grundschule Zeche",
            attempts=1,
            sent_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )
    db.session.commit()


def _seed_stock_takes(own, annex, school_year) -> None:
    """An open stock-take of a room with a device seen and an unknown number, and a
    confirmed one of the annex (its result shows the stored figures)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    room = StockTake(school=own, school_year=school_year, site=own.main_site, room="A 101")
    done = StockTake(
        school=own,
        school_year=school_year,
        site=annex,
        status="confirmed",
        confirmed_at=now,
        found=3,
        missing=1,
        moved=0,
        unknown=0,
    )
    db.session.add_all([room, done])
    db.session.flush()
    device = db.session.query(Device).filter_by(inventory_number="BO-A11Y-0001").one()
    db.session.add_all(
        [
            StockTakeScan(
                stock_take_id=room.id, number=device.inventory_number, device_id=device.id
            ),
            StockTakeScan(stock_take_id=room.id, number="BO-UNBEKANNT-1"),
        ]
    )


@pytest.fixture(scope="module")
def site(_migrated, test_config):
    """The live server of this module, on a seeded database; yields its base URL."""
    config = {k: v for k, v in test_config.items() if k != "instance"}
    config.update(
        WTF_CSRF_ENABLED=True,
        PER_PAGE=5,
        ACCESSIBILITY_CONTACT_EMAIL="barrierefreiheit@stadt.example.org",
        IMPRINT_URL="https://www.bochum.de/impressum",
        PRIVACY_URL="https://www.bochum.de/datenschutz",
    )
    served = create_app(config)
    with served.app_context():
        _seed()
        db.session.remove()
    server = make_server("127.0.0.1", free_port(), served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="a11y-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with served.app_context():
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()


class Watched:
    """A signed-in page and what went wrong in it (console errors, page errors, 5xx)."""

    _LOAD_FAILED = re.compile(
        r"Failed to load resource: the server responded with a status of 4\d\d"
    )

    def __init__(self, context, site: str):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.navigations: set[str] = set()
        self.host = urlsplit(site).netloc
        self.external: list[str] = []  # requests to any host but the test server
        self.page.on("request", self._request)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("response", self._response)

    def _console(self, message):
        if message.type != "error":
            return
        url = (message.location.get("url") or "").split("#")[0]
        if url in self.navigations and self._LOAD_FAILED.search(message.text):
            return  # a form answered 422 on purpose
        self.errors.append(f"console error: {message.text} ({url})")

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return  # nothing leaves the browser
        if parts.netloc != self.host:
            self.external.append(f"{request.resource_type} {request.url} ({request.frame.url})")

    def _response(self, response):
        if response.request.is_navigation_request():
            self.navigations.add(response.url)
        if response.status >= 500:
            self.errors.append(f"server error: {response.status} {response.url}")

    def assert_clean(self):
        errors, self.errors = self.errors, []
        assert not errors, "browser reported errors:\n" + "\n".join(errors)


@pytest.fixture(scope="module")
def signed_in(browser, site):
    """signed_in(role, language) -> a Watched page of that role in that language."""
    pages: dict[tuple[str, str], Watched] = {}

    def get(role: str, language: str) -> Watched:
        if (role, language) not in pages:
            context = browser.new_context(locale="de-DE", viewport=DESKTOP)
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
            watched = Watched(context, site)
            page = watched.page
            page.goto(f"{site}/login")
            page.fill("input[name=email]", f"{role}@a11y.example.org")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            assert "/login" not in page.url, f"sign-in failed for {role}"
            page.goto(f"{site}/language/{language}?next=/")
            pages[role, language] = watched
        return pages[role, language]

    yield get
    for watched in pages.values():
        watched.context.close()


def _pattern(path: str) -> str:
    """One page per URL pattern: /schools/171001/devices/ and /schools/171002/devices/
    are the same page; query strings (sorting, paging, filters) are not new pages, nor
    are the delete confirmations of devices, links and offerings, nor their "new" forms
    (one template each)."""
    pattern = "/".join("#" if re.search(r"\d", part) else part for part in path.split("/"))
    pattern = re.sub(r"^/(devices|links|offerings)/#/delete$", "/record/#/delete", pattern)
    # A record's "new" form is its edit form without the history (one template).
    return re.sub(r"^/schools/#/(devices|links|offerings)/new$", r"/\1/#/edit", pattern)


def crawl_links(page, site: str) -> list[str]:
    """The app's page links on the current page (no downloads, no fragments)."""
    paths = []
    # getAttribute, not a.href: an SVG link's href (the maps' points) is no string.
    resolve = "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
    for href in page.eval_on_selector_all("a[href]", resolve):
        parts = urlsplit(href)
        if href.startswith(site) and not NOT_PAGES.search(parts.path) and not parts.fragment:
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


# --- states a crawler does not reach: failed forms and the import preview ---------------


def _submit_empty(path: str, button: str = "main form button.primary"):
    def act(page, site, _tmp):
        page.goto(site + path)
        with page.expect_navigation():
            page.click(button)
        assert page.locator("[data-error-summary]").count() == 1, f"no error summary on {path}"

    return act


def _school_contact_invalid(page, site, _tmp):
    page.goto(f"{site}/schools/{OWN}/edit")
    page.fill("#it_contact_email", "keine-adresse")
    page.fill("#students", "-5")
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.locator("[data-error-summary]").count() == 1


def _labels_invalid(page, site, _tmp):
    page.goto(f"{site}/schools/{OWN}/labels/")
    page.fill("#start", "99")
    with page.expect_navigation():
        page.click("#labels-form button.primary")
    assert page.locator("[data-error-summary]").count() == 1


def _proof_of_use_invalid(page, site, _tmp):
    page.goto(f"{site}/reports/proof-of-use")
    page.fill("#as_of", "")
    with page.expect_navigation():
        page.click("#proof-form button")
    assert page.locator("[data-error-summary]").count() == 1


def _import_preview(page, site, tmp):
    upload = tmp / "geraete-fehlerhaft.xlsx"
    upload.write_bytes(
        xlsx_bytes(
            [
                german_headers("devices", ["inventory_number", "category", "price"]),
                ["BO-A11Y-9001", "Laptop", "899,00"],
                ["BO-A11Y-9002", "Tablett", "viel"],
                ["BO-A11Y-0001", "Laptop", "949,00"],  # a saved device that changes
            ]
        )
    )
    page.goto(f"{site}/imports/")
    page.select_option("#kind", "devices")
    if page.locator("#school").count():
        page.select_option("#school", OWN)
    page.set_input_files("#file", str(upload))
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.locator("#import-errors").count() == 1, "the preview shows no bad rows"
    assert page.locator("#import-changes").count() == 1, "the preview shows no changes"


def _open_stock_take(page, site) -> str:
    """The path of the seeded open stock-take's scan page."""
    page.goto(f"{site}/schools/{OWN}/stock-takes/")
    return urlsplit(page.get_by_role("link", name=re.compile("A 101")).get_attribute("href")).path


def _stock_take_scanned(page, site, _tmp):
    page.goto(site + _open_stock_take(page, site))
    page.fill("#inventory_number", "BO-A11Y-0003")
    page.keyboard.press("Enter")
    # elsewhere (recorded in room A 103) the first time, already seen in later surveys
    page.locator("#scan-result p", has_text="BO-A11Y-0003").wait_for()


def _stock_take_scan_without_number(page, site, _tmp):
    """The scan form's own error page (as without JavaScript: the fetch is skipped)."""
    path = _open_stock_take(page, site)
    page.goto(site + path)
    page.evaluate(
        """path => { const form = document.createElement("form");
        form.method = "post"; form.action = path + "scans";
        const token = document.querySelector("input[name=csrf_token]").cloneNode();
        form.append(token); document.body.append(form); form.submit(); }""",
        path,
    )
    page.locator("[data-error-summary]").wait_for()


def _stock_take_result(page, site, _tmp):
    page.goto(site + _open_stock_take(page, site) + "result")
    page.locator("#confirm-title").wait_for()


STATES = {
    "stock-take scan page with a result": (ROLES, _stock_take_scanned),
    "stock-take scan without a number": (ROLES, _stock_take_scan_without_number),
    "open stock-take result with the confirm form": (ROLES, _stock_take_result),
    "device form with errors": (ROLES, _submit_empty(f"/schools/{OWN}/devices/new")),
    "link form with errors": (ROLES, _submit_empty(f"/schools/{OWN}/links/new")),
    "import preview of a bad file with changes": (ROLES, _import_preview),
    "feedback form with errors": (ROLES, _submit_empty("/accessibility", "#feedback-form button")),
    "password form with errors": (ROLES, _submit_empty("/account/", "main form button.primary")),
    "labels form with errors": (ROLES, _labels_invalid),
    "school contact form with errors": (["school_admin"], _school_contact_invalid),
    "school form with errors": (["department", "admin"], _submit_empty("/schools/new")),
    "user form with errors": (["admin"], _submit_empty("/admin/users/new")),
    "proof-of-use form with errors": (["department", "admin"], _proof_of_use_invalid),
}


def states_of(role: str):
    return [(name, act) for name, (roles, act) in STATES.items() if role in roles]


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def width_at_390(page) -> int:
    """The document's width with the viewport at phone width (then back to desktop)."""
    page.set_viewport_size(PHONE)
    try:
        return page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(DESKTOP)


class Survey:
    """One walk through a role's pages in one language: every page reachable by links from
    the dashboard (one per URL pattern), then the failed forms and the import preview.
    Each is checked with axe at desktop width and measured at 390 px; the axe test and
    the reflow test assert on their part, so each page is loaded once for both."""

    def __init__(self):
        self.pages: list[str] = []
        self.violations: list[str] = []
        self.too_wide: list[str] = []

    def check(self, page, name: str) -> None:
        self.violations += [f"{name}: {text}" for text in axe_violations(page)]
        if (width := width_at_390(page)) > PHONE["width"]:
            self.too_wide.append(f"{name}: {width} px")


_surveys: dict[tuple[str, str], Survey] = {}


def survey(signed_in, site: str, tmp_path, role: str, language: str) -> Survey:
    if (role, language) in _surveys:
        return _surveys[role, language]
    watched = signed_in(role, language)
    page = watched.page
    result = Survey()
    # Start with the school that has devices, links and offerings, so that its record
    # pages represent their URL patterns.
    queue, seen = ["/", f"/schools/{OWN}", f"/schools/{OWN}/devices/"], set()
    while queue and len(result.pages) < MAX_PAGES:
        path = queue.pop(0)
        pattern = _pattern(urlsplit(path).path)
        if pattern in seen:
            continue
        seen.add(pattern)
        response = page.goto(site + path)
        assert response.status == 200, f"{path} answered {response.status}"
        result.pages.append(path)
        queue += [
            link for link in crawl_links(page, site) if _pattern(urlsplit(link).path) not in seen
        ]
        result.check(page, path)
    for name, act in states_of(role):
        act(page, site, tmp_path)
        result.check(page, name)
    watched.assert_clean()
    _surveys[role, language] = result
    return result


def _assert_reached(result: Survey, role: str) -> None:
    """The walk reached the role's pages (a broken crawl must not pass vacuously)."""
    expected = {"/", "/schools/", "/imports/", "/reports/", "/accessibility", "/schools/#"}
    expected |= {"/reports/replacement"}
    expected |= {"/schools/#/devices/", "/devices/#/edit", "/account/", "/links/#/edit"}
    expected |= {"/schools/#/stock-takes/", "/schools/#/stock-takes/#/"}
    expected |= {"/schools/#/stock-takes/#/result"}
    expected |= {"/schools/#/labels/"}
    expected |= {"/schools/#/loans/", "/schools/#/loans/issue", "/schools/#/loans/return"}
    expected |= {"/notifications/", "/school-years/"} if role != "school_admin" else set()
    expected |= {"/reports/proof-of-use"} if role != "school_admin" else set()
    expected |= {"/funding-programmes/"} if role != "school_admin" else set()
    expected |= {"/funding-programmes/digitalpakt/edit"} if role != "school_admin" else set()
    expected |= {"/admin/users/", "/admin/users/#/edit"} if role == "admin" else set()
    reached = {_pattern(urlsplit(path).path) for path in result.pages}
    assert expected <= reached, f"not reached: {expected - reached}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_no_axe_violations(signed_in, site, tmp_path, role, language):
    result = survey(signed_in, site, tmp_path, role, language)
    _assert_reached(result, role)
    assert signed_in(role, language).page.evaluate("document.documentElement.lang") == language
    assert not result.violations, f"{len(result.violations)} axe violations:\n" + "\n".join(
        result.violations
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_390_px(signed_in, site, tmp_path, role, language):
    result = survey(signed_in, site, tmp_path, role, language)
    _assert_reached(result, role)
    assert not result.too_wide, "pages wider than 390 px:\n" + "\n".join(result.too_wide)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_makes_an_external_request(signed_in, site, tmp_path, role):
    """Every request of every page (maps and charts included) goes to the app's own host:
    no tile server, no CDN, no web font."""
    result = survey(signed_in, site, tmp_path, role, "de")
    _assert_reached(result, role)
    watched = signed_in(role, "de")
    assert not watched.external, "external requests:\n" + "\n".join(watched.external)


def test_the_dashboard_map_draws_the_sites_with_coordinates(signed_in, site):
    page = signed_in("department", "de").page
    page.goto(site + "/")
    points = page.locator("#city-map a.map-point")
    assert points.count() == 3  # two main sites and the annex; the third school has none
    assert page.locator("#city-map-sites tbody tr").count() == 4
    first = points.first
    assert first.get_attribute("href").startswith("/schools/")
    first.focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")


def _focused(page) -> dict:
    return page.evaluate(
        "() => ({id: document.activeElement.id,"
        " summary: document.activeElement.hasAttribute('data-error-summary')})"
    )


def test_keyboard_failed_form_focuses_summary_and_its_link_focuses_the_field(signed_in, site):
    page = signed_in("school_admin", "de").page
    page.goto(f"{site}/schools/{OWN}/devices/new")
    page.focus("#inventory_number")
    page.fill("#inventory_number", "")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submit from the keyboard
    assert _focused(page)["summary"], "the error summary did not take focus"
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("heading").inner_text() == "Bitte korrigieren Sie Folgendes"
    links = summary.get_by_role("link")
    assert links.count() == 2  # inventory number and category are required
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#inventory_number"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "inventory_number"
    field = page.locator("#inventory_number")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.get_attribute("aria-describedby") == "inventory_number-error"
    summary.focus()  # back to the summary: its second link leads to the category
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#category"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "category"


def test_keyboard_skip_link_leads_to_the_main_content(signed_in, site):
    page = signed_in("department", "de").page
    page.goto(f"{site}/schools/")
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "() => [document.activeElement.textContent, document.activeElement.getAttribute('href')]"
    )
    assert skip == ["Zum Inhalt springen", "#main"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the navigation
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_keyboard_opens_the_chart_figures_table(signed_in, site):
    page = signed_in("department", "en").page
    page.goto(site + "/")
    summary = page.locator("#chart-district details.chart-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#chart-district details.chart-data table")
    assert table.is_visible()
    header = [cell.inner_text() for cell in table.locator("thead th").all()]
    assert header == ["City district", "Ready", "Planned in time", "At risk", "Total"]
    row = table.locator("tbody tr").filter(has_text="Bochum-Mitte")
    assert [cell.inner_text() for cell in row.locator("td").all()] == ["1", "0", "0", "1"]

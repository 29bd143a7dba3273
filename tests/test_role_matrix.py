"""THE role matrix: every route of app.url_map, present and future, for every role.

Each view carries `access_level` (set by app.access.access). For each rule this test
fills the URL parameters with school A's objects ("own") or school B's ("other") and
checks what each role gets:

- anonymous: redirected to /login (non-public views), for GET and POST;
- school admin of A: 200 for A's pages, 404 for B's (never 403: existence is not
  leaked), 403 for department and admin views; a POST against B's objects is 404 and
  changes nothing;
- department: 200, but 403 for admin views;
- admin: 200.

A new route with an unknown URL parameter, or without an access level, fails here until
it is classified: add its parameter to PARAMETERS (and, if it is a department-only action
inside a school page, to DEPARTMENT_ACTIONS_IN_SCHOOL_PAGES).
"""

import datetime as dt
import io
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook
from werkzeug.security import generate_password_hash

from app.access import ACCESS_LEVELS, ADMIN, DEPARTMENT, PUBLIC, SCHOOL, SIGNED_IN
from app.extensions import db
from app.users import ApiToken, User
from inventory.stocktake_models import StockTake
from reports.models import AlertRecipient
from tests.conftest import PASSWORD

# Blueprints that serve the JSON API (they have their own matrix in tests/api/).
API_BLUEPRINTS = ("api", "api_docs")
# Views without access control on purpose.
UNCHECKED_ENDPOINTS = {"static"}
# The only web views anyone may open without signing in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.set_language", "healthz", "accessibility.statement"}
# Views at level SCHOOL that are department-only actions (403 for a school's own admin).
DEPARTMENT_ACTIONS_IN_SCHOOL_PAGES: set[str] = set()
# Text of school B that must never reach school admin A.
SCHOOL_B_NAME = "Zeche-Hannover-Kontrollschule"
SCHOOL_B_NUMBER = "199777"
SCHOOL_B_DEVICE = "LEAK-B-000001"


@dataclass
class World:
    a: SimpleNamespace
    b: SimpleNamespace
    school_year: object
    recipient: object
    uploads: dict


# The world's users sign in with PASSWORD; a cheap hash keeps the many sign-ins fast.
_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def _user(role: str, email: str, schools=()) -> User:
    user = User(email=email, role=role, schools=list(schools), password_hash=_CHEAP_HASH)
    db.session.add(user)
    db.session.commit()
    return user


# URL parameter name -> (value for the acting role in school A: f(world, role); value of
# school B or of another user: f(world), or None where "other" has no meaning).
def _same_for_all(make):
    return lambda world, _role: make(world)


PARAMETERS = {
    "school_number": (
        _same_for_all(lambda w: w.a.school.school_number),
        lambda w: w.b.school.school_number,
    ),
    "inventory_number": (
        _same_for_all(lambda w: w.a.device.inventory_number),
        lambda w: w.b.device.inventory_number,
    ),
    "site_id": (_same_for_all(lambda w: w.a.site.id), lambda w: w.b.site.id),
    "link_id": (_same_for_all(lambda w: w.a.link.id), lambda w: w.b.link.id),
    "offering_id": (_same_for_all(lambda w: w.a.offering.id), lambda w: w.b.offering.id),
    "stock_take_id": (_same_for_all(lambda w: w.a.stock_take.id), lambda w: w.b.stock_take.id),
    "user_id": (_same_for_all(lambda w: w.a.user.id), lambda w: w.b.user.id),
    # API tokens: one's own; another user's answers 404.
    "token_id": (_same_for_all(lambda w: w.a.token.id), lambda w: w.b.token.id),
    # Import uploads: each role's own upload; another user's answers 404.
    "token": (lambda w, role: w.uploads[role], lambda w: w.uploads["other"]),
    "kind": (_same_for_all(lambda w: "devices"), None),
    "start_year": (_same_for_all(lambda w: w.school_year.start_year), None),
    "year": (_same_for_all(lambda w: w.school_year.start_year), None),
    "recipient_id": (_same_for_all(lambda w: w.recipient.id), None),
    "code": (_same_for_all(lambda w: "de"), None),
    "programme_code": (_same_for_all(lambda w: "digitalpakt"), None),
}


# The parameters that name one school's objects (as opposed to a user's own things).
SCHOOL_PARAMETERS = {
    "school_number",
    "inventory_number",
    "site_id",
    "link_id",
    "offering_id",
    "stock_take_id",
}


def _rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


def _is_api(rule) -> bool:
    return rule.rule.startswith("/api/")


def _level(app, rule):
    return getattr(app.view_functions[rule.endpoint], "access_level", None)


def _web_rules(app):
    """The rules this matrix checks (not static, not the API)."""
    return [r for r in _rules(app) if r.endpoint not in UNCHECKED_ENDPOINTS and not _is_api(r)]


def _url(app, rule, world, which: str, role: str = "school_admin") -> str | None:
    """The rule's URL with the role's own values, or with school B's / another user's
    values ("other"; None when no parameter of the rule has such a value)."""
    values = {name: PARAMETERS[name][0](world, role) for name in rule.arguments}
    if which == "other":
        others = {n: PARAMETERS[n][1](world) for n in rule.arguments if PARAMETERS[n][1]}
        if not others:
            return None
        values.update(others)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _visible_text(response) -> str:
    """HTML/JSON/CSV as text; an .xlsx workbook as the text of all its cells."""
    data = response.get_data()
    if data[:2] == b"PK":
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        workbook.close()
        return "\n".join(cells)
    return data.decode("utf-8", errors="replace")


def _database_snapshot() -> dict:
    """Every row of every table, the audit log included (not the sign-in bookkeeping)."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in ("last_login_at", "last_used_at")]
        rows = db.session.execute(sa.select(*columns)).all()
        snapshot[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    db.session.rollback()
    return snapshot


IMPORT_CSV = "inventory_number;category;status\nIMP-000001;laptop;in_use\n"


def _upload_import(app, client, school_number: str) -> str | None:
    """An import upload of the client's user (its token names the preview pages)."""
    if "inventory.imports" not in app.view_functions:
        return None
    with app.test_request_context():
        url = url_for("inventory.imports")
    response = client.post(
        url,
        data={
            "kind": "devices",
            "school": school_number,
            "file": (io.BytesIO(IMPORT_CSV.encode()), "geraete.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, "the role matrix could not upload an import file"
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def world(app, make_school, make_site, make_device, make_link, make_offering, make_school_year):
    """Schools A and B, each with a second site, a device, a link, an offering, its
    school admin with an API token; school years; an alert recipient."""

    def one_school(number, name, inventory_number, email):
        school = make_school(school_number=number, name=name)
        site = make_site(school, name=f"{name} Nebenstelle")
        device = make_device(school, inventory_number=inventory_number, site=site)
        link = make_link(school, site=site, status="planned", planned_date=dt.date(2027, 3, 1))
        offering = make_offering(school)
        stock_take = StockTake(school_id=school.id, school_year_id=school_year.id, site_id=site.id)
        db.session.add(stock_take)
        user = _user("school_admin", email, schools=[school])
        token, _plain = ApiToken.issue(user, f"Token {number}")
        db.session.commit()
        return SimpleNamespace(
            school=school,
            site=site,
            device=device,
            link=link,
            offering=offering,
            stock_take=stock_take,
            user=user,
            token=token,
        )

    school_year = make_school_year(2026, dt.date(2026, 8, 26))
    a = one_school("100777", "Annette-Testschule", "OWN-A-000001", "admin-a@schule.example.org")
    b = one_school(SCHOOL_B_NUMBER, SCHOOL_B_NAME, SCHOOL_B_DEVICE, "admin-b@schule.example.org")
    make_school_year(2027, dt.date(2027, 8, 25))
    recipient = AlertRecipient(email="digest@stadt.example.org")
    db.session.add(recipient)
    db.session.commit()
    return World(a=a, b=b, school_year=school_year, recipient=recipient, uploads={})


@pytest.fixture
def clients(app, world, login):
    """One signed-in client per role (school_admin = the admin of school A), each with an
    import upload of its own; school B's admin made the "other" upload."""
    users = {
        "school_admin": world.a.user,
        "department": _user("department", "amt@stadt.example.org"),
        "admin": _user("admin", "admin@stadt.example.org"),
    }
    signed_in = {"anonymous": app.test_client()}
    for role, user in users.items():
        signed_in[role] = login(user, client=app.test_client())
        world.uploads[role] = _upload_import(app, signed_in[role], world.a.school.school_number)
    world.uploads["anonymous"] = world.uploads["school_admin"]
    other = login(world.b.user, client=app.test_client())
    world.uploads["other"] = _upload_import(app, other, world.b.school.school_number)
    return signed_in


def _expected_get(level: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if level == ADMIN and role != "admin":
        return 403
    if level == DEPARTMENT and role == "school_admin":
        return 403
    return 200


def test_every_view_declares_an_access_level(app):
    missing = [
        f"{rule.endpoint} {rule.rule}"
        for rule in _rules(app)
        if rule.endpoint not in UNCHECKED_ENDPOINTS
        and _level(app, rule) is None
        and not (_is_api(rule) and rule.endpoint.split(".")[0] in API_BLUEPRINTS)
    ]
    assert not missing, "views without @access(...): " + ", ".join(missing)
    unknown = [r.endpoint for r in _rules(app) if _level(app, r) not in (None, *ACCESS_LEVELS)]
    assert not unknown


def test_only_the_known_views_are_public(app):
    public = {r.endpoint for r in _web_rules(app) if _level(app, r) == PUBLIC}
    assert public == PUBLIC_ENDPOINTS


def test_api_routes_live_in_the_api_blueprints(app):
    strays = [
        f"{r.endpoint} {r.rule}"
        for r in _rules(app)
        if _is_api(r) and r.endpoint.split(".")[0] not in API_BLUEPRINTS and _level(app, r) is None
    ]
    assert not strays


def test_every_url_parameter_is_classified(app):
    unknown = sorted(
        f"{rule.rule} ({name})"
        for rule in _web_rules(app)
        for name in rule.arguments
        if name not in PARAMETERS
    )
    assert not unknown, (
        "routes with URL parameters the role matrix cannot fill; add them to PARAMETERS: "
        + ", ".join(unknown)
    )


def test_anonymous_is_sent_to_login_for_every_non_public_route(app, world, clients):
    anonymous = clients["anonymous"]
    failures = []
    for rule in _web_rules(app):
        level = _level(app, rule)
        url = _url(app, rule, world, "own")
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = anonymous.open(url, method=method)
            if level == PUBLIC:
                if response.status_code >= 500 or (
                    response.status_code == 302
                    and response.headers["Location"].startswith("/login?")
                ):
                    failures.append(f"{method} {url}: public view answered {response.status_code}")
                continue
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/login"):
                failures.append(f"{method} {url}: {response.status_code} {location}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["school_admin", "department", "admin"])
def test_get_routes_answer_by_role(app, world, clients, role):
    client = clients[role]
    failures = []
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "GET" not in rule.methods or level == PUBLIC:
            continue
        url = _url(app, rule, world, "own", role)
        expected = _expected_get(level, role)
        if role == "school_admin" and rule.endpoint in DEPARTMENT_ACTIONS_IN_SCHOOL_PAGES:
            expected = 403
        status = client.get(url).status_code
        if status != expected:
            failures.append(f"{role} GET {url} ({rule.endpoint}, {level}): {status} != {expected}")
    assert not failures, "\n".join(failures)


def test_school_admin_gets_404_for_the_other_schools_pages(app, world, clients):
    client = clients["school_admin"]
    failures = []
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "GET" not in rule.methods or level == PUBLIC:
            continue
        url = _url(app, rule, world, "other")
        if url is None:
            continue
        expected = 403 if level in (DEPARTMENT, ADMIN) else 404
        status = client.get(url).status_code
        if status != expected:
            failures.append(f"GET {url} ({rule.endpoint}, {level}): {status} != {expected}")
    assert not failures, "\n".join(failures)


def test_department_opens_the_other_schools_pages(app, world, clients):
    """The other school's URLs are real: the 404s above come from the scoping."""
    client = clients["department"]
    failures = []
    checked = 0
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "GET" not in rule.methods or level not in (SIGNED_IN, SCHOOL, DEPARTMENT):
            continue
        if not rule.arguments or not set(rule.arguments) <= SCHOOL_PARAMETERS:
            continue
        url = _url(app, rule, world, "other", "department")
        checked += 1
        status = client.get(url).status_code
        if status != 200:
            failures.append(f"GET {url} ({rule.endpoint}, {level}): {status} != 200")
    assert checked
    assert not failures, "\n".join(failures)


def test_school_admin_posts_against_the_other_school_change_nothing(app, world, clients):
    client = clients["school_admin"]
    before = _database_snapshot()
    failures = []
    checked = 0
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "POST" not in rule.methods or level == PUBLIC:
            continue
        url = _url(app, rule, world, "other")
        if url is None:
            continue
        expected = 403 if level in (DEPARTMENT, ADMIN) else 404
        status = client.post(url, data={"confirm": "y"}).status_code
        checked += 1
        if status != expected:
            failures.append(f"POST {url} ({rule.endpoint}, {level}): {status} != {expected}")
    assert checked, "no POST route with another school's object found"
    assert not failures, "\n".join(failures)
    after = _database_snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"refused POSTs changed rows of {changed}"


def test_posts_to_views_above_the_role_are_refused_and_change_nothing(app, world, clients):
    before = _database_snapshot()
    failures = []
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "POST" not in rule.methods or level not in (DEPARTMENT, ADMIN):
            continue
        roles = ["school_admin"] + (["department"] if level == ADMIN else [])
        for role in roles:
            url = _url(app, rule, world, "own", role)
            status = clients[role].post(url, data={"confirm": "y"}).status_code
            if status != 403:
                failures.append(f"{role} POST {url} ({rule.endpoint}, {level}): {status} != 403")
    assert not failures, "\n".join(failures)
    after = _database_snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"refused POSTs changed rows of {changed}"


def test_school_admin_may_post_to_own_post_only_routes(app, world, clients):
    client = clients["school_admin"]
    failures = []
    # The sign-out goes last, the others need the session.
    for rule in sorted(_web_rules(app), key=lambda r: r.endpoint == "auth.logout"):
        level = _level(app, rule)
        if "GET" in rule.methods or "POST" not in rule.methods:
            continue
        if level not in (SIGNED_IN, SCHOOL):
            continue
        url = _url(app, rule, world, "own", "school_admin")
        status = client.post(url).status_code
        # 422: let in, and told what the empty form lacks (the stock-take's scan field)
        if status not in (200, 302, 303, 422):
            failures.append(f"POST {url} ({rule.endpoint}, {level}): {status}")
    assert not failures, "\n".join(failures)


def test_school_admin_never_sees_the_other_school(app, world, clients):
    """Every page school admin A may open (lists, dashboard, downloads, A's pages)
    leaves out school B: its name, number and devices."""
    client = clients["school_admin"]
    leaks = []
    opened = 0
    for rule in _web_rules(app):
        level = _level(app, rule)
        if "GET" not in rule.methods or level not in (SIGNED_IN, SCHOOL):
            continue
        url = _url(app, rule, world, "own")
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        text = _visible_text(response)
        for secret in (SCHOOL_B_NAME, SCHOOL_B_NUMBER, SCHOOL_B_DEVICE):
            if secret in text:
                leaks.append(f"GET {url} ({rule.endpoint}) shows {secret!r}")
    assert opened >= 3
    assert not leaks, "\n".join(leaks)


def test_department_sees_the_other_school(app, world, clients):
    """The leak check above would pass vacuously if the lists showed nothing at all."""
    page = clients["department"].get("/schools/").get_data(as_text=True)
    assert SCHOOL_B_NAME in page
    own = clients["school_admin"].get("/schools/").get_data(as_text=True)
    assert "Annette-Testschule" in own

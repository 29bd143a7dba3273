"""Hostile input at every web door: every route of app.url_map (not /api/, which the
schemathesis run covers, nor static), for every role that can reach it.

A fixed, deterministic matrix of hostile values goes into URL parts, query strings and
every field of every form the pages show (the rest of the form kept valid, a valid CSRF
token), plus wrong methods and missing or garbage CSRF tokens. Every answer must be below
500; a POST that was refused (anything but a redirect) must have written nothing; 405
answers carry Allow. Each test prints how many requests it sent.

New routes, forms and fields are covered without touching this file: the routes come
from app.url_map, the forms from the pages (parsed with lxml), the query keys from what
the views read.
"""

import hashlib
import io
import itertools
import re
import urllib.parse
from dataclasses import dataclass, field

import lxml.html
import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.access import ADMIN, DEPARTMENT, PUBLIC
from app.extensions import db
from app.input_guard import BoundedArgs
from tests import test_role_matrix as matrix
from tests.conftest import PASSWORD

world = matrix.world  # schools A and B with a site, device, link, offering, users, tokens

ROLES = ("admin", "department", "school_admin", "anonymous")

FULLWIDTH = "１６９２２５"
ARABIC_INDIC = "١٦٩٢٢٥"
# Raw bytes in a form body: invalid UTF-8.
INVALID_UTF8 = b"ok\xff\xfe\xc3\x28"
# What each form field is tried with.
FIELD_VALUES = [
    "\x00",
    "a\x1b[31mb",
    "x\r\nBcc: victim@example.org",
    "x" * 10_001,
    str(2**63),
    str(10**30),
    "-1",
    FULLWIDTH,
    ARABIC_INDIC,
    "../../etc/passwd",
    "' OR '1'='1' --\"><script>alert(1)</script>",
    INVALID_UTF8,
]
# Query parameters every page is tried with, besides those its view reads.
QUERY_KEYS = ("page", "per_page", "id", "q")
# Hostile values for ids and numbers in URLs and query strings.
NUMBERS = [str(2**63), str(10**30), "-1", "0", FULLWIDTH, ARABIC_INDIC, "1e9", "9" * 5000]

# Forms that take away what later requests use run last, in this order.
DESTRUCTIVE = ("/revoke", "/deactivate", "/delete", "/logout")


@dataclass
class Tally:
    """Requests sent and what went wrong."""

    requests: int = 0
    failures: list = field(default_factory=list)

    def check(self, what: str, response) -> None:
        self.requests += 1
        if response.status_code >= 500:
            self.failures.append(f"{what}: {response.status_code}")

    def report(self, name: str) -> None:
        print(f"\n{name}: {self.requests} requests")  # the closing note counts them
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(
            self.failures[:60]
        )


# Columns that change without a write worth the name (sign-in bookkeeping).
BOOKKEEPING = {"last_login_at", "last_used_at"}


def _fingerprint_query():
    """One statement: per table the number of rows, the sums of ids, versions and flags,
    the number and latest of every timestamp (every write adds or removes a row, moves a
    version, flips a flag or sets a timestamp, and is audited); the audit entries of
    downloads left out (a download is logged, and is no write)."""
    parts = []
    for table in db.metadata.sorted_tables:
        where = table.c.action != "export" if table.name == "audit_entries" else sa.true()
        aggregates = [sa.func.count()]
        for column in table.columns:
            if column.name in BOOKKEEPING:
                continue
            if column.name.endswith("version") or column.name == "id":
                aggregates.append(sa.func.coalesce(sa.func.sum(column), 0))
            elif isinstance(column.type, sa.Boolean):
                aggregates.append(sa.func.coalesce(sa.func.sum(sa.cast(column, sa.Integer)), 0))
            elif isinstance(column.type, sa.DateTime | sa.Date):
                aggregates += [sa.func.count(column), sa.func.max(column)]
        parts += [sa.select(a).where(where).scalar_subquery() for a in aggregates]
    return sa.select(*parts)


def fingerprint() -> tuple:
    values = tuple(db.session.execute(_fingerprint_query()).one())
    db.session.rollback()
    return values


def refused(response) -> bool:
    """The POST was refused: an error status, or the form shown again with its errors."""
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and b'aria-invalid="true"' in response.get_data()


def _reaches(level: str, role: str) -> bool:
    if role == "anonymous":
        return level == PUBLIC
    if level == ADMIN:
        return role == "admin"
    if level == DEPARTMENT:
        return role != "school_admin"
    return True


def _rules_for(app, role):
    return [r for r in matrix._web_rules(app) if _reaches(matrix._level(app, r), role)]


def _values(rule, world, role) -> dict:
    return {name: matrix.PARAMETERS[name][0](world, role) for name in rule.arguments}


def _path(rule, values: dict) -> str:
    """The rule's path with the given (raw, unchecked) values in its URL parts."""

    def part(match):
        return urllib.parse.quote(str(values[match.group(1)]), safe="")

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", part, rule.rule)


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A client of the CSRF-protected app, signed in as one role, with its CSRF token."""

    def __init__(self, app, user=None):
        self.client = app.test_client()
        self.token = _csrf_token(self.client.get("/login").get_data(as_text=True))
        if user is not None:
            response = self.client.post(
                "/login",
                data={"email": user.email, "password": PASSWORD, "csrf_token": self.token},
            )
            assert response.status_code == 302, "sign-in failed"
            self.token = _csrf_token(self.client.get("/account/").get_data(as_text=True))


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on (read at each request), and exceptions
    answered with a 500 through the app's own error page, as in production."""
    app.config.update(WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)
    return app


@pytest.fixture
def browsers(app, world, csrf_app):
    """One signed-in browser per role (the school admin is school A's); each has an import
    upload of its own, as the import pages need one."""
    users = {
        "school_admin": world.a.user,
        "department": matrix._user("department", "amt@stadt.example.org"),
        "admin": matrix._user("admin", "admin@stadt.example.org"),
    }
    signed_in = {"anonymous": Browser(csrf_app)}
    for role, user in users.items():
        browser = signed_in[role] = Browser(csrf_app, user)
        response = browser.client.post(
            "/imports/",
            data={
                "csrf_token": browser.token,
                "kind": "devices",
                "school": world.a.school.school_number,
                "file": (io.BytesIO(matrix.IMPORT_CSV.encode()), "geraete.csv"),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, "the fuzz test could not upload an import file"
        world.uploads[role] = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    world.uploads["anonymous"] = world.uploads["school_admin"]
    return signed_in


# --- the matrix --------------------------------------------------------------------------


def _roles_reaching(level: str) -> list[str]:
    return [role for role in ROLES if _reaches(level, role)]


def _share(items: list, role: str, level: str, salt: int) -> list:
    """The role's share of the hostile values for one door: the roles that reach the door
    split the values between them (each value goes to exactly one role, a different one
    from door to door), so every value meets every door once and the run stays short."""
    roles = _roles_reaching(level)
    if role not in roles:
        return list(items)  # a form above the role (refused with 403): it gets them all
    index, count = roles.index(role), len(roles)
    return [item for position, item in enumerate(items) if (position + salt) % count == index]


def _salt(*parts) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:4], "big")


# --- URL parts ---------------------------------------------------------------------------

PATH_VALUES = [
    "\x00",
    "a\x1bb",
    "a\r\nb",
    "x" * 10_001,
    str(2**63),
    str(10**30),
    "-1",
    "0",
    FULLWIDTH,
    ARABIC_INDIC,
    "/",
    ".",
    "..",
    "../../etc/passwd",
    "%00",
    "' OR '1'='1' --",
    '"><script>alert(1)</script>',
]


@pytest.mark.parametrize("role", ROLES)
def test_hostile_url_parts_never_answer_5xx_nor_write(app, csrf_app, world, browsers, role):
    browser = browsers[role]
    tally = Tally()
    before = fingerprint()
    for rule in _rules_for(csrf_app, role):
        valid = _values(rule, world, role)
        level = matrix._level(csrf_app, rule)
        for name in rule.arguments:
            for value in _share(PATH_VALUES, role, level, _salt(rule.rule, name)):
                url = _path(rule, {**valid, name: value})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    data = {"csrf_token": browser.token} if method == "POST" else None
                    response = browser.client.open(url, method=method, data=data)
                    tally.check(f"{role} {method} {url[:120]}", response)
    assert fingerprint() == before, "a request with a hostile URL part wrote something"
    tally.report(f"URL parts, {role}")


# --- forms -------------------------------------------------------------------------------


@dataclass
class Form:
    page: str  # the page that shows it
    action: str
    fields: list  # [(name, default value)], in page order
    files: list  # names of file inputs


def _defaults(form) -> tuple[list, list]:
    fields, files = [], []
    for element in form.xpath(".//input[@name] | .//select[@name] | .//textarea[@name]"):
        name = element.get("name")
        if element.tag == "select":
            options = element.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            if element.get("multiple") is not None:
                chosen = [o for o in options if o.get("selected") is not None]
            fields += [(name, o.get("value", o.text_content())) for o in chosen]
        elif element.tag == "textarea":
            fields.append((name, element.text or ""))
        else:
            kind = (element.get("type") or "text").lower()
            if kind == "file":
                files.append(name)
            elif kind in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    fields.append((name, element.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                fields.append((name, element.get("value", "")))
    return fields, files


def _forms_on(page: str, html: str) -> list[Form]:
    found = []
    for form in lxml.html.fromstring(html).forms:
        if (form.get("method") or "get").lower() != "post":
            continue
        fields, files = _defaults(form)
        action = urllib.parse.urlsplit(form.get("action") or page).path or page
        found.append(Form(page, action, fields, files))
    return found


def _fill(name: str, value: str, n: int) -> str:
    """A valid value for a field the page left empty (new records, unset options); n
    makes keys unique."""
    year = 2040 + n % 50
    valid = {
        "inventory_number": f"FUZZ-{n:06d}",
        "school_number": str(300000 + n),
        "email": f"fuzz{n}@stadt.example.org",
        "it_contact_email": "it@schulamt.bochum.local",
        "name": f"Fuzz {n}",
        "category": "laptop",
        "school_form": "gymnasium",
        "district": "Bochum-Mitte",
        "students": "100",
        "classes": "4",
        "technology": "fibre",
        "down_mbps": "100",
        "up_mbps": "100",
        "status": "planned",
        "planned_date": "2027-03-01",
        "learning_level": "sek1",
        "kind": "lms",
        "description": "Fuzz",
        "label": f"{year}/{(year + 1) % 100:02d}",
        "first_school_day": f"{year}-08-20",
        "current_password": PASSWORD,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "message": "Fuzz",
    }
    return value if value.strip() else valid.get(name, value)


def _valid_pairs(form: Form, counter, world) -> list:
    n = next(counter)
    pairs = [(name, _fill(name, value, n)) for name, value in form.fields]
    if ("role", "school_admin") in pairs and not any(name == "schools" for name, _ in pairs):
        pairs.append(("schools", str(world.a.school.id)))  # a school admin needs a school
    if form.action == "/imports/":
        pairs = [(n, world.a.school.school_number if n == "school" else v) for n, v in pairs]
    return pairs


def _post(browser, form: Form, pairs: list, files: dict | None = None):
    if form.files:
        data = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        for name in form.files:
            content, filename = (files or {}).get(name, (matrix.IMPORT_CSV.encode(), "g.csv"))
            data[name] = (io.BytesIO(content), filename)
        return browser.client.post(form.action, data=data, content_type="multipart/form-data")
    body = urllib.parse.urlencode(
        [(n, v if isinstance(v, bytes) else v.encode()) for n, v in pairs]
    )
    return browser.client.post(
        form.action, data=body, content_type="application/x-www-form-urlencoded"
    )


def _order(form: Form) -> tuple:
    for position, marker in enumerate(DESTRUCTIVE):
        if marker in form.action:
            return (position + 1, form.action.startswith("/schools/"), form.action)
    return (0, False, form.action)


def _page_forms(browser, page: str) -> list[Form]:
    response = browser.client.get(page)
    if response.status_code != 200 or "html" not in response.content_type:
        return []
    return _forms_on(page, response.get_data(as_text=True))


def _same(a: Form, b: Form) -> bool:
    return a.action == b.action and [n for n, _ in a.fields] == [n for n, _ in b.fields]


def _discover_forms(app, world, browser, role) -> list[Form]:
    """Every POST form on every page the role can open, once each."""
    found = []
    for rule in _rules_for(app, role):
        if "GET" not in rule.methods:
            continue
        for form in _page_forms(browser, _path(rule, _values(rule, world, role))):
            if not any(_same(form, other) for other in found):
                found.append(form)
    return sorted(found, key=_order)


def _changes_with_its_record(form: Form) -> bool:
    """The form carries its record's version, or takes its record away."""
    version = dict(form.fields).get("version", "")
    return bool(version) or _order(form)[0] > 0 or form.action.startswith("/imports/")


def _action_level(app, action: str) -> str:
    endpoint, _args = app.url_map.bind("localhost").match(action, method="POST")
    return matrix._level(app, app.url_map._rules_by_endpoint[endpoint][0])


FILE_VALUES = [
    (matrix.IMPORT_CSV.encode(), "a\r\nb.csv"),
    (matrix.IMPORT_CSV.encode(), "\x00.csv"),
    (matrix.IMPORT_CSV.encode(), "../../" + "x" * 5000 + ".csv"),
    (b"inventory_number;category\n" + b"x" * 5000 + b"\x00;laptop\n", "nul.csv"),
    (b"\xff\xfe\x00garbage", "g.xlsx"),
    (b"", "empty.csv"),
]


@pytest.mark.parametrize("role", ROLES)
def test_hostile_form_fields_never_answer_5xx_nor_half_write(app, csrf_app, world, browsers, role):
    """Each field of each form in turn gets each hostile value (the rest valid, a valid
    CSRF token); a refused POST writes nothing."""
    browser = browsers[role]
    tally = Tally()
    counter = itertools.count(1000 * ROLES.index(role))
    for form in _discover_forms(csrf_app, world, browser, role):
        if form.action == "/logout" and role != "anonymous":
            # Nothing before signed the browser out: every form above ran signed in.
            assert browser.client.get("/account/").status_code == 200
        level = _action_level(csrf_app, form.action)
        cases = [(None, None)]  # the valid form first
        for position, (name, _default) in enumerate(form.fields):
            if name != "csrf_token":
                salt = _salt(form.action, name, position)
                cases += [(position, v) for v in _share(FIELD_VALUES, role, level, salt)]
        for name in form.files:
            cases += [(name, v) for v in _share(FILE_VALUES, role, level, _salt(form.action))]
        state = fingerprint()
        for target, value in cases:
            if form.files and isinstance(value, bytes):
                continue  # multipart bodies carry text fields as text
            pairs = _valid_pairs(form, counter, world)
            files, label = None, target
            if isinstance(target, int):
                label = pairs[target][0]
                pairs[target] = (label, value)
            elif target is not None:
                files = {target: value}
            response = _post(browser, form, pairs, files)
            tally.check(f"{role} POST {form.action} {label}={value!r:.60}", response)
            after = fingerprint()
            if refused(response) and after != state:
                tally.failures.append(
                    f"{role} POST {form.action} {label}={value!r:.60}: refused "
                    f"({response.status_code}) but wrote"
                )
            if (after != state or not refused(response)) and _changes_with_its_record(form):
                # The record moved on (version, deleted): fetch the form again.
                fresh = [f for f in _page_forms(browser, form.page) if _same(f, form)]
                if not fresh:
                    break
                form = fresh[0]
            state = after
    tally.report(f"form fields, {role}")


# --- query strings -----------------------------------------------------------------------


class _RecordingArgs(BoundedArgs):
    """The app's own request parameters, noting which keys a view reads."""

    read: set = set()

    def get(self, key, default=None, type=None):  # noqa: A002
        _RecordingArgs.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        _RecordingArgs.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _RecordingArgs.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _RecordingArgs.read.add(key)
        return super().__contains__(key)


# Control characters are refused for any key alike (app/input_guard.py), and keys a view
# does not read are seen by that guard only: a few requests per page carry a value in
# every key at once; the keys the view reads get every value in turn.
QUERY_CONTROL = ["\x00", "a\r\nb", "\x1b"]
QUERY_VALUES = [*NUMBERS, *QUERY_CONTROL, "x" * 10_001, "../..", "' OR '1'='1", "%00", "<b>"]


@pytest.mark.parametrize("role", ROLES)
def test_hostile_query_strings_never_answer_5xx_nor_write(app, csrf_app, world, browsers, role):
    """Every key a page's view reads, and page/per_page/id/q everywhere."""
    browser = browsers[role]
    csrf_app.request_class = type(
        "RecordingRequest", (csrf_app.request_class,), {"parameter_storage_class": _RecordingArgs}
    )
    tally = Tally()
    before = fingerprint()
    for rule in _rules_for(csrf_app, role):
        if "GET" not in rule.methods:
            continue
        url = _path(rule, _values(rule, world, role))
        _RecordingArgs.read.clear()
        tally.check(f"{role} GET {url}", browser.client.get(url))
        read = set(_RecordingArgs.read)
        keys = sorted(read | set(QUERY_KEYS))
        level = matrix._level(csrf_app, rule)
        # Keys the view does not read are only seen by the guard: tried all at once.
        for value in _share([*QUERY_CONTROL, *NUMBERS[:2]], role, level, _salt(rule.rule)):
            query = urllib.parse.urlencode(dict.fromkeys(keys, value))
            tally.check(f"{role} GET {url}?{query[:80]}", browser.client.get(f"{url}?{query}"))
        for key in sorted(read):
            for value in _share(QUERY_VALUES, role, level, _salt(rule.rule, key)):
                query = urllib.parse.urlencode({key: value})
                tally.check(f"{role} GET {url}?{query[:80]}", browser.client.get(f"{url}?{query}"))
    assert fingerprint() == before, "a GET with a hostile query string wrote something"
    tally.report(f"query strings, {role}")


# --- methods and CSRF --------------------------------------------------------------------


def test_wrong_methods_answer_405_with_allow(app, csrf_app, world, browsers):
    browser = browsers["admin"]
    adapter = csrf_app.url_map.bind("localhost")
    tally = Tally()
    before = fingerprint()
    for rule in _rules_for(csrf_app, "admin"):
        url = _path(rule, _values(rule, world, "admin"))
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in rule.methods:
                continue
            try:
                adapter.match(url, method=method)
                continue  # another rule answers this method here
            except MethodNotAllowed:
                pass
            except HTTPException:
                continue
            response = browser.client.open(url, method=method, data={"csrf_token": browser.token})
            tally.check(f"{method} {url}", response)
            if response.status_code != 405 or not response.headers.get("Allow"):
                tally.failures.append(f"{method} {url}: {response.status_code} without Allow")
    assert fingerprint() == before
    tally.report("wrong methods, admin")


@pytest.mark.parametrize("role", ROLES)
def test_posts_without_a_valid_csrf_token_are_refused_and_write_nothing(
    app, csrf_app, world, browsers, role
):
    browser = browsers[role]
    tally = Tally()
    before = fingerprint()
    for rule in _rules_for(csrf_app, role):
        if "POST" not in rule.methods:
            continue
        url = _path(rule, _values(rule, world, role))
        level = matrix._level(csrf_app, rule)
        tokens = ["garbage", browser.token[:-2] + "xx", "\x00", "x" * 10_001]
        for token in [None, *_share(tokens, role, level, _salt(rule.rule))]:
            data = {"confirm": "y", "mode": "all", "name": "CSRF"}
            if token is not None:
                data["csrf_token"] = token
            response = browser.client.post(url, data=data)
            tally.check(f"{role} POST {url} csrf={token!r:.20}", response)
            if response.status_code != 400:
                tally.failures.append(
                    f"{role} POST {url} csrf={token!r:.20}: {response.status_code}"
                )
    assert fingerprint() == before, "a POST without a valid CSRF token wrote something"
    tally.report(f"CSRF, {role}")

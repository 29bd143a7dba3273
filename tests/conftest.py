"""Shared fixtures: a migrated database (SQLite file, or PostgreSQL via TEST_DATABASE_URL),
the app, clients signed in by role, factories, a query counter and a real SMTP server."""

import contextlib
import datetime as dt
import itertools
import os
import secrets
import socket
import time
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.users import User
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, SchoolYear, Site

PASSWORD = "correct horse battery staple"


def _postgres_database(base_url: str):
    """Create a fresh database next to TEST_DATABASE_URL; returns (url, drop)."""
    url = sa.make_url(base_url)
    name = f"gs_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url, drop = _postgres_database(base)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def test_config(database_url, tmp_path_factory):
    """The config every test app gets; a test may copy and change it."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Fast hashing in tests only: every sign-in would cost ~50 ms with scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "BASE_URL": "http://gute-schule.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,
        "MAIL_TIMEOUT": 5,
        "instance": str(tmp_path_factory.mktemp("instance")),
    }


@pytest.fixture(scope="session")
def _migrated(test_config):
    """Run the Alembic migrations once per session on the fresh database."""
    os.environ["GUTE_SCHULE_INSTANCE"] = test_config["instance"]
    app = create_app({k: v for k, v in test_config.items() if k != "instance"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            for name in REFERENCE_TABLES:
                table = db.metadata.tables[name]
                _reference_rows[name] = [
                    dict(row) for row in conn.execute(table.select()).mappings()
                ]
        db.engine.dispose()
    return True


# Tables the migrations fill with shipped data (the funding programmes): each test starts
# with these rows as a fresh database has them.
REFERENCE_TABLES = ("funding_programmes",)
_reference_rows: dict[str, list[dict]] = {}


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own g, own db.session), as in production;
    otherwise the test's app context would be shared and g would leak between requests."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _empty_all_tables() -> None:
    """Empty every table, then put the shipped reference rows back."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for name, rows in _reference_rows.items():
            if rows:
                conn.execute(db.metadata.tables[name].insert(), rows)


@pytest.fixture
def make_app(_migrated, test_config):
    """Build an app on the test database with config overrides: make_app(WTF_CSRF_ENABLED=True)."""
    apps = []

    def build(**overrides):
        config = {k: v for k, v in test_config.items() if k != "instance"}
        config.update(overrides)
        new = create_app(config)
        new.test_client_class = FreshContextClient
        apps.append(new)
        return new

    yield build
    for built in apps:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _terminal_language_unset(monkeypatch):
    """CLI output follows LANG (and LANGUAGE, LC_ALL, LC_MESSAGES): tests start without
    one (German), whatever the machine's; a test sets LANG=en to get English."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def app(make_app):
    application = make_app()
    with application.app_context():
        yield application
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_numbers = itertools.count(100001)


@pytest.fixture
def make_school(app):
    def factory(school_number=None, name=None, **fields) -> School:
        number = school_number or str(next(_numbers))
        school = School(
            school_number=number,
            name=name or f"Testschule {number}",
            school_form=fields.pop("school_form", "gymnasium"),
            district=fields.pop("district", "Bochum-Mitte"),
            students=fields.pop("students", 600),
            classes=fields.pop("classes", 24),
            it_contact_email=fields.pop("it_contact_email", f"it-{number}@schule.example.org"),
            **fields,
        )
        if not school.learning_levels_codes:
            school.learning_levels = ["sek1", "sek2"]
        school.sites.append(Site(name="Hauptstandort", street="Teststr. 1", is_main=True))
        db.session.add(school)
        db.session.commit()
        return school

    return factory


@pytest.fixture
def make_site(app):
    def factory(school: School, name="Nebenstelle", **fields) -> Site:
        site = Site(school=school, name=name, is_main=False, **fields)
        db.session.add(site)
        db.session.commit()
        return site

    return factory


_inventory_numbers = itertools.count(1)


@pytest.fixture
def make_device(app):
    def factory(school: School, **fields) -> Device:
        fields.setdefault("inventory_number", f"INV-{next(_inventory_numbers):06d}")
        fields.setdefault("category", "laptop")
        fields.setdefault("status", "in_use")
        device = Device(school=school, site=fields.pop("site", school.main_site), **fields)
        db.session.add(device)
        db.session.commit()
        return device

    return factory


@pytest.fixture
def make_link(app):
    def factory(school: School, **fields) -> NetworkLink:
        fields.setdefault("technology", "fibre")
        fields.setdefault("down_mbps", 1000)
        fields.setdefault("up_mbps", 1000)
        fields.setdefault("status", "active")
        link = NetworkLink(school=school, site=fields.pop("site", school.main_site), **fields)
        db.session.add(link)
        db.session.commit()
        return link

    return factory


@pytest.fixture
def make_offering(app):
    def factory(school: School, **fields) -> Offering:
        fields.setdefault("learning_level", "sek1")
        fields.setdefault("kind", "lms")
        fields.setdefault("status", "available")
        offering = Offering(school=school, **fields)
        db.session.add(offering)
        db.session.commit()
        return offering

    return factory


@pytest.fixture
def make_school_year(app):
    def factory(start_year: int, first_school_day: dt.date | None = None) -> SchoolYear:
        year = SchoolYear(
            start_year=start_year,
            label=SchoolYear.label_for(start_year),
            first_school_day=first_school_day or dt.date(start_year, 9, 1),
        )
        db.session.add(year)
        db.session.commit()
        return year

    return factory


_emails = itertools.count(1)


@pytest.fixture
def make_user(app):
    def factory(role="school_admin", schools=(), email=None, password=PASSWORD, **fields) -> User:
        user = User(
            email=email or f"user{next(_emails)}@stadt.example.org",
            role=role,
            schools=list(schools),
            **fields,
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client):
    """Sign a client in through the real login form: login(user) or login(user, client=other)."""

    def sign_in(user: User, password: str = PASSWORD, client=client):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return sign_in


@pytest.fixture
def login_as(make_user, login):
    """login_as("school_admin", school=s) creates a user of that role and signs the client in."""

    def sign_in(role: str, school: School | None = None, schools=(), client=None):
        assigned = list(schools) or ([school] if school else [])
        user = make_user(role=role, schools=assigned)
        if client is None:
            login(user)
        else:
            login(user, client=client)
        return user

    return sign_in


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of statements."""

    @contextlib.contextmanager
    def counting():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def before(_conn, _cursor, statement, *_args):
            counter.count += 1
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; .messages collects what arrives,
    .refuse answers 451 to every mail, .refuse_recipients refuses those addresses (550)."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Collector:
        def __init__(self):
            self.messages = []
            self.refuse = False
            self.refuse_recipients: set[str] = set()  # answered "550" at RCPT TO

        async def handle_RCPT(self, _server, _session, envelope, address, _options):  # noqa: N802
            if address.lower() in self.refuse_recipients:
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, _server, _session, envelope):  # noqa: N802
            if self.refuse:
                return "451 Try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.messages.append((envelope.rcpt_tos, message))
            return "250 OK"

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.host, handler.port = controller.hostname, controller.port
    try:
        yield handler
    finally:
        controller.stop()
        time.sleep(0.05)

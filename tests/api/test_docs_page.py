"""The readable API documentation at /api/v1/docs."""


def test_docs_show_the_bearer_header_and_who_creates_tokens(client, login_as):
    login_as("school_admin")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page
    assert "Jede Benutzerin und jeder Benutzer erstellt eigene Tokens" in page
    assert "<code>flask --app wsgi create-token EMAIL</code>" in page


def test_docs_print_limits_as_numbers_not_exponents(client, login_as):
    login_as("department")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "e+0" not in page
    assert "≤ 1.000.000" in page


def test_account_page_links_to_the_docs(client, login_as):
    login_as("school_admin")
    page = client.get("/account/").get_data(as_text=True)
    assert '<a href="/api/v1/docs">API-Dokumentation</a>' in page

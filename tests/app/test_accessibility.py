"""The accessibility statement and its feedback form: configurable content, the mail to
the contact (received by a real SMTP server), the rate limit and the CSRF check."""

import re

import pytest

CONTACT = "barrierefreiheit@stadt.example.org"


@pytest.fixture
def feedback_app(make_app, smtp_server):
    """CSRF off (the test client posts plain forms), mail to the aiosmtpd server."""

    def build(**overrides):
        config = {
            "MAIL_SERVER": smtp_server.host,
            "MAIL_PORT": smtp_server.port,
            "ACCESSIBILITY_CONTACT_EMAIL": CONTACT,
            **overrides,
        }
        return make_app(**config)

    return build


def test_statement_is_public_and_shows_the_german_defaults(client):
    response = client.get("/accessibility")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in page
    assert 'data-status="partial"' in page
    assert "teilweise mit den Anforderungen der BITV 2.0 vereinbar" in page
    assert "Die Excel-Dateien (Exporte, Importvorlagen und Fehlerlisten)" in page
    assert "Diese Erklärung wurde am 2. Dezember 2026 erstellt." in page
    assert "Ombudsstelle für barrierefreie Informationstechnik" in page
    # Without a configured contact address there is no form that could not be delivered.
    assert 'id="feedback-form"' not in page


def test_statement_content_comes_from_the_config(make_app):
    app = make_app(
        ACCESSIBILITY_STATUS="full",
        ACCESSIBILITY_KNOWN_LIMITS=["Die Karte der Standorte hat keine Textalternative."],
        ACCESSIBILITY_STATEMENT_DATE="2027-03-15",
        ACCESSIBILITY_CONTACT_NAME="Amt 40, Frau Beispiel",
        ACCESSIBILITY_CONTACT_EMAIL=CONTACT,
        ACCESSIBILITY_CONTACT_PHONE="0234 910-0",
        ACCESSIBILITY_ENFORCEMENT="Schlichtungsstelle: siehe bochum.de.",
    )
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    assert "vollständig mit den Anforderungen der BITV 2.0 vereinbar" in page
    assert re.search(r'<ul id="known-limits">\s*<li>Die Karte der Standorte hat keine', page)
    assert "Excel-Dateien" not in page
    assert "Diese Erklärung wurde am 15. März 2027 erstellt." in page
    assert "Amt 40, Frau Beispiel" in page and "0234 910-0" in page
    assert f'<a href="mailto:{CONTACT}">' in page
    assert '<p id="enforcement">Schlichtungsstelle: siehe bochum.de.</p>' in page
    assert 'id="feedback-form"' in page


def test_footer_links_to_statement_and_shows_only_configured_legal_links(make_app):
    plain = make_app().test_client().get("/login").get_data(as_text=True)
    footer = plain[plain.index("<footer") :]
    assert '<a href="/accessibility">Barrierefreiheit</a>' in footer
    assert "Impressum" not in footer and "Datenschutz" not in footer

    configured = make_app(
        IMPRINT_URL="https://www.bochum.de/impressum",
        PRIVACY_URL="https://www.bochum.de/datenschutz",
    )
    page = configured.test_client().get("/login").get_data(as_text=True)
    footer = page[page.index("<footer") :]
    assert '<a href="https://www.bochum.de/impressum">Impressum</a>' in footer
    assert '<a href="https://www.bochum.de/datenschutz">Datenschutz</a>' in footer


def test_feedback_is_mailed_to_the_contact(feedback_app, smtp_server):
    client = feedback_app().test_client()
    response = client.post(
        "/accessibility",
        data={
            "message": "Die Filter der Geräteliste sind mit dem Screenreader nicht bedienbar.",
            "page": "/schools/171001/devices/",
            "name": "Erika Muster",
            "email": "erika@schule.example.org",
        },
    )
    assert response.status_code == 200
    assert "Vielen Dank. Ihre Nachricht wurde an die Kontaktstelle" in response.get_data(
        as_text=True
    )
    [(recipients, message)] = smtp_server.messages
    assert recipients == [CONTACT]
    assert message["Subject"] == "Rückmeldung Barrierefreiheit: Erika Muster"
    assert message["Reply-To"] == "erika@schule.example.org"
    body = message.get_content()
    assert "Die Filter der Geräteliste sind mit dem Screenreader nicht bedienbar." in body
    assert "Betroffene Seite: /schools/171001/devices/" in body
    assert "Nicht angemeldet" in body


def test_feedback_without_message_is_refused_at_the_field(feedback_app, smtp_server):
    client = feedback_app().test_client()
    response = client.post("/accessibility", data={"message": "", "email": "keine-adresse"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'aria-describedby="message-hint message-error" aria-invalid="true"' in page
    assert '<a href="#email" data-field="email">' in page
    assert smtp_server.messages == []


def test_feedback_when_the_mail_server_is_down_says_so_and_keeps_the_text(
    feedback_app, smtp_server
):
    smtp_server.refuse = True
    client = feedback_app().test_client()
    response = client.post("/accessibility", data={"message": "Kontrast zu schwach."})
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "konnte gerade nicht gesendet werden" in page
    assert "Kontrast zu schwach.</textarea>" in page


def test_feedback_is_rate_limited(feedback_app, smtp_server):
    client = feedback_app(
        RATELIMIT_ENABLED=True, ACCESSIBILITY_FEEDBACK_RATE_LIMIT="2 per hour"
    ).test_client()
    statuses = [
        client.post("/accessibility", data={"message": f"Hinweis {n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert len(smtp_server.messages) == 2
    assert client.get("/accessibility").status_code == 200  # reading stays possible


def test_feedback_needs_the_csrf_token(feedback_app, smtp_server):
    client = feedback_app(WTF_CSRF_ENABLED=True).test_client()
    refused = client.post("/accessibility", data={"message": "Ohne Token"})
    assert refused.status_code == 400
    assert smtp_server.messages == []

    page = client.get("/accessibility").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post("/accessibility", data={"message": "Mit Token", "csrf_token": token})
    assert accepted.status_code == 200
    assert len(smtp_server.messages) == 1

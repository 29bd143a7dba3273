"""app/mail.py against a real SMTP server (aiosmtpd)."""

import smtplib

import pytest

from app.mail import Mailer, MailError, build_message
from tests.conftest import free_port


@pytest.fixture
def mail_config(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    return app.config


def message(recipient="it@schule.example.org", **kwargs):
    return build_message(subject="Prüfung", recipient=recipient, text="Grüße", **kwargs)


def test_message_has_text_html_and_attachment(app, mail_config, smtp_server):
    app.config["MAIL_SENDER"] = "gute-schule@bochum.example.org"
    with Mailer() as mailer:
        mailer.send(
            message(html="<p>Grüße</p>", attachments=[("a.xlsx", "application/zip", b"PK")])
        )
    ((rcpts, received),) = smtp_server.messages
    assert rcpts == ["it@schule.example.org"]
    assert received["From"] == "Gute Schule <gute-schule@bochum.example.org>"
    assert received["Subject"] == "Prüfung"
    assert received.get_body(("plain",)).get_content().strip() == "Grüße"
    assert received.get_body(("html",)).get_content().strip() == "<p>Grüße</p>"
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "a.xlsx" and attachment.get_content() == b"PK"


def test_sender_display_name_comes_from_the_config(app, mail_config, smtp_server):
    app.config.update(
        MAIL_SENDER="schul-it@bochum.example.org", MAIL_SENDER_NAME="Stadt Bochum, Schul-IT"
    )
    with Mailer() as mailer:
        mailer.send(message())
    ((_rcpts, received),) = smtp_server.messages
    sender = received["From"]
    assert sender.addresses[0].display_name == "Stadt Bochum, Schul-IT"
    assert sender.addresses[0].addr_spec == "schul-it@bochum.example.org"


def test_empty_sender_name_sends_the_address_alone(app, mail_config, smtp_server):
    app.config.update(MAIL_SENDER="schul-it@bochum.example.org", MAIL_SENDER_NAME="")
    with Mailer() as mailer:
        mailer.send(message())
    assert smtp_server.messages[0][1]["From"] == "schul-it@bochum.example.org"


def test_one_connection_for_all_mails_of_a_run(mail_config, smtp_server, monkeypatch):
    connects = []
    original = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        connects.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    with Mailer() as mailer:
        for number in range(5):
            mailer.send(message(f"it{number}@schule.example.org"))
    assert len(smtp_server.messages) == 5
    assert len(connects) == 1


def test_nothing_to_send_opens_no_connection(mail_config, monkeypatch):
    monkeypatch.setattr(smtplib.SMTP, "connect", lambda *_a, **_k: pytest.fail("connected"))
    with Mailer():
        pass


def test_server_down_fails_every_send_without_reconnecting(app, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    connects = []
    original = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        connects.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)
    with Mailer() as mailer:
        for _ in range(3):
            with pytest.raises(MailError, match="Connection refused|ConnectionRefused"):
                mailer.send(message())
    assert len(connects) == 1


def test_refused_mail_raises_and_the_connection_goes_on(mail_config, smtp_server):
    with Mailer() as mailer:
        smtp_server.refuse = True
        with pytest.raises(MailError, match="451"):
            mailer.send(message())
        smtp_server.refuse = False
        mailer.send(message())
    assert len(smtp_server.messages) == 1


def test_starttls_is_used_when_configured(app, mail_config):
    app.config["MAIL_USE_TLS"] = True
    # The test server offers no STARTTLS: the mailer must insist, not send in clear.
    with Mailer() as mailer, pytest.raises(MailError, match="STARTTLS"):
        mailer.send(message())


def test_login_is_used_when_a_username_is_set(app, mail_config, smtp_server):
    app.config.update(MAIL_USERNAME="gute-schule", MAIL_PASSWORD="geheim")
    # The test server offers no AUTH: the mailer must try to log in and fail.
    with Mailer() as mailer, pytest.raises(MailError, match="AUTH"):
        mailer.send(message())
    assert smtp_server.messages == []


def test_ssl_is_used_when_configured(app, mail_config):
    app.config.update(MAIL_USE_SSL=True, MAIL_TIMEOUT=3)
    # A TLS handshake against a plain SMTP server fails.
    with Mailer() as mailer, pytest.raises(MailError, match="SSL"):
        mailer.send(message())


def test_header_values_from_data_stay_on_one_line(app, mail_config, smtp_server):
    with Mailer() as mailer:
        mailer.send(
            build_message(
                subject="Schule\r\nBcc: evil@example.org\u2028X",
                recipient="it@schule.example.org",
                text="Text",
                attachments=[("a\r\nb.xlsx", "application/zip", b"PK")],
            )
        )
    ((rcpts, received),) = smtp_server.messages
    assert rcpts == ["it@schule.example.org"]
    assert received["Subject"] == "Schule Bcc: evil@example.org X"
    assert received["Bcc"] is None
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "a b.xlsx"


def test_long_subject_is_cut(app):
    built = build_message(subject="Gigabit " * 500, recipient="it@s.de", text="Text")
    assert len(str(built["Subject"])) <= 250
    assert str(built["Subject"]).endswith("…")

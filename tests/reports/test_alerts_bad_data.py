"""Data cannot break the alert mails: a school name with a line break is sent on one
header line, and a mail that cannot be sent is failed with its error while every other
mail and the department's digest still go out."""

import datetime as dt

import pytest
import sqlalchemy as sa

from app.extensions import db
from reports.alerts import run_alerts
from reports.models import AlertDelivery

FSD = dt.date(2026, 9, 2)
LEAD_DAY = FSD - dt.timedelta(days=84)
DEPARTMENT = "schulverwaltung@stadt.example.org"


@pytest.fixture
def mail_app(app, make_app, smtp_server, make_school_year):
    make_school_year(2026, FSD)
    application = make_app(
        MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, ALERT_RECIPIENTS=[DEPARTMENT]
    )
    with application.app_context():
        yield application
        db.session.rollback()


def _outbox() -> dict[str, AlertDelivery]:
    db.session.expire_all()
    return {row.recipient: row for row in db.session.scalars(sa.select(AlertDelivery))}


def _received(smtp_server) -> dict[str, object]:
    return {rcpt.lower(): message for rcpts, message in smtp_server.messages for rcpt in rcpts}


def test_school_name_with_a_line_break_is_sent_and_blocks_nothing(
    mail_app, make_school, smtp_server
):
    # Sorted first, so its mail is the first the run sends.
    broken = make_school(name="Aaa-Schule\r\nBcc: evil@example.org", it_contact_email="a@s.de")
    others = [make_school(name=f"Schule {n}", it_contact_email=f"it{n}@s.de") for n in range(3)]

    result = run_alerts(LEAD_DAY)

    assert result.ok, result.errors
    received = _received(smtp_server)
    assert set(received) == {"a@s.de", DEPARTMENT} | {s.it_contact_email for s in others}
    subject = str(received["a@s.de"]["Subject"])
    assert "\r" not in subject and "\n" not in subject
    assert "Aaa-Schule Bcc: evil@example.org" in subject
    assert all(message["Bcc"] is None for message in received.values())
    assert all(len(message.get_all("Subject")) == 1 for message in received.values())
    assert {row.status for row in _outbox().values()} == {"sent"}
    assert broken.name in received[DEPARTMENT].get_body(("plain",)).get_content()


def test_mail_refused_for_good_is_failed_and_the_others_still_go_out(
    mail_app, make_school, smtp_server
):
    make_school(name="Aaa-Schule", it_contact_email="weg@s.de")
    others = [make_school(name=f"Schule {n}", it_contact_email=f"it{n}@s.de") for n in range(3)]
    smtp_server.refuse_recipients = {"weg@s.de"}

    result = run_alerts(LEAD_DAY)

    assert not result.ok and result.failed == 1 and result.sent == 4
    assert set(_received(smtp_server)) == {DEPARTMENT} | {s.it_contact_email for s in others}
    refused = _outbox()["weg@s.de"]
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550" in refused.last_error
    # Failed for good: the next run does not try again.
    run_alerts(LEAD_DAY)
    assert _outbox()["weg@s.de"].attempts == 1

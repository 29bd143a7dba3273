"""The department's "Benachrichtigungen" page (the school-year pages: tests/schools)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.extensions import db
from reports.models import AlertDelivery, AlertRecipient, JobRun


def berlin_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/Berlin")).date()


@pytest.fixture
def due_today(make_school_year, make_school, make_link):
    """A school year whose lead-14 stage is due today, one school not ready, one ready."""
    year = make_school_year(berlin_today().year, berlin_today() + dt.timedelta(days=10))
    slow = make_school(name="Langsame Schule")
    make_link(slow, technology="vdsl", down_mbps=250, up_mbps=40)
    make_link(make_school(name="Schnelle Schule"))
    return year, slow


def test_page_shows_preview_runs_and_outbox_to_department(client, login_as, due_today, app):
    _year, slow = due_today
    db.session.add(
        JobRun(job="gigabit_alerts", outcome="failed", error="SMTP kaputt", counts={"sent": 0})
    )
    db.session.add(
        AlertDelivery(
            kind="school",
            school_key=slow.school_number,
            school_id=slow.id,
            school_year_id=_year.id,
            stage="lead-42",
            recipient="alt@schule.example.org",
            status="failed",
            subject="Alte Erinnerung",
            attempts=5,
            last_error="451 Try again later",
        )
    )
    db.session.commit()
    login_as("department")
    response = client.get("/notifications/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Benachrichtigungen" in page
    assert slow.it_contact_email in page  # the preview lists the mail it would send
    assert "14 Tage vor dem ersten Schultag" in page
    assert "SMTP kaputt" in page and 'class="run-failed"' in page
    assert "Alte Erinnerung" in page and "451 Try again later" in page
    assert "Jetzt ausführen" in page
    # The preview is a dry run: nothing was written.
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertDelivery)) == 1


def test_page_is_forbidden_for_school_admin(client, login_as, make_school):
    school = make_school()
    login_as("school_admin", school=school)
    assert client.get("/notifications/").status_code == 403
    assert client.post("/notifications/run").status_code == 403
    assert client.get("/school-years/").status_code == 403
    assert client.get(f"/school-years/{school.id}/edit").status_code == 403


def test_outbox_is_paginated_and_filtered(client, login_as, app, make_school_year):
    year = make_school_year(2026)
    app.config["PER_PAGE"] = 10
    for number in range(25):
        db.session.add(
            AlertDelivery(
                kind="digest",
                school_key="all",
                school_year_id=year.id,
                stage=f"overdue-{number}",
                recipient="a@stadt.example.org",
                status="sent" if number % 5 else "pending",
                subject=f"Betreff Nummer {number:02d}",
            )
        )
    db.session.commit()
    login_as("department")
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Betreff Nummer 24" in first and "Betreff Nummer 14" not in first
    assert "Seite 1 von 3" in first
    third = client.get("/notifications/?page=3").get_data(as_text=True)
    assert "Betreff Nummer 00" in third
    pending = client.get("/notifications/?status=pending").get_data(as_text=True)
    assert "Betreff Nummer 05" in pending and "Betreff Nummer 06" not in pending
    assert client.get("/notifications/?page=99&status=bogus").status_code == 200


def test_run_now_sends_and_shows_the_outcome(client, login_as, due_today, app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    _year, slow = due_today
    login_as("department")
    response = client.post("/notifications/run", follow_redirects=True)
    assert response.status_code == 200
    assert "1 E-Mails versendet" in response.get_data(as_text=True)
    assert [rcpts for rcpts, _m in smtp_server.messages] == [[slow.it_contact_email]]
    db.session.expire_all()
    run = db.session.scalars(sa.select(JobRun)).one()
    assert (run.trigger, run.outcome) == ("web", "success")


def test_run_now_with_mail_server_down_reports_failure(client, login_as, due_today):
    login_as("department")
    response = client.post("/notifications/run", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "konnten nicht versendet werden" in page
    db.session.expire_all()
    assert db.session.scalars(sa.select(AlertDelivery.status)).all() == ["pending"]


def test_run_now_needs_csrf_token(make_app, make_user, due_today):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user(role="department")
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": token},
    )
    assert client.post("/notifications/run").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0


def test_department_adds_and_removes_digest_recipients(client, login_as, app):
    app.config["ALERT_RECIPIENTS"] = ["leitung@stadt.example.org"]
    login_as("department")
    response = client.post(
        "/notifications/recipients", data={"email": " IT-Team@Stadt.example.org "}
    )
    assert response.status_code == 302
    db.session.expire_all()
    recipient = db.session.scalars(sa.select(AlertRecipient)).one()
    assert recipient.email == "it-team@stadt.example.org"
    page = client.get("/notifications/").get_data(as_text=True)
    assert "it-team@stadt.example.org" in page and "leitung@stadt.example.org" in page

    response = client.post(f"/notifications/recipients/{recipient.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(sa.select(AlertRecipient)).all() == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("keine-adresse", "Keine gültige E-Mail-Adresse."),
        ("", "Dieses Feld wird benötigt."),
        ("leitung@stadt.example.org", "Diese Adresse erhält die Übersicht bereits."),
    ],
)
def test_bad_recipient_is_shown_at_the_field(client, login_as, app, email, message):
    app.config["ALERT_RECIPIENTS"] = ["leitung@stadt.example.org"]
    login_as("department")
    response = client.post("/notifications/recipients", data={"email": email})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and message in page
    db.session.expire_all()
    assert db.session.scalars(sa.select(AlertRecipient)).all() == []


def test_removing_an_unknown_recipient_is_404(client, login_as):
    login_as("department")
    assert client.post("/notifications/recipients/999/delete").status_code == 404


def test_page_shows_when_the_next_stage_is_due(client, login_as, due_today):
    """lead-14 is due today (first school day in 10 days): next is overdue-1 at FSD + 7."""
    year, _slow = due_today
    login_as("department")
    page = client.get("/notifications/").get_data(as_text=True)
    starts = year.first_school_day + dt.timedelta(days=7)
    assert 'id="next-stage"' in page
    assert "1. Erinnerung nach dem ersten Schultag" in page
    assert starts.strftime("%d.%m.%Y") in page
    assert "in 17 Tagen" in page


def test_next_stage_is_the_first_lead_time_of_a_school_year_ahead(app, make_school_year):
    from reports.alerts import next_stage

    make_school_year(2026, dt.date(2026, 9, 2))
    due = next_stage(dt.date(2026, 1, 10))
    assert (due.label, due.stage, due.today) == ("2026/27", "lead-84", dt.date(2026, 6, 10))
    due = next_stage(dt.date(2026, 6, 10))  # lead-84 is due: next is lead-42
    assert (due.stage, due.today) == ("lead-42", dt.date(2026, 7, 22))
    assert next_stage(dt.date(2026, 11, 1)) is None  # past the overdue weeks, no year ahead


def test_page_says_when_no_stage_is_ahead(client, login_as):
    login_as("department")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Keine weitere Stufe" in page


def test_next_stage_tomorrow_reads_in_one_day(client, login_as, make_school_year):
    make_school_year(berlin_today().year, berlin_today() + dt.timedelta(days=15))
    login_as("department")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "14 Tage vor dem ersten Schultag" in page and "(in 1 Tag)" in page

"""The gigabit alert job: stages, outbox, retries, mails at a real SMTP server."""

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa
from lxml import html as lxml_html

from app.extensions import db
from reports.alerts import due_stage, run_alerts, stage_on
from reports.models import AlertDelivery, AlertRecipient, JobRun
from tests.conftest import free_port

FSD = dt.date(2026, 9, 2)
LEADS = [84, 42, 14]


def day(offset: int) -> dt.date:
    return FSD + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("offset", "stage"),
    [
        (-85, None),
        (-84, "lead-84"),
        (-83, "lead-84"),
        (-43, "lead-84"),
        (-42, "lead-42"),
        (-41, "lead-42"),
        (-15, "lead-42"),
        (-14, "lead-14"),
        (-1, "lead-14"),
        (0, "lead-14"),
        (6, "lead-14"),
        (7, "overdue-1"),
        (13, "overdue-1"),
        (14, "overdue-2"),
        (55, "overdue-7"),
        (56, "overdue-8"),
        (62, "overdue-8"),
        (63, None),
        (200, None),
    ],
)
def test_stage_around_each_lead_time_and_the_weeks_after(offset, stage):
    assert stage_on(FSD, day(offset), LEADS, 8) == stage


def test_stage_follows_configured_lead_days_and_overdue_weeks():
    assert stage_on(FSD, day(-30), [30, 7], 2) == "lead-30"
    assert stage_on(FSD, day(-7), [7, 30], 2) == "lead-7"
    assert stage_on(FSD, day(21), [30, 7], 2) is None
    assert stage_on(FSD, day(14), [30, 7], 2) == "overdue-2"


@pytest.fixture
def years(make_school_year):
    return {
        2026: make_school_year(2026, FSD),
        2027: make_school_year(2027, dt.date(2027, 9, 1)),
    }


def test_after_the_overdue_weeks_the_next_school_year_stages_follow(app, years):
    assert due_stage(day(63)) is None
    due = due_stage(dt.date(2027, 9, 1) - dt.timedelta(days=84))
    assert (due.label, due.stage) == ("2027/28", "lead-84")
    due = due_stage(day(20))
    assert (due.label, due.stage, due.days_left) == ("2026/27", "overdue-2", -20)


def test_lead_days_may_come_as_text_from_the_environment(app, years):
    app.config["ALERT_LEAD_DAYS"] = "30, 7"
    assert due_stage(day(-30)).stage == "lead-30"
    assert due_stage(day(-31)) is None


@pytest.fixture
def mail_app(app, make_app, smtp_server):
    """An app whose mails go to the real test SMTP server."""
    application = make_app(
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        ALERT_RECIPIENTS=["Schulverwaltung@Stadt.example.org"],
    )
    with application.app_context():
        yield application
        db.session.rollback()


@pytest.fixture
def schools(app, years, make_school, make_site, make_link):
    """Three schools: one ready, one on cable (too slow, fibre planned), one with an annex
    without any link."""
    ready = make_school(name="Bereit-Gymnasium")
    make_link(ready, provider="Stadtwerke", down_mbps=1000, up_mbps=1000)
    cable = make_school(name="Kabel-Realschule")
    make_link(cable, provider="Vodafone", technology="cable", down_mbps=1000, up_mbps=50)
    make_link(
        cable,
        provider="Telekom",
        status="ordered",
        down_mbps=1000,
        up_mbps=1000,
        planned_date=dt.date(2026, 8, 15),
    )
    annex = make_school(name="Anbau-Grundschule", school_form="grundschule")
    make_link(annex, down_mbps=10000, up_mbps=10000)
    make_site(annex, name="Dependance Nord")
    return {"ready": ready, "cable": cable, "annex": annex}


def received(smtp_server):
    """(recipient, subject) of each message that arrived."""
    return sorted(
        (rcpt.lower(), str(message["Subject"]))
        for rcpts, message in smtp_server.messages
        for rcpt in rcpts
    )


def run_cli(application, *args):
    """`flask alerts run ...` against that app (the CLI reuses a pushed app context)."""
    with application.app_context():
        return application.test_cli_runner().invoke(args=["alerts", "run", *args])


def outbox():
    db.session.expire_all()
    return db.session.scalars(sa.select(AlertDelivery).order_by(AlertDelivery.id)).all()


def test_first_stage_mails_each_not_ready_school_and_the_department(mail_app, schools, smtp_server):
    result = run_alerts(day(-84))
    assert result.ok and result.stage == "lead-84"
    recipients = sorted(rcpt for rcpt, _subject in received(smtp_server))
    assert recipients == sorted(
        [
            schools["cable"].it_contact_email,
            schools["annex"].it_contact_email,
            "schulverwaltung@stadt.example.org",
        ]
    )
    assert {row.status for row in outbox()} == {"sent"}
    assert all(row.stage == "lead-84" and row.attempts == 1 for row in outbox())


def test_school_mail_is_german_with_sites_links_days_and_school_page(
    mail_app, schools, smtp_server
):
    run_alerts(day(-84))
    cable = schools["cable"]
    message = next(m for rcpts, m in smtp_server.messages if cable.it_contact_email in rcpts)
    assert "Kabel-Realschule" in message["Subject"]
    assert "84 Tage" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "noch nicht gigabitfähig" in text
    assert "1000/50 Mbit/s" in text  # the best active link
    assert "Telekom" in text and "15.08.2026" in text  # the plan and its date
    assert f"http://gute-schule.test/schools/{cable.school_number}" in text
    assert f'href="http://gute-schule.test/schools/{cable.school_number}"' in html
    assert "02.09.2026" in text and "84 Tagen" in text


def test_school_mail_names_only_the_site_that_is_not_ready(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    annex = schools["annex"]
    message = next(m for rcpts, m in smtp_server.messages if annex.it_contact_email in rcpts)
    text = message.get_body(("plain",)).get_content()
    assert "Dependance Nord" in text
    assert "Hauptstandort" not in text


def test_digest_lists_not_ready_schools_and_attaches_the_workbook(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    digest = next(
        m for rcpts, m in smtp_server.messages if "schulverwaltung@stadt.example.org" in rcpts
    )
    text = digest.get_body(("plain",)).get_content()
    assert "Kabel-Realschule" in text and "Anbau-Grundschule" in text
    assert "Bereit-Gymnasium" not in text
    attachments = list(digest.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_filename() == "Gigabit-Status-2026-27.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(attachments[0].get_content()), read_only=True)
    sheet = workbook["Gigabit-Status"]
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    workbook.close()
    assert schools["cable"].school_number in cells
    assert schools["annex"].school_number in cells
    assert schools["ready"].school_number not in cells


def _mail_to(smtp_server, address):
    return next(m for rcpts, m in smtp_server.messages if address.lower() in rcpts)


def _digest(smtp_server):
    return _mail_to(smtp_server, "schulverwaltung@stadt.example.org")


def test_school_subject_leads_with_the_days_left_and_the_school_number(
    mail_app, schools, smtp_server
):
    run_alerts(day(-84))
    cable = schools["cable"]
    subject = str(_mail_to(smtp_server, cable.it_contact_email)["Subject"])
    assert subject == (
        f"Noch 84 Tage: {cable.school_number} Kabel-Realschule ist nicht gigabitfähig "
        "(Schuljahr 2026/27)"
    )
    assert str(_digest(smtp_server)["Subject"]).startswith("Noch 84 Tage: 2 Schulen")


def test_subject_after_the_first_school_day_leads_with_the_days_overdue(
    mail_app, schools, smtp_server
):
    run_alerts(day(14))
    annex = schools["annex"]
    subject = str(_mail_to(smtp_server, annex.it_contact_email)["Subject"])
    assert subject.startswith(f"Seit 14 Tagen überfällig: {annex.school_number} Anbau-Grundschule")


def test_school_mail_flags_a_planned_date_that_has_passed(mail_app, schools, smtp_server):
    run_alerts(day(-14))  # 19.08.2026: the fibre planned for 15.08.2026 is not active
    text = (
        _mail_to(smtp_server, schools["cable"].it_contact_email).get_body(("plain",)).get_content()
    )
    assert "15.08.2026" in text
    assert "Achtung: der geplante Termin ist verstrichen" in text


def test_school_mail_does_not_flag_a_plan_in_time(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    text = (
        _mail_to(smtp_server, schools["cable"].it_contact_email).get_body(("plain",)).get_content()
    )
    assert "Achtung" not in text


def test_school_mail_flags_a_plan_after_the_first_school_day(
    mail_app, schools, smtp_server, make_school, make_link
):
    late = make_school(name="Spät-Gesamtschule")
    make_link(late, status="planned", down_mbps=1000, up_mbps=1000, planned_date=day(30))
    run_alerts(day(-84))
    message = _mail_to(smtp_server, late.it_contact_email)
    assert (
        "Achtung: erst nach dem ersten Schultag geplant"
        in message.get_body(("plain",)).get_content()
    )
    assert (
        "erst nach dem ersten Schultag geplant</strong>"
        in message.get_body(("html",)).get_content()
    )


def test_digest_groups_schools_by_plan_status(
    mail_app, schools, smtp_server, make_school, make_link
):
    late = make_school(name="Spät-Gesamtschule")
    make_link(late, status="planned", down_mbps=1000, up_mbps=1000, planned_date=day(30))
    run_alerts(day(-84))
    digest = _digest(smtp_server)
    text = digest.get_body(("plain",)).get_content()
    no_plan = text.index("Nicht gigabitfähig, kein schneller Anschluss geplant")
    too_late = text.index("Zu spät geplant")
    in_time = text.index("Rechtzeitig zum ersten Schultag geplant")
    assert no_plan < text.index("Anbau-Grundschule") < too_late
    assert too_late < text.index("Spät-Gesamtschule") < in_time
    assert in_time < text.index("Kabel-Realschule")
    assert "(Achtung: erst nach dem ersten Schultag geplant)" in text
    page = lxml_html.fromstring(digest.get_body(("html",)).get_content())
    groups = [heading.get("id") for heading in page.xpath("//h2")]
    assert groups == ["group-no_plan", "group-late", "group-in_time"]


def test_digest_leaves_out_empty_groups(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    text = _digest(smtp_server).get_body(("plain",)).get_content()
    assert "Zu spät geplant" not in text
    assert "Rechtzeitig zum ersten Schultag geplant (1)" in text


def test_digest_workbook_refers_only_to_sheets_it_has(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    (attachment,) = _digest(smtp_server).iter_attachments()
    workbook = openpyxl.load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    info = [
        " ".join(str(v) for v in row if v) for row in workbook["Info"].iter_rows(values_only=True)
    ]
    sheets = workbook.sheetnames
    workbook.close()
    assert sheets == ["Info", "Gigabit-Status"]
    assert not [row for row in info if "Codes" in row]


def test_same_day_rerun_sends_nothing(mail_app, schools, smtp_server):
    run_alerts(day(-84))
    first = len(smtp_server.messages)
    result = run_alerts(day(-84))
    again = run_alerts(day(-60))  # still lead-84
    assert len(smtp_server.messages) == first == 3
    assert result.queued == result.sent == again.queued == again.sent == 0


def test_each_stage_sends_once_and_weekly_after_the_first_school_day(
    mail_app, schools, smtp_server
):
    for offset in range(-90, 70, 3):
        run_alerts(day(offset))
    stages = [row.stage for row in outbox() if row.kind == "digest"]
    expected = ["lead-84", "lead-42", "lead-14"] + [f"overdue-{week}" for week in range(1, 9)]
    assert stages == expected
    assert len(smtp_server.messages) == 3 * len(expected)


def test_no_backlog_after_missed_runs(mail_app, schools, smtp_server):
    result = run_alerts(day(-10))  # did not run at -84 or -42
    assert result.stage == "lead-14"
    assert {row.stage for row in outbox()} == {"lead-14"}
    assert len(smtp_server.messages) == 3  # one per recipient


def test_school_that_became_ready_gets_no_more_reminders(mail_app, schools, smtp_server, make_link):
    run_alerts(day(-84))
    make_link(schools["cable"], provider="Telekom", down_mbps=1000, up_mbps=1000)
    smtp_server.messages.clear()
    run_alerts(day(-42))
    recipients = {rcpt for rcpt, _subject in received(smtp_server)}
    assert schools["cable"].it_contact_email not in recipients
    assert schools["annex"].it_contact_email in recipients
    digest = next(
        m for rcpts, m in smtp_server.messages if "schulverwaltung@stadt.example.org" in rcpts
    )
    assert "Kabel-Realschule" not in digest.get_body(("plain",)).get_content()


def test_no_digest_when_every_school_is_ready(mail_app, years, make_school, make_link, smtp_server):
    make_link(make_school())
    result = run_alerts(day(-84))
    assert result.stage == "lead-84" and result.sent == 0
    assert smtp_server.messages == [] and outbox() == []


def test_digest_goes_to_config_and_saved_recipients(mail_app, schools, smtp_server):
    db.session.add(AlertRecipient(email="it-leitung@stadt.example.org"))
    db.session.commit()
    run_alerts(day(-84))
    digests = sorted(row.recipient for row in outbox() if row.kind == "digest")
    assert digests == ["it-leitung@stadt.example.org", "schulverwaltung@stadt.example.org"]


def test_smtp_down_leaves_mails_pending_then_sends_each_once(make_app, schools, smtp_server, app):
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), ALERT_RECIPIENTS=["a@x.de"])
    result = run_cli(down, "--today", day(-84).isoformat())
    assert result.exit_code != 0
    rows = outbox()
    assert len(rows) == 3 and {row.status for row in rows} == {"pending"}
    assert all(row.attempts == 1 and row.last_error for row in rows)
    run = db.session.scalars(sa.select(JobRun)).one()
    assert run.outcome == "failed" and run.error and run.counts["failed"] == 3

    up = make_app(
        MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, ALERT_RECIPIENTS=["a@x.de"]
    )
    for _ in range(2):
        result = run_cli(up, "--today", day(-80).isoformat())
        assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 3
    assert len(set(received(smtp_server))) == 3
    assert {(row.status, row.attempts) for row in outbox()} == {("sent", 2)}


def test_refused_mail_is_retried_and_failed_after_max_attempts(make_app, schools, smtp_server, app):
    smtp_server.refuse = True
    refusing = make_app(
        MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, ALERT_MAX_ATTEMPTS=2
    )
    first = run_cli(refusing, "--today", day(-84).isoformat())
    assert first.exit_code != 0
    assert {(row.status, row.attempts) for row in outbox()} == {("pending", 1)}
    assert "451" in outbox()[0].last_error
    second = run_cli(refusing, "--today", day(-84).isoformat())
    assert second.exit_code != 0
    assert {(row.status, row.attempts) for row in outbox()} == {("failed", 2)}
    smtp_server.refuse = False
    third = run_cli(refusing, "--today", day(-84).isoformat())
    assert third.exit_code == 0
    assert smtp_server.messages == []


def test_pending_mails_of_an_older_stage_are_superseded_not_sent(
    make_app, schools, smtp_server, app
):
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with down.app_context():
        run_alerts(day(-84))
    up = make_app(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    with up.app_context():
        result = run_alerts(day(-42))
    assert result.superseded == 2 and result.sent == 2
    old = [row for row in outbox() if row.stage == "lead-84"]
    assert {row.status for row in old} == {"failed"}
    assert all(row.last_error.startswith("superseded:") for row in old)
    assert {str(m["Subject"]).count("42 Tage") for _r, m in smtp_server.messages} == {1}


def test_dry_run_prints_and_writes_nothing(mail_app, schools, smtp_server):
    result = run_cli(mail_app, "--dry-run", "--today", day(-84).isoformat())
    assert result.exit_code == 0, result.output
    assert "lead-84" in result.output
    assert schools["cable"].it_contact_email in result.output
    assert "schulverwaltung@stadt.example.org" in result.output
    assert schools["ready"].it_contact_email not in result.output
    assert outbox() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 0
    assert smtp_server.messages == []


def test_run_is_recorded_as_job_run_with_counts(mail_app, schools, smtp_server):
    result = run_cli(mail_app, "--today", day(-84).isoformat())
    assert result.exit_code == 0, result.output
    run = db.session.scalars(sa.select(JobRun)).one()
    assert run.job == "gigabit_alerts" and run.trigger == "manual" and run.outcome == "success"
    assert run.finished_at is not None and run.error == ""
    assert run.counts["stage"] == "lead-84" and run.counts["sent"] == 3
    assert run.counts["not_ready"] == 2 and run.counts["school_year"] == "2026/27"


def test_bad_today_is_a_usage_error(runner):
    result = runner.invoke(args=["alerts", "run", "--today", "02.09.2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output

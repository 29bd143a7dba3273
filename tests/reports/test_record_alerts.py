"""Contract and warranty alerts: stages, the outbox (once per kind, record, stage and
recipient), the bundled mails to the school's IT contact and the department, at a real
SMTP server."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from reports.alert_kinds import config_days, lead_stage
from reports.alert_kinds.contract import months_before, notice_date
from reports.alert_kinds.loan_overdue import overdue_stage
from reports.alerts import alert_today, run_alerts
from reports.models import AlertDelivery, JobRun
from tests.conftest import free_port

TODAY = dt.date(2027, 3, 1)
DEPARTMENT = "schulverwaltung@stadt.example.org"


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


# --- stages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "stage"),
    [
        (120, None),
        (91, None),
        (90, "lead-90"),
        (31, "lead-90"),
        (30, "lead-30"),
        (1, "lead-30"),
        (0, "lead-30"),
        (-1, None),
    ],
)
def test_lead_stage_before_a_deadline(days_left, stage):
    assert lead_stage(day(days_left), TODAY, [90, 30]) == stage


def test_lead_stage_with_one_window():
    assert lead_stage(day(60), TODAY, [60]) == "lead-60"
    assert lead_stage(day(61), TODAY, [60]) is None
    assert lead_stage(TODAY, TODAY, [60]) == "lead-60"


@pytest.mark.parametrize(
    ("end", "months", "notice"),
    [
        (dt.date(2027, 12, 31), 3, dt.date(2027, 9, 30)),
        (dt.date(2027, 12, 31), None, dt.date(2027, 12, 31)),
        (dt.date(2027, 12, 31), 0, dt.date(2027, 12, 31)),
        (dt.date(2028, 5, 31), 3, dt.date(2028, 2, 29)),
        (dt.date(2028, 2, 15), 14, dt.date(2026, 12, 15)),
        (dt.date(2028, 1, 1), 1, dt.date(2027, 12, 1)),
    ],
)
def test_notice_date_is_the_contract_end_minus_the_notice_period(end, months, notice):
    assert notice_date(end, months) == notice
    assert months_before(end, months or 0) == notice


def test_alert_days_come_as_a_list_a_number_or_text(app):
    app.config["WARRANTY_ALERT_DAYS"] = 60
    assert config_days("WARRANTY_ALERT_DAYS") == [60]
    app.config["WARRANTY_ALERT_DAYS"] = "30, 90"
    assert config_days("WARRANTY_ALERT_DAYS") == [90, 30]
    app.config["CONTRACT_ALERT_LEAD_DAYS"] = [30, 90, 30]
    assert config_days("CONTRACT_ALERT_LEAD_DAYS") == [90, 30]


# --- runs at a real SMTP server -------------------------------------------------------


@pytest.fixture
def mail_app(app, make_app, smtp_server):
    application = make_app(
        MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, ALERT_RECIPIENTS=[DEPARTMENT]
    )
    with application.app_context():
        yield application
        db.session.rollback()


def outbox(alert_kind: str | None = None) -> list[AlertDelivery]:
    db.session.expire_all()
    stmt = sa.select(AlertDelivery).order_by(AlertDelivery.id)
    if alert_kind:
        stmt = stmt.where(AlertDelivery.alert_kind == alert_kind)
    return list(db.session.scalars(stmt))


def received(smtp_server) -> list[tuple[str, str]]:
    return sorted(
        (rcpt.lower(), str(message["Subject"]))
        for rcpts, message in smtp_server.messages
        for rcpt in rcpts
    )


def body_to(smtp_server, address: str, subject_part: str = "") -> str:
    (message,) = [
        message
        for rcpts, message in smtp_server.messages
        if address in [r.lower() for r in rcpts] and subject_part in str(message["Subject"])
    ]
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def warranty_school(make_school, make_device):
    school = make_school(name="Garantie-Gymnasium", it_contact_email="IT@Garantie.example.org")
    make_device(school, inventory_number="GAR-1", warranty_until=day(45), model="Latitude")
    make_device(school, inventory_number="GAR-2", warranty_until=day(10), room="A101")
    make_device(school, inventory_number="GAR-LATER", warranty_until=day(90))
    make_device(school, inventory_number="GAR-OVER", warranty_until=day(-1))
    make_device(school, inventory_number="GAR-RET", warranty_until=day(5), status="retired")
    return school


def test_warranty_ending_in_the_window_mails_the_it_contact_and_the_department(
    mail_app, warranty_school, smtp_server
):
    result = run_alerts(TODAY)

    assert result.ok, result.errors
    assert result.kinds["warranty"].due == 2 and result.kinds["warranty"].sent == 2
    assert received(smtp_server) == [
        (
            "it@garantie.example.org",
            f"2 Geräte mit bald endender Garantie: "
            f"{warranty_school.school_number} Garantie-Gymnasium",
        ),
        (DEPARTMENT, "2 Geräte mit bald endender Garantie in 1 Schule"),
    ]
    school_mail = body_to(smtp_server, "it@garantie.example.org")
    assert "Gerät GAR-1" in school_mail and "Gerät GAR-2" in school_mail
    assert "Garantie bis 15.04.2027 (in 45 Tagen)" in school_mail
    assert "http://gute-schule.test/devices/GAR-1" in school_mail
    assert "GAR-LATER" not in school_mail and "GAR-RET" not in school_mail
    assert "GAR-OVER" not in school_mail
    digest = body_to(smtp_server, DEPARTMENT)
    assert f"{warranty_school.school_number} Garantie-Gymnasium (2)" in digest
    rows = outbox("warranty")
    assert len(rows) == 4 and {(row.status, row.attempts) for row in rows} == {("sent", 1)}
    assert {row.recipient for row in rows} == {"it@garantie.example.org", DEPARTMENT}


def test_warranty_alerts_are_sent_once_per_record_and_stage(
    mail_app, warranty_school, smtp_server, make_device
):
    run_alerts(TODAY)
    again = run_alerts(TODAY)
    later = run_alerts(day(3))
    assert again.sent == later.sent == 0 and len(smtp_server.messages) == 2
    # A device that enters the window later is sent on its own.
    make_device(warranty_school, inventory_number="GAR-NEW", warranty_until=day(60))
    run_alerts(day(3))
    assert len(smtp_server.messages) == 4
    assert "GAR-NEW" in body_to(smtp_server, DEPARTMENT, "1 Gerät")
    assert "GAR-1" not in body_to(smtp_server, DEPARTMENT, "1 Gerät")


def test_extended_warranty_is_warned_about_again_before_its_new_end(
    mail_app, warranty_school, smtp_server
):
    run_alerts(TODAY)
    device = db.session.scalars(
        sa.select(AlertDelivery.record_key).where(AlertDelivery.record_key.like("device:%"))
    ).first()
    assert device.endswith(day(45).isoformat()) or device.endswith(day(10).isoformat())
    from inventory.models import Device

    extended = db.session.scalar(sa.select(Device).where(Device.inventory_number == "GAR-2"))
    extended.warranty_until = day(400)
    db.session.commit()
    smtp_server.messages.clear()
    run_alerts(day(345))
    assert "GAR-2" in body_to(smtp_server, "it@garantie.example.org")


def test_a_school_without_it_contact_is_only_in_the_digest(mail_app, make_school, make_device):
    school = make_school(it_contact_email="")
    make_device(school, warranty_until=day(20))
    result = run_alerts(TODAY)
    assert result.kinds["warranty"].sent == 1
    assert [row.recipient for row in outbox("warranty")] == [DEPARTMENT]


@pytest.fixture
def contract_link(make_school, make_link):
    school = make_school(name="Vertrags-Realschule", it_contact_email="it@vertrag.example.org")
    return make_link(
        school,
        provider="Telekom",
        contract_end=dt.date(2027, 9, 30),
        notice_period_months=3,
        monthly_cost=Decimal("1249.90"),
    )


def test_contract_reminders_before_the_notice_date_each_sent_once(
    mail_app, contract_link, make_link, smtp_server
):
    notice = dt.date(2027, 6, 30)
    make_link(contract_link.school, status="terminated", contract_end=dt.date(2027, 9, 30))
    for offset in range(-100, 5, 2):
        run_alerts(notice + dt.timedelta(days=offset))
    rows = outbox("contract")
    assert [(row.stage, row.kind) for row in rows if row.kind == "digest"] == [
        ("lead-90", "digest"),
        ("lead-30", "digest"),
    ]
    assert {row.record_key for row in rows} == {f"link:{contract_link.id}@2027-06-30"}
    assert {row.status for row in rows} == {"sent"}
    assert len(smtp_server.messages) == 4  # two stages, IT contact and department
    texts = [m.get_body(("plain",)).get_content() for _r, m in smtp_server.messages]
    assert all("kündigen bis 30.06.2027" in text for text in texts)
    assert all("1.249,90 EUR im Monat" in text for text in texts)
    assert any("90 Tage vor der Kündigungsfrist" in text for text in texts)
    assert any("30 Tage vor der Kündigungsfrist" in text for text in texts)
    assert all(f"/links/{contract_link.id}/edit" in text for text in texts)


def test_a_renewed_contract_is_reminded_again(mail_app, contract_link, smtp_server):
    run_alerts(dt.date(2027, 6, 1))
    contract_link.contract_end = dt.date(2028, 9, 30)
    db.session.commit()
    smtp_server.messages.clear()
    run_alerts(dt.date(2028, 6, 1))
    assert len(smtp_server.messages) == 2
    assert "kündigen bis 30.06.2028" in body_to(smtp_server, DEPARTMENT)


def test_smtp_down_leaves_record_alerts_pending_then_sends_each_once(
    make_app, app, warranty_school, make_link, smtp_server
):
    make_link(warranty_school, contract_end=day(20))  # notice date = contract end
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), ALERT_RECIPIENTS=[DEPARTMENT])
    with down.app_context():
        assert not run_alerts(TODAY).ok
        assert not run_alerts(day(1)).ok
    rows = outbox()
    assert len(rows) == 6  # two devices and one link, IT contact and department each
    assert {(row.status, row.attempts) for row in rows} == {("pending", 2)}
    assert all("Connection refused" in row.last_error for row in rows)

    up = make_app(
        MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, ALERT_RECIPIENTS=[DEPARTMENT]
    )
    with up.app_context():
        first = run_alerts(day(2))
        second = run_alerts(day(2))
    assert first.ok and first.sent == 4 and second.sent == 0
    assert {(row.status, row.attempts) for row in outbox()} == {("sent", 3)}
    assert len(smtp_server.messages) == 4 and len(set(received(smtp_server))) == 4
    digest = body_to(smtp_server, DEPARTMENT, "Garantie")
    assert "GAR-1" in digest and "GAR-2" in digest


def test_a_run_records_each_kind_in_its_job_run(mail_app, warranty_school, contract_link):
    result = run_alerts(dt.date(2027, 4, 5))
    run = db.session.get(JobRun, result.job_run_id)
    assert run.outcome == "success"
    assert run.counts["kinds"]["contract"] == {
        "due": 1,
        "queued": 2,
        "sent": 2,
        "failed": 0,
        "superseded": 0,
    }
    assert run.counts["kinds"]["warranty"]["due"] == 2
    assert run.counts["sent"] == 4


# --- overdue loans ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_late", "stage"),
    [
        (-3, None),
        (0, None),
        (1, "overdue-1"),
        (13, "overdue-1"),
        (14, "overdue-14"),
        (28, "overdue-28"),
        (400, "overdue-28"),
    ],
)
def test_overdue_stage_after_the_due_date(days_late, stage):
    assert overdue_stage(day(-days_late), TODAY, [1, 14, 28]) == stage


@pytest.fixture
def loan_school(make_school, make_device):
    from app.saving import saving
    from inventory import loan_service

    school = make_school(name="Leih-Realschule", it_contact_email="it@leih.example.org")
    for number in ("LEIH-1", "LEIH-2", "LEIH-3"):
        make_device(school, inventory_number=number, use="pupil_loan")
    with mail_context(), saving():
        for number, due_on in (("LEIH-1", day(-1)), ("LEIH-2", day(5))):
            loan_service.issue(
                school,
                {
                    "inventory_number": number,
                    "loan_number": f"LV-{number}",
                    "issued_on": day(-30),
                    "due_on": due_on,
                },
            )
        returned = loan_service.issue(
            school,
            {
                "inventory_number": "LEIH-3",
                "loan_number": "LV-LEIH-3",
                "issued_on": day(-30),
                "due_on": day(-10),
            },
        )
        loan_service.return_loan(returned, {"returned_on": day(-2)})
    return school


def mail_context():
    from flask import current_app

    return current_app.test_request_context()


def test_overdue_loans_are_mailed_once_per_stage_without_pupil_data(
    mail_app, loan_school, smtp_server
):
    first = run_alerts(TODAY)
    assert first.ok, first.errors
    assert first.kinds["loan_overdue"].due == 1
    school_mail = body_to(smtp_server, "it@leih.example.org")
    assert "LEIH-1" in school_mail and "LV-LEIH-1" in school_mail
    assert "LEIH-2" not in school_mail and "LEIH-3" not in school_mail
    assert "LEIH-1" in body_to(smtp_server, DEPARTMENT)
    assert run_alerts(TODAY).sent == 0 and run_alerts(day(5)).sent == 0
    assert len(smtp_server.messages) == 2
    # Two weeks late: the next reminder, once; LEIH-2 is late by then too.
    run_alerts(day(13))
    assert len(smtp_server.messages) == 4
    run_alerts(day(13))
    assert len(smtp_server.messages) == 4
    rows = outbox("loan_overdue")
    assert {(row.stage, row.status) for row in rows} == {
        ("overdue-1", "sent"),
        ("overdue-14", "sent"),
    }
    assert len(rows) == 6  # (LEIH-1: 2 stages, LEIH-2: 1) x (IT contact, department)


def test_notifications_page_shows_the_kind_preview_and_outbox(
    app, client, login_as, make_school, make_device, make_link
):
    today = alert_today()  # in the alerts' time zone: the machine's date may differ
    school = make_school(name="Seiten-Schule")
    make_device(school, inventory_number="SEITE-1", warranty_until=today)
    make_link(school, contract_end=today + dt.timedelta(days=10))
    login_as("department")

    page = client.get("/notifications/").get_data(as_text=True)
    assert 'id="preview-records"' in page
    assert f"1 Gerät mit bald endender Garantie: {school.school_number} Seiten-Schule" in page
    assert "Vertrag: 1 Eintrag heute fällig" in page
    assert outbox() == []

    client.post("/notifications/run")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "60 Tage vor Garantieende" in page and "30 Tage vor der Kündigungsfrist" in page
    assert "<td>Garantie</td>" in page and "<td>Vertrag</td>" in page


def test_dry_run_lists_the_record_alerts_and_writes_nothing(mail_app, warranty_school):
    with mail_app.app_context():
        result = mail_app.test_cli_runner().invoke(
            args=["alerts", "run", "--dry-run", "--today", TODAY.isoformat()]
        )
    assert result.exit_code == 0, result.output
    assert "Garantie: 2 Einträge fällig." in result.output
    assert "warranty school" in result.output and "it@garantie.example.org" in result.output
    assert outbox() == []

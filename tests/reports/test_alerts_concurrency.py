"""Three `flask alerts run` processes started together send each mail exactly once
(on the test database: SQLite file, or PostgreSQL with TEST_DATABASE_URL)."""

import collections
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from reports.models import AlertDelivery, JobRun

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).parent / "flask")
FSD = dt.date(2026, 9, 2)


def start_runs(count, database_url, smtp_server, today: dt.date):
    env = os.environ | {
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_SECRET_KEY": "concurrency-test",
        "FLASK_MAIL_SERVER": smtp_server.host,
        "FLASK_MAIL_PORT": str(smtp_server.port),
        "FLASK_ALERT_RECIPIENTS": json.dumps(["schulverwaltung@stadt.example.org"]),
        "FLASK_BASE_URL": "http://gute-schule.test",
    }
    command = [FLASK, "--app", "wsgi", "alerts", "run", "--today", today.isoformat()]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    return [(process.wait(timeout=120), *process.communicate()) for process in processes]


def test_three_concurrent_runs_send_each_mail_once(
    app, database_url, smtp_server, make_school, make_school_year, make_link
):
    make_school_year(2026, FSD)
    schools = [make_school() for _ in range(30)]
    for school in schools[:5]:
        make_link(school)  # ready: no mail
    for school in schools[5:]:
        make_link(school, technology="cable", down_mbps=1000, up_mbps=50)

    outcomes = start_runs(3, database_url, smtp_server, FSD - dt.timedelta(days=84))

    assert [code for code, _out, _err in outcomes] == [0, 0, 0], outcomes
    per_mail = collections.Counter(
        (rcpt.lower(), str(message["Subject"]))
        for rcpts, message in smtp_server.messages
        for rcpt in rcpts
    )
    assert len(per_mail) == 25 + 1  # 25 schools that are not ready, one digest
    assert set(per_mail.values()) == {1}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(AlertDelivery)).all()
    assert len(rows) == 26
    assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}
    runs = db.session.scalars(sa.select(JobRun)).all()
    assert len(runs) == 3 and {run.outcome for run in runs} == {"success"}
    assert sum(run.counts["sent"] for run in runs) == 26


def test_concurrent_runs_after_an_outage_send_each_pending_mail_once(
    app, database_url, smtp_server, make_school, make_school_year, make_link
):
    make_school_year(2026, FSD)
    for _ in range(10):
        make_link(make_school(), status="planned", planned_date=dt.date(2026, 8, 1))
    smtp_server.refuse = True
    ((code, _out, _err),) = start_runs(1, database_url, smtp_server, FSD - dt.timedelta(days=14))
    assert code != 0
    smtp_server.refuse = False

    outcomes = start_runs(3, database_url, smtp_server, FSD - dt.timedelta(days=10))

    assert [code for code, _out, _err in outcomes] == [0, 0, 0], outcomes
    per_mail = collections.Counter(
        (rcpt.lower(), str(message["Subject"]))
        for rcpts, message in smtp_server.messages
        for rcpt in rcpts
    )
    assert len(per_mail) == 11 and set(per_mail.values()) == {1}


def _record_lines(smtp_server) -> collections.Counter:
    """(recipient, item line) of every contract and warranty alert that arrived."""
    return collections.Counter(
        (rcpt.lower(), line)
        for rcpts, message in smtp_server.messages
        for rcpt in rcpts
        for line in message.get_body(("plain",)).get_content().splitlines()
        if line.startswith("* ")
    )


def _records_due(make_school, make_device, make_link, today: dt.date, schools: int = 20):
    for number in range(schools):
        school = make_school()
        for offset in (10, 30):
            make_device(school, warranty_until=today + dt.timedelta(days=offset + number))
        make_link(school, contract_end=today + dt.timedelta(days=20), notice_period_months=0)


def test_three_concurrent_runs_send_each_warranty_and_contract_alert_once(
    app, database_url, smtp_server, make_school, make_device, make_link
):
    today = dt.date(2027, 3, 1)
    _records_due(make_school, make_device, make_link, today)

    outcomes = start_runs(3, database_url, smtp_server, today)

    assert [code for code, _out, _err in outcomes] == [0, 0, 0], outcomes
    lines = _record_lines(smtp_server)
    # 40 devices and 20 links, each to the school's IT contact and to the department.
    assert len(lines) == 2 * (40 + 20) and set(lines.values()) == {1}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(AlertDelivery)).all()
    assert len(rows) == 120 and {row.alert_kind for row in rows} == {"contract", "warranty"}
    assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}
    runs = db.session.scalars(sa.select(JobRun)).all()
    assert len(runs) == 3 and {run.outcome for run in runs} == {"success"}
    # One mail per school and kind, and one digest per kind.
    assert sum(run.counts["sent"] for run in runs) == len(smtp_server.messages) == 2 * 20 + 2


def test_concurrent_runs_after_an_outage_send_each_pending_record_alert_once(
    app, database_url, smtp_server, make_school, make_device, make_link
):
    today = dt.date(2027, 3, 1)
    _records_due(make_school, make_device, make_link, today, schools=8)
    smtp_server.refuse = True
    ((code, _out, _err),) = start_runs(1, database_url, smtp_server, today)
    assert code != 0
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(sa.select(AlertDelivery))} == {"pending"}
    smtp_server.refuse = False

    outcomes = start_runs(3, database_url, smtp_server, today + dt.timedelta(days=1))

    assert [code for code, _out, _err in outcomes] == [0, 0, 0], outcomes
    lines = _record_lines(smtp_server)
    assert len(lines) == 2 * (16 + 8) and set(lines.values()) == {1}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(AlertDelivery)).all()
    assert {(row.status, row.attempts) for row in rows} == {("sent", 2)}

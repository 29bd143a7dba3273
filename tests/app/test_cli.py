import pytest
import sqlalchemy as sa

from app.extensions import db
from app.users import ApiToken, User


def test_create_user_reads_password_from_stdin(runner, make_school):
    school = make_school()
    result = runner.invoke(
        args=[
            "create-user",
            "It@Schule.example.org",
            "--role",
            "school_admin",
            "--school",
            school.school_number,
            "--name",
            "Frau IT",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "it@schule.example.org"))
    assert user.check_password("a-long-password")
    assert [s.school_number for s in user.schools] == [school.school_number]


def test_create_user_refuses_short_password_and_writes_nothing(runner):
    result = runner.invoke(
        args=["create-user", "x@stadt.example.org", "--role", "department"], input="short\n"
    )
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_school_admin_needs_a_school(runner):
    result = runner.invoke(
        args=["create-user", "x@stadt.example.org", "--role", "school_admin"],
        input="a-long-password\n",
    )
    assert result.exit_code != 0
    assert "Schule" in result.output


def test_create_token_prints_token_alone_on_last_line(runner, make_user):
    user = make_user(role="department")
    result = runner.invoke(args=["create-token", user.email, "--name", "Tracker"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.name == "Tracker"
    assert stored.token_hash == ApiToken.hash(token)
    assert token not in stored.token_hash


# --- the terminal's language: German, English with LANG=en ------------------------


def test_cli_speaks_german_by_default(runner, make_school):
    school = make_school()
    result = runner.invoke(
        args=[
            "create-user",
            "neu@stadt.example.org",
            "--role",
            "school_admin",
            "--school",
            school.school_number,
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Benutzer neu@stadt.example.org mit der Rolle" in result.output


def test_cli_speaks_english_with_lang_en(runner, make_school):
    school = make_school()
    result = runner.invoke(
        args=[
            "create-user",
            "new@stadt.example.org",
            "--role",
            "school_admin",
            "--school",
            school.school_number,
        ],
        input="a-long-password\n",
        env={"LANG": "en_GB.UTF-8"},
    )
    assert result.exit_code == 0, result.output
    assert "Created School IT admin new@stadt.example.org." in result.output


def test_cli_language_unknown_to_the_app_falls_back_to_german(runner):
    result = runner.invoke(
        args=["create-user", "x@stadt.example.org", "--role", "department"],
        input="short\n",
        env={"LANG": "fr_FR.UTF-8"},
    )
    assert "Das Passwort muss 10 bis 500 Zeichen lang sein." in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "Das Passwort muss 10 bis 500 Zeichen lang sein."),
        ({"LANG": "en_US.UTF-8"}, "The password must have 10 to 500 characters."),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "en_US.UTF-8"}, "The password must have 10 to"),
        ({"LANG": "C.UTF-8"}, "Das Passwort muss"),
    ],
)
def test_cli_errors_follow_the_terminal_language(runner, env, expected):
    result = runner.invoke(
        args=["create-user", "x@stadt.example.org", "--role", "department"],
        input="short\n",
        env=env,
    )
    assert result.exit_code != 0 and expected in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "Token für"), ({"LANG": "en"}, "Token for")],
)
def test_create_token_speaks_the_terminal_language(runner, make_user, env, expected):
    user = make_user(role="department")
    result = runner.invoke(args=["create-token", user.email], env=env)
    assert result.exit_code == 0 and result.output.startswith(expected)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "Keine Schule mit der Nummer 999999."),
        ({"LANG": "en"}, "No school with number 999999."),
    ],
)
def test_export_speaks_the_terminal_language(runner, tmp_path, env, expected):
    result = runner.invoke(args=["export", str(tmp_path / "a.xlsx"), "--school", "999999"], env=env)
    assert result.exit_code != 0 and expected in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "geschrieben."), ({"LANG": "en"}, "Wrote ")],
)
def test_export_success_speaks_the_terminal_language(runner, tmp_path, make_school, env, expected):
    make_school()
    result = runner.invoke(args=["export", str(tmp_path / "a.xlsx")], env=env)
    assert result.exit_code == 0, result.output
    assert expected in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "2026-01-10: Keine Benachrichtigungsstufe ist fällig."),
        ({"LANG": "en"}, "2026-01-10: no alert stage is due."),
    ],
)
def test_alerts_run_speaks_the_terminal_language(runner, env, expected):
    result = runner.invoke(args=["alerts", "run", "--today", "2026-01-10", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert expected in result.output
    assert ("Probelauf" in result.output) == (env == {})


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "bitte als YYYY-MM-DD angeben"), ({"LANG": "en"}, "use YYYY-MM-DD")],
)
def test_alerts_run_bad_day_speaks_the_terminal_language(runner, env, expected):
    result = runner.invoke(args=["alerts", "run", "--today", "10.01.2026"], env=env)
    assert result.exit_code == 2 and expected in result.output


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "gibt es nicht"), ({"LANG": "en"}, "does not exist")],
)
def test_import_speaks_the_terminal_language(runner, tmp_path, env, expected):
    result = runner.invoke(args=["import", "devices", str(tmp_path / "fehlt.xlsx")], env=env)
    assert result.exit_code == 1 and expected in result.output

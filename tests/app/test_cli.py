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

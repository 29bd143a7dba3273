"""Small hardening: no cached copies of school data, a private SQLite file, empty PATCH
bodies refused, and another school's DELETE answered 404."""

import stat

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.users import ApiToken
from inventory.models import Device
from schools.models import School


def test_pages_and_workbooks_with_school_data_are_not_stored(client, login_as, make_school):
    school = make_school()
    login_as("department")
    for path in ("/", f"/schools/{school.school_number}", "/reports/workbook.xlsx", "/login"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert response.headers["Cache-Control"] == "no-store", path


def test_static_files_may_be_cached(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store"


def test_sqlite_database_file_is_created_private(make_app, tmp_path):
    path = tmp_path / "neu" / "gute_schule.db"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def token(make_user):
    user = make_user(role="department")
    _row, plain = ApiToken.issue(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("body", [None, {}, {"version": 1}])
def test_patch_without_a_field_answers_422_and_changes_nothing(
    client, token, make_school, make_device, body
):
    school = make_school()
    device = make_device(school)
    for path in (f"/schools/{school.school_number}", f"/devices/{device.inventory_number}"):
        kwargs = {"json": body} if body is not None else {}
        response = client.patch("/api/v1" + path, headers=token, **kwargs)
        assert response.status_code == 422, path
        assert response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(School, school.id).version == 1
    assert db.session.get(Device, device.id).version == 1


def test_another_schools_admin_gets_404_for_deleting_a_school(client, make_user, make_school):
    school, own = make_school(), make_school()
    user = make_user(role="school_admin", schools=[own])
    _row, plain = ApiToken.issue(user, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert (
        client.delete(f"/api/v1/schools/{school.school_number}", headers=headers).status_code == 404
    )
    assert client.delete(f"/api/v1/schools/{own.school_number}", headers=headers).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(School.id))) == 2

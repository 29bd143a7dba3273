"""Email fields accept every syntactically valid address, internal domains included;
the login form only looks the address up."""

import sqlalchemy as sa

from app.extensions import db
from app.users import User
from reports.models import AlertRecipient
from schools.models import School
from tests.conftest import PASSWORD

INTERNAL = "it@schulamt.bochum.local"


def test_user_with_a_local_address_signs_in(client, make_user):
    make_user(role="department", email=INTERNAL)
    response = client.post("/login", data={"email": INTERNAL, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_login_form_only_looks_the_address_up(client, make_user):
    make_user(role="department", email="admin@localhost")
    response = client.post("/login", data={"email": "admin@localhost", "password": PASSWORD})
    assert response.status_code == 302


def test_admin_creates_a_user_with_a_special_use_domain(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": "pc@verwaltung.internal.test", "role": "department", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == "pc@verwaltung.internal.test"))


def test_school_form_accepts_a_local_it_contact(client, login_as, make_school):
    school = make_school()
    login_as("department")
    page = client.get(f"/schools/{school.school_number}/edit").get_data(as_text=True)
    assert "it_contact_email" in page
    data = {
        "version": str(school.version),
        "school_number": school.school_number,
        "name": school.name,
        "school_form": school.school_form,
        "district": school.district,
        "it_contact_email": INTERNAL,
        "learning_levels": school.learning_levels,
        "operator": school.operator,
    }
    response = client.post(f"/schools/{school.school_number}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(School, school.id).it_contact_email == INTERNAL


def test_api_accepts_a_local_it_contact(client, make_user, make_school):
    from app.users import ApiToken

    school = make_school()
    user = make_user(role="department")
    _row, token = ApiToken.issue(user, "test")
    db.session.commit()
    response = client.patch(
        f"/api/v1/schools/{school.school_number}",
        json={"it_contact_email": INTERNAL},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["it_contact_email"] == INTERNAL


def test_alert_recipient_with_a_local_address_is_added(client, login_as):
    login_as("department")
    response = client.post("/notifications/recipients", data={"email": INTERNAL})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(AlertRecipient.email)) == INTERNAL


def test_broken_addresses_are_still_refused(client, make_user, make_school):
    from app.users import ApiToken

    school = make_school()
    user = make_user(role="department")
    _row, token = ApiToken.issue(user, "test")
    db.session.commit()
    for bad in ("kein", "a b@schule.de", "it@", "it@@schule.de", "it@schule..de"):
        response = client.patch(
            f"/api/v1/schools/{school.school_number}",
            json={"it_contact_email": bad},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422, bad
        assert "it_contact_email" in response.get_json()["error"]["fields"]

"""Creating, editing and deleting schools through the web forms."""

import sqlalchemy as sa

from app.extensions import db
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, Site
from tests.conftest import PASSWORD

STALE = "Dieser Datensatz wurde inzwischen von jemand anderem geändert."


def _school_data(**overrides) -> dict:
    data = {
        "school_number": "123456",
        "name": "Neue Gesamtschule",
        "school_form": "gesamtschule",
        "street": "Am Neubau 5",
        "postcode": "44801",
        "city": "Bochum",
        "district": "Bochum-Süd",
        "students": "900",
        "classes": "36",
        "it_contact_email": "it@neue-gesamtschule.example.org",
        "learning_levels": ["sek1", "sek2"],
        "operator": "city",
    }
    data.update(overrides)
    return data


def _edit_data(school: School, **overrides) -> dict:
    data = {
        "version": str(school.version),
        "school_number": school.school_number,
        "name": school.name,
        "school_form": school.school_form,
        "street": school.street,
        "postcode": school.postcode,
        "city": school.city,
        "district": school.district,
        "students": str(school.students or ""),
        "classes": str(school.classes or ""),
        "it_contact_email": school.it_contact_email,
        "learning_levels": school.learning_levels,
        "operator": school.operator,
    }
    data.update(overrides)
    return data


def _schools() -> list[School]:
    db.session.expire_all()
    return db.session.scalars(sa.select(School)).all()


def _error_at(html: str, field: str) -> str:
    """The error text shown at a form field."""
    marker = f'<p class="error" id="{field}-error">'
    assert marker in html, f"no error at {field}"
    start = html.index(marker) + len(marker)
    return html[start : html.index("</p>", start)]


def test_creating_a_school_writes_it_with_a_main_site(client, login_as):
    login_as("department")
    response = client.post("/schools/new", data=_school_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schools/123456")

    (school,) = _schools()
    assert school.name == "Neue Gesamtschule"
    assert school.students == 900
    assert school.learning_levels == ["sek1", "sek2"]
    (site,) = school.sites
    assert site.is_main and site.name == "Hauptstandort"
    assert (site.street, site.postcode, site.city) == ("Am Neubau 5", "44801", "Bochum")


def test_creating_a_school_with_a_bad_number_shows_the_error_and_writes_nothing(client, login_as):
    login_as("department")
    response = client.post("/schools/new", data=_school_data(school_number="12A45"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _error_at(html, "school_number") == "Die Schulnummer hat genau sechs Ziffern."
    assert _schools() == []


def test_creating_a_school_without_a_name_writes_nothing(client, login_as):
    login_as("department")
    html = client.post("/schools/new", data=_school_data(name="  ")).get_data(as_text=True)
    assert _error_at(html, "name") == "Dieses Feld ist erforderlich."
    html = client.post("/schools/new", data=_school_data(students="-3")).get_data(as_text=True)
    assert _error_at(html, "students")
    html = client.post("/schools/new", data=_school_data(it_contact_email="kein")).get_data(
        as_text=True
    )
    assert _error_at(html, "it_contact_email")
    assert _schools() == []


def test_duplicate_school_number_is_a_field_error(client, login_as, make_school):
    make_school(school_number="123456")
    login_as("department")
    response = client.post("/schools/new", data=_school_data())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Eine Schule mit dieser Schulnummer gibt es bereits." in _error_at(html, "school_number")
    assert len(_schools()) == 1


def test_duplicate_number_race_at_commit_is_a_field_error_not_a_500(
    client, login_as, make_school, monkeypatch
):
    """Another request takes the number between validation and commit: the unique
    index answers, and the form shows it at the field."""
    make_school(school_number="123456", name="Die Erste")
    from schools import service

    monkeypatch.setattr(service, "school_number_taken", lambda number, except_id=None: False)
    login_as("department")
    response = client.post("/schools/new", data=_school_data())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Eine Schule mit dieser Schulnummer gibt es bereits." in _error_at(html, "school_number")
    assert [school.name for school in _schools()] == ["Die Erste"]


def test_department_edits_every_field(client, login_as, make_school):
    school = make_school(school_number="111111", name="Alte Schule")
    login_as("department")
    response = client.post(
        "/schools/111111/edit",
        data=_edit_data(
            school, school_number="222222", name="Umbenannte Schule", school_form="realschule"
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/schools/222222")
    (changed,) = _schools()
    assert (changed.school_number, changed.name, changed.school_form) == (
        "222222",
        "Umbenannte Schule",
        "realschule",
    )
    assert changed.version == 2


def test_invalid_edit_shows_the_error_and_changes_nothing(client, login_as, make_school):
    school = make_school(name="Bleibt So")
    login_as("department")
    response = client.post(
        f"/schools/{school.school_number}/edit",
        data=_edit_data(school, name="Neu", classes="viele"),
    )
    assert response.status_code == 200
    assert _error_at(response.get_data(as_text=True), "classes")
    (unchanged,) = _schools()
    assert unchanged.name == "Bleibt So" and unchanged.version == 1


def test_school_admin_changes_only_the_contact_fields(client, login_as, make_school):
    school = make_school(name="Originalname", school_form="gymnasium", district="Mitte")
    login_as("school_admin", school=school)

    form_page = client.get(f"/schools/{school.school_number}/edit").get_data(as_text=True)
    assert 'name="it_contact_email"' in form_page
    assert 'name="name"' not in form_page and 'name="school_number"' not in form_page
    assert "Originalname" in form_page  # shown read-only

    response = client.post(
        f"/schools/{school.school_number}/edit",
        data=_edit_data(
            school,
            name="Gekapert",
            school_number="999999",
            school_form="grundschule",
            district="Anderswo",
            learning_levels=["primar"],
            it_contact_email="neu@schule.example.org",
            students="650",
        ),
    )
    assert response.status_code == 302
    (changed,) = _schools()
    assert changed.it_contact_email == "neu@schule.example.org"
    assert changed.students == 650
    assert changed.name == "Originalname"
    assert changed.school_number == school.school_number
    assert changed.school_form == "gymnasium"
    assert changed.district == "Mitte"
    assert changed.learning_levels == ["sek1", "sek2"]


def test_stale_version_is_refused_and_shows_current_values(client, login_as, make_school):
    school = make_school(name="Anfang")
    other = client.application.test_client()
    login_as("department")
    login_as("department", client=other)
    loaded_version = school.version

    first = other.post(
        f"/schools/{school.school_number}/edit",
        data=_edit_data(school, name="Zuerst gespeichert"),
    )
    assert first.status_code == 302

    second = client.post(
        f"/schools/{school.school_number}/edit",
        data=_edit_data(school, name="Zu spät", version=str(loaded_version)),
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert STALE in html
    assert 'value="Zuerst gespeichert"' in html  # the current values
    assert 'name="version" type="hidden" value="2"' in html
    (current,) = _schools()
    assert current.name == "Zuerst gespeichert"


def test_edit_without_version_applies_to_the_current_record(client, login_as, make_school):
    """One meaning of "no version" in every channel (app/saving.py): the change applies."""
    school = make_school(name="Anfang")
    login_as("department")
    data = _edit_data(school, name="Ohne Version")
    del data["version"]
    response = client.post(f"/schools/{school.school_number}/edit", data=data)
    assert response.status_code == 302
    assert _schools()[0].name == "Ohne Version"


def test_stale_data_error_at_commit_is_refused(client, login_as, make_school, monkeypatch):
    """The version check passed, but a concurrent UPDATE wins before ours reaches the row."""
    from schools import service

    school = make_school(name="Anfang")
    login_as("department")
    real_check = service.check_version

    def check_then_concurrent_update(record, form):
        real_check(record, form)
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(School)
                .where(School.id == record.id)
                .values(name="Parallel", version=School.version + 1)
            )

    monkeypatch.setattr(service, "check_version", check_then_concurrent_update)
    response = client.post(
        f"/schools/{school.school_number}/edit", data=_edit_data(school, name="Meins")
    )
    assert response.status_code == 409
    assert STALE in response.get_data(as_text=True)
    assert _schools()[0].name == "Parallel"


def test_delete_confirmation_counts_what_goes_with_the_school(
    client, login_as, make_school, make_site, make_device, make_link, make_offering
):
    school = make_school()
    make_site(school)
    for _ in range(3):
        make_device(school)
    make_link(school)
    make_offering(school)
    make_offering(school)
    login_as("department")
    response = client.get(f"/schools/{school.school_number}/delete")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 Standorte" in html
    assert "3 Geräte" in html
    assert "1 Netzanbindung" in html
    assert "2 Angebote" in html
    assert 'method="post"' in html and "data-confirm" in html
    assert len(_schools()) == 1  # GET deletes nothing


def test_deleting_a_school_removes_its_records(
    client, login_as, make_school, make_device, make_link, make_offering
):
    school = make_school()
    keep = make_school()
    make_device(school)
    make_link(school)
    make_offering(school)
    make_device(keep)
    login_as("department")
    response = client.post(f"/schools/{school.school_number}/delete")
    assert response.status_code == 302
    assert [s.id for s in _schools()] == [keep.id]
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(NetworkLink.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Offering.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Site.id))) == 1


def test_delete_needs_csrf_token(make_app, make_school, make_user):
    school = make_school()
    number = school.school_number
    email = make_user("department").email
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    signed_in = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    response = client.post(f"/schools/{number}/delete")
    assert response.status_code == 400
    assert len(_schools()) == 1
    confirm = client.get(f"/schools/{number}/delete").get_data(as_text=True)
    token = confirm.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(f"/schools/{number}/delete", data={"csrf_token": token}).status_code == 302
    assert _schools() == []

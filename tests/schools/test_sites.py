"""Sites: create, edit, delete within the school's scope; exactly one main site."""

import sqlalchemy as sa

from app.extensions import db
from inventory.models import Device, NetworkLink
from schools.models import Site

STALE = "Dieser Datensatz wurde inzwischen von jemand anderem geändert."
NOT_DELETABLE = "Der Hauptstandort kann nicht gelöscht werden."


def _sites(school) -> list[Site]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Site).where(Site.school_id == school.id).order_by(Site.id)
    ).all()


def _main_names(school) -> list[str]:
    return [site.name for site in _sites(school) if site.is_main]


def _site_data(site: Site | None = None, **overrides) -> dict:
    data = {"name": "Dependance", "street": "Nebenweg 2", "postcode": "44866", "city": "Bochum"}
    if site is not None:
        data.update(
            name=site.name,
            street=site.street,
            postcode=site.postcode,
            city=site.city,
            version=str(site.version),
        )
    data.update(overrides)
    return data


def test_school_admin_adds_a_site_to_their_school(client, login_as, make_school):
    school = make_school()
    login_as("school_admin", school=school)
    response = client.post(f"/schools/{school.school_number}/sites/new", data=_site_data())
    assert response.status_code == 302
    main, added = _sites(school)
    assert (added.name, added.street, added.is_main) == ("Dependance", "Nebenweg 2", False)
    assert main.is_main


def test_site_without_name_shows_the_error_and_writes_nothing(client, login_as, make_school):
    school = make_school()
    login_as("school_admin", school=school)
    response = client.post(f"/schools/{school.school_number}/sites/new", data=_site_data(name=" "))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="error" id="name-error">Dieses Feld ist erforderlich.</p>' in html
    assert len(_sites(school)) == 1


def test_new_main_site_unmarks_the_old_one(client, login_as, make_school):
    school = make_school()
    login_as("department")
    client.post(
        f"/schools/{school.school_number}/sites/new",
        data=_site_data(name="Neubau", is_main="y"),
    )
    assert _main_names(school) == ["Neubau"]


def test_making_a_site_main_switches_the_main_site(client, login_as, make_school, make_site):
    school = make_school()
    first_main = school.main_site
    branch = make_site(school, name="Altbau")
    login_as("school_admin", school=school)
    response = client.post(
        f"/sites/{branch.id}/edit", data=_site_data(branch, is_main="y", street="Altweg 1")
    )
    assert response.status_code == 302
    assert _main_names(school) == ["Altbau"]
    assert _sites(school)[1].street == "Altweg 1"

    # And back: the lower id becomes main again, so the old main must be un-marked first.
    first_main = _sites(school)[0]
    response = client.post(f"/sites/{first_main.id}/edit", data=_site_data(first_main, is_main="y"))
    assert response.status_code == 302
    assert _main_names(school) == ["Hauptstandort"]


def test_main_site_form_has_no_main_checkbox_and_stays_main(client, login_as, make_school):
    school = make_school()
    main = school.main_site
    login_as("department")
    form_page = client.get(f"/sites/{main.id}/edit").get_data(as_text=True)
    assert 'name="is_main"' not in form_page
    assert "kann nicht gelöscht werden" in form_page
    assert f"/sites/{main.id}/delete" not in form_page

    response = client.post(f"/sites/{main.id}/edit", data=_site_data(main, name="Haupthaus"))
    assert response.status_code == 302
    (site,) = _sites(school)
    assert site.name == "Haupthaus" and site.is_main


def test_main_site_cannot_be_deleted(client, login_as, make_school):
    school = make_school()
    main = school.main_site
    login_as("department")
    page = client.get(f"/sites/{main.id}/delete").get_data(as_text=True)
    assert NOT_DELETABLE in page
    assert 'method="post"' not in page.split('<main id="main"')[1].split("</main>")[0]

    response = client.post(f"/sites/{main.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert NOT_DELETABLE in response.get_data(as_text=True)
    assert len(_sites(school)) == 1


def test_deleting_a_site_keeps_its_devices_and_links_for_the_main_site(
    client, login_as, make_school, make_site, make_device, make_link
):
    school = make_school()
    branch = make_site(school, name="Container")
    device = make_device(school, site=branch)
    link = make_link(school, site=branch)
    login_as("school_admin", school=school)

    confirm = client.get(f"/sites/{branch.id}/delete").get_data(as_text=True)
    assert "Ihm ist 1 Gerät zugeordnet" in confirm
    assert "Ihm ist 1 Netzanbindung zugeordnet" in confirm

    response = client.post(f"/sites/{branch.id}/delete")
    assert response.status_code == 302
    assert [site.name for site in _sites(school)] == ["Hauptstandort"]
    main = school.main_site.id
    assert db.session.get(Device, device.id).site_id == main
    assert db.session.get(NetworkLink, link.id).site_id == main


def test_stale_site_version_is_refused(client, login_as, make_school, make_site):
    school = make_school()
    branch = make_site(school, name="Anfang")
    other = client.application.test_client()
    login_as("school_admin", school=school)
    login_as("department", client=other)
    data = _site_data(branch)

    assert (
        other.post(f"/sites/{branch.id}/edit", data={**data, "name": "Erster"}).status_code == 302
    )
    response = client.post(f"/sites/{branch.id}/edit", data={**data, "name": "Zweiter"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert STALE in html and 'value="Erster"' in html
    assert _sites(school)[1].name == "Erster"


def test_invalid_site_edit_changes_nothing(client, login_as, make_school, make_site):
    school = make_school()
    branch = make_site(school, name="Bleibt")
    login_as("department")
    response = client.post(
        f"/sites/{branch.id}/edit", data=_site_data(branch, name="", postcode="1" * 20)
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="error" id="name-error">' in html
    assert '<p class="error" id="postcode-error">' in html
    assert _sites(school)[1].name == "Bleibt" and _sites(school)[1].version == 1

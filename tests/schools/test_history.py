"""The history page of a school: who changed what, old -> new."""

from app.extensions import db


def test_history_shows_who_changed_what_after_an_edit(client, login_as, make_school):
    school = make_school(name="Vorher-Schule")
    user = login_as("department")
    response = client.post(
        f"/schools/{school.school_number}/edit",
        data={
            "version": "1",
            "school_number": school.school_number,
            "name": "Nachher-Schule",
            "school_form": school.school_form,
            "operator": school.operator,
            "city": "Bochum",
            "district": school.district,
            "students": "600",
            "classes": "24",
            "it_contact_email": school.it_contact_email,
            "learning_levels": school.learning_levels,
        },
    )
    assert response.status_code == 302

    html = client.get(f"/schools/{school.school_number}/history").get_data(as_text=True)
    assert user.email in html
    assert "Vorher-Schule → Nachher-Schule" in html
    detail = client.get(f"/schools/{school.school_number}").get_data(as_text=True)
    assert "Vorher-Schule → Nachher-Schule" in detail


def test_history_includes_the_schools_records(client, login_as, make_school, make_site):
    school = make_school()
    site = make_site(school, name="Turnhalle")
    user = login_as("school_admin", school=school)
    client.post(
        f"/sites/{site.id}/edit",
        data={"name": "Sporthalle", "city": "Bochum", "version": str(site.version)},
    )
    db.session.expire_all()
    html = client.get(f"/schools/{school.school_number}/history").get_data(as_text=True)
    assert "Turnhalle → Sporthalle" in html
    assert user.email in html

"""The dashboard's lists: the unconfirmed schools with their numbers and pages, and the
planned-date wording of the at-risk list."""

import datetime as dt

from lxml import html

from tests.reports.test_dashboard import TODAY, years  # noqa: F401  (fixture)


def _doc(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return html.fromstring(response.get_data(as_text=True))


def test_unconfirmed_schools_show_their_numbers_and_come_in_pages(
    make_app,
    login,
    make_school,
    make_user,
    years,  # noqa: F811
):
    # Two schools of the same name: only the number tells them apart.
    twins = [make_school(name="Städt. Gem. Grundschule") for _ in range(2)]
    others = [make_school(name=f"Schule {letter}") for letter in "ABC"]
    client = make_app(PER_PAGE=2).test_client()
    login(make_user("department"), client=client)

    first = _doc(client).xpath("//table[@id='unconfirmed-list']/tbody/tr")
    assert [row.xpath("td[1]")[0].text_content() for row in first] == [
        others[0].school_number,
        others[1].school_number,
    ]
    last = _doc(client, "/?unconfirmed_page=3")
    rows = last.xpath("//table[@id='unconfirmed-list']/tbody/tr")
    assert [row.get("data-school") for row in rows] == [twins[1].school_number]
    assert "Seite 3 von 3" in last.xpath("//nav[contains(@class,'pagination')]")[0].text_content()
    # A page number past the end shows the last page, garbage the first.
    assert (
        len(_doc(client, "/?unconfirmed_page=99").xpath("//table[@id='unconfirmed-list']/tbody/tr"))
        == 1
    )
    assert (
        len(_doc(client, "/?unconfirmed_page=x").xpath("//table[@id='unconfirmed-list']/tbody/tr"))
        == 2
    )


def test_at_risk_school_with_a_plan_for_some_sites_does_not_read_no_plan(
    client,
    login_as,
    make_school,
    make_site,
    make_link,
    years,  # noqa: F811
):
    school = make_school(name="Teilweise geplant")
    annex = make_site(school, name="Nebenstelle")
    make_link(
        school,
        status="ordered",
        planned_date=TODAY + dt.timedelta(days=30),
        site=school.main_site,
    )
    nothing = make_school(name="Gar nicht geplant")
    login_as("department")
    doc = _doc(client)
    cells = {
        row.get("data-school"): row.xpath("td[3]")[0].text_content().strip()
        for row in doc.xpath("//table[@id='at-risk-list']/tbody/tr")
    }
    assert cells[school.school_number] == "geplant für 1 von 2 Standorten"
    assert cells[nothing.school_number] == "keine Planung"
    assert annex.name in doc.xpath(f"//tr[@data-school='{school.school_number}']")[0].text_content()

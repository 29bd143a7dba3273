"""The web request's outer boundary: hostile URLs and query strings answer 404 or 400,
never 500, and a failed request leaves nothing that breaks the error page."""

import pytest
import sqlalchemy as sa
from flask import abort

from app.extensions import db
from app.input_guard import attachment_name, bounded_int
from inventory.models import Device, NetworkLink
from tests.inventory.test_import_helpers import german_headers, xlsx_bytes

HUGE = "1" + "0" * 30


@pytest.mark.parametrize(
    "path",
    [
        "/links/9223372036854775808/edit",
        "/sites/100000000000000000000/edit",
        "/offerings/1000000000000/delete",
        f"/school-years/{HUGE}/edit",
        f"/admin/users/{HUGE}/edit",
        "/admin/users/" + "9" * 5000 + "/edit",
        "/links/０/edit",  # fullwidth zero: not a digit of an id
    ],
)
def test_out_of_range_ids_answer_404(client, login_as, path):
    login_as("admin")
    assert client.get(path).status_code == 404


def test_fullwidth_digits_never_reach_a_record(client, login_as, make_school, make_link):
    link = make_link(make_school())
    login_as("admin")
    fullwidth = "".join(chr(ord("０") + int(d)) for d in str(link.id))
    assert client.get(f"/links/{link.id}/edit").status_code == 200
    assert client.get(f"/links/{fullwidth}/edit").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/schools/%00", "/devices/%00", "/schools/%00/devices/", "/devices/a%1bb/edit"],
)
def test_control_characters_in_path_parts_answer_404(client, login_as, path):
    login_as("department")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/schools/?q=%00",
        "/admin/users/?q=%00",
        "/reports/workbook.xlsx?school=%00",
        "/schools/?q=a%0db",
        "/schools/?%00=1",
    ],
)
def test_control_characters_in_query_strings_answer_400(client, login_as, query):
    login_as("admin")
    response = client.get(query)
    assert response.status_code == 400
    assert "text/html" in response.content_type


def test_control_characters_in_a_schools_device_query_answer_400(client, login_as, make_school):
    school = make_school()
    login_as("department")
    for query in ("q=%00", "room=%00", "site=%00"):
        assert client.get(f"/schools/{school.school_number}/devices/?{query}").status_code == 400


@pytest.mark.parametrize("page", [HUGE, "-1", "１６", "9" * 5000, "1e9"])
def test_page_numbers_out_of_range_show_the_first_page(client, login_as, page):
    login_as("admin")
    assert client.get(f"/admin/users/?page={page}").status_code == 200
    assert client.get(f"/notifications/?page={page}").status_code == 200


@pytest.mark.parametrize("site", ["9" * 5000, HUGE, "１"])
def test_a_site_filter_out_of_range_shows_the_whole_list(client, login_as, make_school, site):
    school = make_school()
    login_as("department")
    response = client.get(f"/schools/{school.school_number}/devices/?site={site}")
    assert response.status_code == 200


def test_an_amount_of_10_to_the_30_is_a_field_error(client, login_as, make_school):
    school = make_school()
    login_as("department")
    response = client.post(
        f"/schools/{school.school_number}/devices/new",
        data={
            "inventory_number": "BIG-000001",
            "category": "laptop",
            "status": "in_use",
            "price": HUGE,
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Device)) == 0


def test_bounded_int_reads_only_what_fits_a_column():
    assert bounded_int(" 42 ") == 42 and bounded_int("-3") == -3
    for bad in (HUGE, "２", "1_000", "0x10", "", "2147483648"):
        with pytest.raises(ValueError):
            bounded_int(bad)


def test_a_database_error_leaves_the_error_page_working(make_app, make_user, login):
    """After a failed statement the session needs a rollback; the error page (which
    reads the signed-in user) must still render."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_broken")
    def broken():
        db.session.add(NetworkLink(school_id=2**31 - 1, technology="fibre", status="active"))
        db.session.flush()  # fails: no such school; the session now needs a rollback

    client = app.test_client()
    with app.app_context():
        login(make_user(role="department"), client=client)
    response = client.get("/_broken")
    assert response.status_code == 500
    assert "<html" in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 200


def test_a_value_the_database_refuses_answers_400(make_app, make_school, make_user, login):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_too_big")
    def too_big():
        db.session.add(NetworkLink(school_id=1, technology="fibre", down_mbps=10**30))
        db.session.flush()
        abort(200)

    client = app.test_client()
    with app.app_context():
        login(make_user(role="department"), client=client)
    response = client.get("/_too_big")
    assert response.status_code == 400
    assert client.get("/account/").status_code == 200


def test_405_names_the_allowed_methods(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["Allow"].split(", ").count("POST") == 1
    api = client.put("/api/v1/openapi.json")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]


def test_upload_name_with_a_line_break_gives_a_clean_errors_download(client, login_as, make_school):
    school = make_school("123456")
    login_as("school_admin", school=school)
    rows = [
        german_headers("devices", ["school_number", "inventory_number", "category"]),
        ["123456", "X-1", "kein-typ"],
    ]
    # A browser or script may send the name RFC 2231-encoded; it decodes to CR/LF.
    boundary = "gs-boundary"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n'.encode(),
            b"devices\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '.encode(),
            b"filename*=UTF-8''ger%C3%A4te%0D%0ASet-Cookie%3A%20x%3D1.xlsx\r\n",
            b"Content-Type: application/octet-stream\r\n\r\n",
            xlsx_bytes(rows),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    response = client.post(
        "/imports/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    download = client.get(response.headers["Location"] + "/errors.xlsx")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert "Set-Cookie" not in download.headers


def test_attachment_name_is_one_safe_line():
    assert attachment_name("a\r\nb/../c\x00d") == "a b_.._c d"
    assert attachment_name("\r\n") == "download"
    assert len(attachment_name("x" * 5000)) == 150

"""The OpenAPI document and the readable API page, generated from the schemas (and those
from the shared forms)."""

import re

import pytest

from app.codes import DEVICE_CATEGORIES, LINK_TECHNOLOGIES, SCHOOL_FORMS
from inventory.kinds import MAX_MBPS

DESIGN_PATHS = {
    "/schools": {"get", "post"},
    "/schools/{school_number}": {"get", "patch", "delete"},
    "/schools/{school_number}/sites": {"get", "post"},
    "/sites/{site_id}": {"get", "patch", "delete"},
    "/schools/{school_number}/devices": {"get", "post"},
    "/devices/{inventory_number}": {"get", "patch", "delete"},
    "/schools/{school_number}/links": {"get", "post"},
    "/links/{link_id}": {"get", "patch", "delete"},
    "/schools/{school_number}/offerings": {"get", "post"},
    "/offerings/{offering_id}": {"get", "patch", "delete"},
    "/school-years": {"get"},
    "/school-years/{start_year}": {"get", "put"},
    "/readiness": {"get"},
    # DESIGN.md's GET (the department edits the programmes on the web pages for now)
    "/funding-programmes": {"get"},
    "/schools/{school_number}/loans": {"get"},
    "/devices/{inventory_number}/loans": {"get", "post"},
    "/loans/{loan_id}": {"get", "patch"},
    "/loans/{loan_id}/return": {"post"},
}

# shared/DESIGN.md "Field names and codes", plus `version` on every object.
DESIGN_FIELDS = {
    "School": "school_number name school_form street postcode city district students classes "
    "it_contact_email learning_levels operator sozialindex startchancen lat lon",
    "Site": "id school_number name street postcode city is_main lat lon",
    "Device": "school_number site inventory_number category manufacturer model serial_number "
    "status use room learning_level purchase_date price funding warranty_until notes "
    # beyond DESIGN.md: the reason to retire a device still bound (docs/funding-proof.md)
    "retired_reason",
    "Link": "id school_number site provider technology down_mbps up_mbps status planned_date "
    "active_since contract_end monthly_cost notice_period_months notes",
    "Offering": "id school_number learning_level kind description status since",
    # No field for a pupil's name, address or class (docs/loans.md).
    "Loan": "id school_number inventory_number loan_number issued_on due_on condition_out "
    "returned_on condition_in damaged",
}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_document_needs_no_token_and_lists_every_path(document):
    assert document["openapi"].startswith("3.")
    paths = {
        path.removeprefix("/api/v1"): {m for m in item if m != "parameters"}
        for path, item in document["paths"].items()
    }
    assert paths == DESIGN_PATHS
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_objects_carry_exactly_the_design_field_names(document):
    schemas = document["components"]["schemas"]
    for name, field_names in DESIGN_FIELDS.items():
        assert set(schemas[name]["properties"]) == {*field_names.split(), "version"}, name


def test_schema_rules_come_from_the_registry_of_kinds(document):
    schemas = document["components"]["schemas"]
    device = schemas["Device"]["properties"]
    assert device["inventory_number"]["maxLength"] == 64
    assert device["category"]["enum"] == list(DEVICE_CATEGORIES)
    assert set(schemas["Device"]["required"]) == {"inventory_number", "category"}
    link = schemas["Link"]["properties"]
    assert link["down_mbps"]["maximum"] == MAX_MBPS and link["down_mbps"]["minimum"] == 1
    assert link["technology"]["enum"] == list(LINK_TECHNOLOGIES)
    school = schemas["School"]["properties"]
    assert school["school_form"]["enum"] == list(SCHOOL_FORMS)
    assert school["learning_levels"]["items"]["enum"] == ["primar", "sek1", "sek2", "beruf"]
    assert school["school_number"]["pattern"] == "^[0-9]{6}$"
    assert school["school_number"]["maxLength"] == 6
    assert schemas["Device"]["additionalProperties"] is False


def test_errors_are_documented_with_the_error_body(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    detail = document["components"]["schemas"]["ErrorDetail"]["properties"]
    assert set(detail) == {"code", "message", "fields"}


def test_docs_page_renders_every_operation_without_inline_code(client, document):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for path, item in document["paths"].items():
        for method in item:
            if method != "parameters":
                assert f"{method.upper()} {path}" in page
    assert "inventory_number" in page and "höchstens 64 Zeichen" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag
    assert not re.search(r"\sstyle=", page) and not re.search(r"\son[a-z]+=", page)

"""Changes through the API are recorded, and shown in the history, as the API's."""

import sqlalchemy as sa
from lxml import html

from app.audit import AuditEntry
from app.extensions import db


def _entries(device):
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "devices", AuditEntry.record_id == device.id)
        .order_by(AuditEntry.id.desc())
    ).all()


def test_api_change_is_recorded_and_shown_as_api(
    client, login_as, api, token_for, make_school, make_device
):
    school = make_school()
    device = make_device(school, inventory_number="INV-8")
    _user, token = token_for("department")
    response = api.patch("/devices/INV-8", token=token, json={"status": "spare"})
    assert response.status_code == 200, response.get_json()
    (entry, *_older) = _entries(device)
    assert entry.channel == "api"
    login_as("department")
    page = html.fromstring(client.get("/devices/INV-8").get_data(as_text=True))
    assert (
        page.xpath("//table[@class='history']//td[@class='channel']")[0].text_content().strip()
        == "API"
    )

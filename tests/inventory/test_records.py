"""inventory.records: a concurrent save between reading and committing is caught as
StaleDataError and written nowhere; a unique-index clash is reported as a duplicate."""

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.extensions import db
from inventory import records
from inventory.forms import DeviceForm, OfferingForm
from inventory.models import Device, NetworkLink, Offering
from inventory.records import Outcome


def test_save_detects_a_change_committed_after_the_form_was_checked(
    app, make_school, make_offering
):
    school = make_school()
    offering = make_offering(school, description="Alt")
    with app.test_request_context(method="POST"):
        form = OfferingForm(
            MultiDict(
                {
                    "learning_level": "sek1",
                    "kind": "lms",
                    "description": "Meins",
                    "status": "available",
                    "version": "1",
                }
            ),
            school=school,
        )
        assert form.validate()
        assert offering.version == 1  # our session has read the record (version check passes)
        # Someone else commits on their own connection after our version check passed.
        with db.engine.begin() as other:
            other.execute(
                sa.update(Offering)
                .where(Offering.id == offering.id)
                .values(description="Fremd", version=2)
            )
        assert records.save(offering, form, school)[0] is Outcome.STALE
    db.session.expire_all()
    stored = db.session.get(Offering, offering.id)
    assert (stored.description, stored.version) == ("Fremd", 2)


def test_save_reports_a_duplicate_inventory_number_from_the_database(app, make_school, make_device):
    school = make_school()
    make_device(school, inventory_number="DUP-1")
    with app.test_request_context(method="POST"):
        form = DeviceForm(
            MultiDict({"inventory_number": "DUP-1", "category": "laptop", "status": "in_use"}),
            school=school,
        )
        form.inventory_number.data = "DUP-1"
        form.category.data = "laptop"
        assert records.save(Device(), form, school)[0] is Outcome.DUPLICATE
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == 1


def test_delete_of_a_record_changed_meanwhile_is_refused(app, make_school, make_link):
    link = make_link(make_school(), provider="Alt")
    assert link.version == 1  # read by our session
    with db.engine.begin() as other:
        other.execute(
            sa.update(NetworkLink)
            .where(NetworkLink.id == link.id)
            .values(provider="Neu", version=2)
        )
    assert records.delete(link) is Outcome.STALE
    db.session.expire_all()
    assert db.session.get(NetworkLink, link.id).provider == "Neu"

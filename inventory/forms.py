"""Forms of the inventory, made from the registry of kinds (inventory/kinds.py)."""

from flask_babel import lazy_gettext as _l

from app.codes import CodeChoice
from app.form_rules import form_fields
from app.forms import VersionedForm
from inventory.kinds import DEVICES, LINKS, OFFERINGS
from schools.models import School


class SchoolRecordForm(VersionedForm):
    """A record that belongs to a school and (optionally) one of its sites."""

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self._school = school
        if "site" in self:
            self.site.choices = [CodeChoice("", _l("Main site"))] + [
                CodeChoice(site.id, site.name) for site in school.sites
            ]


DeviceForm = type("DeviceForm", (SchoolRecordForm,), form_fields(DEVICES))
NetworkLinkForm = type("NetworkLinkForm", (SchoolRecordForm,), form_fields(LINKS))
OfferingForm = type("OfferingForm", (SchoolRecordForm,), form_fields(OFFERINGS))

FORMS = {"devices": DeviceForm, "links": NetworkLinkForm, "offerings": OfferingForm}

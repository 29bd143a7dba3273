"""The one vocabulary of codes (shared/DESIGN.md "Field names and codes") with their UI labels."""

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

SCHOOL_FORMS = {
    "grundschule": _l("Primary school"),
    "hauptschule": _l("Hauptschule"),
    "realschule": _l("Realschule"),
    "gymnasium": _l("Gymnasium"),
    "gesamtschule": _l("Comprehensive school"),
    "sekundarschule": _l("Sekundarschule"),
    "foerderschule": _l("Special needs school"),
    "berufskolleg": _l("Vocational college"),
    "weiterbildungskolleg": _l("Adult education college"),
    # Not in DESIGN.md's list; Bochum has three (MSB code 17, IT.NRW "Freie Waldorfschule").
    "waldorfschule": _l("Waldorf school"),
}

# Who runs the school (Schulträger): the city itself, another public body (in Bochum the
# Landschaftsverband Westfalen-Lippe's LWL-Förderschulen), or a private operator
# (Ersatzschulen: church, foundation, association).
SCHOOL_OPERATORS = {
    "city": _l("City (municipal school)"),
    "other_public": _l("Other public body"),
    "private": _l("Private operator"),
}

LEARNING_LEVELS = {
    "primar": _l("Primary level"),
    "sek1": _l("Secondary level I"),
    "sek2": _l("Secondary level II"),
    "beruf": _l("Vocational education"),
}

DEVICE_CATEGORIES = {
    "laptop": _l("Laptop"),
    "tablet": _l("Tablet"),
    "desktop": _l("Desktop computer"),
    "interactive_display": _l("Interactive display"),
    "projector": _l("Projector"),
    "document_camera": _l("Document camera"),
    "access_point": _l("Access point"),
    "switch": _l("Switch"),
    "router": _l("Router/firewall"),
    "server": _l("Server"),
    "printer": _l("Printer"),
    "other": _l("Other"),
}

# Devices students and teachers work on; "devices per student" counts these.
END_USER_CATEGORIES = ("laptop", "tablet", "desktop")

DEVICE_STATUSES = {
    "ordered": _l("Ordered"),
    "in_use": _l("In use"),
    "in_repair": _l("In repair"),
    "spare": _l("Spare"),
    # Not seen at a confirmed stock-take (inventory/stocktake_service.py); found again, in use.
    "missing": _l("Missing (not found)"),
    "retired": _l("Retired"),
}

# What a device is for (DESIGN.md "device use"); blank for devices recorded before the field
# existed (nobody knows yet, so nothing is guessed). A lent device can have any use: the
# loan records that it is out, the use what it is for.
DEVICE_USES = {
    "pool": _l("Pool device"),
    "class_set": _l("Class set"),
    "room": _l("Room equipment"),
    "teacher": _l("Teacher device"),
    "pupil_loan": _l("Pupil loan device"),
}

# The codes of the funding programmes (inventory/funding_models.py): a device's single
# `funding` code means the whole price from that programme. Their facts (rate, cap per
# device, period, purpose binding) are data, shipped by the migrations (data/SOURCE.md).
FUNDING_SOURCES = {
    "gute_schule_2020": _l("NRW.BANK.Gute Schule 2020"),
    "digitalpakt": _l("DigitalPakt Schule"),
    "sofortausstattung": _l("Immediate equipment programme (pupils)"),
    "leihgeraete_lehrkraefte": _l("Devices for teachers"),
    "react_eu": _l("REACT-EU devices for schools"),
    "ausstattungsoffensive": _l("NRW digital equipment offensive"),
    "schultraeger": _l("School authority"),
    "foerderverein": _l("Friends' association"),
    "other": _l("Other"),
}

LINK_TECHNOLOGIES = {
    "fibre": _l("Fibre (FTTB/FTTH)"),
    "cable": _l("Cable"),
    "vdsl": _l("VDSL"),
    "radio": _l("Radio"),
    "mobile": _l("Mobile"),
}

LINK_STATUSES = {
    "planned": _l("Planned"),
    "ordered": _l("Ordered"),
    "active": _l("Active"),
    "terminated": _l("Terminated"),
}

OFFERING_KINDS = {
    "tablet_class_set": _l("Tablet class set"),
    "lms": _l("Learning management system"),
    "computer_science": _l("Computer science lessons"),
    "classroom_wifi": _l("Classroom WiFi"),
    "presentation": _l("Presentation technology"),
    "other": _l("Other"),
}

OFFERING_STATUSES = {
    "planned": _l("Planned"),
    "available": _l("Available"),
}

STOCK_TAKE_STATUSES = {
    "open": _l("Open"),
    "confirmed": _l("Confirmed"),
}

ROLES = {
    "school_admin": _l("School IT admin"),
    "department": _l("School department"),
    "admin": _l("Administrator"),
}


class CodeChoice(SelectChoice):
    """A select option (tuples are deprecated in WTForms 3.3 and warn); choice[0] is the
    code and choice[1] the label, as with the tuples it replaces."""

    def __getitem__(self, index):
        return (self.value, self.label)[index]


def choices(codes: dict, blank: bool = False) -> list[CodeChoice]:
    """WTForms choices for a code vocabulary, optionally with an empty first entry."""
    items = [CodeChoice(code, label) for code, label in codes.items()]
    return ([CodeChoice("", "—")] if blank else []) + items

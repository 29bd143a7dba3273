"""Every channel stores the same thing: a record entered through the web form, the JSON
API, an .xlsx import, an .ods import and a German CSV import (cp1252, ";", decimal comma, German dates
and labels) is stored identically, field for field, for every kind of the registry;
and a value that breaks a rule is refused by every channel with the field named.

The strategies are built from the registry of kinds (inventory/kinds.py), so a new
field is covered here without a line of this file changing.
"""

import csv
import datetime as dt
import io
import itertools
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from app.extensions import db
from app.rules import Field
from app.users import ApiToken
from inventory.columns import header_labels
from inventory.importer import ImportScope, import_file
from inventory.kinds import KINDS
from inventory.models import Device, NetworkLink, Offering
from schools.models import School, Site
from tests.inventory.test_import_helpers import ods_bytes

CHANNELS = ("web", "api", "xlsx", "csv", "ods")
MODELS = {"schools": School, "sites": Site, "devices": Device, "links": NetworkLink}
MODELS["offerings"] = Offering
WEB_NEW = {
    "schools": "/schools/new",
    "sites": "/schools/{n}/sites/new",
    "devices": "/schools/{n}/devices/new",
    "links": "/schools/{n}/links/new",
    "offerings": "/schools/{n}/offerings/new",
}
API_NEW = {
    "schools": "/schools",
    "sites": "/schools/{n}/sites",
    "devices": "/schools/{n}/devices",
    "links": "/schools/{n}/links",
    "offerings": "/schools/{n}/offerings",
}
# Text a German school admin types, all of it cp1252 (German Excel's CSV encoding).
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZäöüÄÖÜß0123456789"
TEXT = LETTERS + " -.,/()&'"
_serial = itertools.count(1)


# --- values from the registry ---------------------------------------------------------


def _text(spec: Field, multiline=False):
    size = min(spec.max_length or 40, 40)
    alphabet = TEXT + ("\n" if multiline else "")
    inner = st.text(alphabet=alphabet, max_size=size)
    return inner.map(lambda text: text.strip())


def value_strategy(spec: Field):
    """Valid values of one field (None/"" for an empty optional one)."""
    empty = st.just(spec.empty)
    if spec.type in ("text", "multiline"):
        if spec.pattern is not None:
            return st.nothing()  # keys are made per channel
        strategy = _text(spec, multiline=spec.type == "multiline")
        return strategy.filter(bool) if spec.required else strategy
    if spec.type == "email":
        local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
        domain = st.sampled_from(["schulen.bochum.de", "schulamt.bochum.local", "example.org"])
        strategy = st.builds(lambda a, b: f"{a}@{b}", local, domain)
    elif spec.type == "int":
        strategy = st.integers(min_value=spec.min, max_value=spec.max)
    elif spec.type == "decimal":
        # up to two decimals more than stored, within the field's range: prices 1299,
        # 0.125, 356.881, 1299.5; coordinates -7.12345678, 51.4
        strategy = st.integers(min_value=0, max_value=spec.places + 2).flatmap(
            lambda places: st.integers(
                min_value=int(spec.min) * 10**places,
                max_value=min(int(spec.max), 9_999_999) * 10**places,
            ).map(lambda units: Decimal(units).scaleb(-places))
        )
    elif spec.type == "date":
        strategy = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2040, 12, 31))
    elif spec.type == "code":
        strategy = st.sampled_from(list(spec.vocabulary))
    elif spec.type == "codes":
        return st.lists(st.sampled_from(list(spec.vocabulary)), unique=True).map(
            lambda codes: [c for c in spec.vocabulary if c in codes]
        )
    elif spec.type == "bool":
        return st.booleans()
    elif spec.type == "site":
        return st.sampled_from([None, "annex"])
    else:
        raise AssertionError(spec.type)
    return strategy if spec.required else st.one_of(empty, strategy)


def record_strategy(kind: str):
    fields = {
        spec.code: value_strategy(spec)
        for spec in KINDS[kind].editable
        if spec.pattern is None and not (kind == "sites" and spec.code == "is_main")
    }
    strategy = st.fixed_dictionaries(fields)
    if kind == "devices":
        # the rules across fields: the warranty ends on or after the purchase; a capped
        # programme's price at most its cap; a bound device retired with a reason
        strategy = strategy.map(_warranty_after_purchase).map(_within_the_funding_rules)
    return strategy


CAPPED = {"sofortausstattung", "leihgeraete_lehrkraefte", "react_eu", "ausstattungsoffensive"}


def _within_the_funding_rules(values: dict) -> dict:
    price = values.get("price")
    if values.get("funding") in CAPPED and price is not None and price > 500:
        values["price"] = Decimal("500")
    if values.get("status") == "retired" and not values.get("retired_reason"):
        values["retired_reason"] = "Defekt, an den Förderverein abgegeben"
    return values


def _warranty_after_purchase(values: dict) -> dict:
    purchase, warranty = values.get("purchase_date"), values.get("warranty_until")
    if purchase and warranty and warranty < purchase:
        values["purchase_date"], values["warranty_until"] = warranty, purchase
    return values


def expected(spec: Field, value):
    """What every channel must store for a valid value."""
    if spec.type == "decimal" and value is not None:
        return value.quantize(Decimal(1).scaleb(-spec.places), rounding=ROUND_HALF_UP)
    return value


# --- each channel's way of writing a value ---------------------------------------------


def german_label(spec: Field, code: str) -> str:
    with force_locale("de"):
        return str(spec.vocabulary.get(code, code))


def german_amount(value: Decimal) -> str:
    text = f"{abs(value):f}"
    whole, _, fraction = text.partition(".")
    grouped = ("-" if value < 0 else "") + f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def form_data(kind: str, values: dict, sites: dict) -> dict:
    data = {}
    for code, value in values.items():
        spec = KINDS[kind][code]
        if spec.type == "site":
            data[code] = str(sites[value]) if value else ""
        elif spec.type == "codes":
            data[code] = list(value)
        elif spec.type == "bool":
            if value:
                data[code] = "y"
        elif value is None:
            data[code] = ""
        elif spec.type == "decimal":
            data[code] = german_amount(value)  # what a German user types
        elif spec.type == "date":
            data[code] = value.isoformat()  # what a browser's date input sends
        else:
            data[code] = str(value)
    return data


def json_body(kind: str, values: dict, sites: dict) -> dict:
    body = {}
    for code, value in values.items():
        spec = KINDS[kind][code]
        if spec.type == "site":
            body[code] = sites[value] if value else None
        elif value is None:
            body[code] = None
        elif spec.type == "decimal":
            body[code] = float(value)  # a JSON number
        elif spec.type == "date":
            body[code] = value.isoformat()
        else:
            body[code] = value
    return body


def xlsx_cell(spec: Field, value, sites: dict):
    if spec.type == "site":
        return sites[value] if value else None
    if value is None or value == "":
        return None
    if spec.type == "decimal":
        return float(value)  # an Excel number, e.g. a price computed with VAT
    if spec.type == "date":
        return dt.datetime.combine(value, dt.time())  # an Excel date
    if spec.type == "codes":
        return ", ".join(value)
    return value


def ods_cell(spec: Field, value, sites: dict):
    if spec.type == "date" and value is not None:
        return value  # an OpenDocument date cell
    return xlsx_cell(spec, value, sites)


def csv_cell(spec: Field, value, site_names: dict) -> str:
    if spec.type == "site":
        return site_names[value] if value else ""
    if value is None:
        return ""
    if spec.type == "decimal":
        return german_amount(value)
    if spec.type == "date":
        return value.strftime("%d.%m.%Y")
    if spec.type == "code":
        return german_label(spec, value)
    if spec.type == "codes":
        return "; ".join(german_label(spec, code) for code in value)
    if spec.type == "bool":
        return "ja" if value else "nein"
    return str(value)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("cp1252")


def test_every_channel_refuses_a_price_above_the_programme_cap_and_takes_the_cap(channels):
    """The rule across fields that reads the programmes' data (inventory/funding_rules.py):
    REACT-EU pays at most 500 EUR per device, so it cannot be a device's whole price above."""
    before = db.session.scalar(sa.select(sa.func.count(Device.id)))
    for channel in CHANNELS:
        values = {
            "category": "laptop",
            "status": "in_use",
            **channels.key_values("devices", channel),
            "price": Decimal("500.01"),
            "funding": "react_eu",
        }
        answer = getattr(channels, channel)("devices", values)
        assert _refused_field(channel, answer, "devices", "funding"), (channel, answer)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Device.id))) == before

    for channel in CHANNELS:
        values = {
            "category": "laptop",
            "status": "in_use",
            **channels.key_values("devices", channel),
            "price": Decimal("500.00"),
            "funding": "react_eu",
        }
        getattr(channels, channel)("devices", values)
        assert channels.newest("devices", channel).price == Decimal("500.00"), channel


def test_every_channel_asks_the_reason_to_retire_a_bound_device_and_stores_it(channels):
    """DigitalPakt binds its devices to the end of 2029 (inventory/funding_rules.py)."""
    for channel in CHANNELS:
        values = {
            "category": "laptop",
            "status": "retired",
            "funding": "digitalpakt",
            **channels.key_values("devices", channel),
        }
        answer = getattr(channels, channel)("devices", values)
        assert _refused_field(channel, answer, "devices", "retired_reason"), (channel, answer)
        assert channels.newest("devices", channel) is None, channel

        getattr(channels, channel)("devices", {**values, "retired_reason": "Totalschaden"})
        stored = channels.newest("devices", channel)
        assert (stored.status, stored.retired_reason) == ("retired", "Totalschaden"), channel


# --- the test's world -------------------------------------------------------------------


class Channels:
    """One school per channel (with an annex site), a signed-in department user, a token."""

    def __init__(self, client, login_as, make_school, make_site, make_user):
        self.client = client
        self.schools = {channel: make_school() for channel in CHANNELS}
        self.annexes = {
            channel: make_site(school, name=f"Annex {channel}")
            for channel, school in self.schools.items()
        }
        login_as("department")
        user = make_user(role="department")
        _row, self.token = ApiToken.issue(user, "channels")
        db.session.commit()
        self.numbers = {channel: school.school_number for channel, school in self.schools.items()}

    def sites(self, channel) -> dict:
        return {"annex": self.annexes[channel].id}

    def site_names(self, channel) -> dict:
        return {"annex": self.annexes[channel].name}

    def key_values(self, kind: str, channel: str) -> dict:
        serial = next(_serial)
        if kind == "schools":
            return {"school_number": f"{700000 + serial:06d}"}
        if kind == "devices":
            return {"inventory_number": f"CH-{channel}-{serial:06d}"}
        return {}

    # each write answers the stored record (or the refusal)
    def web(self, kind, values):
        data = form_data(kind, values, self.sites("web"))
        path = WEB_NEW[kind].format(n=self.numbers["web"])
        return self.client.post(path, data=data)

    def api(self, kind, values):
        body = json_body(kind, values, self.sites("api"))
        path = "/api/v1" + API_NEW[kind].format(n=self.numbers["api"])
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.post(path, json=body, headers=headers)

    def xlsx(self, kind, values):
        return self._import(kind, values, "xlsx", xlsx_cell, self.sites("xlsx"), _xlsx)

    def csv(self, kind, values):
        return self._import(kind, values, "csv", csv_cell, self.site_names("csv"), _csv)

    def ods(self, kind, values):
        # LibreOffice Calc's typed cells: numbers, dates, booleans and text.
        return self._import(kind, values, "ods", ods_cell, self.sites("ods"), ods_bytes)

    def _import(self, kind, values, channel, cell, sites, encode):
        """One header row (German labels, as our templates) and one row, imported."""
        labels = dict(zip(KINDS[kind].codes, header_labels(kind), strict=True))
        row = [cell(KINDS[kind][code], value, sites) for code, value in values.items()]
        data = encode([[labels[code] for code in values], row])
        scope = ImportScope(default_school=self.numbers[channel])
        return import_file(kind, data, f"k.{channel}", scope)

    def newest(self, kind: str, channel: str):
        model = MODELS[kind]
        stmt = sa.select(model).order_by(model.id.desc()).limit(1)
        if kind != "schools":
            stmt = stmt.where(model.school_id == self.schools[channel].id)
        db.session.expire_all()
        return db.session.scalar(stmt)


def stored(kind: str, record, codes, sites: dict) -> dict:
    values = {}
    for code in codes:
        spec = KINDS[kind][code]
        if spec.type == "site":
            site_id = record.site_id
            values[code] = next((name for name, i in sites.items() if i == site_id), site_id)
        elif code == "learning_levels":
            values[code] = list(record.learning_levels)
        else:
            values[code] = getattr(record, code)
    if kind == "devices" and "funding" in codes:
        # the funding code is kept as the device's shares (inventory/funding_service.py)
        values["shares"] = [(s.programme.code, s.amount) for s in record.funding_shares]
    return values


@pytest.fixture
def channels(client, login_as, make_school, make_site, make_user):
    return Channels(client, login_as, make_school, make_site, make_user)


def _main_site_ids(channels) -> dict:
    return {channel: school.main_site.id for channel, school in channels.schools.items()}


@pytest.mark.parametrize("kind", list(KINDS))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_channel_stores_the_same_record(channels, kind, data):
    values = data.draw(record_strategy(kind))
    results = {}
    for channel in CHANNELS:
        complete = {**values, **channels.key_values(kind, channel)}
        answer = getattr(channels, channel)(kind, complete)
        if channel == "web":
            assert answer.status_code == 302, field_errors(answer.get_data(as_text=True))
        elif channel == "api":
            assert answer.status_code == 201, answer.get_json()
        else:
            assert answer.written, [str(e) for e in answer.errors] + answer.file_errors
        record = channels.newest(kind, channel)
        sites = {**channels.sites(channel), None: _main_site_ids(channels)[channel]}
        results[channel] = stored(kind, record, list(values), sites)

    want = {code: expected(KINDS[kind][code], value) for code, value in values.items()}
    if "site" in want:
        want["site"] = want["site"] or None  # no site given: the main site, stored as such
    if kind == "sites" and not want.get("city"):
        want["city"] = "Bochum"  # a site's blank city is its school's city
    if kind == "schools" and not want.get("city"):
        want["city"] = "Bochum"
    if kind == "devices" and "funding" in want:
        want["shares"] = [(want["funding"], None)] if want["funding"] else []  # whole price
    for channel, result in results.items():
        assert result == want, channel


# --- invalid values: every channel refuses them, naming the field ------------------------

INVALID = [
    ("devices", "manufacturer", "x" * 101),
    ("devices", "room", "A1\x00"),
    ("devices", "model", "Zeile 1\nZeile 2"),
    ("devices", "price", Decimal("-1")),
    ("devices", "price", Decimal("100000000")),
    ("devices", "category", "toaster"),
    ("devices", "inventory_number", "A/1"),
    ("links", "down_mbps", 0),
    ("links", "up_mbps", 100_001),
    ("offerings", "description", "y" * 501),
    ("schools", "students", -1),
    ("schools", "it_contact_email", "kein-at-zeichen"),
    ("schools", "sozialindex", 0),
    ("schools", "sozialindex", 10),
    ("schools", "operator", "council"),
    ("schools", "lat", Decimal("90.5")),
    ("schools", "lon", Decimal("-180.01")),
    ("sites", "lat", Decimal("-91")),
    ("sites", "lon", Decimal("181")),
    ("sites", "name", "n" * 201),
    ("sites", "city", "Bo\tchum"),
]


def field_errors(html: str) -> list:
    return re.findall(r'id="([\w-]+)-error"[^>]*>(.*?)<', html, flags=re.S)


def _refused_field(channel, answer, kind, code) -> bool:
    if channel == "web":
        html = answer.get_data(as_text=True)
        return answer.status_code in (200, 422) and f'id="{code}-error"' in html
    if channel == "api":
        return answer.status_code in (409, 422) and code in answer.get_json()["error"]["fields"]
    header = dict(zip(KINDS[kind].codes, header_labels(kind), strict=True))[code]
    return not answer.written and any(error.column == header for error in answer.errors)


@pytest.mark.parametrize(("kind", "code", "bad"), INVALID)
def test_every_channel_refuses_a_bad_value_and_names_the_field(channels, kind, code, bad):
    base = {
        "schools": {"name": "Schule", "school_form": "gymnasium"},
        "sites": {"name": "Turnhalle"},
        "devices": {"category": "laptop"},
        "links": {"technology": "fibre", "down_mbps": 1000, "up_mbps": 1000, "status": "active"},
        "offerings": {"learning_level": "sek1", "kind": "lms"},
    }[kind]
    model = MODELS[kind]
    before = db.session.scalar(sa.select(sa.func.count(model.id)))
    for channel in CHANNELS:
        values = {**base, **channels.key_values(kind, channel), code: bad}
        if channel in ("xlsx", "csv", "ods") and isinstance(bad, str) and "\x00" in bad:
            continue  # no .xlsx holds a NUL; in a CSV it refuses the file (tests/inventory)
        answer = getattr(channels, channel)(kind, values)
        assert _refused_field(channel, answer, kind, code), (channel, answer)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(model.id))) == before

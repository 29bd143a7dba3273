"""The demo data: Bochum's real schools, sites and school years, plus a made-up inventory.

Schools, sites and school years come from the public files in data/ (see
data/SOURCE.md). Devices, links, offerings, IT contact addresses, class counts and
the demo users are invented (deterministically, from the school number) and marked
as demo data: School.is_demo, "DEMO" in notes, addresses under example.org.
"""

import csv
import datetime as dt
import random
import secrets
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import PROJECT_ROOT, user_service
from app.extensions import db
from app.saving import saving
from inventory import service as inventory_service
from inventory.models import Device, NetworkLink
from schools import service as schools_service
from schools.models import School, SchoolYear

DATA_DIR = PROJECT_ROOT / "data"
DEMO_NOTE = "DEMO-Daten"

# IT.NRW school forms to our codes.
SCHOOL_FORM_CODES = {
    "Grundschule": "grundschule",
    "Hauptschule": "hauptschule",
    "Realschule": "realschule",
    "Gymnasium": "gymnasium",
    "Gesamtschule": "gesamtschule",
    "Sekundarschule": "sekundarschule",
    "Förderschule": "foerderschule",
    "Berufskolleg": "berufskolleg",
    "Weiterbildungskolleg": "weiterbildungskolleg",
    "Freie Waldorfschule": "waldorfschule",
}

LEVELS_BY_FORM = {
    "grundschule": ["primar"],
    "hauptschule": ["sek1"],
    "realschule": ["sek1"],
    "sekundarschule": ["sek1"],
    "gymnasium": ["sek1", "sek2"],
    "gesamtschule": ["sek1", "sek2"],
    "foerderschule": ["primar", "sek1"],
    "berufskolleg": ["sek2", "beruf"],
    "weiterbildungskolleg": ["sek2"],
    "waldorfschule": ["primar", "sek1", "sek2"],
}

# Bochum's six city districts (Stadtbezirke), approximated from the postcode.
DISTRICT_BY_POSTCODE = {
    "44787": "Bochum-Mitte",
    "44789": "Bochum-Mitte",
    "44791": "Bochum-Mitte",
    "44793": "Bochum-Mitte",
    "44803": "Bochum-Mitte",
    "44807": "Bochum-Mitte",
    "44809": "Bochum-Mitte",
    "44805": "Bochum-Nord",
    "44892": "Bochum-Ost",
    "44894": "Bochum-Ost",
    "44797": "Bochum-Süd",
    "44799": "Bochum-Süd",
    "44801": "Bochum-Süd",
    "44795": "Bochum-Südwest",
    "44879": "Bochum-Südwest",
    "44866": "Wattenscheid",
    "44867": "Wattenscheid",
    "44869": "Wattenscheid",
}

DEVICE_MODELS = {
    "laptop": [("Lenovo", "ThinkPad L14"), ("Dell", "Latitude 3540"), ("HP", "ProBook 450")],
    "tablet": [("Apple", "iPad 10.9"), ("Samsung", "Galaxy Tab S9 FE")],
    "desktop": [("Fujitsu", "Esprimo P5011"), ("Dell", "OptiPlex 7010")],
    "interactive_display": [("Promethean", "ActivPanel 9"), ("Samsung", "Flip Pro 75")],
    "projector": [("Epson", "EB-W49")],
    "document_camera": [("Elmo", "MX-P3")],
    "access_point": [("LANCOM", "LW-600"), ("Ubiquiti", "U6 Pro")],
    "switch": [("HPE Aruba", "2930F")],
    "router": [("LANCOM", "1926VAG"), ("Sophos", "XGS 2100")],
    "server": [("Dell", "PowerEdge T350")],
    "printer": [("Kyocera", "ECOSYS M5526")],
}
PRICES = {
    "laptop": "649.00",
    "tablet": "429.00",
    "desktop": "799.00",
    "interactive_display": "3890.00",
    "projector": "689.00",
    "document_camera": "329.00",
    "access_point": "389.00",
    "switch": "1299.00",
    "router": "1549.00",
    "server": "2890.00",
    "printer": "459.00",
}
OFFERING_KINDS_BY_LEVEL = {
    "primar": ["tablet_class_set", "classroom_wifi", "presentation"],
    "sek1": ["tablet_class_set", "lms", "computer_science", "classroom_wifi", "presentation"],
    "sek2": ["lms", "computer_science", "classroom_wifi", "presentation"],
    "beruf": ["lms", "computer_science", "classroom_wifi", "presentation", "other"],
}

DEMO_USERS = [
    ("admin@gute-schule.example.org", "Demo-Administration", "admin", []),
    ("schulamt@gute-schule.example.org", "Demo-Schulverwaltungsamt", "department", []),
    # Goethe-Schule (Gymnasium) and Grundschule Laer as a school admin's two schools.
    ("it-admin@gute-schule.example.org", "Demo-Schul-IT", "school_admin", ["169213", "128594"]),
]


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seed_demo() -> list[str]:
    """Create whatever of the demo data is missing; returns a summary to print.

    Every record goes through the write services (schools.service, inventory.service,
    app.user_service), as from any other channel; the seed owns the transaction and
    commits once."""
    with saving():
        summary = [
            _("School years added: %(count)d", count=_seed_school_years()),
            _("Schools added: %(count)d", count=_seed_schools()),
            _("Schools given their attributes: %(count)d", count=_seed_school_attributes()),
            _("Extra sites added: %(count)d", count=_seed_extra_sites()),
            _("Schools given a demo inventory: %(count)d", count=_seed_inventory()),
        ]
        summary.extend(_seed_users())
    return summary


def _seed_school_years() -> int:
    existing = set(db.session.scalars(sa.select(SchoolYear.start_year)))
    added = 0
    for row in _read_csv("nrw_school_years.csv"):
        start_year = int(row["school_year"][:4])
        if start_year in existing:
            continue
        first_day = dt.date.fromisoformat(row["first_school_day"])
        schools_service.put_school_year(start_year, first_day)
        added += 1
    return added


def _seed_schools() -> int:
    existing = set(db.session.scalars(sa.select(School.school_number)))
    added = 0
    for row in _read_csv("bochum_schools.csv"):
        if row["school_number"] in existing:
            continue
        form = SCHOOL_FORM_CODES[row["school_form"]]
        if row["school_form_code_msb"] == "19":  # Waldorf-Förderschule
            form = "foerderschule"
        students = int(row["pupils_2024_25_rounded"]) if row["pupils_2024_25_rounded"] else None
        values = {
            "school_number": row["school_number"],
            "name": row["name"][:200],
            "school_form": form,
            "street": row["street"],
            "postcode": row["postcode"],
            "city": row["city"],
            "district": DISTRICT_BY_POSTCODE.get(row["postcode"], ""),
            "students": students,
            # Class counts are not published; estimated at 24 students a class.
            "classes": max(1, round(students / 24)) if students else None,
            "it_contact_email": f"it-{row['school_number']}@schulen.example.org",
            "learning_levels": LEVELS_BY_FORM[form],
            **school_attributes(row),
        }
        schools_service.create_school(values, is_demo=True)
        added += 1
    return added


def school_operator(row: dict) -> str:
    """IT.NRW's Rechtsstatus, with the LWL-Förderschulen (public, but run by the
    Landschaftsverband Westfalen-Lippe, not the city) told apart by their name."""
    if row["public_private"] == "private":
        return "private"
    return "other_public" if "LWL" in row["name"] else "city"


def school_attributes(row: dict) -> dict:
    """Operator, Sozialindex, Startchancen and coordinates of a bochum_schools.csv row."""
    return {
        "operator": school_operator(row),
        "sozialindex": int(row["sozialindex_2025_26"]) if row["sozialindex_2025_26"] else None,
        "startchancen": row["startchancen_2025_26"] == "yes",
        "lat": Decimal(row["lat"]) if row["lat"] else None,
        "lon": Decimal(row["lon"]) if row["lon"] else None,
    }


def _seed_school_attributes() -> int:
    """Demo schools seeded before the attributes existed (no coordinates yet) get them
    from the CSV, their main site the school's coordinates."""
    schools = {
        school.school_number: school
        for school in db.session.scalars(
            sa.select(School)
            .where(School.is_demo, School.lat.is_(None))
            .options(selectinload(School.sites))
        )
    }
    filled = 0
    for row in _read_csv("bochum_schools.csv"):
        school = schools.get(row["school_number"])
        if school is None:
            continue
        attributes = school_attributes(row)
        schools_service.update_school(school, attributes)
        main = school.main_site
        if main is not None and main.lat is None:
            schools_service.update_site(main, {"lat": attributes["lat"], "lon": attributes["lon"]})
        filled += 1
    return filled


def _seed_extra_sites() -> int:
    """Branch sites from the city's POI file whose address differs from the main site."""
    schools = {
        s.school_number: s
        for s in db.session.scalars(sa.select(School).options(selectinload(School.sites)))
    }
    added = 0
    for row in _read_csv("bochum_school_sites_city_poi.csv"):
        for number in filter(None, row["school_number_guess"].split("|")):
            school = schools.get(number)
            if school is None:
                continue
            known = {(site.street.lower(), site.postcode) for site in school.sites}
            if (row["street"].lower(), row["postcode"]) in known:
                continue
            values = {
                "name": row["name"][:200],
                "street": row["street"],
                "postcode": row["postcode"],
                "city": row["city"],
                "lat": Decimal(row["lat"]) if row["lat"] else None,
                "lon": Decimal(row["lon"]) if row["lon"] else None,
            }
            schools_service.create_site(school, values)
            added += 1
    return added


def _seed_inventory() -> int:
    has_inventory = set(db.session.scalars(sa.select(Device.school_id).distinct())) | set(
        db.session.scalars(sa.select(NetworkLink.school_id).distinct())
    )
    schools = db.session.scalars(
        sa.select(School)
        .where(School.is_demo)
        .options(selectinload(School.sites))
        .order_by(School.school_number)
    ).all()
    rows = {"links": [], "devices": [], "offerings": []}
    seeded = 0
    for school in schools:
        if school.id in has_inventory:
            continue
        rng = random.Random(int(school.school_number))
        rows["links"] += [(school, values) for values in _demo_links(school, rng)]
        rows["devices"] += [(school, values) for values in _demo_devices(school, rng)]
        rows["offerings"] += [(school, values) for values in _demo_offerings(school, rng)]
        seeded += 1
    for kind, kind_rows in rows.items():
        # The import's bulk path: the same rules per row, batched writes.
        cleaned = [
            (school, inventory_service.clean_record(kind, school, values))
            for school, values in kind_rows
        ]
        inventory_service.bulk_create(kind, cleaned)
    return seeded


def _demo_links(school: School, rng: random.Random) -> list[dict]:
    links = []
    for site in school.sites:
        roll = rng.random()
        if roll < 0.55:  # ready: symmetric fibre
            plan = [("fibre", 1000, 1000, "active")]
        elif roll < 0.68:  # the "gigabit" cable line with a slow upload
            plan = [("cable", 1000, 50, "active")]
        elif roll < 0.84:  # old VDSL, fibre planned
            plan = [("vdsl", 100, 40, "active"), ("fibre", 1000, 1000, "planned")]
        elif roll < 0.94:  # VDSL, fibre ordered
            plan = [("vdsl", 250, 40, "active"), ("fibre", 1000, 1000, "ordered")]
        else:  # only a mobile backup
            plan = [("mobile", 300, 50, "active")]
        for technology, down, up, status in plan:
            link = {
                "site": site.id,
                "provider": rng.choice(["Stadtwerke Bochum", "Telekom", "Vodafone", "GELSEN-NET"]),
                "technology": technology,
                "down_mbps": down,
                "up_mbps": up,
                "status": status,
                "notes": DEMO_NOTE,
            }
            if status == "active":
                link["active_since"] = dt.date(rng.randint(2015, 2025), rng.randint(1, 12), 1)
                link["contract_end"] = dt.date(rng.randint(2027, 2031), rng.randint(1, 12), 1)
            else:
                link["planned_date"] = dt.date(
                    rng.choice([2027, 2027, 2028]), rng.randint(1, 12), 15
                )
            links.append(link)
    return links


def _demo_devices(school: School, rng: random.Random) -> list[dict]:
    students = school.students or 200
    counts = {
        "tablet": students // rng.randint(6, 12),
        "laptop": students // rng.randint(15, 30),
        "desktop": rng.randint(0, 30) if "primar" not in school.learning_levels else 0,
        "interactive_display": (school.classes or 8) // 2,
        "projector": rng.randint(0, 6),
        "document_camera": rng.randint(1, 8),
        "access_point": rng.randint(4, 20),
        "switch": rng.randint(1, 4),
        "router": 1,
        "server": rng.randint(0, 1),
        "printer": rng.randint(1, 3),
    }
    levels = school.learning_levels
    devices = []
    number = 0
    for category, count in counts.items():
        for _number in range(min(count, 80)):
            number += 1
            manufacturer, model = rng.choice(DEVICE_MODELS[category])
            status = rng.choices(
                ["in_use", "spare", "in_repair", "ordered", "retired"], [80, 8, 4, 4, 4]
            )[0]
            purchase = dt.date(rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
            end_user = category in ("laptop", "tablet", "desktop")
            devices.append(
                {
                    "inventory_number": f"BO-{school.school_number}-{number:04d}",
                    "category": category,
                    "manufacturer": manufacturer,
                    "model": model,
                    "serial_number": f"SN{rng.randrange(10**9):09d}",
                    "status": status,
                    "room": rng.choice(["A0", "A1", "B0", "B1", "C1"])
                    + f"{rng.randint(1, 20):02d}",
                    "learning_level": rng.choice(levels) if end_user and levels else None,
                    "purchase_date": purchase,
                    "price": Decimal(PRICES[category]),
                    "funding": _demo_funding(category, purchase, rng),
                    # still bound to its funding's purpose: retired only with a reason
                    "retired_reason": "Irreparabel defekt" if status == "retired" else "",
                    "warranty_until": purchase.replace(year=purchase.year + rng.choice([3, 5])),
                    "notes": DEMO_NOTE,
                }
            )
    return devices


def _demo_funding(category: str, purchase: dt.date, rng: random.Random) -> str:
    """A programme that could have paid for the device then (data/SOURCE.md): Gute Schule
    2020 until 2020, the pupils' immediate equipment programme for tablets in 2020 (under
    its cap of 500 EUR), REACT-EU for tablets in 2021/22, else DigitalPakt Schule or the
    city's own budget, now and then the friends' association."""
    if category == "tablet" and purchase.year == 2020:
        return "sofortausstattung"
    if category == "tablet" and purchase.year in (2021, 2022) and rng.random() < 0.5:
        return "react_eu"
    choices = ["digitalpakt", "digitalpakt", "schultraeger", "foerderverein"]
    if purchase.year <= 2020:
        choices += ["gute_schule_2020", "gute_schule_2020"]
    return rng.choice(choices)


def _demo_offerings(school: School, rng: random.Random) -> list[dict]:
    offerings = []
    for level in school.learning_levels:
        for kind in OFFERING_KINDS_BY_LEVEL[level]:
            if rng.random() < 0.35:
                continue
            offerings.append(
                {
                    "learning_level": level,
                    "kind": kind,
                    "description": f"{DEMO_NOTE}: {kind.replace('_', ' ')}",
                    "status": rng.choices(["available", "planned"], [75, 25])[0],
                    "since": dt.date(rng.randint(2020, 2025), 8, 1),
                }
            )
    return offerings


def _seed_users() -> list[str]:
    """Demo logins with random passwords, kept in instance/demo-logins.txt (never committed)."""
    logins_file = Path(current_app.instance_path) / "demo-logins.txt"
    lines = []
    for email, name, role, numbers in DEMO_USERS:
        if user_service.email_taken(email):
            continue
        password = secrets.token_urlsafe(12)
        schools = db.session.scalars(sa.select(School).where(School.school_number.in_(numbers)))
        user_service.create_user(email, role, password=password, name=name, schools=schools)
        lines.append(f"{role:<13} {email:<36} {password}")
    if lines:
        with open(logins_file, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        logins_file.chmod(0o600)
    if not logins_file.exists():
        return [_("Demo logins: see instance/demo-logins.txt")]
    return [_("Demo logins (role, email, password):"), *logins_file.read_text().splitlines()]

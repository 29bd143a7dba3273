"""Warranty alerts: a device's warranty ends within WARRANTY_ALERT_DAYS (default 60).

Stages: "lead-<n>" for each n in WARRANTY_ALERT_DAYS (one number, or a list for several
reminders), the smallest through the last day of the warranty. Retired devices are left
out; a device whose warranty is extended is a new record (its key holds the end date)
and is warned about again before the new end.
"""

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.codes import DEVICE_CATEGORIES
from app.extensions import db
from inventory.models import Device
from reports.alert_kinds import (
    DueRecord,
    RecordAlertKind,
    config_days,
    format_date,
    in_days,
    lead_days_of,
    lead_stage,
    record_url,
)

NAME = "warranty"


def _text(device: Device, today: dt.date) -> str:
    days = (device.warranty_until - today).days
    parts = [str(DEVICE_CATEGORIES.get(device.category, device.category))]
    model = " ".join(part for part in (device.manufacturer, device.model) if part)
    if model:
        parts.append(model)
    if device.serial_number:
        parts.append(gettext("serial number %(serial)s", serial=device.serial_number))
    if device.room:
        parts.append(gettext("room %(room)s", room=device.room))
    return gettext(
        "Device %(number)s (%(what)s): warranty until %(until)s (%(left)s)",
        number=device.inventory_number,
        what=", ".join(parts),
        until=format_date(device.warranty_until),
        left=in_days(days),
    )


def due(today: dt.date) -> list[DueRecord]:
    lead_days = config_days("WARRANTY_ALERT_DAYS")
    if not lead_days:
        return []
    devices = db.session.scalars(
        sa.select(Device)
        .where(
            Device.status != "retired",
            Device.warranty_until >= today,
            Device.warranty_until <= today + dt.timedelta(days=max(lead_days)),
        )
        .order_by(Device.school_id, Device.warranty_until, Device.inventory_number)
    )
    records = []
    for device in devices:
        stage = lead_stage(device.warranty_until, today, lead_days)
        if stage is None:
            continue
        records.append(
            DueRecord(
                school_id=device.school_id,
                record_key=f"device:{device.id}@{device.warranty_until.isoformat()}",
                stage=stage,
                text=_text(device, today),
                url=record_url("devices", device.inventory_number),
            )
        )
    return records


def stage_label(stage: str) -> str:
    days = lead_days_of(stage)
    if days is None:
        return stage
    return gettext("%(days)d days before the warranty ends", days=days)


def what(count: int) -> str:
    return ngettext(
        "%(num)d device whose warranty ends soon", "%(num)d devices whose warranty ends soon", count
    )


ALERT = RecordAlertKind(
    name=NAME,
    label=_l("Warranty"),
    intro=_l(
        "The warranty of these devices ends soon. Please have defects repaired under "
        "warranty while it lasts, and plan the replacement."
    ),
    due=due,
    stage_label=stage_label,
    what=what,
)

"""A device's old single funding code, kept as its funding shares.

Every channel still writes a device's `funding` code (form, API, import, seed). The code
means "the whole price from this programme" (inventory/funding_models.py), so the
inventory's write service (inventory/service.py) calls follow_funding_codes() whenever
a device gets a code or its code changes: the device's shares become one whole-price
share of that programme (a grant reference it had for the same programme is kept), and
no code means no share. The proof of use (reports/proof_of_use.py) reads the shares, so a
device entered today counts there like one carried over by the migration.

Set-based: one DELETE, one UPDATE and one INSERT for a whole batch of devices.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.errors import InvalidFieldsError
from app.extensions import db
from inventory.funding_models import FundingProgramme, FundingShare
from inventory.models import Device

BATCH = 1000


def follow_funding_codes(changes: Iterable[tuple[int, str | None]], *, new: bool = False) -> None:
    """Make each device's shares say what its funding code says: (device id, code).
    new: the devices were just inserted, so they have no shares yet."""
    changes = list(changes)
    if not changes:
        return
    programme_ids = dict(
        db.session.execute(sa.select(FundingProgramme.code, FundingProgramme.id)).tuples().all()
    )
    unknown = {code for _id, code in changes if code is not None and code not in programme_ids}
    if unknown:
        message = _l("There is no funding programme %(code)s.", code=", ".join(sorted(unknown)))
        raise InvalidFieldsError({"funding": [str(message)]})
    for start in range(0, len(changes), BATCH):
        wanted = {
            device_id: programme_ids.get(code) for device_id, code in changes[start : start + BATCH]
        }
        _follow_batch(wanted, new)
    # the session's loaded devices would otherwise show their old shares
    for device_id, _code in changes:
        device = db.session.identity_map.get(db.session.identity_key(Device, device_id))
        if device is not None and "funding_shares" in device.__dict__:
            db.session.expire(device, ["funding_shares"])


def _follow_batch(wanted: dict[int, int | None], new: bool) -> None:
    shares = FundingShare.__table__
    device_ids = list(wanted)
    kept = [(device, programme) for device, programme in wanted.items() if programme is not None]
    if new:
        _insert(shares, kept)
        return
    is_kept = sa.tuple_(shares.c.device_id, shares.c.programme_id).in_(kept)
    # Every other share of these devices goes: other programmes' shares, and all shares
    # of a device without a code.
    delete = sa.delete(shares).where(shares.c.device_id.in_(device_ids))
    if kept:
        delete = delete.where(sa.not_(is_kept))
    db.session.execute(delete)
    if not kept:
        return
    # A share of the same programme stays, with its grant reference, as the whole price.
    db.session.execute(
        sa.update(shares).where(is_kept, shares.c.amount.is_not(None)).values(amount=None)
    )
    present = set(
        db.session.scalars(sa.select(shares.c.device_id).where(shares.c.device_id.in_(device_ids)))
    )
    _insert(shares, [(device, programme) for device, programme in kept if device not in present])


def _insert(shares, pairs: list[tuple[int, int]]) -> None:
    rows = [
        {"device_id": device, "programme_id": programme, "amount": None, "grant_reference": ""}
        for device, programme in pairs
    ]
    if rows:
        db.session.execute(sa.insert(shares), rows)

"""Proof-of-use benchmark: a whole `flask export-funding` process against a bare openpyxl
dump of the same cells.

    .venv/bin/python -m benchmarks.proof_of_use [--devices 100000] [--repeat 2]

Builds the scratch SQLite city of benchmarks.excel (1,000 schools, DEVICES devices) and
gives every device a share of the programme gute_schule_2020 (two in three an amount,
one in three the whole price; every 50th device retired, every 100th without a purchase
date). Then, each in a process of its own and alternating REPEAT times (the best run of
each counts), exactly as benchmarks.export_process does:

* export: `flask --app wsgi export-funding FILE.xlsx --programme gute_schule_2020
  --as-of 2026-06-30` end to end (start-up, the query, the cells, the zip, the audit
  entry); wall seconds, CPU seconds and peak RSS of that child alone;
* floor: a bare openpyxl write-only workbook of exactly the same cells (read back from
  the export beforehand and pickled), its unpickling subtracted.

Not a test; the targets (ratio <= 1.3, peak RSS < 150 MB) are printed with the figures.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.export_process import FLOOR, TARGET_RATIO, TARGET_RSS_MB, run_measured

PROGRAMME = "gute_schule_2020"
AS_OF = "2026-06-30"


def add_shares(url: str) -> None:
    """The programme and one share per device, in a few set-based statements."""
    import sqlalchemy as sa

    from app.extensions import db
    from benchmarks.excel import _app
    from inventory.funding_models import FundingProgramme, FundingShare
    from inventory.models import Device

    app = _app(url)
    with app.app_context():
        conn = db.session.connection()
        programme_id = conn.execute(
            sa.insert(FundingProgramme)
            .values(
                code=PROGRAMME,
                name="Gute Schule 2020",
                funder="NRW.BANK",
                rate=100,
                period_start=dt.date(2017, 1, 1),
                period_end=dt.date(2024, 12, 31),
                binding_years=5,
                notes="",
                version=1,
            )
            .returning(FundingProgramme.id)
        ).scalar_one()
        amount = sa.case(
            (Device.id % 3 == 0, sa.null()), else_=sa.func.round(Device.price * 0.9, 2)
        )
        shares = sa.select(
            Device.id,
            sa.literal(programme_id),
            amount,
            sa.literal("GS2020-") + sa.cast(Device.school_id, sa.String),
        )
        conn.execute(
            sa.insert(FundingShare).from_select(
                ["device_id", "programme_id", "amount", "grant_reference"], shares
            )
        )
        conn.execute(sa.update(Device).where(Device.id % 50 == 0).values(status="retired"))
        conn.execute(sa.update(Device).where(Device.id % 100 == 1).values(purchase_date=None))
        db.session.commit()
        db.engine.dispose()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "shares":  # a child: add the programme and the shares
        add_shares(argv[1])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    flask = str(Path(sys.executable).parent / "flask")
    with tempfile.TemporaryDirectory(prefix="gs_bench_proof_") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'city.db'}"
        env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": url, "GUTE_SCHULE_INSTANCE": tmp}
        # This process imports no app (a child's peak RSS can be its parent's): the city
        # is built, the shares added and the export read back in children of their own.
        here = [sys.executable, "-m"]
        started = time.perf_counter()
        run_measured([*here, "benchmarks.excel", "build", url, str(args.devices)], env)
        run_measured([*here, "benchmarks.proof_of_use", "shares", url], env)
        built = time.perf_counter() - started
        out = folder / "proof.xlsx"
        export_args = [flask, "--app", "wsgi", "export-funding", str(out)]
        export_args += ["--programme", PROGRAMME, "--as-of", AS_OF]
        run_measured(export_args, env)  # the file the floor writes again
        cells = folder / "cells.pickle"
        run_measured([*here, "benchmarks.export_process", "cells", str(out), str(cells)], env)
        floor_args = [sys.executable, "-c", FLOOR, str(cells), str(folder / "floor.xlsx")]
        exports, floors = [], []
        for _round in range(args.repeat):
            exports.append(run_measured(export_args, env))
            floor = run_measured(floor_args, env)
            floor["load"], floor["load_cpu"] = map(float, floor["out"][-1].split())
            floor["seconds"] -= floor["load"]
            floor["cpu"] -= floor["load_cpu"]
            floors.append(floor)
        size_mb = out.stat().st_size / 2**20
    export = min(exports, key=lambda r: r["seconds"])
    floor = min(floors, key=lambda r: r["seconds"])
    print(
        f"SQLite, 1,000 schools, {args.devices:,} devices with shares (built in {built:.0f} s); "
        f"workbook {size_mb:.1f} MB; best of {args.repeat}, each a fresh process"
    )
    print(
        f"flask export-funding: {export['seconds']:6.1f} s wall, {export['cpu']:6.1f} s CPU, "
        f"{export['rss_mb']:5.0f} MB peak RSS (target < {TARGET_RSS_MB} MB)"
    )
    print(
        f"openpyxl dump:        {floor['seconds']:6.1f} s wall, {floor['cpu']:6.1f} s CPU, "
        f"{floor['rss_mb']:5.0f} MB peak RSS (less {floor['load']:.1f} s wall, "
        f"{floor['load_cpu']:.1f} s CPU unpickling its input)"
    )
    print(
        f"ratio {export['seconds'] / floor['seconds']:.2f}x wall, "
        f"{export['cpu'] / floor['cpu']:.2f}x CPU (target <= {TARGET_RATIO}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Excel benchmark: the department workbook export and the devices import at city scale.

    .venv/bin/python -m benchmarks.excel [--sizes 10000 100000] [--backends sqlite postgresql]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each backend and size N it builds a scratch city of 1,000 schools with N devices
(SQLite in a temporary folder, PostgreSQL in a scratch database gs_bench_*, created
and dropped here), bulk-inserted with core INSERTs. Then, each in a fresh subprocess:

* export: reports.exports.write_workbook() of the whole city; seconds and peak RSS;
* floor: a raw openpyxl write-only dump of exactly the same cells (read back from the
  export beforehand, so only the writing is timed), with the same number formats;
* import (at the smallest N): inventory.importer on a 10,000-row devices file (and on a
  1,000-row one, to show the statement count does not grow per row).

Not a test; the targets (export within 1.3x of the floor, peak RSS < 150 MB,
import >= 2,000 rows/s, statements not growing per row) are printed next to the numbers.
"""

import argparse
import datetime as dt
import inspect
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS = 1_000
IMPORT_ROWS = 10_000
SMALL_IMPORT_ROWS = 1_000
REPEAT = 2  # export and floor runs per size (the best counts)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

DISTRICTS = ["Bochum-Mitte", "Wattenscheid", "Bochum-Nord", "Bochum-Ost", "Bochum-Süd"]
FORMS = ["grundschule", "gymnasium", "realschule", "gesamtschule", "berufskolleg"]
CATEGORIES = ["laptop", "tablet", "desktop", "interactive_display", "projector", "printer"]
MANUFACTURERS = [("Apple", "iPad 10.9"), ("Lenovo", "ThinkPad L13"), ("Dell", "OptiPlex 7010")]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _app(url: str):
    os.environ.setdefault("GUTE_SCHULE_INSTANCE", tempfile.mkdtemp(prefix="gs_bench_instance_"))
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})


# --- the scratch city --------------------------------------------------------------------


def build_city(url: str, devices: int, seed: int = 2026) -> None:
    """Migrate an empty database and bulk-insert 1,000 schools with `devices` devices."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app.audit import AuditEntry
    from app.extensions import db
    from inventory.models import Device, NetworkLink, Offering
    from schools.models import School, SchoolYear, Site

    rng = random.Random(seed)
    app = _app(url)
    with app.app_context():
        upgrade()
        conn = db.session.connection()
        conn.execute(
            sa.insert(SchoolYear),
            [
                {
                    "start_year": y,
                    "label": SchoolYear.label_for(y),
                    "version": 1,
                    "first_school_day": dt.date(y, 8, 26),
                }
                for y in (2025, 2026, 2027)
            ],
        )
        conn.execute(
            sa.insert(School),
            [
                {
                    "school_number": f"{400000 + i}",
                    "name": f"Benchmarkschule {i:04d}",
                    "school_form": FORMS[i % len(FORMS)],
                    "street": f"Teststraße {i}",
                    "postcode": "44787",
                    "city": "Bochum",
                    "district": DISTRICTS[i % len(DISTRICTS)],
                    "students": rng.randint(100, 1200),
                    "classes": rng.randint(4, 48),
                    "it_contact_email": f"it-{400000 + i}@schulen.example.org",
                    "learning_levels_codes": "sek1,sek2",
                    "is_demo": True,
                    "version": 1,
                }
                for i in range(SCHOOLS)
            ],
        )
        school_ids = list(conn.scalars(sa.select(School.id).order_by(School.id)))
        numbers = dict(conn.execute(sa.select(School.id, School.school_number)).all())
        sites = [
            {
                "school_id": sid,
                "name": "Hauptstandort",
                "street": "",
                "postcode": "",
                "city": "Bochum",
                "is_main": True,
                "version": 1,
            }
            for sid in school_ids
        ] + [
            {
                "school_id": sid,
                "name": "Nebenstelle",
                "street": "",
                "postcode": "",
                "city": "Bochum",
                "is_main": False,
                "version": 1,
            }
            for sid in school_ids[::5]
        ]
        conn.execute(sa.insert(Site), sites)
        main_site = dict(conn.execute(sa.select(Site.school_id, Site.id).where(Site.is_main)).all())
        links = []
        for sid in school_ids:
            fast = rng.random() < 0.6
            links.append(
                {
                    "school_id": sid,
                    "site_id": main_site[sid],
                    "provider": "Stadtwerke",
                    "technology": "fibre" if fast else "vdsl",
                    "down_mbps": 1000 if fast else 250,
                    "up_mbps": 1000 if fast else 40,
                    "status": "active",
                    "notes": "",
                    "version": 1,
                    "active_since": dt.date(2022, 1, 1),
                }
            )
            if not fast:
                links.append(
                    {
                        "school_id": sid,
                        "site_id": main_site[sid],
                        "provider": "Telekom",
                        "technology": "fibre",
                        "down_mbps": 1000,
                        "up_mbps": 1000,
                        "status": "planned",
                        "planned_date": dt.date(2027, rng.randint(1, 12), 15),
                        "notes": "",
                        "version": 1,
                    }
                )
        keys = {key for link in links for key in link}
        conn.execute(sa.insert(NetworkLink), [dict.fromkeys(keys) | link for link in links])
        conn.execute(
            sa.insert(Offering),
            [
                {
                    "school_id": sid,
                    "learning_level": level,
                    "kind": "lms",
                    "description": "Lernplattform",
                    "status": "available",
                    "since": dt.date(2021, 8, 1),
                    "version": 1,
                }
                for sid in school_ids
                for level in ("sek1", "sek2")
            ],
        )
        now = dt.datetime(2026, 11, 1, 8, 0)
        conn.execute(
            sa.insert(AuditEntry),
            [
                {
                    "created_at": now,
                    "actor": "benchmark",
                    "action": "create",
                    "object_type": "schools",
                    "object_id": numbers[sid],
                    "school_number": numbers[sid],
                    "changes": {},
                }
                for sid in school_ids
            ],
        )
        batch = []
        for n in range(devices):
            sid = school_ids[n % SCHOOLS]
            maker, model = MANUFACTURERS[n % len(MANUFACTURERS)]
            bought = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
            batch.append(
                {
                    "school_id": sid,
                    "site_id": main_site[sid],
                    "inventory_number": f"B{n:07d}",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "manufacturer": maker,
                    "model": model,
                    "serial_number": f"SN{rng.randint(10**8, 10**9)}",
                    "status": "in_use" if n % 10 else "spare",
                    "room": f"R{n % 300:03d}",
                    "learning_level": "sek1",
                    "purchase_date": bought,
                    "price": Decimal(rng.randint(20000, 150000)) / 100,
                    "funding": "digitalpakt",
                    "warranty_until": bought + dt.timedelta(days=1095),
                    "notes": "Benchmark" if n % 4 else "",
                    "version": 1,
                }
            )
            if len(batch) == 10_000:
                conn.execute(sa.insert(Device), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(Device), batch)
        db.session.commit()
        db.engine.dispose()


# --- measurements, each in its own process ------------------------------------------------


def measure_export(url: str, out: str) -> dict:
    from reports.exports import write_workbook

    app = _app(url)
    with app.app_context():
        # Warm up as a running server would be: mappers configured, catalogs and
        # statement caches loaded (an export of no school at all).
        write_workbook(io.BytesIO(), school_ids=[], school_year="2027/28")
        start, cpu = time.perf_counter(), _cpu_seconds()
        write_workbook(out, school_year="2027/28", generated_by="benchmark")
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "rss_mb": _peak_rss_mb()}


def measure_floor(source: str, out: str) -> dict:
    """Write exactly the cells of `source` again with a bare write-only workbook."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = load_workbook(source, read_only=True)
    sheets = []
    for sheet in book:
        rows = [
            [(cell.value, cell.number_format or "General") for cell in row]
            for row in sheet.iter_rows()
        ]
        sheets.append((sheet.title, rows))
    book.close()

    start, cpu = time.perf_counter(), _cpu_seconds()
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, rows in sheets:
        ws = workbook.create_sheet(title)
        ws.freeze_panes = "A2"
        header = []
        for value, _fmt in rows[0]:
            cell = WriteOnlyCell(ws, value)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        # The same trick as the export: one styled cell per column and format, refilled
        # per row (a write-only sheet writes each row inside append()).
        styled: dict[tuple[int, str], object] = {}
        for row in rows[1:]:
            values = []
            for index, (value, number_format) in enumerate(row):
                if value is not None and number_format != "General":
                    cell = styled.get((index, number_format))
                    if cell is None:
                        cell = styled[(index, number_format)] = WriteOnlyCell(ws)
                        cell.number_format = number_format
                    cell.value = value
                    values.append(cell)
                else:
                    values.append(value)
            ws.append(values)
    workbook.save(out)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "rss_mb": _peak_rss_mb()}


def write_devices_file(url: str, out: str, rows: int) -> None:
    """A devices workbook of new devices (headers as our templates write them)."""
    import sqlalchemy as sa
    from openpyxl import Workbook

    from app.extensions import db
    from inventory.columns import header_labels
    from inventory.kinds import KINDS
    from schools.models import School

    app = _app(url)
    with app.app_context():
        numbers = list(db.session.scalars(sa.select(School.school_number).order_by(School.id)))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Geräte")
        sheet.append(header_labels("devices"))
        codes = [spec.code for spec in KINDS["devices"].fields]
        prefix = uuid.uuid4().hex[:6].upper()
        for n in range(rows):
            # by field code, so a new registry column cannot shift the values
            values = {
                "school_number": numbers[n % len(numbers)],
                "inventory_number": f"IMP-{prefix}-{n:06d}",
                "category": "tablet",
                "manufacturer": "Apple",
                "model": "iPad",
                "serial_number": f"SN-{prefix}-{n}",
                "status": "in_use",
                "use": "class_set",
                "room": "A1",
                "learning_level": "sek1",
                "purchase_date": dt.date(2025, 9, 1),
                "price": 399.0,
                "funding": "digitalpakt",
                "warranty_until": dt.date(2028, 9, 1),
                "notes": "Import",
            }
            sheet.append([values.get(code) for code in codes])
        workbook.save(out)


def measure_import(url: str, path: str) -> dict:
    """inventory.importer on a devices file: seconds, rows, SQL statements."""
    import sqlalchemy as sa

    from app.audit import acting_as
    from app.extensions import db

    try:
        from inventory import importer
    except ImportError as exc:
        return {"error": f"inventory.importer not available: {exc}"}
    import_file = getattr(importer, "import_file", None)
    if import_file is None:
        return {"error": "inventory.importer has no import_file()"}

    app = _app(url)
    with app.app_context():
        statements = 0

        def count(*_args):
            nonlocal statements
            statements += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        with acting_as("benchmark"):
            params = inspect.signature(import_file).parameters
            if "data" in params:  # import_file(kind, data: bytes, filename, ...)
                result = import_file("devices", Path(path).read_bytes(), Path(path).name)
            else:  # import_file(kind, path, ...)
                result = import_file("devices", path)
        seconds = time.perf_counter() - start
        sa.event.remove(db.engine, "before_cursor_execute", count)
    counts = getattr(result, "counts", None)
    counts = counts() if callable(counts) else counts
    return {
        "seconds": seconds,
        "statements": statements,
        "rss_mb": _peak_rss_mb(),
        "counts": {k: v for k, v in (counts or {}).items()},
        "ok": bool(getattr(result, "ok", True)),
    }


def _best(runs: list[dict]) -> dict:
    """The fastest of several runs (wall and CPU time each), and the highest peak RSS."""
    return {
        "seconds": min(run["seconds"] for run in runs),
        "cpu": min(run["cpu"] for run in runs),
        "rss_mb": max(run["rss_mb"] for run in runs),
    }


def _in_subprocess(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.excel", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{completed.stderr[-3000:][:1500]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- databases ------------------------------------------------------------------------------


class ScratchDatabase:
    def __init__(self, backend: str, size: int, postgres_url: str, folder: Path):
        self.backend = backend
        if backend == "sqlite":
            self.url = f"sqlite:///{folder / f'bench_{size}.db'}"
            self._drop = None
        else:
            import sqlalchemy as sa

            base = sa.make_url(postgres_url)
            name = f"gs_bench_{os.getpid()}_{size}"
            admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

            def drop():
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

            self.url = base.set(database=name).render_as_string(hide_password=False)
            self._drop = drop

    def drop(self) -> None:
        if self._drop:
            self._drop()


def run(sizes: list[int], backends: list[str], postgres_url: str) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="gs_bench_") as tmp:
        folder = Path(tmp)
        os.environ["GUTE_SCHULE_INSTANCE"] = str(folder / "instance")
        for backend in backends:
            for size in sizes:
                database = ScratchDatabase(backend, size, postgres_url, folder)
                try:
                    start = time.perf_counter()
                    _in_subprocess("build", database.url, str(size))
                    built = time.perf_counter() - start
                    out = folder / f"export_{backend}_{size}.xlsx"
                    # Best of two runs each, alternating: the machine is shared.
                    exports_, floors = [], []
                    for _round in range(REPEAT):
                        exports_.append(_in_subprocess("export", database.url, str(out)))
                        floors.append(_in_subprocess("floor", str(out), str(folder / "floor.xlsx")))
                    export = _best(exports_)
                    floor = _best(floors)
                    row = {
                        "backend": backend,
                        "devices": size,
                        "build_s": built,
                        "export_s": export["seconds"],
                        "export_rss_mb": export["rss_mb"],
                        "floor_s": floor["seconds"],
                        "ratio": export["seconds"] / floor["seconds"],
                        "export_cpu": export["cpu"],
                        "floor_cpu": floor["cpu"],
                        "cpu_ratio": export["cpu"] / floor["cpu"],
                        "file_mb": out.stat().st_size / 2**20,
                    }
                    if size == min(sizes):
                        for rows in (SMALL_IMPORT_ROWS, IMPORT_ROWS):
                            path = folder / f"devices_{rows}.xlsx"
                            _in_subprocess("devices-file", database.url, str(path), str(rows))
                            row[f"import_{rows}"] = _in_subprocess(
                                "import", database.url, str(path)
                            )
                    results.append(row)
                    print(_line(row), file=sys.stderr, flush=True)
                finally:
                    database.drop()
    return results


def _line(row: dict) -> str:
    return (
        f"{row['backend']:<10} {row['devices']:>8,} {row['export_s']:>9.1f} "
        f"{row['floor_s']:>8.1f} {row['ratio']:>6.2f} {row['export_cpu']:>9.1f} "
        f"{row['floor_cpu']:>9.1f} {row['cpu_ratio']:>6.2f} {row['export_rss_mb']:>8.0f} "
        f"{row['file_mb']:>7.1f}"
    )


def table(results: list[dict]) -> str:
    lines = [
        "Export of the whole workbook (1,000 schools; each run in a fresh process)",
        "",
        f"{'backend':<10} {'devices':>8} {'export s':>9} {'floor s':>8} {'ratio':>6} "
        f"{'exp. CPU':>9} {'floor CPU':>9} {'ratio':>6} {'peak MB':>8} {'file MB':>7}",
    ]
    lines += [_line(row) for row in results]
    lines += [
        "",
        "s = wall-clock seconds, CPU = user+system seconds of the process (the database",
        "server's work on PostgreSQL is not in it); peak MB = the export process's peak RSS.",
        "targets: ratio <= 1.3, peak RSS < 150 MB",
        "",
        "Import of a devices file",
    ]
    lines.append("")
    lines.append(f"{'backend':<10} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'statements':>11}")
    for row in results:
        for rows in (SMALL_IMPORT_ROWS, IMPORT_ROWS):
            result = row.get(f"import_{rows}")
            if result is None:
                continue
            if "error" in result:
                lines.append(f"{row['backend']:<10} {rows:>8,} not measured: {result['error']}")
                continue
            lines.append(
                f"{row['backend']:<10} {rows:>8,} {result['seconds']:>8.1f} "
                f"{rows / result['seconds']:>8,.0f} {result['statements']:>11,}"
                + ("" if result.get("ok", True) else "  (import reported errors)")
            )
    lines += ["", "targets: >= 2,000 rows/s; statements not growing per row"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Subprocess entry points: print one JSON line.
    if argv and argv[0] == "build":
        build_city(argv[1], int(argv[2]))
        print(json.dumps({}))
        return 0
    if argv and argv[0] == "export":
        print(json.dumps(measure_export(argv[1], argv[2])))
        return 0
    if argv and argv[0] == "floor":
        print(json.dumps(measure_floor(argv[1], argv[2])))
        return 0
    if argv and argv[0] == "devices-file":
        write_devices_file(argv[1], argv[2], int(argv[3]))
        print(json.dumps({}))
        return 0
    if argv and argv[0] == "import":
        print(json.dumps(measure_import(argv[1], argv[2])))
        return 0

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(args.sizes, args.backends, args.postgres_url)
    print(table(results))
    print(f"\n(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Import benchmark: a whole `flask import devices FILE.xlsx` process at city scale.

    .venv/bin/python -m benchmarks.import_process [--rows 100000] [--backend sqlite|postgresql]

Builds a scratch city of 1,000 schools (benchmarks.excel.build_city, no devices), writes a
devices workbook of ROWS new devices as our templates name the columns, then, each in a
process of its own:

* import: `flask --app wsgi import devices FILE` end to end (start-up, reading, mapping,
  validation by the write services, writing, commit); wall seconds, CPU seconds, peak RSS;
* floor: python-calamine reading the same sheet into Python rows, nothing else.

Not a test; the targets (>= 5,000 rows/s, peak RSS < 200 MB) are printed with the figures.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.excel import DEFAULT_POSTGRES, ROOT, build_city, write_devices_file

FLOOR = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
rows = 0
for name in book.sheet_names:
    for row in book.get_sheet_by_name(name).iter_rows():
        rows += 1
print(rows)
"""


def _run(args: list[str], env: dict) -> dict:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    # Output to files, not pipes: a child that prints much (row errors) must not block on
    # a full pipe while this process waits for it.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out_file, stderr=err_file)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if status != 0:
        raise SystemExit(f"{args[:4]} failed ({status}):\n{out[-2000:]}\n{err[-2000:]}")
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "out": out.strip().splitlines()[-3:],
    }


def run(rows: int, backend: str, postgres_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="gs_bench_import_") as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'city.db'}"
            drop = None
        else:
            import uuid

            import sqlalchemy as sa

            name = f"gs_bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = sa.make_url(postgres_url).set(database=name).render_as_string(False)

            def drop():
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        try:
            build_city(url, 0)
            path = str(Path(tmp) / "devices.xlsx")
            write_devices_file(url, path, rows)
            env = {
                **os.environ,
                "FLASK_SQLALCHEMY_DATABASE_URI": url,
                "GUTE_SCHULE_INSTANCE": tmp,
            }
            floor = _run([sys.executable, "-c", FLOOR, path], env)
            flask = str(Path(sys.executable).parent / "flask")
            imported = _run([flask, "--app", "wsgi", "import", "devices", path], env)
        finally:
            if drop is not None:
                drop()
    return {"rows": rows, "backend": backend, "import": imported, "floor": floor}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    result = run(args.rows, args.backend, args.postgres_url)
    imp, floor = result["import"], result["floor"]
    print(f"backend {result['backend']}, {result['rows']:,} new devices in one .xlsx")
    print(
        f"flask import:  {imp['seconds']:6.1f} s wall, {imp['cpu']:6.1f} s CPU, "
        f"{imp['rss_mb']:5.0f} MB peak RSS, {result['rows'] / imp['seconds']:,.0f} rows/s "
        "(target >= 5,000 rows/s, < 200 MB)"
    )
    print(
        f"calamine read: {floor['seconds']:6.1f} s wall, {floor['cpu']:6.1f} s CPU, "
        f"{floor['rss_mb']:5.0f} MB peak RSS (parse-only floor); "
        f"import / floor = {imp['seconds'] / floor['seconds']:.1f}x"
    )
    print("flask import said:", *imp["out"], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())

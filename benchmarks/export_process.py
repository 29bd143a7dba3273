"""Export benchmark: a whole `flask export FILE.xlsx` process against a bare openpyxl dump.

    .venv/bin/python -m benchmarks.export_process [--devices 100000] [--repeat 2]
        [--profile FILE.prof]

Builds a scratch SQLite city of 1,000 schools with DEVICES devices (benchmarks.excel.
build_city, core INSERTs), then, each in a process of its own and alternating REPEAT
times (the best run of each counts; the machine is shared):

* export: `flask --app wsgi export FILE.xlsx` end to end: interpreter and app start-up,
  the queries, the cells, the zip, the audit entry; wall seconds, CPU seconds and peak
  RSS (os.wait4's rusage of that child alone);
* floor: a bare openpyxl write-only workbook of exactly the same cells (same sheets,
  values and number formats, bold header, frozen row; read back from the export
  beforehand and pickled), in a fresh interpreter: its wall seconds minus the time it
  spends unpickling its input, i.e. start-up, import of openpyxl and the writing.

--profile runs the export process once under cProfile and writes the stats there.
Not a test; the targets (ratio <= 1.3, peak RSS < 150 MB) are printed with the figures.
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.excel import ROOT

FLOOR = r"""
import pickle, sys, time
start = time.perf_counter()
with open(sys.argv[1], "rb") as fh:
    sheets = pickle.load(fh)
loaded = time.perf_counter() - start
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

workbook = Workbook(write_only=True)
bold = Font(bold=True)
for title, header, rows in sheets:
    ws = workbook.create_sheet(title)
    ws.freeze_panes = "A2"
    cells = []
    for value in header:
        cell = WriteOnlyCell(ws, value)
        cell.font = bold
        cells.append(cell)
    ws.append(cells)
    # One styled cell per column and format, refilled per row (as the export does).
    styled = {}
    for row in rows:
        values = []
        for index, (value, number_format) in enumerate(row):
            if number_format is None:
                values.append(value)
                continue
            cell = styled.get((index, number_format))
            if cell is None:
                cell = styled[(index, number_format)] = WriteOnlyCell(ws)
                cell.number_format = number_format
            cell.value = value
            values.append(cell)
        ws.append(values)
workbook.save(sys.argv[2])
print(loaded)
"""

TARGET_RATIO = 1.3
TARGET_RSS_MB = 150


def run_measured(args: list[str], env: dict) -> dict:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process (os.wait4's
    rusage of that child alone)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # The outputs are small (a line or two); a pipe cannot fill up before the child ends.
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    out, err = child.stdout.read().decode(), child.stderr.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"{args[:4]} failed:\n{out[-2000:]}\n{err[-2000:]}")
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "out": out.strip().splitlines(),
    }


def cells_of(path: Path) -> list:
    """[(title, header values, rows of (value, number format or None))] of a workbook."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheets = []
    for sheet in book:
        rows = sheet.iter_rows()
        header = [cell.value for cell in next(rows)]
        body = []
        for row in rows:
            body.append(
                [
                    (
                        cell.value,
                        None
                        if cell.value is None or cell.number_format == "General"
                        else cell.number_format,
                    )
                    for cell in row
                ]
            )
        sheets.append((sheet.title, header, body))
    book.close()
    return sheets


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "cells":  # a child: read the export back for the floor
        with open(argv[2], "wb") as fh:
            pickle.dump(cells_of(Path(argv[1])), fh, protocol=pickle.HIGHEST_PROTOCOL)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv)
    flask = str(Path(sys.executable).parent / "flask")
    with tempfile.TemporaryDirectory(prefix="gs_bench_export_") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'city.db'}"
        env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": url, "GUTE_SCHULE_INSTANCE": tmp}
        # This process stays small and imports no app: a child's peak RSS as wait4 reports
        # it can be its parent's (from before its exec), so the city is built and the
        # export read back in children of their own.
        here = [sys.executable, "-m"]
        started = time.perf_counter()
        run_measured([*here, "benchmarks.excel", "build", url, str(args.devices)], env)
        built = time.perf_counter() - started
        out = folder / "export.xlsx"
        export_args = [flask, "--app", "wsgi", "export", str(out)]
        if args.profile is not None:
            profiled = [sys.executable, "-m", "cProfile", "-o", str(args.profile), *export_args]
            result = run_measured(profiled, env)
            print(f"profiled export: {result['seconds']:.1f} s; stats in {args.profile}")
            return 0
        run_measured(export_args, env)  # the file the floor writes again
        started = time.perf_counter()
        cells = folder / "cells.pickle"
        run_measured([*here, "benchmarks.export_process", "cells", str(out), str(cells)], env)
        read_back = time.perf_counter() - started
        floor_args = [sys.executable, "-c", FLOOR, str(cells), str(folder / "floor.xlsx")]
        exports, floors = [], []
        for _round in range(args.repeat):
            exports.append(run_measured(export_args, env))
            floor = run_measured(floor_args, env)
            floor["load"] = float(floor["out"][-1])
            floor["seconds"] -= floor["load"]
            floors.append(floor)
        size_mb = out.stat().st_size / 2**20
    export = min(exports, key=lambda r: r["seconds"])
    floor = min(floors, key=lambda r: r["seconds"])
    print(
        f"SQLite, 1,000 schools, {args.devices:,} devices (built in {built:.0f} s, "
        f"read back for the floor in {read_back:.0f} s); workbook {size_mb:.1f} MB; "
        f"best of {args.repeat}, each a fresh process"
    )
    print(
        f"flask export:  {export['seconds']:6.1f} s wall, {export['cpu']:6.1f} s CPU, "
        f"{export['rss_mb']:5.0f} MB peak RSS (target < {TARGET_RSS_MB} MB)"
    )
    print(
        f"openpyxl dump: {floor['seconds']:6.1f} s wall, {floor['cpu'] - floor['load']:6.1f} s "
        f"CPU (less {floor['load']:.1f} s unpickling its input)"
    )
    print(
        f"ratio {export['seconds'] / floor['seconds']:.2f}x wall, "
        f"{export['cpu'] / (floor['cpu'] - floor['load']):.2f}x CPU "
        f"(target <= {TARGET_RATIO}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

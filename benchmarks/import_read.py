"""Benchmark of the import's read stage: files to typed rows, nothing else.

    .venv/bin/python -m benchmarks.import_read [--rows 100000]

Writes a devices workbook of N rows (openpyxl, inline strings, typed numbers and dates)
and the same table as .ods (content.xml written directly), then measures, each in a
fresh subprocess (seconds wall clock, peak RSS of that process):

* calamine: python-calamine reading the sheet into Python lists, nothing else: the
  floor a whole import is compared against;
* openpyxl: the old reader, openpyxl read-only iter_rows(values_only=True);
* guards: inventory.import_guards alone (zip, XML and extent checks);
* read_sheets: what the importer calls (guards, calamine, typed values);
* hostile files: how fast read_sheets refuses a million blank rows, cells in far
  corners and an .ods row repeated a million times.

Not a test; figures for the lead's comparison. The machine is shared: run it twice.
"""

import argparse
import datetime as dt
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "school_number",
    "inventory_number",
    "category",
    "manufacturer",
    "model",
    "serial_number",
    "status",
    "room",
    "learning_level",
    "purchase_date",
    "price",
    "funding",
    "warranty_until",
    "notes",
]


def device_rows(count: int):
    rng = random.Random(2026)
    for number in range(count):
        yield [
            f"{100000 + number % 1000}",
            f"INV-{number:06d}",
            rng.choice(["Tablet", "Laptop", "Beamer", "Drucker"]),
            rng.choice(["Apple", "Lenovo", "Dell"]),
            "iPad 10",
            f"SN{number:08d}",
            "In Betrieb",
            f"A{number % 40}",
            "sek1",
            dt.date(2024, 1, 1) + dt.timedelta(days=number % 700),
            round(rng.uniform(100, 2000), 3),
            "DigitalPakt Schule",
            dt.date(2028, 7, 31),
            "Notiz äöü" if number % 3 == 0 else None,
        ]


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Geräte")
    sheet.append(HEADERS)
    for row in device_rows(rows):
        sheet.append(row)
    workbook.save(path)


def _ods_cell(value) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
        "</text:p></table:table-cell>"
    )


ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Geräte">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def write_ods(path: Path, rows: int, extra: str = "") -> None:
    lines = [ODS_HEAD, "<table:table-row>"]
    lines += [_ods_cell(header) for header in HEADERS]
    lines.append("</table:table-row>")
    for row in device_rows(rows):
        lines.append("<table:table-row>" + "".join(map(_ods_cell, row)) + "</table:table-row>")
    lines += [extra, ODS_TAIL]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "".join(lines))
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )


def _with_sheet_rows(source: Path, target: Path, rows_xml: bytes) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", rows_xml + b"</sheetData>")
            new.writestr(item.filename, content)


def write_hostile(folder: Path) -> dict[str, Path]:
    small = folder / "small.xlsx"
    write_xlsx(small, 2)
    files = {}
    blank = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>' % (n, n)
        for n in range(4, 1_000_004)
    )
    files["a million blank rows (.xlsx)"] = folder / "blank.xlsx"
    _with_sheet_rows(small, files["a million blank rows (.xlsx)"], blank)
    corner = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    files["cells at A1 and XFD1048576 (.xlsx)"] = folder / "corners.xlsx"
    _with_sheet_rows(small, files["cells at A1 and XFD1048576 (.xlsx)"], corner)
    files["a row repeated a million times (.ods)"] = folder / "repeat.ods"
    write_ods(
        files["a row repeated a million times (.ods)"],
        2,
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string" table:number-columns-repeated="20"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>",
    )
    return files


# --- the measurements (each in a child process) ------------------------------------------


def _child(mode: str, path: str) -> dict:
    data = Path(path).read_bytes()
    start = time.perf_counter()
    rows, outcome = 0, "read"
    if mode == "calamine":
        from python_calamine import CalamineWorkbook

        rows = len(CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())
    elif mode == "openpyxl":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
    elif mode == "guards":
        from inventory.import_guards import Limits
        from inventory.import_ods_guard import inspect_ods
        from inventory.import_xlsx_guard import inspect_xlsx

        inspect = inspect_ods if path.endswith(".ods") else inspect_xlsx
        inspect(data, Limits(max_rows=100_000))
    else:
        from inventory.import_readers import ImportFileError, read_sheets

        try:
            rows = sum(len(sheet.rows) for sheet in read_sheets(data, path, 100_000))
        except ImportFileError as exc:
            outcome = f"refused: {exc}"
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_mb": peak_rss_mb(), "rows": rows, "outcome": outcome}


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_read", "--child", mode, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _line(label: str, figures: dict) -> str:
    return (
        f"  {label:<44} {figures['seconds']:7.2f} s   peak RSS {figures['rss_mb']:6.0f} MB"
        f"   {figures['rows']:>7} rows   {figures['outcome'][:70]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="gs_bench_read_") as folder:
        folder = Path(folder)
        xlsx, ods = folder / "devices.xlsx", folder / "devices.ods"
        write_xlsx(xlsx, args.rows)
        write_ods(ods, args.rows)
        print(f"devices workbook: {args.rows:,} rows, {xlsx.stat().st_size / 1e6:.1f} MB .xlsx")
        for mode in ("calamine", "openpyxl", "guards", "read_sheets"):
            print(_line(f"{mode} (.xlsx)", measure(mode, xlsx)))
        print(f"the same as .ods, {ods.stat().st_size / 1e6:.1f} MB")
        for mode in ("calamine", "guards", "read_sheets"):
            print(_line(f"{mode} (.ods)", measure(mode, ods)))
        print("hostile files through read_sheets")
        for label, path in write_hostile(folder).items():
            print(_line(label, measure("read_sheets", path)))


if __name__ == "__main__":
    main()

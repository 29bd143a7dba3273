"""Label benchmark: the PDF of N inventory labels, first print and reprint.

    .venv/bin/python -m benchmarks.labels [--sizes 24 240 1000] [--layout 70x37]

For each N it renders N labels (inventory/labels.py, no database: the labels are made
up) twice: the first print encodes every QR code (segno's search for the best mask is
most of the time), the reprint finds them in the process's cache. It prints seconds,
labels per second, pages and the PDF's size. Not a test.
"""

import argparse
import time

from app import create_app
from inventory import labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 240, 1000])
    parser.add_argument("--layout", choices=list(labels.LAYOUTS), default=labels.DEFAULT_LAYOUT)
    args = parser.parse_args()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "BASE_URL": "https://gute-schule.bochum.de"}
    )
    sheet = labels.LAYOUTS[args.layout]
    print(f"layout {sheet.code} ({sheet.product}, {sheet.per_sheet} per sheet)")
    print(f"{'labels':>7} {'run':>8} {'seconds':>8} {'labels/s':>9} {'pages':>6} {'KB':>7}")
    with app.test_request_context():
        for size in args.sizes:
            batch = [
                labels.Label(
                    inventory_number=f"BO-{size}-{index:05d}",
                    url=labels.device_url(f"BO-{size}-{index:05d}"),
                    school="171001 Städt. Gem. Grundschule Am Hang",
                    room=f"A {index % 40}",
                )
                for index in range(size)
            ]
            for run in ("first", "reprint"):
                started = time.perf_counter()
                pdf = labels.render(batch, sheet)
                seconds = time.perf_counter() - started
                pages = -(-size // sheet.per_sheet)
                print(
                    f"{size:>7} {run:>8} {seconds:>8.2f} {size / seconds:>9.0f} "
                    f"{pages:>6} {len(pdf) / 1024:>7.0f}"
                )


if __name__ == "__main__":
    main()

"""API benchmark: a list page deep inside a 10,000-device school against /healthz.

    .venv/bin/python -m benchmarks.api_pages [--devices 10000] [--page 100] [--repeat 300]
        [--profile]

Builds a scratch SQLite database (migrated, one school with a second site, a department
user with an API token) and puts DEVICES devices into the school through the write
service's batched path (inventory.service.bulk_create, as the import does). Then, in this
one process and through Flask's test client (no sockets: the figures are the app's own
time, request parsing to response body, with every hook, the token check and the rate
limiter on), it alternates GET /healthz and
GET /api/v1/schools/<n>/devices?page=PAGE REPEAT times each and prints the median of
each and their ratio. --profile prints where the API page's time goes (cProfile).

Not a test; the target (the deep page within 3x of /healthz) is printed with the figures.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

CATEGORIES = ["laptop", "tablet", "desktop", "interactive_display", "projector", "printer"]
TARGET = 3.0


def build(url: str, devices: int, limiter: bool = True):
    """The scratch database; returns (app, school number, bearer token)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.saving import saving
    from app.users import ApiToken, User
    from inventory import service
    from schools.service import create_school, create_site

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmark",
            # The limiter stays on (its cost is part of every API request), but high enough
            # for the repetitions.
            "API_RATE_LIMIT": "1000000 per minute",
            "RATELIMIT_ENABLED": limiter,
        }
    )
    with app.app_context():
        upgrade()
        with saving():
            school = create_school(
                {
                    "school_number": "171001",
                    "name": "Benchmark-Gymnasium",
                    "school_form": "gymnasium",
                    "students": 900,
                    "classes": 36,
                }
            )
            annex = create_site(school, {"name": "Nebenstelle"})
            rows = []
            for n in range(devices):
                values = {
                    "inventory_number": f"B{n:07d}",
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "manufacturer": "Lenovo",
                    "model": "ThinkPad L13",
                    "serial_number": f"SN{n:09d}",
                    "status": "in_use" if n % 10 else "spare",
                    "room": f"R{n % 300:03d}",
                    "learning_level": "sek1",
                    "purchase_date": dt.date(2024, 1, 1) + dt.timedelta(days=n % 700),
                    "price": Decimal("399.00") + n % 100,
                    "funding": "digitalpakt",
                    "site": annex.id if n % 3 == 0 else None,
                    "notes": "Benchmark",
                }
                rows.append((school, service.clean_record("devices", school, values)))
            service.bulk_create("devices", rows)
            user = User(email="abteilung@stadt.example.org", role="department")
            user.set_password("benchmark password")
            db.session.add(user)
            _token, plain = ApiToken.issue(user, "benchmark")
        number = school.school_number
    return app, number, plain


def measure(app, paths: dict[str, str], headers: dict, repeat: int) -> dict[str, list]:
    """Wall and CPU seconds (of this thread: what the machine's other work does not
    inflate) of each request, alternating between the paths."""
    client = app.test_client()
    times: dict[str, list] = {name: [] for name in paths}
    for path in paths.values():  # warm up
        for _ in range(20):
            assert client.get(path, headers=headers).status_code == 200, path
    for _ in range(repeat):
        for name, path in paths.items():
            start, cpu = time.perf_counter(), time.thread_time()
            response = client.get(path, headers=headers)
            times[name].append((time.perf_counter() - start, time.thread_time() - cpu))
            assert response.status_code == 200, (path, response.status_code)
    return times


def profile(app, path: str, headers: dict, repeat: int) -> None:
    client = app.test_client()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path, headers=headers)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--no-limiter",
        action="store_true",
        help="rate limiter off (its memory storage starts a timer thread per request, "
        "which waits for the scheduler on a loaded machine)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gs_bench_api_") as tmp:
        os.environ["GUTE_SCHULE_INSTANCE"] = tmp
        started = time.perf_counter()
        app, number, token = build(
            f"sqlite:///{Path(tmp) / 'api.db'}", args.devices, limiter=not args.no_limiter
        )
        built = time.perf_counter() - started
        headers = {"Authorization": f"Bearer {token}"}
        deep = f"/api/v1/schools/{number}/devices?page={args.page}"
        paths = {"healthz": "/healthz", "deep page": deep}
        if args.profile:
            profile(app, deep, headers, args.repeat)
            return 0
        with app.app_context():
            body = app.test_client().get(deep, headers=headers).get_json()
        times = measure(app, paths, headers, args.repeat)
    print(
        f"SQLite, {args.devices:,} devices in one school (built in {built:.1f} s), Flask test "
        f"client in this process, {args.repeat} alternating requests each, rate limiter "
        f"{'off' if args.no_limiter else 'on'}, medians:"
    )
    print(f"  {'':41} {'wall ms':>8} {'CPU ms':>8}")
    medians = {}
    for name, path in paths.items():
        wall = statistics.median(t[0] for t in times[name])
        cpu = statistics.median(t[1] for t in times[name])
        medians[name] = (wall, cpu)
        print(f"  GET {path.removeprefix('/api/v1'):<37} {wall * 1000:8.2f} {cpu * 1000:8.2f}")
    print(f"  ({len(body['items'])} items of {body['total']:,} on the deep page)")
    (wall_h, cpu_h), (wall_p, cpu_p) = medians["healthz"], medians["deep page"]
    print(
        f"  ratio deep page / healthz: {wall_p / wall_h:.1f}x wall, {cpu_p / cpu_h:.1f}x CPU "
        f"(target <= {TARGET:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

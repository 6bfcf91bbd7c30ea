"""Time HR's pages on a generated company (bench/generate.py): dashboard, grid, CSV export.

    python bench/hr_bench.py --database-url sqlite:///bench/data/bench.sqlite [--runs 10]

One request at a time in this process (no server): the page's own cost, median and worst,
and the process's peak resident memory so far (the pages run in the order listed).
Target (issue #6): the HR dashboard for 20,000 employees under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from ideahub import create_app  # noqa: E402
from ideahub.extensions import db  # noqa: E402
from ideahub.models import User, UserRole  # noqa: E402

PAGES = {
    "hr_dashboard": "/hr/",
    "hr_people": "/hr/people",
    "hr_people_overdue": "/hr/people?status=overdue",
    "hr_export_csv": "/hr/export.csv",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "IDEAHUB_ENV": "development",
            "WTF_CSRF_ENABLED": False,
            "SEARCH_INDEX_ON_COMMIT": False,
        }
    )
    results: dict[str, dict[str, float]] = {}
    with app.app_context():
        hr = db.session.scalar(sa.select(User).join(UserRole).where(UserRole.role == "hr").limit(1))
        people = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        assert hr is not None, "no HR account: generate the data with bench/generate.py"
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = hr.get_id()
            session["_fresh"] = True
        for name, url in PAGES.items():
            times = []
            for _ in range(args.runs + 1):
                started = time.perf_counter()
                response = client.get(url, buffered=True)  # the whole download
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times = times[1:]  # the first request warms the process up
            results[name] = {
                "p50_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "bytes": len(response.data),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
            print(
                f"{name:<20} p50 {results[name]['p50_ms']:>8.1f} ms  max {results[name]['max_ms']:>8.1f} ms"
                f"  peak RSS {results[name]['peak_rss_mb']} MB"
            )
    print(json.dumps({"users": people, "pages": results}))


if __name__ == "__main__":
    main()

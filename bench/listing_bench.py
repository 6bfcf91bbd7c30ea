"""The search page's listing by filters alone (no words): p50/max per filter, first and deep page.

    python bench/listing_bench.py --database-url sqlite:////abs/bench.sqlite3

Calls the search service in one process, as a web worker does, after a warm-up; the index
is not used (with no words the database lists). Prints and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def biggest_campaign(db: Any) -> int:
    """The campaign with the most ideas (search_bench.py's filters use it too)."""
    from sqlalchemy import func

    from ideahub.models import Idea

    return int(
        db.session.execute(
            db.select(Idea.campaign_id, func.count())
            .group_by(Idea.campaign_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()[0]
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import func

    from ideahub import create_app
    from ideahub.clock import day_of
    from ideahub.extensions import db
    from ideahub.models import Department, Idea, User
    from ideahub.permissions import can_manage_campaigns
    from ideahub.search.services import SearchFilters, search

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "IDEAHUB_ENV": "development"})
    with app.test_request_context():
        viewer = next(  # an employee: draft campaigns are left out, as for most readers
            u
            for u in db.session.scalars(db.select(User).order_by(User.id).limit(50))
            if not can_manage_campaigns(u)
        )
        biggest = biggest_campaign(db)
        department = db.session.scalar(db.select(Department.id).order_by(Department.id))
        newest = db.session.scalar(db.select(func.max(Idea.created_at)))
        last = day_of(newest)
        month = {"date_from": last - timedelta(days=30), "date_to": last}
        cases = {
            "all kinds, since 2000": SearchFilters(date_from=last.replace(year=2000)),
            "ideas": SearchFilters(kind="idea"),
            "comments": SearchFilters(kind="comment"),
            "shortlisted ideas": SearchFilters(kind="idea", status="shortlisted"),
            "selected (rare), all kinds": SearchFilters(status="selected"),
            "biggest campaign, all kinds": SearchFilters(campaign_id=biggest),
            "one department's comments": SearchFilters(kind="comment", department_id=department),
            "last 30 days, all kinds": SearchFilters(**month),
            "campaigns": SearchFilters(kind="campaign"),
        }
        for filters in cases.values():  # warm-up
            search(viewer, "", filters)
        per_case: dict[str, dict[str, float]] = {}
        for name, filters in cases.items():
            for page in (1, 50):
                timings = []
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    found = search(viewer, "", filters, page=page)
                    timings.append((time.perf_counter() - start) * 1000)
                    db.session.rollback()  # each its own transaction, as in a request
                per_case[f"{name}, page {page}"] = {
                    "p50_ms": round(statistics.median(timings), 2),
                    "max_ms": round(max(timings), 2),
                    "hits": len(found.hits),
                }
    engine = args.database_url.split(":", 1)[0]
    width = max(len(name) for name in per_case)
    for name, figures in per_case.items():
        print(f"{name:<{width}}  p50 {figures['p50_ms']:8.2f} ms  max {figures['max_ms']:8.2f} ms")
    out = os.path.join(ROOT, "bench", "results", f"listing-{engine}-{int(time.time())}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"database": engine, "rounds": args.rounds, "cases": per_case}, f, indent=2)
    print("written", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every page that answers GET, timed once at full data size, for each kind of reader.

    python bench/route_costs.py --database-url URL [--index-dir DIR] [--over 100]

The load benchmark (run.py) and page_costs.py time the pages of the load mix; this finds
the others that grow with the data: each GET route, filled in with the biggest thing of its
kind (the campaign with the most ideas, the idea with the longest discussion, the person with
the most ideas, the largest department...), requested by an admin, HR, an expert and an
employee, through Flask's test client in one process. Prints each route's status, its first
(cold) time and the best of three warm ones, slowest first, and marks those over --over ms.
Writes JSON to bench/results/; exits 1 if a page fails with a server error. Nothing is
changed: only GET requests are made.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from run import app_environment, sign_in_client, write_results  # noqa: E402

# The biggest of each kind, by what makes its pages grow. Each query gives one id.
BIGGEST = {
    "campaign_id": "SELECT id FROM campaigns ORDER BY idea_count DESC, id LIMIT 1",
    "idea_id": "SELECT id FROM ideas ORDER BY comment_count DESC, id LIMIT 1",
    "user_id": "SELECT author_id FROM ideas GROUP BY author_id ORDER BY count(*) DESC LIMIT 1",
    "department_id": (
        "SELECT department_id FROM users WHERE department_id IS NOT NULL "
        "GROUP BY department_id ORDER BY count(*) DESC LIMIT 1"
    ),
    "comment_id": "SELECT max(id) FROM comments",
    "attachment_id": "SELECT min(id) FROM attachments",
    "guideline_id": (
        "SELECT guideline_id FROM guideline_versions GROUP BY guideline_id "
        "ORDER BY count(*) DESC LIMIT 1"
    ),
    "module_id": "SELECT min(id) FROM training_modules",
    "material_id": "SELECT min(id) FROM training_attachments",
    "attempt_id": "SELECT min(id) FROM training_attempts",
}
# Readers: the generator makes the first person an admin, the second HR, the next 48 experts.
READERS = {"admin": 0, "hr": 1, "expert": 2, "employee": 60}
# Query strings for the pages that list or search: each is requested.
QUERIES = {
    "/search": ["?q=customer", "?q=customer&kind=comment", "?q=kiosk+solar&kind=idea&status=new"],
    "/search/similar": ["?title=Better+customer+onboarding"],
    "/campaigns/<int:campaign_id>": ["", "?sort=newest&page=200"],
}
SKIPPED = {"static", "auth.reset_password", "auth.login", "auth.forgot_password"}


def biggest(database_url: str) -> dict[str, Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    found: dict[str, Any] = {}
    with engine.connect() as c:
        for name, sql in BIGGEST.items():
            try:
                found[name] = c.execute(sa.text(sql)).scalar()
            except sa.exc.DBAPIError:  # a table this version does not have
                c.rollback()
                found[name] = None
        emails = {
            role: c.execute(
                sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET :n"), {"n": n}
            ).scalar()
            for role, n in READERS.items()
        }
    engine.dispose()
    return {"ids": found, "emails": emails}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--index-dir", default=None, help="a built search index (ideahub reindex)")
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument("--over", type=float, default=100.0, help="mark pages slower than this")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    index_dir = args.index_dir or tempfile.mkdtemp(prefix="ideahub-routes-")
    os.environ.update(app_environment(args.database_url, index_dir))
    from ideahub import create_app

    targets = biggest(args.database_url)
    app = create_app()
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())),
        key=lambda r: r.rule,
    )
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "database": args.database_url.split(":")[0],
        "targets": targets,
        "pages": [],
    }
    for role, email in targets["emails"].items():
        client = sign_in_client(app.test_client(), email, args.password)
        for rule in rules:
            if rule.endpoint in SKIPPED:
                continue
            values = {name: targets["ids"].get(name) for name in rule.arguments}
            if any(v is None for v in values.values()):
                continue  # nothing of that kind in this database
            with app.test_request_context():
                from flask import url_for

                path = url_for(rule.endpoint, **values)
            for query in QUERIES.get(rule.rule, [""]):
                results["pages"].append(time_page(client, role, path + query))
    failed = [p for p in results["pages"] if p["status"] >= 500]
    for page in sorted(results["pages"], key=lambda p: -p["best_ms"]):
        mark = "  <-- over" if page["best_ms"] > args.over else ""
        print(
            f"{page['best_ms']:>9.1f} ms  first {page['first_ms']:>9.1f} ms  {page['status']}"
            f"  {page['role']:<8} {page['url']}{mark}"
        )
    write_results(results, args.out, "route-costs")
    if failed:
        print(f"{len(failed)} page(s) failed with a server error; the log above says why")
    return 1 if failed else 0


def time_page(client: Any, role: str, url: str) -> dict[str, Any]:
    """One page: its status, its first time and the best of three more."""
    start = time.perf_counter()
    status = client.get(url).status_code
    first = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(3 if first < 5000 else 0):
        start = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - start) * 1000)
    best = min(warm) if warm else first
    return {
        "role": role,
        "url": url,
        "status": status,
        "first_ms": round(first, 1),
        "best_ms": round(best, 1),
    }


if __name__ == "__main__":
    sys.exit(main())

"""Search latency at scale: p50/p99 over a fixed list of English and Chinese queries.

    python bench/search_bench.py --database-url sqlite:////abs/bench.sqlite3 --index-dir DIR

Runs in one process the way a web worker does (one searcher kept open, the change log
checked before each query), after a warm-up; prints and writes JSON to bench/results/.
Build the index first with `ideahub reindex` (its time is the build figure). Then three
words with each of five filters: time, and how many were found ("partial": the time budget
ran out first).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

QUERIES = [
    # common words (many hits), rarer words, two-word, Chinese, mixed, typed-by-accident syntax
    "customer",
    "service",
    "energy saving",
    "logistics returns",
    "dashboard",
    "training onboarding",
    "warehouse",
    "mobile app",
    "quality supplier",
    "social media campaign",
    "客户",
    "服务",
    "节能",
    "物流 退货",
    "自助 门店",
    "培训",
    "社交媒体",
    "会员 结账",
    "客户 service",
    "AI 自动化",
    '"unbalanced',
    "title:(",
    "self-service",
]
# Words with each filter (the biggest campaign, a department, a day, a month, a year of the
# newest ideas): a filter is matched as the words' matches come, never listed first.
FILTERED_WORDS = ["customer", "物流", "warehouse delivery"]


def filtered_cases(db: Any) -> dict[str, Any]:
    """The filters FILTERED_WORDS are searched with, chosen from the data."""
    from datetime import timedelta

    from listing_bench import biggest_campaign  # this script's folder is on the path
    from sqlalchemy import func

    from ideahub.clock import day_of
    from ideahub.models import Idea
    from ideahub.search.services import SearchFilters

    biggest = biggest_campaign(db)
    department = db.session.scalar(db.select(func.min(Idea.department_id)))
    last = day_of(db.session.scalar(db.select(func.max(Idea.created_at))))
    day = last - timedelta(days=1)
    return {
        "biggest campaign": SearchFilters(campaign_id=biggest),
        "a department": SearchFilters(department_id=department),
        "a day": SearchFilters(date_from=day, date_to=day),
        "a month": SearchFilters(
            date_from=last - timedelta(days=60), date_to=last - timedelta(days=30)
        ),
        "a year": SearchFilters(date_from=last - timedelta(days=365), date_to=last),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--index-dir", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from ideahub import create_app
    from ideahub.extensions import db
    from ideahub.models import User
    from ideahub.search import engine, services
    from ideahub.search.services import SearchFilters, search

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SEARCH_INDEX_DIR": args.index_dir,
            "IDEAHUB_ENV": "development",
        }
    )

    def cold() -> None:
        """Forget the results and the searcher's rankings: the next search ranks anew."""
        services._cache.clear()
        vars(engine.searcher(args.index_dir)).pop("ideahub_rankings", None)

    with app.test_request_context():
        viewer = db.session.scalar(db.select(User).order_by(User.id).offset(5).limit(1))
        for q in QUERIES:  # warm-up: analyzer, searcher, OS cache
            search(viewer, q, SearchFilters())
        # As gunicorn.conf.py does before forking a worker: what is loaded (the app, its
        # caches) is left out of garbage collections, which otherwise took tens of
        # milliseconds each and landed in the slowest queries (with Python's jieba loaded).
        gc.freeze()
        timings: list[float] = []  # cold: the result cache emptied before every query
        warm: list[float] = []  # hot queries: answered from the result cache
        per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
        totals: dict[str, int] = {}
        for _ in range(args.rounds):
            for q in QUERIES:
                cold()
                start = time.perf_counter()
                found = search(viewer, q, SearchFilters())
                elapsed = (time.perf_counter() - start) * 1000
                timings.append(elapsed)
                per_query[q].append(elapsed)
                totals[q] = len(found.hits)
                start = time.perf_counter()
                search(viewer, q, SearchFilters())
                warm.append((time.perf_counter() - start) * 1000)
        filtered = filtered_cases(db)
        by_filter: dict[str, list[float]] = {name: [] for name in filtered}
        found_by_filter: dict[str, list[str]] = {name: [] for name in filtered}
        for _ in range(max(1, args.rounds // 4)):
            for name, filters in filtered.items():
                for q in FILTERED_WORDS:
                    cold()
                    start = time.perf_counter()
                    found = search(viewer, q, filters)
                    by_filter[name].append((time.perf_counter() - start) * 1000)
                    found_by_filter[name].append(
                        f"{q}: {len(found.hits)}{' partial' if found.partial else ''}"
                    )
    timings.sort()
    warm.sort()
    result = {
        "queries": len(QUERIES),
        "rounds": args.rounds,
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "cached_p50_ms": round(statistics.median(warm), 3),
        "cached_p99_ms": round(warm[int(len(warm) * 0.99) - 1], 3),
        "per_query_p50_ms": {q: round(statistics.median(v), 2) for q, v in per_query.items()},
        "hits": totals,
        "filtered_p50_ms": {k: round(statistics.median(v), 2) for k, v in by_filter.items()},
        "filtered_max_ms": {k: round(max(v), 2) for k, v in by_filter.items()},
        "filtered_hits": {k: sorted(set(v)) for k, v in found_by_filter.items()},
    }
    print(
        json.dumps(
            {
                k: result[k]
                for k in (
                    "queries",
                    "rounds",
                    "p50_ms",
                    "p99_ms",
                    "max_ms",
                    "cached_p50_ms",
                    "cached_p99_ms",
                )
            }
        )
    )
    for name in result["filtered_p50_ms"]:
        print(
            f"{name:<18} p50 {result['filtered_p50_ms'][name]:>6.1f} ms"
            f"  max {result['filtered_max_ms'][name]:>6.1f} ms  {result['filtered_hits'][name]}"
        )
    slow = sorted(result["per_query_p50_ms"].items(), key=lambda kv: -kv[1])[:5]
    print("slowest (p50 ms):", slow)
    out = os.path.join(ROOT, "bench", "results", f"search-{int(time.time())}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
    print("written", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

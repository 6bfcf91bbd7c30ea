"""What each page costs in one process, one request at a time: no server, no network.

    python bench/page_costs.py --database-url sqlite:////abs/path/bench.sqlite3 [--rounds 200]
        [--index-dir bench/data/search-index]

Signs in through the app's own sign-in form with Flask's test client (as an employee, or
--email someone) and times the pages of the load benchmark, plus a signed-in request that
renders nothing (a route added here only): the floor every page pays for the session, the
user and the request hooks; with --index-dir, the search too. Writes JSON to
bench/results/. Use it to see where a change helps before a load run (bench/run.py); the
vote toggles on one idea and leaves it as found.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from run import (  # noqa: E402
    SEARCH_WORDS,
    app_environment,
    pick_targets,
    sign_in_client,
    write_results,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument("--email", default=None, help="sign in as this person instead")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--index-dir",
        default=None,
        help="the search index (ideahub reindex); without it, no search",
    )
    parser.add_argument("--out", default=None)
    parser.add_argument(
        "--profile", metavar="PAGE", help="time only this page, under cProfile, and print where"
    )
    args = parser.parse_args()

    index_dir = args.index_dir or tempfile.mkdtemp(prefix="ideahub-page-costs-")
    os.environ.update(app_environment(args.database_url, index_dir))
    from flask_login import login_required

    from ideahub import create_app

    targets = pick_targets(args.database_url)
    app = create_app()

    @login_required
    def signed_in_nothing() -> str:
        return "ok"

    app.add_url_rule("/_bench/nothing", "bench_nothing", signed_in_nothing)

    email = args.email or str(targets["email"])
    client = sign_in_client(app.test_client(), email, args.password)
    home = client.get("/").get_data(as_text=True)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', home)
    assert csrf

    c = targets["campaign"]
    vote_url = f"/ideas/{targets['vote_idea']}/vote"
    headers = {"X-CSRFToken": csrf.group(1), "HX-Request": "true"}
    toggle = {"n": 0}

    def vote() -> int:
        toggle["n"] += 1
        data = {"value": str(toggle["n"] % 2)}
        return client.post(vote_url, data=data, headers=headers).status_code

    def newest_comment() -> int:
        found = client.get(f"/comments/{targets['longest_newest_comment']}")
        assert found.status_code == 302, found.status_code
        return client.get(found.location).status_code

    pages = {
        "signed_in_nothing": lambda: client.get("/_bench/nothing").status_code,
        "home": lambda: client.get("/").status_code,
        "campaign_top": lambda: client.get(f"/campaigns/{c}?sort=top").status_code,
        "campaign_newest": lambda: client.get(f"/campaigns/{c}?sort=newest").status_code,
        "idea_200_comments": lambda: client.get(f"/ideas/{targets['idea200']}").status_code,
        # The longest discussion (64,075 comments at full size): its first page, and the
        # link to its newest comment followed to the last page.
        "longest_first_page": lambda: client.get(f"/ideas/{targets['longest']}").status_code,
        "longest_newest": newest_comment,
        "vote_toggle": vote,
    }
    if args.index_dir:  # the load benchmark's searches, in turn (cached after the first)
        words = iter(itertools.cycle(SEARCH_WORDS))
        pages["search"] = lambda: client.get("/search", query_string={"q": next(words)}).status_code
    results: dict[str, object] = {
        "started_at": datetime.now(UTC).isoformat(),
        "database": args.database_url.split(":")[0],
        "email": email,
        "rounds": args.rounds,
        "targets": targets,
        "pages": {},
    }
    if args.profile:
        return profile(pages[args.profile], args.rounds)
    for name, request in pages.items():
        start = time.perf_counter()
        assert request() == 200, name
        first_ms = (time.perf_counter() - start) * 1000  # nothing of it rendered yet
        for _ in range(9):  # warm: caches, prepared statements, the index opened
            assert request() == 200, name
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            request()
            times.append((time.perf_counter() - start) * 1000)
        figures = {
            "first_ms": round(first_ms, 1),
            "mean_ms": round(statistics.fmean(times), 2),
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(statistics.quantiles(times, n=100)[98], 2),
        }
        results["pages"][name] = figures  # type: ignore[index]
        print(
            f"{name:<18} first {first_ms:>7.1f} ms  mean {figures['mean_ms']:>6.2f} ms"
            f"  p50 {figures['p50_ms']:>6.2f} ms  p99 {figures['p99_ms']:>6.2f} ms"
        )
    if toggle["n"] % 2:  # leave the vote as it was found
        vote()
    write_results(results, args.out, "page-costs")
    return 0


def profile(request: Callable[[], int], rounds: int) -> int:
    """Where one page's time goes, warm, over `rounds` requests: the functions taking the
    most time of their own, and the most with what they call."""
    for _ in range(10):
        assert request() == 200
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        request()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        pstats.Stats(profiler).strip_dirs().sort_stats(order).print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

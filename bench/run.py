"""Load benchmark: IdeaHub and a minimal Flask app under identical gunicorn settings, side by side.

    python bench/run.py --database-url sqlite:////abs/path/bench.sqlite3 [--duration 10]

Starts both on 127.0.0.1 (2 workers each, as for this 2-core machine; IdeaHub as
bench_wsgi.py serves it, with a signed-in route that renders nothing: the floor every page
pays, measured as a phase of its own), signs in, drives each endpoint with wrk (16 connections, one phase per endpoint, each bounded in time), prints
requests/s, p50 and p99 and the ratios to the ceiling's and the floor's requests/s, checks votes and counts
after the run, reads each worker's memory, writes JSON to bench/results/, and stops every
process it started. Loopback only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
sys.path.insert(0, ROOT)

SEARCH_WORDS = [
    "customer",
    "energy",
    "logistics",
    "training",
    "客户",
    "物流",
    "节能",
    "培训",
    "service",
    "dashboard",
    "退货 自助",
    "warehouse delivery",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def start_gunicorn(
    module: str, port: int, env: dict[str, str], cwd: str, config: str | None
) -> subprocess.Popen:
    args = [os.path.join(VENV_BIN, "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--preload"]
    if config:
        args += ["-c", config]
    args.append(module)
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # noqa: S603
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def worker_memory_mb(master_pid: int) -> list[dict[str, float]]:
    """Each worker's memory: resident (RSS), its own pages (USS: what it alone costs),
    its fair share of pages shared with the master and the other worker (PSS), and the
    anonymous part of RSS (heap, not files mapped from disk such as the search index)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
            if not re.search(rf"^PPid:\s+{master_pid}$", status, re.M):
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                rollup = f.read()
        except OSError:
            continue

        def kb(text: str, label: str) -> int:
            m = re.search(rf"^{label}:\s+(\d+) kB", text, re.M)
            return int(m.group(1)) if m else 0

        private = kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty")
        out.append(
            {
                "rss": round(kb(status, "VmRSS") / 1024, 1),
                "uss": round(private / 1024, 1),
                "pss": round(kb(rollup, "Pss") / 1024, 1),
                "rss_anon": round(kb(status, "RssAnon") / 1024, 1),
                "rss_file": round(kb(status, "RssFile") / 1024, 1),
            }
        )
    return out


def app_environment(database_url: str, index_dir: str) -> dict[str, str]:
    """The settings every benchmark runs IdeaHub with: production, over plain HTTP."""
    return {
        "IDEAHUB_DATABASE_URL": database_url,
        "IDEAHUB_SECRET_KEY": "bench-" + "x" * 40,
        "IDEAHUB_SECURE_COOKIES": "0",
        "IDEAHUB_SEARCH_INDEX_DIR": index_dir,
        "IDEAHUB_ENV": "production",
    }


def sign_in_client(client: Any, email: str, password: str) -> Any:
    """Sign a Flask test client in through the sign-in form (the in-process benchmarks)."""
    token = sign_in_token(client.get("/login").get_data(as_text=True))
    signed = client.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert signed.status_code == 302, f"{email} could not sign in"
    return client


def sign_in_token(page: str) -> str:
    """The CSRF token of the sign-in form in this page."""
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token, "no CSRF token on the sign-in page"
    return token.group(1)


def write_results(results: dict[str, object], out: str | None, kind: str) -> None:
    """Write the figures as JSON, by default to bench/results/<kind>-<engine>-<time>.json."""
    out = out or os.path.join(
        ROOT, "bench", "results", f"{kind}-{results['database']}-{int(time.time())}.json"
    )
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=2)
    print("written", out)


# One browser: the same User-Agent at sign-in and under load (Flask-Login's session
# protection ties a session to it, and re-signs the cookie when it changes).
USER_AGENT = "ideahub-bench"


def sign_in(base: str, email: str, password: str) -> tuple[str, str]:
    """Return (Cookie header, CSRF token) of a signed-in session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    data = urllib.parse.urlencode(
        {"csrf_token": sign_in_token(page), "email": email, "password": password}
    ).encode()
    home = opener.open(base + "/login", data).read().decode()
    assert "Sign out" in home, "sign-in failed"
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', home)
    assert csrf
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf.group(1)


# Like a browser, each wrk thread keeps the session cookie a page sends back (the app
# refreshes it at most once a minute), so a phase does not make the app re-sign it on every
# request. Only from 200s: a redirect's cookie carries a flash the next page would consume.
# Without a cookie (the ceiling) `response` stays nil and wrk skips parsing responses.
LUA = r"""
local cookie = os.getenv("BENCH_COOKIE")
local agent = os.getenv("BENCH_USER_AGENT")
local csrf = os.getenv("BENCH_CSRF")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS"), "[^\n]+") do table.insert(paths, p) end
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local toggle = os.getenv("BENCH_TOGGLE") == "1"
local n = 0
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  local headers = {["Cookie"] = cookie, ["X-CSRFToken"] = csrf, ["User-Agent"] = agent}
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local b = body
    if toggle then b = "value=" .. (n % 2) end
    if os.getenv("BENCH_HTMX") == "1" then headers["HX-Request"] = "true" end
    return wrk.format("POST", path, headers, b .. "&n=" .. n)
  end
  return wrk.format("GET", path, headers)
end
if cookie and cookie ~= "" then
  response = function(status, headers, body)
    local sent = headers["Set-Cookie"]
    local fresh = status == 200 and sent and string.match(sent, "^(session=[^;]*)")
    if fresh then cookie = string.gsub(cookie, "session=[^;]*", function() return fresh end) end
  end
end
"""


def wrk(
    base: str, paths: list[str], duration: int, connections: int, env: dict[str, str]
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    run_env = {
        **os.environ,
        **env,
        "BENCH_PATHS": "\n".join(paths),
        "BENCH_USER_AGENT": USER_AGENT,
    }
    out = subprocess.run(  # noqa: S603
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            script,
            base + paths[0],
        ],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=duration + 60,
        check=True,
    ).stdout
    os.unlink(script)

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def pick_targets(database_url: str) -> dict[str, object]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        campaign = c.execute(
            sa.text(
                "SELECT id, idea_count FROM campaigns WHERE state='open' ORDER BY idea_count DESC LIMIT 1"
            )
        ).one()
        idea200 = c.execute(
            sa.text(
                "SELECT id, comment_count FROM ideas ORDER BY abs(comment_count - 200), id LIMIT 1"
            )
        ).one()
        # The longest discussion, and the id of its newest comment (on its last page).
        longest = c.execute(
            sa.text(
                "SELECT i.id, i.comment_count, (SELECT max(m.id) FROM comments m "
                "WHERE m.idea_id = i.id) FROM ideas i ORDER BY i.comment_count DESC, i.id LIMIT 1"
            )
        ).one()
        vote_idea = c.execute(
            sa.text(
                "SELECT i.id FROM ideas i JOIN campaigns c ON c.id=i.campaign_id WHERE c.state='open' "
                "AND i.author_id <> (SELECT id FROM users ORDER BY id LIMIT 1 OFFSET 2) ORDER BY i.id DESC LIMIT 1"
            )
        ).scalar()
        # Each run posts to an idea no run has posted to (the shortest discussion): posting
        # to one idea run after run measured a discussion grown by every earlier run.
        comment_idea = c.execute(
            sa.text(
                "SELECT i.id FROM ideas i JOIN campaigns c ON c.id=i.campaign_id WHERE c.state='open' "
                "AND i.id <> :vote_idea ORDER BY i.discussion_length, i.id DESC LIMIT 1"
            ),
            {"vote_idea": vote_idea},
        ).scalar()
        email = c.execute(sa.text("SELECT email FROM users ORDER BY id LIMIT 1 OFFSET 2")).scalar()
        hr_email = c.execute(
            sa.text(
                "SELECT u.email FROM users u JOIN user_roles r ON r.user_id = u.id "
                "WHERE r.role = 'hr' ORDER BY u.id LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    return {
        "campaign": campaign[0],
        "campaign_ideas": campaign[1],
        "idea200": idea200[0],
        "idea200_comments": idea200[1],
        "longest": longest[0],
        "longest_comments": longest[1],
        "longest_newest_comment": longest[2],
        "vote_idea": vote_idea,
        "comment_idea": comment_idea,
        "email": email,
        "hr_email": hr_email,
    }


def deep_pages(targets: dict[str, object], per_page: int = 20) -> list[int]:
    last = max(1, -(-int(str(targets["campaign_ideas"])) // per_page))
    return sorted({max(1, last // 2), max(1, 3 * last // 4), last})


def check_counts(database_url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        wrong_votes = c.execute(
            sa.text(
                "SELECT count(*) FROM ideas i WHERE vote_count <> (SELECT count(*) FROM votes v WHERE v.idea_id = i.id)"
            )
        ).scalar()
        duplicate_votes = c.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT user_id, idea_id FROM votes GROUP BY user_id, idea_id HAVING count(*) > 1) d"
            )
        ).scalar()
    engine.dispose()
    return {"ideas_with_wrong_vote_count": wrong_votes, "duplicate_votes": duplicate_votes}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--password", default="bench-password-2026")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of the same load before each measured phase, not counted",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--index-dir", default=os.path.join(ROOT, "bench", "data", "search-index"))
    parser.add_argument("--out", default=None)
    parser.add_argument("--phases", default="", help="comma-separated subset, e.g. home,search")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2

    targets = pick_targets(args.database_url)
    env = {**os.environ, **app_environment(args.database_url, args.index_dir)}
    ceiling_port, app_port = free_port(), free_port()
    ceiling = start_gunicorn("ceiling:app", ceiling_port, env, os.path.join(ROOT, "bench"), None)
    app = start_gunicorn(  # wsgi.py's app, with the floor's route added (bench_wsgi.py)
        "bench.bench_wsgi:app", app_port, env, ROOT, os.path.join(ROOT, "gunicorn.conf.py")
    )
    results: dict[str, object] = {
        "started_at": datetime.now(UTC).isoformat(),
        "database": args.database_url.split(":")[0],
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "connections": args.connections,
        "targets": targets,
    }
    try:
        wait_for(f"http://127.0.0.1:{ceiling_port}/")
        wait_for(f"http://127.0.0.1:{app_port}/healthz", 120)
        base = f"http://127.0.0.1:{app_port}"
        cookie, csrf = sign_in(base, str(targets["email"]), args.password)
        common = {"BENCH_COOKIE": cookie, "BENCH_CSRF": csrf}
        hr = {}
        if targets["hr_email"]:  # the HR dashboard needs an HR account
            hr_cookie, hr_csrf = sign_in(base, str(targets["hr_email"]), args.password)
            hr = {"BENCH_COOKIE": hr_cookie, "BENCH_CSRF": hr_csrf}

        def measure(base: str, paths: list[str], env: dict[str, str]) -> dict[str, float]:
            # Each worker's first requests fill its caches (its first view of the 201-comment
            # discussion renders it, ~270 ms): a warm-up keeps that out of the phase's p99.
            if args.warmup:
                wrk(base, paths, args.warmup, args.connections, env)
            return wrk(base, paths, args.duration, args.connections, env)

        ceiling_result = measure(f"http://127.0.0.1:{ceiling_port}", ["/"], {})
        results["ceiling"] = ceiling_result
        print(
            f"{'ceiling':<18} {ceiling_result['rps']:>8.0f} req/s  p50 {ceiling_result['p50_ms']:>6.1f} ms  p99 {ceiling_result['p99_ms']:>6.1f} ms"
        )
        c, i200 = targets["campaign"], targets["idea200"]
        phases = {
            # A signed-in request that renders nothing: what every page pays before its own work.
            "signed_in_floor": (["/_bench/nothing"], {}),
            # The health check: the request hooks and one statement, no reader loaded (the
            # session timeouts skip it). Below the floor of any page that knows its reader.
            "no_reader": (["/healthz"], {}),
            "home": (["/"], {}),
            "campaign_top": ([f"/campaigns/{c}?sort=top"], {}),
            "campaign_newest": ([f"/campaigns/{c}?sort=newest"], {}),
            # The second half of the largest campaign's pages, down to its last (pages past
            # the end would measure an empty page, not a deep offset).
            "campaign_deep": (
                [f"/campaigns/{c}?sort=newest&page={p}" for p in deep_pages(targets)],
                {},
            ),
            "idea_200_comments": ([f"/ideas/{i200}"], {}),
            "search": ([f"/search?q={urllib.parse.quote(w)}" for w in SEARCH_WORDS], {}),
            "vote_toggle": (
                [f"/ideas/{targets['vote_idea']}/vote"],
                {"BENCH_METHOD": "POST", "BENCH_TOGGLE": "1", "BENCH_HTMX": "1"},
            ),
            "comment_post": (
                [f"/ideas/{targets['comment_idea']}/comments"],
                {"BENCH_METHOD": "POST", "BENCH_BODY": "body=Benchmark+comment"},
            ),
        }
        if hr:
            phases["hr_dashboard"] = (["/hr/"], hr)
        if args.phases:
            phases = {k: v for k, v in phases.items() if k in args.phases.split(",")}
        endpoints = {}
        for name, (paths, extra) in phases.items():
            r = measure(base, paths, {**common, **extra})
            r["ratio_to_ceiling"] = round(r["rps"] / ceiling_result["rps"], 3)
            # What the page's own work leaves of a signed-in request (the floor measured in
            # the same run): the ceiling's ratio cannot pass the floor's.
            floor = endpoints.get("signed_in_floor")
            if floor and name != "signed_in_floor":
                r["ratio_to_floor"] = round(r["rps"] / floor["rps"], 3)
            endpoints[name] = r
            of_floor = (
                f"  {r['ratio_to_floor'] * 100:>5.1f}% of floor" if "ratio_to_floor" in r else ""
            )
            print(
                f"{name:<18} {r['rps']:>8.0f} req/s  p50 {r['p50_ms']:>6.1f} ms  p99 {r['p99_ms']:>6.1f} ms  "
                f"{r['ratio_to_ceiling'] * 100:>5.1f}% of ceiling{of_floor}  non-2xx/3xx {r['non_2xx_3xx']}"
            )
        results["endpoints"] = endpoints
        results["worker_memory_mb"] = worker_memory_mb(app.pid)
        for w in results["worker_memory_mb"]:
            print(
                f"worker memory: RSS {w['rss']} MB (anonymous {w['rss_anon']}, files {w['rss_file']}),"
                f" USS {w['uss']} MB, PSS {w['pss']} MB"
            )
    finally:
        stop(app)
        stop(ceiling)
    results["integrity"] = check_counts(args.database_url)
    print("integrity:", results["integrity"])
    write_results(results, args.out, "run")
    return 0


if __name__ == "__main__":
    sys.exit(main())

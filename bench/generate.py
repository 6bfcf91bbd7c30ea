"""Fill a database with a realistic company, fast (bulk inserts), for the benchmarks.

    python bench/generate.py --database-url sqlite:///bench/data/bench.sqlite3 --scale 1.0

Scale 1.0: 20,000 employees in 40 departments, 200 campaigns, 100,000 ideas (a third in
Chinese), 1,000,000 votes, 300,000 comments, 20,000 attachments (metadata). Counts kept
as columns (vote_count, comment_count, idea_count) match the rows exactly.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ideahub import create_app  # noqa: E402
from ideahub.extensions import db  # noqa: E402
from ideahub.models import (  # noqa: E402
    Attachment,
    Campaign,
    Comment,
    Department,
    Idea,
    IdeaStatusChange,
    User,
    UserRole,
    Vote,
)

PASSWORD = "bench-password-2026"  # noqa: S105 - synthetic accounts
EN_WORDS = (
    "customer service energy saving logistics returns kiosk mobile app training onboarding "
    "warehouse delivery packaging recycling solar meeting rooms travel expenses dashboard "
    "feedback quality supplier inventory forecast pricing loyalty store checkout queue "
    "safety maintenance sensors automation analytics social media campaign video community"
).split()
ZH_WORDS = (
    "客户 服务 节能 物流 退货 自助 门店 培训 新员工 仓库 配送 包装 回收 太阳能 会议室 差旅 "
    "报销 看板 反馈 质量 供应商 库存 预测 定价 会员 结账 排队 安全 维护 传感器 自动化 数据 "
    "社交媒体 活动 视频 社群 创新 效率 成本 体验"
).split()
CHUNK = 20_000


def sentence(rng: random.Random, chinese: bool, n: int) -> str:
    words = rng.choices(ZH_WORDS if chinese else EN_WORDS, k=n)
    return ("".join(words) + "。") if chinese else (" ".join(words).capitalize() + ".")


def insert(table: sa.Table, rows: list[dict], bar: object | None = None) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start : start + CHUNK])
        if bar is not None:
            bar.update(len(rows[start : start + CHUNK]))  # type: ignore[attr-defined]
    db.session.commit()


def generate(scale: float, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    n_users = int(20_000 * scale)
    n_depts = 40
    n_campaigns = max(2, int(200 * scale))
    n_ideas = int(100_000 * scale)
    n_votes = int(1_000_000 * scale)
    n_comments = int(300_000 * scale)
    now = datetime.now(UTC)

    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(PASSWORD)
    insert(
        Department.__table__,
        [{"name": f"Department {i:02d}", "created_at": now} for i in range(n_depts)],
    )
    dept_ids = list(db.session.scalars(sa.select(Department.id)))
    users = [
        {
            "email": f"user{i:05d}@bench.example",
            "name": f"User {i:05d}",
            "password_hash": password_hash,
            "department_id": dept_ids[i % n_depts],
            "job_title": "Employee",
            "hire_date": (now - timedelta(days=rng.randint(1, 4000))).date(),
            "timezone": "",
            "locale": "",
            "is_active": True,
            "session_version": 1,
            "created_at": now,
        }
        for i in range(n_users)
    ]
    with click.progressbar(length=n_users, label="users    ") as bar:
        insert(User.__table__, users, bar)
    user_ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
    user_dept = dict(db.session.execute(sa.select(User.id, User.department_id)).all())
    insert(
        UserRole.__table__,
        [{"user_id": user_ids[0], "role": "admin"}, {"user_id": user_ids[1], "role": "hr"}]
        + [{"user_id": u, "role": "expert"} for u in user_ids[2:50]],
    )

    campaigns = [
        {
            "title": f"Campaign {i}: " + sentence(rng, i % 3 == 0, 3),
            "description": sentence(rng, i % 3 == 0, 30),
            "theme": "Bench",
            "state": "open" if i < n_campaigns // 2 else "closed",
            "idea_count": 0,
            "created_at": now - timedelta(days=400 - i),
            "updated_at": now,
        }
        for i in range(n_campaigns)
    ]
    insert(Campaign.__table__, campaigns)
    campaign_ids = list(db.session.scalars(sa.select(Campaign.id).order_by(Campaign.id)))

    # Votes and comments first as counts, so the idea rows carry matching columns.
    vote_pairs: set[tuple[int, int]] = set()
    idea_votes = [0] * n_ideas
    while len(vote_pairs) < n_votes:
        idea_index = (
            min(int(rng.paretovariate(1.2)) - 1, n_ideas - 1)
            if rng.random() < 0.5
            else rng.randrange(n_ideas)
        )
        pair = (rng.choice(user_ids), idea_index)
        if pair not in vote_pairs:
            vote_pairs.add(pair)
            idea_votes[idea_index] += 1
    idea_comments = [0] * n_ideas
    comment_targets = [
        min(int(rng.paretovariate(1.1)) - 1, n_ideas - 1)
        if rng.random() < 0.4
        else rng.randrange(n_ideas)
        for _ in range(n_comments)
    ]
    for t in comment_targets:
        idea_comments[t] += 1

    ideas = []
    per_campaign = [0] * n_campaigns
    for i in range(n_ideas):
        chinese = i % 3 == 0
        author = rng.choice(user_ids)
        c = i % n_campaigns
        per_campaign[c] += 1
        ideas.append(
            {
                "campaign_id": campaign_ids[c],
                "author_id": author,
                "department_id": user_dept[author],
                "title": sentence(rng, chinese, 5)[:150],
                "summary": sentence(rng, chinese, 15)[:300],
                "description": sentence(rng, chinese, 80),
                "status": rng.choice(["submitted", "submitted", "under_review", "shortlisted"]),
                "vote_count": idea_votes[i],
                "comment_count": idea_comments[i],
                "discussion_length": idea_comments[i],  # none removed
                "created_at": now - timedelta(minutes=n_ideas - i),
                "updated_at": now,
            }
        )
    with click.progressbar(length=n_ideas, label="ideas    ") as bar:
        insert(Idea.__table__, ideas, bar)
    for c, n in enumerate(per_campaign):
        db.session.execute(
            sa.update(Campaign).where(Campaign.id == campaign_ids[c]).values(idea_count=n)
        )
    db.session.commit()
    idea_ids = list(db.session.scalars(sa.select(Idea.id).order_by(Idea.id)))
    insert(
        IdeaStatusChange.__table__,
        [{"idea_id": i, "to_status": "submitted", "note": "", "created_at": now} for i in idea_ids],
    )

    votes = [
        {
            "user_id": u,
            "idea_id": idea_ids[i],
            "created_at": now - timedelta(minutes=rng.randint(0, 20000)),
        }
        for u, i in vote_pairs
    ]
    with click.progressbar(length=len(votes), label="votes    ") as bar:
        insert(Vote.__table__, votes, bar)
    comments = [
        {
            "idea_id": idea_ids[t],
            "campaign_id": ideas[t]["campaign_id"],  # copied from its idea, as the ORM does
            "department_id": ideas[t]["department_id"],
            "author_id": rng.choice(user_ids),
            "body": sentence(rng, k % 3 == 0, 25),
            "created_at": now - timedelta(minutes=n_comments - k),
        }
        for k, t in enumerate(comment_targets)
    ]
    with click.progressbar(length=len(comments), label="comments ") as bar:
        insert(Comment.__table__, comments, bar)
    attachments = [
        {
            "idea_id": rng.choice(idea_ids),
            "filename": f"material-{k}.pdf",
            "content_hash": f"{k:064x}",
            "mime_type": "application/pdf",
            "size": rng.randint(10_000, 5_000_000),
            "created_at": now,
        }
        for k in range(int(20_000 * scale))
    ]
    insert(Attachment.__table__, attachments)
    n_acks = guidelines_and_acknowledgments(rng, user_ids, dept_ids, now)
    return {
        "users": n_users,
        "departments": n_depts,
        "campaigns": n_campaigns,
        "ideas": n_ideas,
        "votes": len(votes),
        "comments": n_comments,
        "attachments": len(attachments),
        "acknowledgments": n_acks,
    }


def guidelines_and_acknowledgments(
    rng: random.Random, user_ids: list[int], dept_ids: list[int], now: datetime
) -> int:
    """Six guidelines (two for a few departments only), each with three versions (the last
    two major), and acknowledgments: most people acknowledged an early major version, fewer
    the newest, a few through HR on their behalf."""
    import hashlib

    from ideahub.models import Acknowledgment, Guideline, GuidelineVersion, guideline_departments

    author = user_ids[0]
    for g in range(6):
        insert(
            Guideline.__table__,
            [
                {
                    "title": f"Guideline {g}: " + sentence(rng, g % 3 == 0, 3),
                    "draft_body": "",
                    "for_everyone": g < 4,
                    "audience_roles": "",
                    "created_by_id": author,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    guideline_ids = list(db.session.scalars(sa.select(Guideline.id).order_by(Guideline.id)))
    insert(
        guideline_departments,
        [{"guideline_id": g, "department_id": d} for g in guideline_ids[4:] for d in dept_ids[:8]],
    )
    versions = []
    for g in guideline_ids:
        for number, (major, days_ago) in enumerate([(True, 400), (False, 200), (True, 20)], 1):
            body = sentence(rng, g % 2 == 0, 200)
            versions.append(
                {
                    "guideline_id": g,
                    "number": number,
                    "title": f"Guideline {g}",
                    "body": body,
                    "text_hash": hashlib.sha256(body.encode()).hexdigest(),
                    "change_summary": "Bench",
                    "is_major": major,
                    "effective_on": (now - timedelta(days=days_ago)).date(),
                    "published_by_id": author,
                    "published_at": now - timedelta(days=days_ago),
                }
            )
    insert(GuidelineVersion.__table__, versions)
    acks = []
    version_rows = db.session.execute(
        sa.select(GuidelineVersion.id, GuidelineVersion.number, GuidelineVersion.text_hash)
    ).all()
    for vid, number, text_hash in version_rows:
        share = {1: 0.9, 2: 0.0, 3: 0.6}[number]
        for u in user_ids:
            if rng.random() < share:
                behalf = rng.random() < 0.02
                acks.append(
                    {
                        "user_id": u,
                        "version_id": vid,
                        "text_hash": text_hash,
                        "acknowledged_at": now - timedelta(days=rng.randint(0, 19)),
                        "on_behalf_by_id": user_ids[1] if behalf else None,
                        "on_behalf_reason": "On leave" if behalf else "",
                    }
                )
    with click.progressbar(length=len(acks), label="acks     ") as bar:
        insert(Acknowledgment.__table__, acks, bar)
    return len(acks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "IDEAHUB_ENV": "development",
            "SEARCH_INDEX_ON_COMMIT": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
            print("The database already has data; use an empty one.", file=sys.stderr)
            sys.exit(2)
        started = time.perf_counter()
        # Core bulk inserts bypass the search change log: run `ideahub reindex` afterwards.
        counts = generate(args.scale)
        print(f"Generated {counts} in {time.perf_counter() - started:.0f} s")
        # Fresh statistics, as a production database would have: the planner needs them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()


if __name__ == "__main__":
    main()

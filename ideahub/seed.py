"""Demo data: a small company with departments, people, two campaigns, ideas and discussion.

Written through the same service functions the app uses, so the demo obeys every rule
(counts, history, audit) the real data does.
"""

from __future__ import annotations

import random
from datetime import timedelta

from .admin.services import UserData, create_user, save_department
from .campaigns.services import CampaignData, create_campaign
from .clock import today
from .comments.services import post_comment
from .extensions import db
from .ideas.services import IdeaData, change_status, set_vote, submit_idea
from .judging.scoring import Entry, save_scorecard
from .judging.services import PanelSettings, save_criterion, save_panel, start_judging
from .models import Department, Guideline, User, utcnow

DEMO_PASSWORD = "ideahub-demo"  # noqa: S105 - printed for the demo, refused nowhere else

DEPARTMENTS = ["Marketing", "Customer Service", "Sales", "HR", "IT", "Operations", "Finance"]

FIRST = ["Wei", "Li", "Mei", "Jun", "Hui", "Ling", "Tao", "Yan", "Anna", "Tom", "Sara", "Omar"]
LAST = ["Wang", "Zhang", "Chen", "Liu", "Zhao", "Huang", "Lin", "Smith", "García", "Müller"]
CHINESE_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴芳"]

IDEAS = [
    (
        "在门店推出自助退货机",
        "减少排队时间，让客服专注于复杂问题。",
        "我们在上海的三家门店试点自助退货机。\n\n"
        "- 平均排队时间从 12 分钟降到 4 分钟\n- 客服可以处理更复杂的咨询",
        ["客服", "门店"],
    ),
    (
        "Carbon dashboard for every site",
        "Show each site's energy use next to its target.",
        "A simple **dashboard** per site, fed by the meters we already have.\n\n"
        "1. Daily usage\n2. Target line\n3. Tips",
        ["energy", "sustainability"],
    ),
    (
        "Mentor lunches for new hires",
        "A monthly lunch pairing new hires with a mentor.",
        "New colleagues meet a mentor from another department once a month.",
        ["people", "onboarding"],
    ),
    (
        "用AI自动整理客户反馈",
        "每周把客户反馈按主题归类，发给产品团队。",
        "客服每天收到上千条反馈，目前靠人工整理。建议用文本分类模型自动归类，并生成周报。",
        ["客服", "ai"],
    ),
    (
        "Reusable packaging for B2B orders",
        "Collect and reuse crates with our top 20 clients.",
        "Most B2B deliveries go to the same 20 clients. "
        "Crates could come back on the next delivery.",
        ["sustainability", "logistics"],
    ),
    (
        "社交媒体内容日历共享",
        "市场部和客服共享一个内容日历，避免重复发布。",
        "每个部门在同一个日历里登记计划发布的内容，社群团队统一审核。",
        ["marketing", "社交媒体"],
    ),
    (
        "Self-service expense reports on mobile",
        "Snap the receipt, submit the claim, done.",
        "Today expense claims take 20 minutes on a desktop. A phone flow would take two.",
        ["finance", "mobile"],
    ),
    (
        "开放式创新周",
        "每季度一周，员工可以跨部门合作实现一个小创意。",
        "借鉴黑客松的形式，但面向所有部门，不只是IT。",
        ["culture", "innovation"],
    ),
    (
        "Quiet hours on Wednesdays",
        "No meetings before noon on Wednesdays.",
        "Focus time helps deep work; several teams already do it informally.",
        ["culture"],
    ),
    (
        "客户案例视频系列",
        "邀请客户讲述他们使用我们产品的故事。",
        "每月一期，3 分钟以内，发布在公司官方账号上。",
        ["marketing", "video"],
    ),
]

COMMENTS = [
    "好主意！我们部门也遇到同样的问题。",
    "Love this. Could we pilot it in one site first?",
    "需要考虑一下成本，有没有初步的估算？",
    "We tried something similar in 2023; happy to share what we learned.",
    "支持！可以先从上海开始试点。",
    "How would we measure success?",
]


def _person(i: int, departments: list[Department], rng: random.Random) -> UserData:
    if i % 3 == 0:
        name = CHINESE_NAMES[i % len(CHINESE_NAMES)] + (
            str(i // len(CHINESE_NAMES)) if i >= 10 else ""
        )
    else:
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
    return UserData(
        email=f"person{i:02d}@ideahub.example",
        name=name,
        department_id=departments[i % len(departments)].id,
        job_title=rng.choice(["Analyst", "Specialist", "Manager", "Engineer", "专员", "经理"]),
        hire_date=today() - timedelta(days=rng.randint(10, 3000)),
    )


def seed_demo(force: bool = False, people: int = 36) -> str | None:
    """Fill the database with demo data; None when it already has users (unless forced)."""
    if not force and db.session.scalar(db.select(User.id).limit(1)) is not None:
        return None
    rng = random.Random(42)  # the same demo every time
    departments = [save_department(None, name) for name in DEPARTMENTS]  # type: ignore[arg-type]
    by_name = {d.name: d for d in departments}
    staff = [
        ("admin@ideahub.example", "Ada Admin", "IT", ("admin",)),
        ("coe@ideahub.example", "陈晓 (Chen Xiao)", "Marketing", ("coe",)),
        ("expert@ideahub.example", "Eric Expert", "Operations", ("expert",)),
        ("hr@ideahub.example", "Hannah HR", "HR", ("hr",)),
        ("employee@ideahub.example", "李明 (Li Ming)", "Customer Service", ()),
    ]
    users: list[User] = []
    for email, name, dept, roles in staff:
        data = UserData(
            email=email,
            name=name,
            department_id=by_name[dept].id,
            roles=roles,
            job_title="Demo account",
            hire_date=today() - timedelta(days=400),
        )
        users.append(create_user(None, data, DEMO_PASSWORD))
    users += [create_user(None, _person(i, departments, rng), DEMO_PASSWORD) for i in range(people)]
    coe = users[1]

    open_campaign = create_campaign(
        coe,
        CampaignData(
            title="更好的客户体验 · Better customer experience",
            theme="Customer first",
            description="How can we make every contact with us **faster and friendlier**?\n\n"
            "欢迎所有部门提交想法：门店、客服、线上渠道都可以。",
            opens_on=today() - timedelta(days=20),
            closes_on=today() + timedelta(days=40),
            state="open",
        ),
    )
    green_campaign = create_campaign(
        coe,
        CampaignData(
            title="Greener operations 2026",
            theme="Sustainability",
            description="Ideas to cut energy, waste and travel. 绿色办公，从我做起。",
            opens_on=today() - timedelta(days=10),
            closes_on=today() + timedelta(days=50),
            state="open",
        ),
    )
    ideas = []
    for i, (title, summary, body, tags) in enumerate(IDEAS):
        author = users[5 + (i * 3) % (len(users) - 5)] if i else users[4]
        campaign = open_campaign if i % 2 == 0 else green_campaign
        ideas.append(submit_idea(author, campaign, IdeaData(title, summary, body, tags), []))
    for idea in ideas:
        voters = rng.sample(users, rng.randint(2, 18))
        for voter in voters:
            if voter.id != idea.author_id:
                set_vote(voter, idea, True)
        for j in range(rng.randint(0, 4)):
            commenter = rng.choice(users)
            top = post_comment(commenter, idea, COMMENTS[(idea.id + j) % len(COMMENTS)])
            if j == 0:
                post_comment(idea.author, idea, "谢谢！Thanks, good point.", parent_id=top.id)
    change_status(coe, ideas[1], "under_review", "CoE is checking the meter data with IT.")
    judged = _seed_judging(users, coe, rng)
    _seed_governance(users, departments, coe)
    return (
        f"{len(departments)} departments, {len(users)} people, 3 campaigns, "
        f"{len(ideas) + judged} ideas"
    )


WORKPLACE_IDEAS = [
    ("智能会议室预订", "会议室空着却被订满：用传感器自动释放。", ["workplace", "iot"]),
    ("Bike-to-work lockers", "Secure lockers and showers at the two largest sites.", ["workplace"]),
    ("内部技能市场", "员工发布自己的技能，项目组按需找人。", ["people", "skills"]),
    ("Paperless visitor sign-in", "Tablets at reception instead of the paper book.", ["workplace"]),
]


def _seed_judging(users: list[User], coe: User, rng: random.Random) -> int:
    """A campaign being judged: criteria, a panel chaired by the demo expert, some scores."""
    expert = users[2]
    reviewers = [users[6], users[7]]
    for person in reviewers:
        person.set_roles(["expert"])
    db.session.commit()
    campaign = create_campaign(
        coe,
        CampaignData(
            title="Smarter workplace 2026 · 智慧办公",
            theme="Workplace",
            description="Ideas for offices people want to come to.",
            opens_on=today() - timedelta(days=60),
            closes_on=today() - timedelta(days=1),
            state="open",
        ),
    )
    ideas = []
    for i, (title, summary, tags) in enumerate(WORKPLACE_IDEAS):
        author = users[10 + i * 2]
        ideas.append(submit_idea(author, campaign, IdeaData(title, summary, summary, tags), []))
        for voter in rng.sample(users[12:], 3 + i):
            if voter.id != author.id:
                set_vote(voter, ideas[-1], True)
    impact = save_criterion(coe, campaign, "Impact", "How much it helps people", 2, 1, 5)
    effort = save_criterion(coe, campaign, "Feasibility", "How easily we can do it", 1, 1, 5)
    save_panel(
        coe,
        campaign,
        PanelSettings(
            chair_id=expert.id,
            member_ids=[expert.id, *(r.id for r in reviewers)],
            min_reviews=2,
            shortlist_size=3,
            scoring_deadline=utcnow() + timedelta(days=14),
        ),
    )
    criteria = [impact, effort]
    for n, idea in enumerate(start_judging(coe, campaign)):
        # The chair scores the first too: the board shows its scores, and seals the rest
        # from the chair until theirs are in.
        for reviewer in [*reviewers, expert] if n == 0 else reviewers:
            values = {impact.id: Entry(rng.randint(2, 5)), effort.id: Entry(rng.randint(1, 5))}
            save_scorecard(reviewer, idea, criteria, values, "Solid proposal.", submit=True)
    return len(ideas)


GUIDELINE_V1 = """## Speaking for the company online

- Say that you work here when you talk about our products.
- Never share customer data, prices under negotiation or unreleased plans.
- Be kind: no insults, no politics in the company's name.

## 代表公司发言

- 谈论公司产品时，请表明你是公司员工。
- 不要分享客户数据、谈判中的价格或未发布的计划。
"""

GUIDELINE_V2 = GUIDELINE_V1.replace(
    "- Be kind: no insults, no politics in the company's name.",
    "- Be kind: no insults, no politics in the company's name.\n"
    "- Ask the community team before answering a journalist, even in a comment.",
)


def _seed_governance(users: list[User], departments: list[Department], coe: User) -> None:
    """Customer-facing functions, a CoE with one vacancy, and a guideline in its second version."""
    from .governance.services import (
        DraftData,
        acknowledge,
        add_member,
        create_guideline,
        publish_version,
        save_draft,
    )

    by_name = {d.name: d for d in departments}
    for name in ("Marketing", "Customer Service", "Sales"):
        save_department(None, name, by_name[name], is_customer_facing=True)
    start = today() - timedelta(days=200)
    add_member(users[0], coe, by_name["Marketing"], "community", start, None)
    add_member(users[0], users[4], by_name["Customer Service"], "representative", start, None)
    add_member(users[0], users[0], by_name["IT"], "sponsor", start, None)
    guideline = create_guideline(coe, "Social media guidelines · 社交媒体准则")
    save_draft(coe, guideline, DraftData(title=guideline.title, body=GUIDELINE_V1))
    v1 = publish_version(coe, guideline, "First version.", True, today() - timedelta(days=120))
    for person in users[5:20]:
        acknowledge(person, v1)
    save_draft(coe, guideline, DraftData(title=guideline.title, body=GUIDELINE_V2))
    publish_version(
        coe,
        guideline,
        "Journalists: ask the community team first.",
        True,
        today() - timedelta(days=3),
    )
    _seed_training_and_mentors(users, guideline, coe)


DEMO_QUIZ = """A journalist messages you about a product launch. What do you do?
- Answer briefly, if you know the facts
* Pass it to the community team first
- Ignore it

May you share a customer's complaint screenshot to show how well you solved it?
- Yes, if the outcome was good
* No: customer data stays private
- Only on a private account

客户在社交媒体上投诉，谁来回复？
* 由客户服务团队按流程回复
- 任何看到的员工都可以回复
- 不需要回复"""


def _seed_training_and_mentors(users: list[User], guideline: Guideline, coe: User) -> None:
    """A training module for the current version (one employee passed it), and new hires:
    one already mentored, others waiting for a mentor."""
    from .governance.mentors import assign_mentor
    from .training.services import create_module, start_attempt, submit_attempt

    module = create_module(
        coe,
        guideline,
        "Posting safely · 安全发帖",
        "## Three rules\n\n1. Journalists go to the community team.\n"
        "2. Customer data stays private.\n3. Complaints go to Customer Service.",
        70,
        30,
        DEMO_QUIZ,
    )
    passer = users[6]
    attempt = start_attempt(passer, module)
    answers = {q.id: next(c.id for c in q.choices if c.is_correct) for q in module.questions}
    submit_attempt(passer, attempt, answers)
    for offset, person in zip((5, 20, 40), users[-3:], strict=True):
        person.hire_date = today() - timedelta(days=offset)
    db.session.commit()
    assign_mentor(users[0], users[-1], coe)

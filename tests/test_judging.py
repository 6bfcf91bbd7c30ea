"""Expert panels end to end through HTTP, per role: set-up, shortlist, conflicts of interest,
sealed scoring, the chair's board, decisions, publishing, corrections and the public results.

Every test runs on SQLite and on PostgreSQL. Names and remarks are distinctive on purpose so a
page can be searched for a leak; the scores in the sealing test are chosen so that no
individual value coincides with any aggregate, scale bound or count shown on the results page.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from ideahub.extensions import db
from ideahub.judging.decisions import decide, publish
from ideahub.judging.scoring import Entry, save_scorecard
from ideahub.judging.services import (
    JudgingError,
    PanelSettings,
    declare_conflict,
    save_criterion,
    save_panel,
    start_judging,
)
from ideahub.models import (
    Assignment,
    AuditEntry,
    Campaign,
    Criterion,
    Decision,
    Idea,
    IdeaStatusChange,
    Notice,
    Panel,
    PanelMember,
    Recusal,
    Score,
    Scorecard,
    ShortlistEntry,
    User,
    Vote,
    idea_coauthors,
    utcnow,
)

CHAIR_NAME = "Xavier Chairwell"
ANA_NAME = "Yolanda Sealwright"
BEN_NAME = "Zeno Quietfield"
OUTSIDER_NAME = "Olga Outsider"
EXPERT_NAMES = (CHAIR_NAME, ANA_NAME, BEN_NAME)


# ---------------------------------------------------------------- helpers


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def plain(markup: str) -> str:
    """The text of some HTML, tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where)) or 0


def audit_actions(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def notified(message_part: str) -> set[int]:
    return set(
        db.session.scalars(db.select(Notice.user_id).where(Notice.message.contains(message_part)))
    )


@dataclass
class World:
    """A campaign with five ideas, votes, two criteria and a three-expert panel."""

    app: Flask
    campaign: Campaign
    impact: Criterion  # weight 2, scale 1-5
    cost: Criterion  # weight 1, scale 1-10
    coe: User
    admin: User
    hr: User
    chair: User
    ana: User
    ben: User
    outsider: User  # an expert who is not on this panel
    employee: User
    alice: User  # author of Solar roofs and Night bus
    bob: User  # author of Bike sheds, Paper cuts and the withdrawn idea
    voters: list[User]
    ideas: dict[str, Idea]
    panel: Panel | None = None

    def __getitem__(self, title: str) -> Idea:
        return self.ideas[title]

    def configure(self, **settings: Any) -> Panel:
        values: dict[str, Any] = dict(
            chair_id=self.chair.id,
            member_ids=[self.chair.id, self.ana.id, self.ben.id],
            min_reviews=2,
            shortlist_size=3,
            scoring_deadline=utcnow() + timedelta(days=3),
            exclude_same_department=False,
            disagreement_threshold=20.0,
        )
        values.update(settings)
        with self.app.test_request_context():
            self.panel = save_panel(self.coe, self.campaign, PanelSettings(**values))
        return self.panel

    def start(self) -> list[Idea]:
        with self.app.test_request_context():
            return start_judging(self.coe, self.campaign)

    @property
    def criteria(self) -> list[Criterion]:
        return [self.impact, self.cost]

    def submit(self, expert: User, idea: Idea, impact: int, cost: int, remark: str = "") -> None:
        """Submit a complete scorecard through the service (for set-up, not under test)."""
        with self.app.test_request_context():
            save_scorecard(
                expert,
                idea,
                self.criteria,
                {self.impact.id: Entry(impact), self.cost.id: Entry(cost)},
                remark,
                submit=True,
            )

    def decide(self, idea: Idea, outcome: str, reason: str) -> None:
        assert self.panel is not None
        with self.app.test_request_context():
            decide(self.chair, self.panel, idea, outcome, reason)


@pytest.fixture
def build(
    app: Flask,
    make_user: Callable[..., User],
    make_department: Callable[..., Any],
    make_campaign: Callable[..., Campaign],
    make_idea: Callable[..., Idea],
) -> Callable[..., World]:
    """build(configure=True, start=True, **panel settings) -> World."""

    def build(*, configure: bool = True, start: bool = True, **settings: Any) -> World:
        ops, sales, it = make_department(), make_department(), make_department()
        coe = make_user(roles=["coe"], name="Cora Coe")
        admin = make_user(roles=["admin"], name="Adam Admin")
        hr = make_user(roles=["hr"], name="Hana Hr")
        chair = make_user(roles=["expert"], name=CHAIR_NAME, department=ops)
        ana = make_user(roles=["expert"], name=ANA_NAME, department=ops)
        ben = make_user(roles=["expert"], name=BEN_NAME, department=sales)
        outsider = make_user(roles=["expert"], name=OUTSIDER_NAME, department=it)
        employee = make_user(name="Eve Employee", department=it)
        alice = make_user(name="Alice Author", department=sales)
        bob = make_user(name="Bob Builder", department=it)
        voters = [make_user(name=f"Voter {n}") for n in "ABCDEF"]
        campaign = make_campaign(title="Greener offices")
        ideas: dict[str, Idea] = {}
        for title, author, votes in (
            ("Solar roofs", alice, 5),
            ("Bike sheds", bob, 3),
            ("Night bus", alice, 2),
            ("Paper cuts", bob, 1),
            ("Withdrawn plan", bob, 6),
        ):
            idea = make_idea(campaign, author, title=title)
            for voter in voters[:votes]:
                db.session.add(Vote(user_id=voter.id, idea_id=idea.id))
            idea.vote_count = votes
            ideas[title] = idea
        ideas["Withdrawn plan"].status = "withdrawn"
        db.session.commit()
        with app.test_request_context():
            impact = save_criterion(coe, campaign, "Impact", "How much it changes", 2, 1, 5)
            cost = save_criterion(coe, campaign, "Cost", "Cheap is good", 1, 1, 10)
        world = World(
            app=app,
            campaign=campaign,
            impact=impact,
            cost=cost,
            coe=coe,
            admin=admin,
            hr=hr,
            chair=chair,
            ana=ana,
            ben=ben,
            outsider=outsider,
            employee=employee,
            alice=alice,
            bob=bob,
            voters=voters,
            ideas=ideas,
        )
        if configure:
            world.configure(**settings)
            if start:
                world.start()
        return world

    return build


@pytest.fixture
def w(build: Callable[..., World]) -> World:
    """The default world: panel configured and judging started (shortlist of three)."""
    return build()


def score_url(idea: Idea) -> str:
    return f"/judging/ideas/{idea.id}/score"


def post_score(
    client: FlaskClient,
    w: World,
    idea: Idea,
    impact: Any = None,
    cost: Any = None,
    action: str = "submit",
    remark: str = "",
    notes: dict[int, str] | None = None,
) -> Any:
    data: dict[str, Any] = {"action": action, "overall_comment": remark}
    if impact is not None:
        data[f"score-{w.impact.id}"] = impact
    if cost is not None:
        data[f"score-{w.cost.id}"] = cost
    for cid, note in (notes or {}).items():
        data[f"comment-{cid}"] = note
    return client.post(score_url(idea), data=data)


def post_decision(client: FlaskClient, idea: Idea, outcome: str, reason: str) -> Any:
    return client.post(f"/ideas/{idea.id}/decision", data={"outcome": outcome, "reason": reason})


def close_scoring(w: World) -> None:
    """The scoring deadline passes: what the chair had not scored is no longer sealed."""
    assert w.panel is not None
    w.panel.scoring_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def board_rows(client: FlaskClient, w: World) -> dict[str, str]:
    """The chair's board as plain text, per shortlisted idea's title, in the board's order."""
    body = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    found = re.findall(r'<article class="card board-row" id="idea-\d+">(.*?)</article>', body, re.S)
    return {re.search(r"<h2><a[^>]*>(.*?)</a>", row).group(1): plain(row) for row in found}


def shortlist_titles(campaign: Campaign) -> list[str]:
    return list(
        db.session.scalars(
            db.select(Idea.title)
            .join(ShortlistEntry, ShortlistEntry.idea_id == Idea.id)
            .where(ShortlistEntry.campaign_id == campaign.id)
            .order_by(ShortlistEntry.id)
        )
    )


# ---------------------------------------------------------------- set-up


def test_setup_page_offers_three_reviews_by_default(build, client, login):
    w = build(configure=False)
    login(w.coe)
    body = page(client.get(f"/campaigns/{w.campaign.id}/panel"))
    assert re.search(r'name="min_reviews"[^>]*value="3"', body), "default min reviews is 3"
    assert "Impact" in body and "Cost" in body
    with w.app.test_request_context():
        panel = save_panel(w.coe, w.campaign, PanelSettings(chair_id=None, member_ids=[]))
    assert panel.min_reviews == 3


def test_coe_saves_the_panel_through_the_form(build, client, login):
    w = build(configure=False)
    login(w.coe)
    r = client.post(
        f"/campaigns/{w.campaign.id}/panel",
        data={
            "member_ids": [str(w.ana.id), str(w.ben.id)],
            "chair_id": str(w.chair.id),  # not ticked as a member: added as one
            "min_reviews": "2",
            "shortlist_size": "4",
            "scoring_deadline": "2030-01-02T10:30",
            "exclude_same_department": "y",
            "disagreement_threshold": "15",
        },
    )
    assert r.status_code == 302
    panel = db.session.scalar(db.select(Panel).where(Panel.campaign_id == w.campaign.id))
    assert panel is not None
    assert panel.chair_id == w.chair.id
    assert panel.min_reviews == 2 and panel.shortlist_size == 4
    assert panel.exclude_same_department is True
    assert panel.disagreement_threshold == pytest.approx(15)
    assert panel.scoring_deadline is not None
    members = set(
        db.session.scalars(db.select(PanelMember.user_id).where(PanelMember.panel_id == panel.id))
    )
    assert members == {w.chair.id, w.ana.id, w.ben.id}
    assert audit_actions("panel.saved")[-1].actor_id == w.coe.id


def test_the_deadline_is_typed_in_local_time_and_stored_exactly(build, client, login):
    w = build(configure=False)
    login(w.coe)
    url = f"/campaigns/{w.campaign.id}/panel"
    data = {"member_ids": [str(w.ana.id)], "chair_id": str(w.ana.id), "min_reviews": "3"}
    r = client.post(url, data={**data, "scoring_deadline": "2030-01-02T10:30"})
    assert r.status_code == 302
    panel = db.session.scalar(db.select(Panel).where(Panel.campaign_id == w.campaign.id))
    # the default time zone is Asia/Shanghai (UTC+8 all year): 10:30 there is 02:30 UTC
    assert panel.scoring_deadline == datetime(2030, 1, 2, 2, 30, tzinfo=UTC)
    # and the form shows back what was typed
    body = page(client.get(url))
    assert re.search(r'name="scoring_deadline"[^>]*value="2030-01-02T10:30"', body)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"min_reviews": "0"}, id="min-reviews-zero"),
        pytest.param({"min_reviews": ""}, id="min-reviews-missing"),
        pytest.param({"min_reviews": "two"}, id="min-reviews-not-a-number"),
        pytest.param({"shortlist_size": "-1"}, id="shortlist-negative"),
        pytest.param({"member_ids": "employee"}, id="member-not-an-expert"),
        pytest.param({"chair_id": "employee"}, id="chair-not-an-expert"),
    ],
)
def test_invalid_panel_settings_are_refused(build, client, login, change):
    w = build(configure=False)
    data: dict[str, Any] = {
        "member_ids": [str(w.ana.id)],
        "chair_id": str(w.chair.id),
        "min_reviews": "3",
        "shortlist_size": "10",
    }
    for key, value in change.items():
        data[key] = str(w.employee.id) if value == "employee" else value
    login(w.coe)
    r = client.post(f"/campaigns/{w.campaign.id}/panel", data=data, follow_redirects=True)
    assert r.status_code == 200
    assert count(Panel) == 0
    assert count(PanelMember) == 0


def test_panel_service_refuses_non_experts_and_deactivated_experts(build, make_user):
    w = build(configure=False)
    gone = make_user(roles=["expert"], is_active=False)
    for settings in (
        PanelSettings(chair_id=w.chair.id, member_ids=[w.employee.id]),
        PanelSettings(chair_id=w.employee.id, member_ids=[w.ana.id]),
        PanelSettings(chair_id=w.chair.id, member_ids=[gone.id]),
    ):
        with w.app.test_request_context(), pytest.raises(JudgingError):
            save_panel(w.coe, w.campaign, settings)
        db.session.rollback()
    assert count(Panel) == 0


def add_criterion(client: FlaskClient, campaign: Campaign, **fields: Any) -> Any:
    data = {"name": "Novelty", "description": "", "weight": "1", "scale_min": "1", "scale_max": "5"}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(f"/campaigns/{campaign.id}/panel/criteria", data=data, follow_redirects=True)


def test_criteria_are_validated(build, client, login):
    w = build(configure=False)
    login(w.coe)
    r = add_criterion(client, w.campaign, name="Novelty", weight="1.5", scale_min=0, scale_max=10)
    assert "Criterion added." in page(r)
    novelty = db.session.scalar(db.select(Criterion).where(Criterion.name == "Novelty"))
    assert novelty is not None
    assert (novelty.weight, novelty.scale_min, novelty.scale_max) == (1.5, 0, 10)

    r = add_criterion(client, w.campaign, name="Reach", scale_min=5, scale_max=5)
    assert "lowest value must be below its highest" in page(r)
    r = add_criterion(client, w.campaign, name="Reach", scale_min=7, scale_max=3)
    assert "lowest value must be below its highest" in page(r)
    r = add_criterion(client, w.campaign, name="Reach", weight=0)
    assert "Check the criterion" in page(r)
    r = add_criterion(client, w.campaign, name="Reach", weight=-2)
    assert "Check the criterion" in page(r)
    r = add_criterion(client, w.campaign, name="", weight=1)
    assert "Check the criterion" in page(r)
    r = add_criterion(client, w.campaign, name="Impact")
    assert "already has a criterion named Impact" in page(r)
    assert count(Criterion, Criterion.campaign_id == w.campaign.id) == 3
    assert sorted(db.session.scalars(db.select(Criterion.name))) == ["Cost", "Impact", "Novelty"]


def test_criteria_are_fixed_once_judging_starts(w, client, login):
    login(w.coe)
    r = add_criterion(client, w.campaign, name="Late idea")
    assert "fixed once judging has started" in page(r)
    r = client.post(f"/criteria/{w.impact.id}/delete", follow_redirects=True)
    assert "fixed once judging has started" in page(r)
    assert count(Criterion, Criterion.campaign_id == w.campaign.id) == 2


def test_criterion_can_be_removed_before_judging(build, client, login):
    w = build(configure=False)
    login(w.admin)
    r = client.post(f"/criteria/{w.cost.id}/delete", follow_redirects=True)
    assert "Criterion removed." in page(r)
    assert list(db.session.scalars(db.select(Criterion.name))) == ["Impact"]
    assert audit_actions("criterion.deleted")[-1].actor_id == w.admin.id


def test_panel_setup_is_final_once_published(w, client, login):
    w.decide(w["Solar roofs"], "selected", "Good")
    w.decide(w["Bike sheds"], "not_selected", "Meh")
    w.decide(w["Night bus"], "not_selected", "Later")
    with w.app.test_request_context():
        publish(w.chair, w.panel, "Short on time")
    login(w.coe)
    r = client.post(
        f"/campaigns/{w.campaign.id}/panel",
        data={"member_ids": [str(w.ana.id)], "chair_id": str(w.ana.id), "min_reviews": "1"},
        follow_redirects=True,
    )
    assert "its set-up is final" in page(r)
    db.session.expire_all()
    assert w.panel.chair_id == w.chair.id and w.panel.min_reviews == 2


# ---------------------------------------------------------------- starting judging


def start(client: FlaskClient, campaign: Campaign) -> Any:
    return client.post(f"/campaigns/{campaign.id}/panel/start", follow_redirects=True)


def test_start_needs_a_panel(build, client, login):
    w = build(configure=False)
    login(w.coe)
    assert "Set up the panel and at least one criterion first" in page(start(client, w.campaign))
    assert w.campaign.state == "open" and count(ShortlistEntry) == 0


def test_start_needs_a_criterion(build, client, login):
    w = build(start=False)
    login(w.coe)
    for c in w.criteria:
        client.post(f"/criteria/{c.id}/delete")
    assert "at least one criterion first" in page(start(client, w.campaign))
    db.session.expire_all()
    assert w.campaign.state == "open" and count(ShortlistEntry) == 0


def test_start_needs_members_and_a_chair(build, client, login):
    w = build(start=False, chair_id=None, member_ids=[])
    login(w.coe)
    assert "The panel has no members yet" in page(start(client, w.campaign))
    w.configure(chair_id=None, member_ids=[w.ana.id])
    assert "Choose the panel's chair first" in page(start(client, w.campaign))
    db.session.expire_all()
    assert w.campaign.state == "open" and count(ShortlistEntry) == 0
    assert all(i.status != "shortlisted" for i in w.ideas.values())


@pytest.mark.parametrize("state", ["draft", "judging", "closed"])
def test_start_needs_an_open_campaign(build, client, login, state):
    w = build(start=False)
    w.campaign.state = state
    db.session.commit()
    login(w.coe)
    assert "Only an open campaign can move to judging" in page(start(client, w.campaign))
    db.session.expire_all()
    assert w.campaign.state == state and count(ShortlistEntry) == 0


def test_start_shortlists_the_top_ideas_by_votes_without_withdrawn_ones(build, client, login):
    w = build(start=False, shortlist_size=3)
    login(w.coe)
    r = start(client, w.campaign)
    assert "3 ideas are on the shortlist" in page(r)
    db.session.expire_all()
    assert w.campaign.state == "judging"
    # Withdrawn plan has the most votes (6) but is withdrawn; Paper cuts (1) is fourth
    assert shortlist_titles(w.campaign) == ["Solar roofs", "Bike sheds", "Night bus"]
    sources = set(db.session.scalars(db.select(ShortlistEntry.source)))
    assert sources == {"votes"}
    assert w["Paper cuts"].status == "submitted"
    assert w["Withdrawn plan"].status == "withdrawn"
    assert audit_actions("campaign.state_changed")[-1].details == {
        "before": "open",
        "after": "judging",
    }


def test_shortlist_size_ties_and_zero(build):
    w = build(start=False, shortlist_size=2)
    # Night bus catches up with Bike sheds (3 votes each): the older idea wins the tie
    w["Night bus"].vote_count = 3
    db.session.commit()
    shortlisted = w.start()
    assert [i.title for i in shortlisted] == ["Solar roofs", "Bike sheds"]
    assert shortlist_titles(w.campaign) == ["Solar roofs", "Bike sheds"]

    w2 = build(start=False, shortlist_size=0)
    assert w2.start() == []
    assert shortlist_titles(w2.campaign) == []
    assert w2.campaign.state == "judging"


def test_shortlist_larger_than_the_campaign_takes_every_live_idea(build):
    w = build(start=False, shortlist_size=50)
    w.start()
    assert shortlist_titles(w.campaign) == ["Solar roofs", "Bike sheds", "Night bus", "Paper cuts"]


def test_starting_closes_submissions_and_votes(w, client, login):
    login(w.employee)
    r = client.post(f"/ideas/{w['Paper cuts'].id}/vote", data={"value": "1"})
    assert r.status_code == 403
    assert count(Vote, Vote.user_id == w.employee.id) == 0
    r = client.post(
        f"/campaigns/{w.campaign.id}/ideas/new",
        data={"title": "Too late", "summary": "s", "description": "d"},
    )
    assert r.status_code == 403
    assert count(Idea, Idea.title == "Too late") == 0


def test_start_sets_statuses_history_and_tells_authors_and_voters(w):
    for title in ("Solar roofs", "Bike sheds", "Night bus"):
        idea = w[title]
        assert idea.status == "shortlisted"
        change = db.session.scalar(
            db.select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id.desc())
            .limit(1)
        )
        assert (change.from_status, change.to_status) == ("submitted", "shortlisted")
        assert change.changed_by_id == w.coe.id
        assert "top 3 by votes" in change.note
        told = notified(f"“{title}” is shortlisted")
        voters = set(db.session.scalars(db.select(Vote.user_id).where(Vote.idea_id == idea.id)))
        assert voters and told == voters | {idea.author_id}
        link = db.session.scalar(
            db.select(Notice.link).where(Notice.message.contains(f"“{title}”")).limit(1)
        )
        assert link == f"/ideas/{idea.id}"
    # nobody hears about ideas that were not shortlisted
    assert notified("Paper cuts") == set() and notified("Withdrawn plan") == set()
    assert count(IdeaStatusChange, IdeaStatusChange.idea_id == w["Paper cuts"].id) == 1


def test_coauthors_are_told_like_the_author(build):
    """Idea.coauthors are named on the idea as its authors: the panel's news reaches them."""
    w = build(start=False)
    solar = w["Solar roofs"]
    db.session.execute(idea_coauthors.insert().values(idea_id=solar.id, user_id=w.employee.id))
    db.session.commit()
    w.start()
    assert w.employee.id in notified("“Solar roofs” is shortlisted")
    publish_all(w)
    assert w.employee.id in notified("published its decision on “Solar roofs”")


def test_every_member_without_a_conflict_is_assigned(w, client, login):
    for title in ("Solar roofs", "Bike sheds", "Night bus"):
        assigned = set(
            db.session.scalars(
                db.select(Assignment.expert_id).where(Assignment.idea_id == w[title].id)
            )
        )
        assert assigned == {w.chair.id, w.ana.id, w.ben.id}
    assert count(Recusal) == 0
    login(w.ana)
    body = page(client.get("/judging/queue"))
    assert "0 of 3 scored" in body
    for title in ("Solar roofs", "Bike sheds", "Night bus"):
        assert title in body
    assert "Paper cuts" not in body and "Withdrawn plan" not in body


# ---------------------------------------------------------------- the chair adds ideas


def add_by_hand(client: FlaskClient, w: World, idea: Idea, reason: str) -> Any:
    return client.post(
        f"/campaigns/{w.campaign.id}/panel/shortlist",
        data={"idea_id": str(idea.id), "reason": reason},
        follow_redirects=True,
    )


def test_chair_adds_an_idea_with_a_reason(w, client, login):
    idea = w["Paper cuts"]
    login(w.chair)
    r = add_by_hand(client, w, idea, "  Cheap and quick; few saw it in time.  ")
    assert "Added to the shortlist." in page(r)
    entry = db.session.scalar(db.select(ShortlistEntry).where(ShortlistEntry.idea_id == idea.id))
    assert entry is not None
    assert (entry.source, entry.reason, entry.added_by_id) == (
        "chair",
        "Cheap and quick; few saw it in time.",
        w.chair.id,
    )
    db.session.expire_all()
    assert idea.status == "shortlisted"
    change = db.session.scalar(
        db.select(IdeaStatusChange).where(
            IdeaStatusChange.idea_id == idea.id, IdeaStatusChange.to_status == "shortlisted"
        )
    )
    assert (
        change.note == "Cheap and quick; few saw it in time." and change.changed_by_id == w.chair.id
    )
    voters = set(db.session.scalars(db.select(Vote.user_id).where(Vote.idea_id == idea.id)))
    assert notified("“Paper cuts” is shortlisted") == voters | {w.bob.id}
    assert audit_actions("shortlist.added_by_chair")[-1].details == {
        "reason": "Cheap and quick; few saw it in time."
    }
    # the panel reviews it like the others, and the board says why it is there
    assert count(Assignment, Assignment.idea_id == idea.id) == 3
    board = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    assert "added by the chair: Cheap and quick; few saw it in time." in board


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_chair_must_give_a_reason(w, client, login, reason):
    login(w.chair)
    r = add_by_hand(client, w, w["Paper cuts"], reason)
    assert "Give a reason for adding this idea." in page(r)
    assert count(ShortlistEntry, ShortlistEntry.idea_id == w["Paper cuts"].id) == 0
    db.session.expire_all()
    assert w["Paper cuts"].status == "submitted"
    assert notified("Paper cuts") == set()


def test_chair_cannot_add_withdrawn_duplicate_or_foreign_ideas(w, client, login, make_idea):
    elsewhere = make_idea(title="Another campaign's idea")
    login(w.chair)
    assert "withdrawn idea cannot be shortlisted" in page(
        add_by_hand(client, w, w["Withdrawn plan"], "Popular")
    )
    assert "already on the shortlist" in page(add_by_hand(client, w, w["Solar roofs"], "Again"))
    assert "belongs to another campaign" in page(add_by_hand(client, w, elsewhere, "Why not"))
    assert shortlist_titles(w.campaign) == ["Solar roofs", "Bike sheds", "Night bus"]
    assert count(ShortlistEntry) == 3


def test_chair_cannot_add_to_the_shortlist_before_judging_starts(build, client, login):
    """The shortlist is built when judging starts; an idea added while the campaign is still
    open would be 'shortlisted' while people still vote on it, and starting judging later
    would try to shortlist it a second time."""
    w = build(start=False)
    login(w.chair)
    add_by_hand(client, w, w["Solar roofs"], "Early bird")
    assert count(ShortlistEntry) == 0
    db.session.expire_all()
    assert w["Solar roofs"].status == "submitted"
    # and starting judging afterwards works and shortlists every top idea exactly once
    login(w.coe)
    assert start(client, w.campaign).status_code == 200
    assert shortlist_titles(w.campaign) == ["Solar roofs", "Bike sheds", "Night bus"]


# ---------------------------------------------------------------- conflicts of interest


def assert_recused(client: FlaskClient, login: Any, expert: User, idea: Idea, kind: str) -> None:
    recusal = db.session.scalar(
        db.select(Recusal).where(Recusal.expert_id == expert.id, Recusal.idea_id == idea.id)
    )
    assert recusal is not None and recusal.kind == kind
    assert count(Assignment, Assignment.expert_id == expert.id, Assignment.idea_id == idea.id) == 0
    login(expert)
    assert client.get(score_url(idea)).status_code == 403
    r = client.post(score_url(idea), data={"action": "draft"})
    assert r.status_code == 403
    assert count(Scorecard, Scorecard.expert_id == expert.id, Scorecard.idea_id == idea.id) == 0
    assert idea.title not in page(client.get("/judging/queue"))


def test_author_is_recused_from_their_own_idea(build, client, login, make_idea):
    w = build(start=False)
    own = make_idea(w.campaign, w.ana, title="Ana's own plan")
    own.vote_count = 10
    db.session.commit()
    w.start()
    assert_recused(client, login, w.ana, own, "author")
    entry = audit_actions("recusal.automatic")[-1]
    assert entry.target_id == own.id and entry.details == {"expert_id": w.ana.id, "kind": "author"}
    # the others review it
    assert count(Assignment, Assignment.idea_id == own.id) == 2


def test_coauthor_is_recused(build, client, login):
    w = build(start=False)
    db.session.execute(idea_coauthors.insert().values(idea_id=w["Bike sheds"].id, user_id=w.ben.id))
    db.session.commit()
    w.start()
    assert_recused(client, login, w.ben, w["Bike sheds"], "coauthor")
    assert audit_actions("recusal.automatic")[-1].details["kind"] == "coauthor"
    # co-writing one idea says nothing about the others
    assert count(Recusal, Recusal.expert_id == w.ben.id) == 1


def test_same_department_is_recused_only_when_the_panel_says_so(build, client, login):
    # Ben and Alice are both in Sales; Alice wrote Solar roofs and Night bus
    without = build(exclude_same_department=False)
    assert count(Recusal) == 0
    assert count(Assignment, Assignment.expert_id == without.ben.id) == 3

    with_flag = build(exclude_same_department=True)
    for title in ("Solar roofs", "Night bus"):
        assert_recused(client, login, with_flag.ben, with_flag[title], "department")
    # Bob (IT) wrote Bike sheds: nobody on the panel is from IT
    assert count(Assignment, Assignment.idea_id == with_flag["Bike sheds"].id) == 3
    assert count(Recusal, Recusal.expert_id != with_flag.ben.id) == 0
    login(with_flag.ben)
    assert "0 of 1 scored" in page(client.get("/judging/queue"))


def test_expert_declares_a_conflict_with_a_reason(w, client, login):
    idea = w["Bike sheds"]
    login(w.ana)
    r = client.post(f"/judging/ideas/{idea.id}/conflict", data={"reason": "  "})
    assert r.status_code == 302
    assert count(Recusal) == 0
    r = client.post(
        f"/judging/ideas/{idea.id}/conflict",
        data={"reason": "Bob is my brother-in-law"},
        follow_redirects=True,
    )
    assert "You are recused from this idea" in page(r)
    assert_recused(client, login, w.ana, idea, "declared")
    assert (
        db.session.scalar(db.select(Recusal.reason).where(Recusal.expert_id == w.ana.id))
        == "Bob is my brother-in-law"
    )
    entry = audit_actions("recusal.declared")[-1]
    assert (entry.actor_id, entry.target_id) == (w.ana.id, idea.id)
    assert entry.details == {"reason": "Bob is my brother-in-law"}
    login(w.ana)
    assert "0 of 2 scored" in page(client.get("/judging/queue"))
    # the chair sees who stepped back and why
    login(w.chair)
    board = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    assert f"{ANA_NAME} (declared: Bob is my brother-in-law)" in board
    assert "2 assigned" in board


def recused_yet_assigned() -> list[tuple[int, int]]:
    rows = db.session.execute(
        db.select(Recusal.expert_id, Recusal.idea_id).join(
            Assignment,
            (Assignment.expert_id == Recusal.expert_id) & (Assignment.idea_id == Recusal.idea_id),
        )
    )
    return [(expert_id, idea_id) for expert_id, idea_id in rows]


def test_a_conflict_declared_before_judging_starts_is_respected(build, client, login):
    """A panel member may declare a conflict on any idea of the campaign, also before
    judging starts; the shortlist built later must not assign them to it."""
    w = build(start=False)
    login(w.ana)
    r = client.post(f"/judging/ideas/{w['Solar roofs'].id}/conflict", data={"reason": "Cousin"})
    assert r.status_code == 302
    assert count(Recusal, Recusal.kind == "declared") == 1
    w.start()
    assert "Solar roofs" in shortlist_titles(w.campaign)
    assert recused_yet_assigned() == [], "recused, yet assigned (and counted as assigned)"
    login(w.ana)
    queue = page(client.get("/judging/queue"))
    assert "Solar roofs" not in queue and "0 of 2 scored" in queue


def test_starting_judging_survives_a_declared_conflict_that_is_also_automatic(
    build, client, login, make_idea
):
    """An expert who declared a conflict on their own idea before judging started: starting
    judging must not fail on the second (automatic) recusal of the same pair."""
    w = build(start=False)
    own = make_idea(w.campaign, w.ben, title="Ben's own plan")
    own.vote_count = 50
    db.session.commit()
    login(w.ben)
    r = client.post(f"/judging/ideas/{own.id}/conflict", data={"reason": "I wrote it"})
    assert r.status_code == 302
    login(w.coe)
    r = client.post(f"/campaigns/{w.campaign.id}/panel/start")
    assert r.status_code == 302
    db.session.expire_all()
    assert w.campaign.state == "judging"
    assert "Ben's own plan" in shortlist_titles(w.campaign)
    assert count(Recusal, Recusal.expert_id == w.ben.id, Recusal.idea_id == own.id) == 1
    assert recused_yet_assigned() == []


def test_chair_adding_an_idea_respects_conflicts_declared_on_it(w, client, login):
    login(w.ana)
    r = client.post(f"/judging/ideas/{w['Paper cuts'].id}/conflict", data={"reason": "My team"})
    assert r.status_code == 302
    login(w.chair)
    assert "Added to the shortlist." in page(
        add_by_hand(client, w, w["Paper cuts"], "Deserves a look")
    )
    assert recused_yet_assigned() == [], "recused, yet assigned"
    assert count(Assignment, Assignment.idea_id == w["Paper cuts"].id) == 2
    login(w.ana)
    assert "Paper cuts" not in page(client.get("/judging/queue"))


def test_a_recused_experts_scores_never_count(w, client, login):
    """An expert who declares a conflict after submitting must not stay counted: either the
    declaration is refused once the scorecard is in, or the scorecard stops counting."""
    solar = w["Solar roofs"]
    w.submit(w.ana, solar, 5, 10, remark="Before I knew")
    login(w.ana)
    client.post(f"/judging/ideas/{solar.id}/conflict", data={"reason": "Turns out: my cousin"})
    recused = count(Recusal, Recusal.expert_id == w.ana.id, Recusal.idea_id == solar.id)
    close_scoring(w)  # the chair scores too: until then the others' scores are sealed
    login(w.chair)
    body = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    row = plain(re.search(rf'id="idea-{solar.id}">(.*?)</article>', body, re.S).group(1))
    if recused:
        assert "reviews: 0 /" in row, "a recused expert's scorecard still counts"
        assert "Weighted score: —" in row
    else:
        assert "reviews: 1 /" in row and "Weighted score: 100.0" in row


def test_conflict_is_for_panel_members_only(w, client, login):
    for person in (w.outsider, w.employee, w.coe):
        login(person)
        r = client.post(
            f"/judging/ideas/{w['Solar roofs'].id}/conflict", data={"reason": "Just because"}
        )
        assert r.status_code == 403
    assert count(Recusal) == 0


def test_chair_assigns_a_replacement(w, client, login):
    idea = w["Bike sheds"]
    with w.app.test_request_context():
        declare_conflict(w.ana, idea, "Too close to the team")
    login(w.chair)
    r = client.post(
        f"/campaigns/{w.campaign.id}/panel/replacements",
        data={"idea_id": str(idea.id), "expert_id": str(w.outsider.id)},
        follow_redirects=True,
    )
    assert f"{OUTSIDER_NAME} now reviews this idea." in page(r)
    assignment = db.session.get(Assignment, (idea.id, w.outsider.id))
    assert assignment is not None and assignment.is_replacement
    assert assignment.assigned_by_id == w.chair.id
    assert count(PanelMember, PanelMember.user_id == w.outsider.id) == 1
    assert notified("You are asked to review “Bike sheds”") == {w.outsider.id}
    assert audit_actions("assignment.replacement")[-1].details == {"expert_id": w.outsider.id}
    # the replacement sees it in their queue and can score it; nothing else was assigned
    login(w.outsider)
    queue = page(client.get("/judging/queue"))
    assert "Bike sheds" in queue and "0 of 1 scored" in queue
    assert post_score(client, w, idea, 4, 7).status_code == 302
    db.session.expire_all()
    card = db.session.scalar(db.select(Scorecard).where(Scorecard.expert_id == w.outsider.id))
    assert card is not None and card.is_submitted
    assert client.get(score_url(w["Solar roofs"])).status_code == 403


def test_replacement_refusals(w, client, login, make_user, make_idea):
    idea = w["Solar roofs"]  # by Alice
    with w.app.test_request_context():
        declare_conflict(w.ana, idea, "Former manager")
    plain = make_user(name="Not An Expert")
    gone = make_user(roles=["expert"], is_active=False)
    url = f"/campaigns/{w.campaign.id}/panel/replacements"
    login(w.chair)

    def assign(expert: User, target: Idea = idea) -> str:
        data = {"idea_id": str(target.id), "expert_id": str(expert.id)}
        return page(client.post(url, data=data, follow_redirects=True))

    assert "active user with the expert role" in assign(plain)
    assert "active user with the expert role" in assign(gone)
    assert "recused from this idea" in assign(w.ana)
    assert "already reviews this idea" in assign(w.ben)
    w.alice.set_roles(["expert"])
    db.session.commit()
    assert "conflict of interest with this idea" in assign(w.alice)
    assert count(Assignment, Assignment.is_replacement.is_(True)) == 0
    # only shortlisted ideas of this campaign
    r = client.post(url, data={"idea_id": str(w["Paper cuts"].id), "expert_id": str(w.outsider.id)})
    assert r.status_code == 404
    elsewhere = make_idea(title="Elsewhere")
    r = client.post(url, data={"idea_id": str(elsewhere.id), "expert_id": str(w.outsider.id)})
    assert r.status_code == 404
    assert count(Assignment, Assignment.expert_id == w.outsider.id) == 0


# ---------------------------------------------------------------- scoring


def test_out_of_scale_values_are_refused_and_nothing_is_saved(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    for impact, cost in ((6, 5), (0, 5), (-1, 5), (3, 11), (3, 0), (999999999999, 5)):
        for action in ("draft", "submit"):
            r = post_score(client, w, idea, impact, cost, action=action)
            assert r.status_code == 422
            body = page(r)
            assert "give a score from" in body
            assert ("Impact: give a score from 1 to 5" in body) or (
                "Cost: give a score from 1 to 10" in body
            )
    assert count(Scorecard) == 0 and count(Score) == 0


@pytest.mark.parametrize("bad", ["abc", "3.5", "4,0", "1e1", "four", "3 points"])
def test_non_numeric_values_are_refused_and_nothing_is_saved(w, client, login, bad):
    login(w.ana)
    for action in ("draft", "submit"):
        r = post_score(client, w, w["Solar roofs"], bad, 5, action=action)
        assert r.status_code == 422
        assert "Impact: the score must be a whole number." in page(r)
    assert count(Scorecard) == 0 and count(Score) == 0


def test_a_draft_may_miss_criteria(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    r = post_score(
        client,
        w,
        idea,
        impact=4,
        action="draft",
        remark="First thoughts",
        notes={w.impact.id: "Big effect"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(score_url(idea))
    card = db.session.scalar(db.select(Scorecard).where(Scorecard.expert_id == w.ana.id))
    assert card is not None and not card.is_submitted
    assert card.overall_comment == "First thoughts"
    values = {s.criterion_id: (s.value, s.comment) for s in card.scores}
    assert values == {w.impact.id: (4, "Big effect"), w.cost.id: (None, "")}
    body = page(client.get(score_url(idea)))
    assert re.search(rf'name="score-{w.impact.id}"[^>]*value="4"', body)
    assert "First thoughts" in body and "Big effect" in body
    queue = page(client.get("/judging/queue"))
    assert "Draft" in queue and "0 of 3 scored" in queue
    # a second draft updates the same rows
    assert post_score(client, w, idea, impact=2, cost=3, action="draft").status_code == 302
    db.session.expire_all()
    assert count(Scorecard) == 1 and count(Score) == 2
    assert sorted(s.value for s in card.scores) == [2, 3]


def test_submitting_with_missing_criteria_is_refused_listing_them(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    r = post_score(client, w, idea, action="submit")
    assert r.status_code == 422
    assert "Missing: Impact, Cost." in page(r)
    r = post_score(client, w, idea, impact=5, action="submit")
    assert r.status_code == 422
    body = page(r)
    assert "Missing: Cost." in body and "Missing: Impact" not in body
    assert count(Scorecard) == 0 and count(Score) == 0
    # an earlier draft is kept as it was, and stays a draft
    post_score(client, w, idea, impact=5, action="draft")
    r = post_score(client, w, idea, impact=4, action="submit")
    assert r.status_code == 422 and "Missing: Cost." in page(r)
    db.session.expire_all()
    card = db.session.scalar(db.select(Scorecard))
    assert not card.is_submitted
    assert {s.criterion_id: s.value for s in card.scores} == {w.impact.id: 5, w.cost.id: None}


def test_each_wrong_or_missing_score_is_marked_at_its_criterion(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    body = page(post_score(client, w, idea, impact=7, cost="lots", action="submit"))
    errors = dict(re.findall(r'<p class="error" id="score-(\d+)-error">([^<]*)</p>', body))
    assert errors == {
        str(w.impact.id): "Impact: give a score from 1 to 5.",
        str(w.cost.id): "Cost: the score must be a whole number.",
    }
    assert re.search(rf'name="score-{w.impact.id}"[^>]*value="7"[^>]*aria-invalid="true"', body)
    body = page(post_score(client, w, idea, impact=4, action="submit"))
    errors = dict(re.findall(r'<p class="error" id="score-(\d+)-error">([^<]*)</p>', body))
    assert errors == {str(w.cost.id): "A score is needed to submit."}
    # the optional comment beside it is not marked (the whole criterion was, in red)
    assert not re.search(r"<textarea[^>]*aria-invalid", body) and "has-error" not in body
    assert count(Scorecard) == 0


def test_submitting_a_complete_scorecard_seals_it(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    r = post_score(client, w, idea, 4, 7, remark="Solid")
    assert r.status_code == 302 and r.headers["Location"].endswith("/judging/queue")
    card = db.session.scalar(db.select(Scorecard))
    assert card.is_submitted and card.overall_comment == "Solid"
    assert {s.criterion_id: s.value for s in card.scores} == {w.impact.id: 4, w.cost.id: 7}
    assert audit_actions("scorecard.submitted")[-1].actor_id == w.ana.id
    queue = page(client.get("/judging/queue"))
    assert "1 of 3 scored" in queue and "Submitted" in queue
    # sealed: no second submission, no edit through a draft
    for action in ("submit", "draft"):
        r = post_score(client, w, idea, 1, 1, action=action)
        assert r.status_code == 422 and "already submitted" in page(r)
    db.session.expire_all()
    assert {s.criterion_id: s.value for s in card.scores} == {w.impact.id: 4, w.cost.id: 7}


def test_queue_shows_the_deadline(w, client, login):
    w.panel.scoring_deadline = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    db.session.commit()
    login(w.ben)
    body = page(client.get("/judging/queue"))
    assert "0 of 3 scored" in body
    assert re.search(r"Mar 4, 2031, 9:00\W?AM", body), "deadline in the reader's time zone"


def test_scoring_after_the_deadline_is_refused(w, client, login):
    idea = w["Solar roofs"]
    login(w.ana)
    assert post_score(client, w, idea, 3, action="draft").status_code == 302
    w.panel.scoring_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for action in ("submit", "draft"):
        r = post_score(client, w, idea, 3, 3, action=action)
        assert r.status_code == 403
        assert "The scoring deadline has passed." in page(r)
    db.session.expire_all()
    card = db.session.scalar(db.select(Scorecard))
    assert not card.is_submitted
    assert {s.criterion_id: s.value for s in card.scores} == {w.impact.id: 3, w.cost.id: None}
    # the draft can still be read, but not changed
    body = page(client.get(score_url(idea)))
    assert "The scoring deadline has passed." in body and 'value="submit"' not in body
    # an expert without a draft cannot open the form at all
    login(w.ben)
    assert client.get(score_url(idea)).status_code == 403
    assert post_score(client, w, idea, 3, 3).status_code == 403
    assert count(Scorecard) == 1


def publish_all(w: World, reason: str = "Published before every review was in") -> None:
    for title, outcome in (
        ("Solar roofs", "selected"),
        ("Bike sheds", "not_selected"),
        ("Night bus", "not_selected"),
    ):
        w.decide(w[title], outcome, f"Because {title.lower()} {outcome.replace('_', ' ')}")
    with w.app.test_request_context():
        publish(w.chair, w.panel, reason)


def test_scoring_after_publishing_is_refused(w, client, login):
    w.submit(w.ana, w["Bike sheds"], 3, 3)
    publish_all(w)
    login(w.ben)
    r = post_score(client, w, w["Solar roofs"], 3, 3)
    assert r.status_code == 403
    assert "scoring is closed" in page(r)
    assert client.get(score_url(w["Solar roofs"])).status_code == 403
    r = client.post(f"/judging/ideas/{w['Solar roofs'].id}/conflict", data={"reason": "late"})
    assert r.status_code == 403
    assert count(Scorecard, Scorecard.expert_id == w.ben.id) == 0
    assert count(Recusal) == 0
    # an expert who scored can still read their own scorecard
    login(w.ana)
    assert client.get(score_url(w["Bike sheds"])).status_code == 200
    assert post_score(client, w, w["Bike sheds"], 5, 5).status_code == 403
    # closed campaigns leave the queue
    assert "Nothing to review right now" in page(client.get("/judging/queue"))


def test_non_experts_and_non_members_get_403_on_the_scoring_url(w, client, login, make_user):
    coe_expert = make_user(roles=["coe", "expert"])
    for person in (w.employee, w.outsider, w.coe, w.hr, w.admin, coe_expert, w.alice):
        login(person)
        assert client.get(score_url(w["Solar roofs"])).status_code == 403
        assert post_score(client, w, w["Solar roofs"], 3, 3).status_code == 403
        assert post_score(client, w, w["Solar roofs"], 3, action="draft").status_code == 403
    # a member cannot score an idea that is not on the shortlist
    login(w.ana)
    assert post_score(client, w, w["Paper cuts"], 3, 3).status_code == 403
    assert count(Scorecard) == 0 and count(Score) == 0


def test_expert_role_is_needed_even_for_a_panel_member(w, client, login):
    w.ana.set_roles([])
    db.session.commit()
    login(w.ana)
    assert post_score(client, w, w["Solar roofs"], 3, 3).status_code == 403
    assert client.get("/judging/queue").status_code == 403
    assert count(Scorecard) == 0


def test_one_score_per_expert_idea_and_criterion_in_the_database(w):
    card = Scorecard(idea_id=w["Solar roofs"].id, expert_id=w.ana.id)
    db.session.add(card)
    db.session.commit()
    keys = dict(expert_id=w.ana.id, idea_id=w["Solar roofs"].id, criterion_id=w.impact.id)
    db.session.add(Score(scorecard_id=card.id, value=3, **keys))
    db.session.commit()
    # a duplicate, even on another scorecard row, is refused by the database
    other = Scorecard(idea_id=w["Bike sheds"].id, expert_id=w.ana.id)
    db.session.add(other)
    db.session.commit()
    db.session.add(Score(scorecard_id=other.id, value=5, **keys))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # and a second scorecard for the same (idea, expert)
    db.session.add(Scorecard(idea_id=w["Solar roofs"].id, expert_id=w.ana.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count(Score) == 1 and count(Scorecard) == 2


def run_together(posts: list[Callable[[], Any]]) -> list[int]:
    barrier = threading.Barrier(len(posts))
    codes: list[int] = []
    errors: list[BaseException] = []

    def go(post: Callable[[], Any]) -> None:
        try:
            barrier.wait(10)
            codes.append(post().status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(p,)) for p in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return sorted(codes)


def test_experts_submitting_at_the_same_moment_lose_no_score(w, app, login):
    experts = (w.chair, w.ana, w.ben)
    clients = {e.id: login(e, on=app.test_client()) for e in experts}
    fields = {"action": "submit", f"score-{w.impact.id}": "4", f"score-{w.cost.id}": "6"}
    for title in ("Solar roofs", "Bike sheds", "Night bus"):
        url = score_url(w[title])
        codes = run_together(
            [lambda c=clients[e.id], u=url: c.post(u, data=fields) for e in experts]
        )
        assert codes == [302, 302, 302]
    db.session.rollback()
    assert count(Scorecard, Scorecard.submitted_at.is_not(None)) == 9
    assert count(Score) == 18
    assert count(Score, Score.value.is_(None)) == 0


def test_one_expert_submitting_twice_at_once_keeps_one_scorecard(w, app, login):
    tabs = [login(w.ana, on=app.test_client()) for _ in range(2)]
    url = score_url(w["Solar roofs"])
    impact, cost = f"score-{w.impact.id}", f"score-{w.cost.id}"
    first = {"action": "submit", impact: "2", cost: "2"}
    second = {"action": "submit", impact: "5", cost: "9"}
    codes = run_together(
        [lambda: tabs[0].post(url, data=first), lambda: tabs[1].post(url, data=second)]
    )
    assert codes == [302, 422]
    db.session.rollback()
    assert count(Scorecard) == 1 and count(Score) == 2
    card = db.session.scalar(db.select(Scorecard))
    assert card.is_submitted
    assert sorted(s.value for s in card.scores) in ([2, 2], [5, 9])


# ---------------------------------------------------------------- sealing


def result_article(body: str, title: str) -> str:
    for article in re.findall(r'<article class="card result[^"]*">(.*?)</article>', body, re.S):
        if title in article:
            return article
    raise AssertionError(f"no result for {title}")


def main_part(body: str) -> str:
    return body.split('<main id="content"', 1)[1].split("</main>", 1)[0]


def leaks_names(body: str, own: str = "") -> list[str]:
    """Expert names on a page; the viewer's own name is allowed in the header only."""
    found = [name for name in EXPERT_NAMES if name != own and name in body]
    if own and own in main_part(body):
        found.append(own)
    return found


def numbers_in(fragment: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)?", re.sub(r"<[^>]+>", " ", fragment)))


def test_sealing_at_every_stage(w, app, client, login):
    solar, cid = w["Solar roofs"], w.campaign.id
    board_url, results_url = f"/campaigns/{cid}/panel/board", f"/campaigns/{cid}/results"
    chair = login(w.chair, on=app.test_client())
    ana = login(w.ana, on=app.test_client())
    ben = login(w.ben, on=app.test_client())
    employee = login(w.employee, on=app.test_client())
    coe = login(w.coe, on=app.test_client())
    admin = login(w.admin, on=app.test_client())
    secrets = ("REMARK-FROM-CHAIR", "NOTE-ON-IMPACT-BY-CHAIR", "REMARK-FROM-ANA")

    # The chair submits Solar roofs: Impact 4 of 1-5, Cost 9 of 1-10.
    # Weighted (2 * 3/4 + 1 * 8/9) / 3 * 100 = 79.63
    r = post_score(chair, w, solar, 4, 9, remark=secrets[0], notes={w.impact.id: secrets[1]})
    assert r.status_code == 302

    # Ana has not submitted: she sees nothing of the chair's review
    before = page(ana.get(score_url(solar)))
    assert "Other experts so far" not in before
    assert CHAIR_NAME not in before and "79.6" not in before
    assert not any(s in before for s in secrets)
    assert ana.get(board_url).status_code == 403

    # Ana submits: Impact 3, Cost 4 -> (2 * 2/4 + 1 * 3/9) / 3 * 100 = 44.44
    assert post_score(ana, w, solar, 3, 4, remark=secrets[2]).status_code == 302
    after = page(ana.get(score_url(solar)))
    assert "Other experts so far (anonymous)" in after
    assert "1 other review" in after and "weighted score 79.6 / 100" in after
    assert "Impact: 4.0" in after and "Cost: 9.0" in after
    assert CHAIR_NAME not in after and BEN_NAME not in after
    assert secrets[0] not in after and secrets[1] not in after
    assert ana.get(board_url).status_code == 403

    # Ben has not submitted: still sealed for him although two reviews are in
    ben_view = page(ben.get(score_url(solar)))
    assert "Other experts so far" not in ben_view
    assert not any(name in ben_view for name in (CHAIR_NAME, ANA_NAME))
    assert not any(s in ben_view for s in secrets) and "79.6" not in ben_view
    assert ben.get(board_url).status_code == 403

    # The chair's own scoring page shows the others anonymously, like any expert's
    chair_view = page(chair.get(score_url(solar)))
    assert "1 other review" in chair_view and "weighted score 44.4 / 100" in chair_view
    assert ANA_NAME not in chair_view and secrets[2] not in chair_view

    # The chair's board: who scored what, the aggregates and the flags
    board = page(chair.get(board_url))
    assert CHAIR_NAME in board and ANA_NAME in board
    assert all(s in board for s in (secrets[0], secrets[2]))
    # mean (79.63 + 44.44) / 2 = 62.04; spread |79.63 - 44.44| / 2 = 17.59
    assert "62.0" in board and "17.6" in board
    assert "3.5" in board and "6.5" in board  # per-criterion means
    assert "2 / 3 assigned" in board
    assert "Fewer than 2 submitted reviews." in board  # Bike sheds and Night bus

    # Employees, the CoE, admins and other experts see no scores before publishing
    for viewer, own in ((employee, ""), (coe, ""), (admin, ""), (ana, ANA_NAME), (ben, BEN_NAME)):
        assert viewer.get(board_url).status_code == 403
        results = page(viewer.get(results_url))
        assert "has not published its results yet" in results
        assert not leaks_names(results, own)
        assert not any(s in results for s in secrets) and "62.0" not in results
    for viewer in (employee, coe, admin):
        assert viewer.get(score_url(solar)).status_code == 403
        idea_page = page(viewer.get(f"/ideas/{solar.id}"))
        assert not leaks_names(idea_page)
        assert not any(s in idea_page for s in secrets)
        assert "62.0" not in idea_page and "79.6" not in idea_page

    # A decision recorded but not published stays sealed too
    assert post_decision(chair, solar, "selected", "Clear winner for the pilot").status_code == 302
    for viewer in (employee, ana):
        assert "Clear winner for the pilot" not in page(viewer.get(results_url))
        idea_page = page(viewer.get(f"/ideas/{solar.id}"))
        assert "Clear winner for the pilot" not in idea_page
        assert "Expert panel decision" not in idea_page
    assert "Clear winner for the pilot" in page(chair.get(board_url))

    # Publish
    post_decision(chair, w["Bike sheds"], "not_selected", "Needs a site first")
    post_decision(chair, w["Night bus"], "not_selected", "Out of budget this year")
    r = chair.post(f"/campaigns/{cid}/panel/publish", data={"override_reason": "Agreed late"})
    assert r.status_code == 302 and r.headers["Location"].endswith(results_url)

    for viewer, own in ((employee, ""), (coe, ""), (ana, ANA_NAME), (ben, BEN_NAME)):
        results = page(viewer.get(results_url))
        assert "Clear winner for the pilot" in results and "Needs a site first" in results
        assert "Individual experts' scores are not shown." in results
        assert not leaks_names(results, own), "no expert names"
        assert not any(s in results for s in secrets), "no expert remarks"
        article = result_article(results, "Solar roofs")
        assert "Impact: 3.5" in article and "Cost: 6.5" in article and "62.0" in article
        # exactly the aggregates: 5 votes, 2 reviews, 62.0 weighted, means 3.5 and 6.5,
        # scale bounds 1-5 and 1-10; no individual value (4, 9, 3, 79.6, 44.4)
        assert numbers_in(article) <= {"5", "2", "62.0", "3.5", "6.5", "1", "10"}
        assert not numbers_in(article) & {"4", "9", "3", "79.6", "44.4", "17.6"}
    # after publishing the board is still the chair's alone
    for viewer in (employee, coe, admin, ana, ben):
        assert viewer.get(board_url).status_code == 403
    idea_page = page(employee.get(f"/ideas/{solar.id}"))
    assert "Expert panel decision: Selected" in plain(idea_page)
    assert "Clear winner for the pilot" in idea_page
    assert ANA_NAME not in idea_page and BEN_NAME not in idea_page
    assert not any(s in idea_page for s in secrets)


def test_results_before_publishing_say_not_yet_published(w, client, login):
    w.submit(w.ana, w["Solar roofs"], 5, 10)
    w.decide(w["Solar roofs"], "selected", "Strong case")
    for person in (w.employee, w.chair, w.coe):
        login(person)
        body = page(client.get(f"/campaigns/{w.campaign.id}/results"))
        assert "The expert panel has not published its results yet." in body
        assert "Strong case" not in body and "Solar roofs" not in main_part(body)


def test_results_of_a_campaign_without_a_panel(build, client, login):
    w = build(configure=False)
    login(w.employee)
    r = client.get(f"/campaigns/{w.campaign.id}/results")
    assert r.status_code == 200 and "not published its results yet" in page(r)


# ---------------------------------------------------------------- decisions and publishing


def test_decision_needs_an_outcome_and_a_reason(w, client, login):
    idea = w["Solar roofs"]
    login(w.chair)
    for outcome, reason in (("selected", ""), ("selected", "   "), ("", "Why"), ("maybe", "Why")):
        r = client.post(
            f"/ideas/{idea.id}/decision",
            data={"outcome": outcome, "reason": reason},
            follow_redirects=True,
        )
        assert r.status_code == 200
        assert "write the reason" in page(r)
    assert count(Decision) == 0
    r = client.post(
        f"/ideas/{w['Paper cuts'].id}/decision",
        data={"outcome": "selected", "reason": "Not on the list"},
        follow_redirects=True,
    )
    assert "Only shortlisted ideas are decided by the panel." in page(r)
    assert count(Decision) == 0
    assert post_decision(client, idea, "selected", "Best value").status_code == 302
    decision = db.session.scalar(db.select(Decision))
    assert (decision.outcome, decision.reason, decision.decided_by_id) == (
        "selected",
        "Best value",
        w.chair.id,
    )
    assert not decision.is_correction
    assert audit_actions("decision.recorded")[-1].details == {
        "outcome": "selected",
        "reason": "Best value",
    }
    # before publishing nothing changes for the idea or its followers
    db.session.expire_all()
    assert idea.status == "shortlisted"
    assert notified("published its decision") == set()


def test_publishing_is_refused_while_an_idea_has_no_decision(w, client, login):
    login(w.chair)
    url = f"/campaigns/{w.campaign.id}/panel/publish"
    r = client.post(url, data={"override_reason": "whatever"}, follow_redirects=True)
    assert "Decide on every shortlisted idea first: " in page(r)
    post_decision(client, w["Solar roofs"], "selected", "Yes")
    post_decision(client, w["Bike sheds"], "not_selected", "No")
    r = client.post(url, data={"override_reason": "whatever"}, follow_redirects=True)
    body = page(r)
    assert "Decide on every shortlisted idea first: Night bus." in body
    db.session.expire_all()
    assert not w.panel.is_published and w.campaign.state == "judging"
    assert w["Solar roofs"].status == "shortlisted"
    assert audit_actions("panel.published") == []


def test_publishing_below_minimum_reviews_needs_an_override_reason(w, client, login):
    for expert in (w.chair, w.ana):
        w.submit(expert, w["Solar roofs"], 4, 6)
        w.submit(expert, w["Bike sheds"], 2, 2)
    w.submit(w.ben, w["Night bus"], 3, 3)  # one review of the two needed
    login(w.chair)
    post_decision(client, w["Solar roofs"], "selected", "Yes")
    post_decision(client, w["Bike sheds"], "not_selected", "No")
    post_decision(client, w["Night bus"], "not_selected", "Not now")
    url = f"/campaigns/{w.campaign.id}/panel/publish"
    for data in ({}, {"override_reason": "   "}):
        r = client.post(url, data=data, follow_redirects=True)
        body = page(r)
        assert "These ideas have fewer than 2 reviews: Night bus." in body
        assert "Confirm with a reason to publish anyway." in body
        db.session.expire_all()
        assert not w.panel.is_published
    r = client.post(url, data={"override_reason": "Ben was ill; the chair read it"})
    assert r.status_code == 302
    db.session.expire_all()
    assert w.panel.is_published and w.panel.published_by_id == w.chair.id
    entry = audit_actions("panel.published")[-1]
    assert entry.actor_id == w.chair.id
    assert entry.details["below_minimum"] == ["Night bus"]
    assert entry.details["override_reason"] == "Ben was ill; the chair read it"


def test_publishing_with_every_review_in_needs_no_override(w, client, login):
    for title in ("Solar roofs", "Bike sheds", "Night bus"):
        w.submit(w.ana, w[title], 3, 3)
        w.submit(w.ben, w[title], 4, 4)
        w.decide(w[title], "not_selected", "Not this time")
    login(w.chair)
    r = client.post(f"/campaigns/{w.campaign.id}/panel/publish", data={})
    assert r.status_code == 302
    db.session.expire_all()
    assert w.panel.is_published
    assert audit_actions("panel.published")[-1].details["below_minimum"] == []


def test_publishing_sets_statuses_closes_the_campaign_and_tells_everyone(w, client, login):
    # Solar roofs scores highest, yet the chair selects Night bus and not Solar roofs
    for expert in (w.ana, w.ben):
        w.submit(expert, w["Solar roofs"], 5, 10)
        w.submit(expert, w["Bike sheds"], 3, 5)
        w.submit(expert, w["Night bus"], 2, 3)
    login(w.chair)
    board = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    assert board.index("Solar roofs") < board.index("Bike sheds") < board.index("Night bus")
    post_decision(client, w["Solar roofs"], "not_selected", "Already planned by facilities")
    post_decision(client, w["Bike sheds"], "not_selected", "No space")
    post_decision(client, w["Night bus"], "selected", "Cheap to pilot next quarter")
    r = client.post(f"/campaigns/{w.campaign.id}/panel/publish", data={}, follow_redirects=True)
    assert "The results are published" in page(r)
    db.session.expire_all()
    assert w.campaign.state == "closed"
    expected = {
        "Solar roofs": "not_selected",
        "Bike sheds": "not_selected",
        "Night bus": "selected",
    }
    for title, status in expected.items():
        idea = w[title]
        assert idea.status == status
        change = db.session.scalar(
            db.select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id.desc())
            .limit(1)
        )
        assert (change.from_status, change.to_status, change.changed_by_id) == (
            "shortlisted",
            status,
            w.chair.id,
        )
        voters = set(db.session.scalars(db.select(Vote.user_id).where(Vote.idea_id == idea.id)))
        assert notified(f"published its decision on “{title}”") == voters | {idea.author_id}
    assert w["Paper cuts"].status == "submitted"
    assert notified("Paper cuts") == set()
    assert audit_actions("campaign.state_changed")[-1].details == {
        "before": "judging",
        "after": "closed",
    }
    # the results page lists the selected idea first, with every reason
    results = page(client.get(f"/campaigns/{w.campaign.id}/results"))
    assert results.index("Night bus") < results.index("Solar roofs")
    assert "Already planned by facilities" in results and "Cheap to pilot next quarter" in results
    # the idea page shows its outcome
    login(w.employee)
    idea_page = page(client.get(f"/ideas/{w['Night bus'].id}"))
    assert "Expert panel decision: Selected" in plain(idea_page)
    assert "Cheap to pilot next quarter" in idea_page
    assert "Expert panel decision" not in page(client.get(f"/ideas/{w['Paper cuts'].id}"))
    # publishing is one action, done once
    login(w.chair)
    r = client.post(f"/campaigns/{w.campaign.id}/panel/publish", data={}, follow_redirects=True)
    assert "already published" in page(r)
    assert len(audit_actions("panel.published")) == 1


def test_nothing_to_publish_with_an_empty_shortlist(build, client, login):
    w = build(shortlist_size=0)
    login(w.chair)
    r = client.post(f"/campaigns/{w.campaign.id}/panel/publish", data={}, follow_redirects=True)
    assert "the shortlist is empty" in page(r)
    db.session.expire_all()
    assert not w.panel.is_published and w.campaign.state == "judging"


def test_correction_after_publishing_is_a_new_logged_decision(w, client, login):
    publish_all(w)
    target = w["Bike sheds"]
    login(w.chair)
    r = post_decision(client, target, "selected", "   ")
    assert count(Decision, Decision.idea_id == target.id) == 1
    r = post_decision(client, target, "selected", "A sponsor offered the space")
    assert r.status_code == 302
    decisions = list(
        db.session.scalars(
            db.select(Decision).where(Decision.idea_id == target.id).order_by(Decision.id)
        )
    )
    assert [(d.outcome, d.is_correction) for d in decisions] == [
        ("not_selected", False),
        ("selected", True),
    ]
    db.session.expire_all()
    assert target.status == "selected"
    change = db.session.scalar(
        db.select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == target.id)
        .order_by(IdeaStatusChange.id.desc())
        .limit(1)
    )
    assert (change.from_status, change.to_status) == ("not_selected", "selected")
    assert "Correction: A sponsor offered the space" in change.note
    entry = audit_actions("decision.corrected")[-1]
    assert (entry.actor_id, entry.target_id) == (w.chair.id, target.id)
    assert entry.details == {"outcome": "selected", "reason": "A sponsor offered the space"}
    voters = set(db.session.scalars(db.select(Vote.user_id).where(Vote.idea_id == target.id)))
    assert notified("corrected its decision on “Bike sheds”") == voters | {w.bob.id}
    # shown publicly, next to the original decision
    login(w.employee)
    results = page(client.get(f"/campaigns/{w.campaign.id}/results"))
    article = result_article(results, "Bike sheds")
    assert "Corrected after publication" in article
    assert "A sponsor offered the space" in article
    assert "Corrected after publication" not in result_article(results, "Night bus")
    idea_page = page(client.get(f"/ideas/{target.id}"))
    assert "Expert panel decision: Selected" in plain(idea_page)
    assert "A sponsor offered the space" in idea_page
    # the campaign stays closed and published
    db.session.expire_all()
    assert w.campaign.state == "closed" and w.panel.is_published


def test_the_board_flags_disagreement_and_missing_reviews(w, client, login):
    # Solar roofs: 100 and 0 -> spread 50 > 20; Bike sheds: 50 and 50 -> spread 0
    w.submit(w.ana, w["Solar roofs"], 5, 10)
    w.submit(w.ben, w["Solar roofs"], 1, 1)
    w.submit(w.ana, w["Bike sheds"], 3, 5)  # (2 * 0.5 + 4/9) / 3 * 100 = 48.15
    w.submit(w.ben, w["Bike sheds"], 3, 6)  # (2 * 0.5 + 5/9) / 3 * 100 = 51.85
    close_scoring(w)  # the chair scores too: until then the others' scores are sealed
    login(w.chair)
    body = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    rows = {
        title: re.search(
            rf'<article class="card board-row" id="idea-{w[title].id}">(.*?)</article>', body, re.S
        ).group(1)
        for title in ("Solar roofs", "Bike sheds", "Night bus")
    }
    solar, bikes, bus = (plain(rows[t]) for t in ("Solar roofs", "Bike sheds", "Night bus"))
    assert "Weighted score: 50.0 · spread: 50.0 · reviews: 2 / 3 assigned" in solar
    assert re.search(r"Experts disagree strongly \(spread above 20(\.0)?\)", solar)
    # per-criterion means: Impact (5 + 1) / 2 = 3.0, Cost (10 + 1) / 2 = 5.5
    assert "Mean 3.0 5.5" in solar
    # Bike sheds: mean 50.0, population stdev |51.85 - 48.15| / 2 = 1.85
    assert "Weighted score: 50.0 · spread: 1.9 · reviews: 2 / 3 assigned" in bikes
    assert "Experts disagree strongly" not in bikes
    assert "Fewer than 2 submitted reviews" not in bikes
    assert "Mean 3.0 5.5" in bikes
    assert "Weighted score: — · spread: — · reviews: 0 / 3 assigned" in bus
    assert "Fewer than 2 submitted reviews" in bus
    # highest mean first; ideas without reviews last
    assert body.index("Solar roofs") < body.index("Night bus")


def test_a_chair_who_scores_sees_the_others_scores_only_after_their_own(w, client, login):
    """DESIGN.md: scores are sealed from the other experts until each has submitted; the
    chair on the review list is one of them."""
    solar, bikes = w["Solar roofs"], w["Bike sheds"]
    for idea in (solar, bikes):
        w.submit(w.ana, idea, 5, 10, remark="Ana's view")
        w.submit(w.ben, idea, 1, 1, remark="Ben's view")
    login(w.chair)
    rows = board_rows(client, w)
    assert list(rows) == ["Solar roofs", "Bike sheds", "Night bus"]  # the shortlist's order
    for row in rows.values():
        assert "stay sealed from you until you submit your own scorecard" in row
        assert "Score this idea" in row and re.search(r"reviews: [02] / 3 assigned", row)
        for secret in ("Weighted score", "spread", ANA_NAME, "Ana's view", "disagree", "Mean"):
            assert secret not in row
    body = page(client.get(f"/campaigns/{w.campaign.id}/panel/board"))
    assert f'href="{score_url(solar)}">Score this idea' in body

    w.submit(w.chair, solar, 3, 5)
    with w.app.test_request_context():
        declare_conflict(w.chair, bikes, "My team built the sheds")
    rows = board_rows(client, w)
    assert list(rows)[2] == "Night bus"  # still sealed: after the ranked ones
    for title in ("Solar roofs", "Bike sheds"):  # scored, or recused: nothing to sway
        assert "sealed" not in rows[title] and "Weighted score" in rows[title]
        assert ANA_NAME in rows[title] and "Ben's view" in rows[title]
    assert "sealed" in rows["Night bus"]

    close_scoring(w)  # no more scoring: nothing left to seal
    assert all("sealed" not in row for row in board_rows(client, w).values())


# ---------------------------------------------------------------- fixed query counts


def test_board_and_results_query_counts_do_not_grow_with_the_shortlist(
    build, make_idea, make_user, make_department, client, login, count_queries
):
    def judged(n: int) -> tuple[int, int, int]:
        w = build(start=False, shortlist_size=n)
        for i in range(n - 3):  # the world has four live ideas; add the rest
            author = make_user(name=f"Author {i}", department=make_department())
            make_idea(w.campaign, author, title=f"Extra idea {i}")
        w.start()
        shortlisted = list(
            db.session.scalars(
                db.select(Idea)
                .join(ShortlistEntry, ShortlistEntry.idea_id == Idea.id)
                .where(ShortlistEntry.campaign_id == w.campaign.id)
            )
        )
        assert len(shortlisted) == n
        for k, idea in enumerate(shortlisted):
            w.submit(w.ana, idea, 1 + k % 5, 1 + k % 10, remark=f"remark {k}")
            if k % 2:
                w.submit(w.ben, idea, 5 - k % 5, 10 - k % 10)
            else:
                with w.app.test_request_context():
                    declare_conflict(w.ben, idea, f"conflict {k}")
            w.decide(idea, "selected" if k % 3 == 0 else "not_selected", f"reason {k}")
        w.decide(shortlisted[0], "not_selected", "changed my mind")
        return w.campaign.id, w.chair.id, shortlisted[1].id

    small_id, small_chair, small_corrected = judged(3)
    large_id, large_chair, large_corrected = judged(30)

    def measure(url: str) -> tuple[int, str]:
        db.session.expire_all()
        db.session.expunge_all()
        with count_queries() as q:
            r = client.get(url)
        assert r.status_code == 200
        return q.count, page(r)

    def both(url: str) -> tuple[tuple[int, str], tuple[int, str]]:
        login(db.session.get(User, small_chair))
        client.get(url.format(small_id))  # warm up
        small = measure(url.format(small_id))
        login(db.session.get(User, large_chair))
        large = measure(url.format(large_id))
        return small, large

    (s_count, s_body), (l_count, l_body) = both("/campaigns/{}/panel/board")
    assert s_body.count('class="card board-row"') == 3
    assert l_body.count('class="card board-row"') == 30
    assert s_count == l_count, (s_count, l_count)

    for campaign_id, chair_id, corrected in (
        (small_id, small_chair, small_corrected),
        (large_id, large_chair, large_corrected),
    ):
        chair = db.session.get(User, chair_id)
        panel = db.session.scalar(db.select(Panel).where(Panel.campaign_id == campaign_id))
        with client.application.test_request_context():
            publish(chair, panel, "Ben had conflicts")
            decide(chair, panel, db.session.get(Idea, corrected), "selected", "a correction")

    (s_count, s_body), (l_count, l_body) = both("/campaigns/{}/results")
    assert s_body.count('class="card result ') == 3
    assert l_body.count('class="card result ') == 30
    assert s_body.count("Corrected after publication") == 1
    assert l_body.count("Corrected after publication") == 1
    assert s_count == l_count, (s_count, l_count)
    (s_count, _), (l_count, _) = both("/campaigns/{}/panel/board")
    assert s_count == l_count, (s_count, l_count)


def test_organisers_are_not_offered_the_chairs_board(w, client, login):
    """The panel page links the board only for its chair (organisers got a 403 there)."""
    board = f"/campaigns/{w.campaign.id}/panel/board"
    for organiser in (w.coe, w.admin):
        login(organiser)
        body = page(client.get(f"/campaigns/{w.campaign.id}/panel"))
        assert "Results page" in body and board not in body
        assert client.get(board).status_code == 403
    login(w.chair)
    assert board in page(client.get(f"/campaigns/{w.campaign.id}"))
    assert client.get(board).status_code == 200

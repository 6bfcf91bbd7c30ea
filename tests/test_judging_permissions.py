"""Every expert-panel route against every kind of visitor: the status code, and that a refused
request changed nothing (and an allowed one did what it says).

Visitors: anonymous, employee, an expert who is not on the panel, a panel member, the chair,
a CoE member, HR, an administrator, and a deactivated account (which held every role and sat
on the panel before it was deactivated: its session no longer signs anyone in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ideahub.extensions import db
from ideahub.judging.decisions import decide
from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging
from ideahub.models import (
    Assignment,
    Campaign,
    Criterion,
    Decision,
    Idea,
    Panel,
    Recusal,
    Scorecard,
    ShortlistEntry,
    User,
    utcnow,
)

ROLES = (
    "anonymous",
    "employee",
    "outsider",  # has the expert role, not on this panel
    "member",
    "chair",
    "coe",
    "hr",
    "admin",
    "deactivated",
)
SIGNED_OUT = ("anonymous", "deactivated")
SIGNED_IN = tuple(r for r in ROLES if r not in SIGNED_OUT)


@dataclass
class Site:
    app: Flask
    users: dict[str, User]
    open_campaign: Campaign  # panel and criteria set up, judging not started
    open_criterion: Criterion
    judging: Campaign  # judging started
    panel: Panel
    impact: Criterion
    target: Idea  # shortlisted, assigned to the member and the chair
    spare: Idea  # not shortlisted
    draft: Campaign


@pytest.fixture
def site(
    app: Flask,
    make_user: Callable[..., User],
    make_campaign: Callable[..., Campaign],
    make_idea: Callable[..., Idea],
) -> Site:
    users = {
        "employee": make_user(name="Plain Employee"),
        "outsider": make_user(roles=["expert"], name="Outside Expert"),
        "member": make_user(roles=["expert"], name="Panel Member"),
        "chair": make_user(roles=["expert"], name="Panel Chair"),
        "coe": make_user(roles=["coe"], name="Coe Member"),
        "hr": make_user(roles=["hr"], name="Hr Person"),
        "admin": make_user(roles=["admin"], name="Admin Person"),
        "deactivated": make_user(roles=["expert", "coe", "admin"], name="Former Everything"),
    }
    author = make_user(name="Idea Author")
    coe = users["coe"]
    panel_ids = [users[r].id for r in ("member", "chair", "deactivated")]
    open_campaign = make_campaign(title="Open campaign")
    judging = make_campaign(title="Judged campaign")
    draft = make_campaign(state="draft", title="Draft campaign")
    make_idea(open_campaign, author, title="Open idea")
    target = make_idea(judging, author, title="Target idea")
    spare = make_idea(judging, author, title="Spare idea")
    target.vote_count = 3
    db.session.commit()
    with app.test_request_context():
        open_criterion = save_criterion(coe, open_campaign, "Impact", "", 1, 1, 5)
        save_panel(
            coe,
            open_campaign,
            PanelSettings(chair_id=users["chair"].id, member_ids=list(panel_ids)),
        )
        impact = save_criterion(coe, judging, "Impact", "", 1, 1, 5)
        panel = save_panel(
            coe,
            judging,
            PanelSettings(
                chair_id=users["chair"].id,
                member_ids=list(panel_ids),
                min_reviews=1,
                shortlist_size=1,
                scoring_deadline=utcnow() + timedelta(days=2),
            ),
        )
        assert [i.title for i in start_judging(coe, judging)] == ["Target idea"]
    users["deactivated"].is_active = False
    db.session.commit()
    return Site(
        app=app,
        users=users,
        open_campaign=open_campaign,
        open_criterion=open_criterion,
        judging=judging,
        panel=panel,
        impact=impact,
        target=target,
        spare=spare,
        draft=draft,
    )


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where)) or 0


@dataclass
class Route:
    method: str
    url: Callable[[Site], str]
    allowed: dict[str, int]  # role -> status; every other signed-in role gets 403
    data: Callable[[Site], dict[str, Any]] | None = None
    done: Callable[[Site, User | None], bool] | None = None  # did the action take effect?
    refused: int = 403
    prepare: Callable[[Site], None] | None = None  # so that the action can succeed


def _decide_target(s: Site) -> None:
    with s.app.test_request_context():
        decide(s.users["chair"], s.panel, s.target, "selected", "Good")


def _panel_form(s: Site) -> dict[str, Any]:
    return {
        "member_ids": [str(s.users["member"].id)],
        "chair_id": str(s.users["member"].id),
        "min_reviews": "2",
        "shortlist_size": "5",
    }


def _panel_saved(s: Site, user: User | None) -> bool:
    panel = db.session.scalar(db.select(Panel).where(Panel.campaign_id == s.open_campaign.id))
    return panel is not None and panel.chair_id == s.users["member"].id


def _has_scorecard(s: Site, user: User | None) -> bool:
    return user is not None and bool(
        count(Scorecard, Scorecard.idea_id == s.target.id, Scorecard.expert_id == user.id)
    )


def _has_recusal(s: Site, user: User | None) -> bool:
    return user is not None and bool(
        count(Recusal, Recusal.idea_id == s.target.id, Recusal.expert_id == user.id)
    )


MANAGERS = {"coe": 302, "admin": 302}
CHAIR = {"chair": 302}
SCORERS = {"member": 302, "chair": 302}

ROUTES: dict[str, Route] = {
    "setup-page": Route(
        "GET", lambda s: f"/campaigns/{s.open_campaign.id}/panel", {"coe": 200, "admin": 200}
    ),
    "setup-save": Route(
        "POST",
        lambda s: f"/campaigns/{s.open_campaign.id}/panel",
        MANAGERS,
        data=_panel_form,
        done=_panel_saved,
    ),
    "criterion-add": Route(
        "POST",
        lambda s: f"/campaigns/{s.open_campaign.id}/panel/criteria",
        MANAGERS,
        data=lambda s: {"name": "Reach", "weight": "1", "scale_min": "1", "scale_max": "5"},
        done=lambda s, u: bool(count(Criterion, Criterion.name == "Reach")),
    ),
    "criterion-delete": Route(
        "POST",
        lambda s: f"/criteria/{s.open_criterion.id}/delete",
        MANAGERS,
        done=lambda s, u: not count(Criterion, Criterion.id == s.open_criterion.id),
    ),
    "start": Route(
        "POST",
        lambda s: f"/campaigns/{s.open_campaign.id}/panel/start",
        MANAGERS,
        done=lambda s, u: bool(
            count(Campaign, Campaign.id == s.open_campaign.id, Campaign.state == "judging")
        ),
    ),
    "board": Route("GET", lambda s: f"/campaigns/{s.judging.id}/panel/board", {"chair": 200}),
    "shortlist-add": Route(
        "POST",
        lambda s: f"/campaigns/{s.judging.id}/panel/shortlist",
        CHAIR,
        data=lambda s: {"idea_id": str(s.spare.id), "reason": "Worth a look"},
        done=lambda s, u: bool(count(ShortlistEntry, ShortlistEntry.idea_id == s.spare.id)),
    ),
    "replacement": Route(
        "POST",
        lambda s: f"/campaigns/{s.judging.id}/panel/replacements",
        CHAIR,
        data=lambda s: {"idea_id": str(s.target.id), "expert_id": str(s.users["outsider"].id)},
        done=lambda s, u: bool(count(Assignment, Assignment.expert_id == s.users["outsider"].id)),
    ),
    "decision": Route(
        "POST",
        lambda s: f"/ideas/{s.target.id}/decision",
        CHAIR,
        data=lambda s: {"outcome": "selected", "reason": "Good"},
        done=lambda s, u: bool(count(Decision)),
    ),
    "publish": Route(
        "POST",
        lambda s: f"/campaigns/{s.judging.id}/panel/publish",
        CHAIR,
        data=lambda s: {"override_reason": "Nobody had time to review"},
        done=lambda s, u: bool(count(Panel, Panel.published_at.is_not(None))),
        prepare=_decide_target,
    ),
    "queue": Route(
        "GET", lambda s: "/judging/queue", {"outsider": 200, "member": 200, "chair": 200}
    ),
    "score-page": Route(
        "GET", lambda s: f"/judging/ideas/{s.target.id}/score", {"member": 200, "chair": 200}
    ),
    "score-save": Route(
        "POST",
        lambda s: f"/judging/ideas/{s.target.id}/score",
        SCORERS,
        data=lambda s: {"action": "draft", f"score-{s.impact.id}": "3"},
        done=_has_scorecard,
    ),
    "conflict": Route(
        "POST",
        lambda s: f"/judging/ideas/{s.target.id}/conflict",
        SCORERS,
        data=lambda s: {"reason": "I helped write it"},
        done=_has_recusal,
    ),
    "results": Route(
        "GET", lambda s: f"/campaigns/{s.judging.id}/results", {r: 200 for r in SIGNED_IN}
    ),
    "results-of-a-draft": Route(
        "GET",
        lambda s: f"/campaigns/{s.draft.id}/results",
        {"coe": 200, "admin": 200},
        refused=404,
    ),
}


def expected(route: Route, role: str) -> int:
    if role in SIGNED_OUT:
        return 302
    return route.allowed.get(role, route.refused)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROUTES))
def test_route_by_role(site: Site, client: FlaskClient, login: Any, name: str, role: str) -> None:
    route = ROUTES[name]
    user = site.users.get(role)
    if user is not None:
        login(user)
    if route.prepare is not None:
        route.prepare(site)
    before = route.done(site, user) if route.done else None
    url = route.url(site)
    data = route.data(site) if route.data else {}
    response = client.get(url) if route.method == "GET" else client.post(url, data=data)
    want = expected(route, role)
    assert response.status_code == want, (name, role, response.status_code)
    if role in SIGNED_OUT:
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    if route.done is not None:
        assert before is False
        took_effect = route.done(site, user)
        if want in (200, 302) and role not in SIGNED_OUT:
            assert took_effect, f"{name} by {role} did not take effect"
        else:
            assert not took_effect, f"{name} by {role} was refused yet took effect"


def test_deactivated_member_is_out_of_every_panel_page(site: Site, client: FlaskClient, login):
    """Deactivating an account ends its existing sessions on the panel pages too."""
    gone = site.users["deactivated"]
    login(gone)
    for url in (
        "/judging/queue",
        f"/judging/ideas/{site.target.id}/score",
        f"/campaigns/{site.judging.id}/panel/board",
        f"/campaigns/{site.judging.id}/results",
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    assert count(Scorecard, Scorecard.expert_id == gone.id) == 0


@pytest.mark.parametrize(
    ("role", "method", "url"),
    [
        ("coe", "GET", "/campaigns/999999/panel"),
        ("coe", "POST", "/campaigns/999999/panel/criteria"),
        ("coe", "POST", "/criteria/999999/delete"),
        ("coe", "POST", "/campaigns/999999/panel/start"),
        ("chair", "GET", "/campaigns/999999/panel/board"),
        ("chair", "POST", "/campaigns/999999/panel/publish"),
        ("chair", "POST", "/ideas/999999/decision"),
        ("member", "GET", "/judging/ideas/999999/score"),
        ("member", "POST", "/judging/ideas/999999/conflict"),
        ("employee", "GET", "/campaigns/999999/results"),
    ],
)
def test_unknown_objects_are_404(site, client, login, role, method, url):
    login(site.users[role])
    r = client.get(url) if method == "GET" else client.post(url, data={})
    assert r.status_code == 404


def test_chair_pages_of_a_campaign_without_a_panel_are_404(site, client, login, make_campaign):
    bare = make_campaign(title="No panel")
    for role in ("chair", "coe", "admin"):
        login(site.users[role])
        assert client.get(f"/campaigns/{bare.id}/panel/board").status_code == 404
        assert client.post(f"/campaigns/{bare.id}/panel/publish", data={}).status_code == 404
    # the managers can still open its set-up page
    login(site.users["coe"])
    assert client.get(f"/campaigns/{bare.id}/panel").status_code == 200


def test_a_chair_is_chair_of_their_own_panel_only(site, client, login):
    """The chair of the judged campaign is not the chair of another campaign's panel."""
    other_chair = site.users["member"]
    with site.app.test_request_context():
        save_panel(
            site.users["coe"],
            site.open_campaign,
            PanelSettings(chair_id=other_chair.id, member_ids=[other_chair.id]),
        )
    login(other_chair)
    assert client.get(f"/campaigns/{site.open_campaign.id}/panel/board").status_code == 200
    assert client.get(f"/campaigns/{site.judging.id}/panel/board").status_code == 403
    r = client.post(
        f"/ideas/{site.target.id}/decision", data={"outcome": "selected", "reason": "Mine now"}
    )
    assert r.status_code == 403
    assert count(Decision) == 0

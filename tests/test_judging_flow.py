"""Expert panels: weighted arithmetic, the whole flow per role, sealing, conflicts, publishing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from ideahub.extensions import db
from ideahub.judging.arithmetic import Scale, idea_score, weighted_score
from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging
from ideahub.models import Decision, Idea, Notice, Recusal, Score, Scorecard, utcnow

# ---------------------------------------------------------------- arithmetic by hand

IMPACT, EFFORT = 1, 2
SCALES = {IMPACT: Scale(2, 1, 5), EFFORT: Scale(1, 1, 10)}


def test_weighted_score_by_hand():
    # impact 5 of 1-5 -> 1.0, effort 1 of 1-10 -> 0.0: (2*1 + 1*0) / 3 * 100
    assert weighted_score({IMPACT: 5, EFFORT: 1}, SCALES) == pytest.approx(66.6667, abs=1e-3)
    # impact 3 -> 0.5, effort 10 -> 1.0: (2*0.5 + 1) / 3 * 100
    assert weighted_score({IMPACT: 3, EFFORT: 10}, SCALES) == pytest.approx(66.6667, abs=1e-3)
    assert weighted_score({IMPACT: 1, EFFORT: 1}, SCALES) == 0
    assert weighted_score({IMPACT: 5, EFFORT: 10}, SCALES) == 100


def test_idea_score_mean_spread_and_criterion_means():
    cards = [{IMPACT: 5, EFFORT: 10}, {IMPACT: 1, EFFORT: 1}]  # 100 and 0
    score = idea_score(cards, SCALES)
    assert score.reviews == 2 and score.mean == 50 and score.spread == 50
    assert score.criterion_means == {IMPACT: 3, EFFORT: 5.5}
    single = idea_score([{IMPACT: 4, EFFORT: 4}], SCALES)
    assert single.spread == 0
    assert idea_score([], SCALES).mean is None


# ---------------------------------------------------------------- a panel in judging


@pytest.fixture
def world(app, make_user, make_campaign, make_idea, make_department):
    ops, sales = make_department("Operations"), make_department("Sales")
    coe = make_user(roles=["coe"])
    chair = make_user(roles=["expert"], name="Chair Expert", department=ops)
    expert = make_user(roles=["expert"], name="Second Expert", department=ops)
    seller = make_user(roles=["expert"], name="Sales Expert", department=sales)
    author = make_user(department=sales, name="Idea Author")
    voter = make_user()
    campaign = make_campaign()
    ideas = [
        make_idea(campaign=campaign, author=author, title=f"Shortlisted idea {i}") for i in range(3)
    ]
    ideas[0].vote_count, ideas[1].vote_count, ideas[2].vote_count = 9, 5, 1
    own = make_idea(campaign=campaign, author=expert, title="Expert's own idea")
    own.vote_count = 7
    db.session.commit()
    with app.test_request_context():
        impact = save_criterion(coe, campaign, "Impact", "", 2, 1, 5)
        effort = save_criterion(coe, campaign, "Feasibility", "", 1, 1, 5)
        panel = save_panel(
            coe,
            campaign,
            PanelSettings(
                chair_id=chair.id,
                member_ids=[chair.id, expert.id, seller.id],
                min_reviews=2,
                shortlist_size=3,
                scoring_deadline=utcnow() + timedelta(days=3),
                exclude_same_department=True,
            ),
        )
        shortlisted = start_judging(coe, campaign)
    return dict(
        campaign=campaign,
        panel=panel,
        chair=chair,
        expert=expert,
        seller=seller,
        coe=coe,
        author=author,
        voter=voter,
        ideas=ideas,
        own=own,
        shortlisted=shortlisted,
        impact=impact,
        effort=effort,
    )


def score(client, idea, w, impact, effort, action="submit"):
    data = {"action": action, "overall_comment": "ok"}
    if impact is not None:
        data[f"score-{w['impact'].id}"] = impact
    if effort is not None:
        data[f"score-{w['effort'].id}"] = effort
    return client.post(f"/judging/ideas/{idea.id}/score", data=data)


def test_start_judging_shortlists_top_by_votes_and_notifies(world):
    assert [i.title for i in world["shortlisted"]] == [
        "Shortlisted idea 0",
        "Expert's own idea",
        "Shortlisted idea 1",
    ]
    assert world["campaign"].state == "judging"
    assert db.session.get(Idea, world["ideas"][0].id).status == "shortlisted"
    told = db.session.scalars(db.select(Notice.user_id)).all()
    assert world["author"].id in told


def test_recusals_author_and_same_department(world):
    kinds = {(r.expert_id, r.idea_id): r.kind for r in db.session.scalars(db.select(Recusal))}
    assert kinds[(world["expert"].id, world["own"].id)] == "author"
    assert kinds[(world["seller"].id, world["ideas"][0].id)] == "department"
    assert (world["chair"].id, world["ideas"][0].id) not in kinds


def test_recused_expert_gets_403_and_idea_not_in_queue(client, login, world):
    login(world["expert"])
    assert score(client, world["own"], world, 3, 3).status_code == 403
    queue = client.get("/judging/queue").get_data(as_text=True)
    assert "Expert&#39;s own idea" not in queue and "Expert's own idea" not in queue


def test_scoring_validation_and_draft_then_submit(client, login, world):
    idea = world["ideas"][0]
    login(world["chair"])
    r = score(client, idea, world, 9, 3)
    assert r.status_code == 422 and "from 1 to 5" in r.get_data(as_text=True)
    r = score(client, idea, world, "abc", 3)
    assert r.status_code == 422 and "whole number" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Scorecard)) == 0
    assert score(client, idea, world, 4, None, action="draft").status_code == 302
    r = score(client, idea, world, 4, None)
    assert r.status_code == 422 and "Missing: Feasibility" in r.get_data(as_text=True)
    assert score(client, idea, world, 4, 3).status_code == 302
    card = db.session.scalar(db.select(Scorecard))
    assert card.is_submitted
    assert score(client, idea, world, 5, 5).status_code in (403, 422)  # sealed once submitted


def test_non_member_and_non_expert_get_403(client, login, make_user, world):
    for person in (make_user(roles=["expert"]), make_user(), make_user(roles=["coe"])):
        login(person)
        assert score(client, world["ideas"][0], world, 3, 3).status_code == 403


def test_deadline_passed_refuses(client, login, world):
    world["panel"].scoring_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(world["chair"])
    r = score(client, world["ideas"][0], world, 3, 3)
    assert r.status_code == 403 and "deadline" in r.get_data(as_text=True)


def test_one_score_per_expert_idea_criterion_in_the_database(world):
    card = Scorecard(idea_id=world["ideas"][0].id, expert_id=world["chair"].id)
    db.session.add(card)
    db.session.flush()
    for _ in range(2):
        db.session.add(
            Score(
                scorecard_id=card.id,
                expert_id=world["chair"].id,
                idea_id=world["ideas"][0].id,
                criterion_id=world["impact"].id,
                value=3,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_experts_submitting_at_once_lose_nothing(app, login, world):
    idea = world["ideas"][1]
    fields = {
        "action": "submit",
        f"score-{world['impact'].id}": "4",
        f"score-{world['effort'].id}": "2",
    }
    clients = [
        login(world["chair"], on=app.test_client()),
        login(world["expert"], on=app.test_client()),
    ]
    url = f"/judging/ideas/{idea.id}/score"
    barrier, codes = threading.Barrier(2), []

    def go(c):
        barrier.wait()
        codes.append(c.post(url, data=fields).status_code)

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [302, 302]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Score)) == 4


def test_sealing_before_publication(app, client, login, make_user, world):
    idea = world["ideas"][0]
    login(world["chair"])
    score(client, idea, world, 5, 5)
    other = login(world["expert"], on=app.test_client())
    before = other.get(f"/judging/ideas/{idea.id}/score").get_data(as_text=True)
    assert "Other experts so far" not in before  # has not submitted yet
    score(other, idea, world, 1, 1)
    after = other.get(f"/judging/ideas/{idea.id}/score").get_data(as_text=True)
    assert "Other experts so far" in after and "Chair Expert" not in after
    assert other.get(f"/campaigns/{world['campaign'].id}/panel/board").status_code == 403
    board = client.get(f"/campaigns/{world['campaign'].id}/panel/board").get_data(as_text=True)
    assert "Second Expert" in board  # only the chair sees who scored what
    employee = login(make_user(), on=app.test_client())
    results = employee.get(f"/campaigns/{world['campaign'].id}/results").get_data(as_text=True)
    assert "not published its results yet" in results and "Chair Expert" not in results


def _decide_all(client, w, outcomes):
    for idea, outcome in zip(w["shortlisted"], outcomes, strict=True):
        client.post(
            f"/ideas/{idea.id}/decision",
            data={"outcome": outcome, "reason": f"Reason for {idea.title}"},
        )


def test_publishing_rules_and_published_view(app, client, login, make_user, world):
    campaign = world["campaign"]
    login(world["chair"])
    url = f"/campaigns/{campaign.id}/panel/publish"
    r = client.post(url, data={}, follow_redirects=True)
    assert "Decide on every shortlisted idea first" in r.get_data(as_text=True)
    # the chair may select an idea that did not score highest
    _decide_all(client, world, ["not_selected", "not_selected", "selected"])
    r = client.post(url, data={}, follow_redirects=True)
    assert "fewer than 2 reviews" in r.get_data(as_text=True)
    assert (
        client.post(url, data={"override_reason": "Deadline agreed with the sponsor"}).status_code
        == 302
    )
    db.session.expire_all()
    assert campaign.state == "closed" and world["panel"].is_published
    assert db.session.get(Idea, world["shortlisted"][2].id).status == "selected"
    employee = login(make_user(), on=app.test_client())
    html = employee.get(f"/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "Reason for Shortlisted idea 1" in html
    for name in ("Chair Expert", "Sales Expert"):  # (Second Expert appears as an author)
        assert name not in html
    idea_page = employee.get(f"/ideas/{world['shortlisted'][2].id}").get_data(as_text=True)
    assert "Expert panel decision" in idea_page
    assert score(client, world["ideas"][0], world, 3, 3).status_code == 403  # scoring closed


def test_correction_after_publication_is_a_new_logged_entry(client, login, world):
    login(world["chair"])
    _decide_all(client, world, ["selected", "not_selected", "not_selected"])
    client.post(f"/campaigns/{world['campaign'].id}/panel/publish", data={"override_reason": "ok"})
    target = world["shortlisted"][1]
    client.post(
        f"/ideas/{target.id}/decision", data={"outcome": "selected", "reason": "Budget found"}
    )
    decisions = db.session.scalars(
        db.select(Decision).where(Decision.idea_id == target.id).order_by(Decision.id)
    ).all()
    assert [d.is_correction for d in decisions] == [False, True]
    html = client.get(f"/campaigns/{world['campaign'].id}/results").get_data(as_text=True)
    assert "Corrected after publication" in html and "Budget found" in html


def test_declared_conflict_and_replacement(client, login, make_user, world):
    idea = world["ideas"][1]
    login(world["chair"])
    assert client.post(f"/judging/ideas/{idea.id}/conflict", data={"reason": ""}).status_code == 302
    assert (
        db.session.scalar(
            db.select(db.func.count()).select_from(Recusal).where(Recusal.kind == "declared")
        )
        == 0
    )
    client.post(f"/judging/ideas/{idea.id}/conflict", data={"reason": "My brother wrote it"})
    assert (
        db.session.scalar(db.select(Recusal.reason).where(Recusal.kind == "declared"))
        == "My brother wrote it"
    )
    substitute = make_user(roles=["expert"], name="Substitute Expert")
    r = client.post(
        f"/campaigns/{world['campaign'].id}/panel/replacements",
        data={"idea_id": idea.id, "expert_id": substitute.id},
    )
    assert r.status_code == 302
    login(substitute)
    assert "Shortlisted idea 1" in client.get("/judging/queue").get_data(as_text=True)


def test_chair_only_routes(client, login, make_user, world):
    cid = world["campaign"].id
    for person in (world["expert"], world["coe"], make_user(roles=["admin"]), make_user()):
        login(person)
        assert client.get(f"/campaigns/{cid}/panel/board").status_code == 403
        assert client.post(f"/campaigns/{cid}/panel/publish", data={}).status_code == 403
    login(make_user())
    assert client.get(f"/campaigns/{cid}/panel").status_code == 403

"""End to end in Chromium: an expert scores a shortlisted idea (draft, then submit), the chair
records the decision and publishes, and an employee reads the results: the winner, the
reason and per-criterion averages, never who scored what."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from ideahub.extensions import db
from ideahub.models import Campaign, Department, Idea, IdeaStatusChange, User, utcnow

from . import test_browser
from .live import e2e_app, serving
from .test_browser import PASSWORD, SHOTS, _require_browser

page = test_browser.page  # the same browser fixture (console errors fail the test)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A campaign in judging: one shortlisted idea, criteria Impact (x2) and Cost (x1) on 1-5,
    a panel of Ana (expert) and Chris (expert, chair), one review needed."""
    from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging

    _require_browser()
    root = tmp_path_factory.mktemp("e2e-judging")
    app = e2e_app(root)
    with app.app_context():
        db.create_all()
        dept = Department(name="Operations")
        db.session.add(dept)
        db.session.flush()
        people = {}
        for email, name, roles in (
            ("mei@example.test", "Mei Lin", ()),
            ("ana@example.test", "Ana Expert", ("expert",)),
            ("chris@example.test", "Chris Chair", ("expert",)),
            ("coe@example.test", "Chen CoE", ("coe",)),
        ):
            user = User(email=email, name=name, department_id=dept.id, hire_date=date(2024, 1, 2))
            user.set_password(PASSWORD)
            user.set_roles(roles)
            db.session.add(user)
            people[email] = user
        campaign = Campaign(title="Greener offices", state="open", description="Ideas, please.")
        db.session.add(campaign)
        db.session.flush()
        idea = Idea(
            campaign_id=campaign.id,
            author_id=people["mei@example.test"].id,
            title="Solar roofs",
            summary="Panels on every roof.",
        )
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaStatusChange(idea_id=idea.id, to_status="submitted"))
        db.session.commit()
        coe, ana, chris = (
            people[e] for e in ("coe@example.test", "ana@example.test", "chris@example.test")
        )
        with app.test_request_context():
            save_criterion(coe, campaign, "Impact", "How much it helps", 2, 1, 5)
            save_criterion(coe, campaign, "Cost", "How cheap it is", 1, 1, 5)
            save_panel(
                coe,
                campaign,
                PanelSettings(
                    chair_id=chris.id,
                    member_ids=[ana.id, chris.id],
                    min_reviews=1,
                    shortlist_size=1,
                    scoring_deadline=utcnow() + timedelta(days=3),
                ),
            )
            start_judging(coe, campaign)

    with serving(app) as url:
        yield url


def sign_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_expert_scores_chair_publishes_employee_reads(live_server: str, page) -> None:
    from playwright.sync_api import expect

    # The expert: queue, draft, then submit.
    sign_in(page, live_server, "ana@example.test")
    page.get_by_role("link", name="My reviews").click()
    expect(page.get_by_text("0 of 1 scored")).to_be_visible()
    page.get_by_role("link", name="Solar roofs").click()
    impact = page.get_by_role("group", name="Impact")
    impact.get_by_label("Score from 1 to 5").fill("5")
    impact.get_by_label("Comment on Impact").fill("Big cut in emissions.")
    page.get_by_role("button", name="Save draft").click()
    expect(
        page.get_by_role("group", name="Impact").get_by_label("Score from 1 to 5")
    ).to_have_value("5")
    page.get_by_role("group", name="Cost").get_by_label("Score from 1 to 5").fill("2")
    page.get_by_label("Overall comment").fill("Worth it despite the cost.")
    page.screenshot(path=SHOTS / "j1-scorecard.png", full_page=True)
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Your scorecard is submitted.")).to_be_visible()  # back on the queue
    expect(page.get_by_text("1 of 1 scored")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The chair, on the review list too: Ana's scores stay sealed until his own are in.
    sign_in(page, live_server, "chris@example.test")
    page.goto(live_server + "/campaigns/1/panel/board")
    expect(page.get_by_role("heading", name="Chair's board")).to_be_visible()
    row = page.locator("article", has=page.get_by_role("heading", name="Solar roofs"))
    expect(row).to_contain_text("stay sealed from you until you submit your own scorecard")
    expect(row).not_to_contain_text("Weighted score")
    row.get_by_role("link", name="Score this idea").click()
    page.get_by_role("group", name="Impact").get_by_label("Score from 1 to 5").fill("5")
    page.get_by_role("group", name="Cost").get_by_label("Score from 1 to 5").fill("2")
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Your scorecard is submitted.")).to_be_visible()

    # The board shows the weighted score now; decide with a reason; publish.
    page.goto(live_server + "/campaigns/1/panel/board")
    row = page.locator("article", has=page.get_by_role("heading", name="Solar roofs"))
    # (5-1)/4*2 + (2-1)/4*1 over 3 -> (2 + 0.25) / 3 = 75.0 out of 100, from both
    expect(row).to_contain_text("75.0")
    expect(row).to_contain_text("Ana")
    row.get_by_label("Selected", exact=True).check()
    row.get_by_label("Reason (published to everyone)").fill("High impact, fair cost.")
    row.get_by_role("button", name="Record decision").click()
    page.screenshot(path=SHOTS / "j2-board.png", full_page=True)
    page.get_by_role("button", name="Publish results").click()
    expect(page.get_by_text("Published on")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # An employee: the public results, with the reason and averages, no expert's name.
    sign_in(page, live_server, "mei@example.test")
    page.goto(live_server + "/campaigns/1/results")
    expect(page.get_by_role("heading", name="Solar roofs")).to_be_visible()
    expect(page.get_by_text("High impact, fair cost.")).to_be_visible()
    body = page.locator("main").inner_text()
    assert "Impact" in body and "Cost" in body
    assert "Ana Expert" not in body and "Big cut in emissions." not in body
    page.screenshot(path=SHOTS / "j3-results.png", full_page=True)

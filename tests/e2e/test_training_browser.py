"""End to end in Chromium: an employee acknowledges a new major guideline version (seeing
what changed) and passes its quiz; HR then downloads the records and finds them there."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from ideahub.extensions import db
from ideahub.models import Department, User

from . import test_browser
from .live import e2e_app, serving
from .test_browser import PASSWORD, SHOTS, _require_browser

page = test_browser.page  # the same browser fixture (console errors fail the test)

pytestmark = pytest.mark.e2e

QUIZ = """Who answers a journalist's question?
- Whoever read it first
* The community team

Where do customer complaints go?
* To Customer Service
- Nowhere"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Posting rules v1 (acknowledged by Mei) and v2 (major, not yet), with a module for v2."""
    from ideahub.governance.services import (
        DraftData,
        acknowledge,
        create_guideline,
        publish_version,
        save_draft,
    )
    from ideahub.training.services import create_module

    _require_browser()
    root = tmp_path_factory.mktemp("e2e-training")
    app = e2e_app(root)
    with app.app_context():
        db.create_all()
        dept = Department(name="Customer Service")
        db.session.add(dept)
        db.session.flush()
        people = {}
        for email, name, roles in (
            ("mei@example.test", "Mei Lin", ()),
            ("chen@example.test", "Chen Xiao", ("coe",)),
            ("hana@example.test", "Hana HR", ("hr",)),
        ):
            user = User(email=email, name=name, department_id=dept.id, hire_date=date(2024, 1, 2))
            user.set_password(PASSWORD)
            user.set_roles(roles)
            db.session.add(user)
            people[email] = user
        db.session.commit()
        author, mei = people["chen@example.test"], people["mei@example.test"]
        g = create_guideline(author, "Posting rules")
        everyone = {"for_everyone": True, "department_ids": (), "roles": ()}
        save_draft(author, g, DraftData(title=g.title, body="Be kind online.", **everyone))
        v1 = publish_version(author, g, "First.", True, date.today() - timedelta(days=60))
        acknowledge(mei, v1)
        body = "Be kind online.\n\nJournalists go to the community team."
        save_draft(author, g, DraftData(title=g.title, body=body, **everyone))
        publish_version(author, g, "Journalists.", True, date.today() - timedelta(days=1))
        create_module(author, g, "Posting safely", "Read the rules **twice**.", 100, 30, QUIZ)

    with serving(app) as url:
        yield url


def sign_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_acknowledge_a_new_version_pass_the_quiz_and_hr_exports(live_server: str, page) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server, "mei@example.test")
    page.get_by_role("link", name="Guidelines").first.click()
    expect(page.get_by_text("1 guideline needs your acknowledgment.")).to_be_visible()
    page.get_by_role("link", name="Posting rules").click()
    # What changed since the version Mei acknowledged: the added sentence is marked.
    expect(page.locator("ins").filter(has_text="Journalists")).to_be_visible()
    page.screenshot(path=SHOTS / "t1-what-changed.png", full_page=True)
    page.get_by_role("button", name="I have read and understood version 2").click()
    expect(page.get_by_text("You acknowledged")).to_be_visible()

    page.get_by_role("link", name="My training").click()
    expect(page.get_by_text("due by")).to_be_visible()
    page.get_by_role("link", name="Posting safely").click()
    page.get_by_role("button", name="Take the quiz").click()
    page.get_by_role("radio", name="The community team").check()
    page.get_by_role("radio", name="To Customer Service").check()
    page.screenshot(path=SHOTS / "t2-quiz.png", full_page=True)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Passed with 100%. Well done!")).to_be_visible()
    page.get_by_role("link", name="Your certificate").click()
    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.get_by_text("version 2")).to_be_visible()
    page.screenshot(path=SHOTS / "t3-certificate.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "hana@example.test")
    page.get_by_role("link", name="HR", exact=True).click()
    expect(
        page.get_by_role("heading", name="Guidelines: acknowledgments and training")
    ).to_be_visible()
    page.screenshot(path=SHOTS / "t4-hr-dashboard.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all records (CSV)").click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    mei = {r["requirement"]: r for r in rows if r["email"] == "mei@example.test"}
    assert mei["acknowledgment"]["status"] == "done"
    assert mei["acknowledgment"]["acknowledged_version"] == "2"
    assert mei["training"]["status"] == "done" and mei["training"]["training_score"] == "100"

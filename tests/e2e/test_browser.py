"""End to end in a real Chromium (Debian's), driven by Playwright.

An employee signs in, submits an idea with an attachment, comments, and votes for a
colleague's idea, seeing the count change without a page reload. Screenshots go to
tests/e2e/screenshots/ (git-ignored). Without Chromium the test is skipped with the reason,
except under CI=true, where it must run.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ideahub.extensions import db
from ideahub.models import (
    Campaign,
    Comment,
    Department,
    Idea,
    IdeaStatusChange,
    User,
    UserRole,
)

from .live import e2e_app, serving

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("IDEAHUB_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "browser-test-password"


def _require_browser() -> None:
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "Playwright's Python package is not installed"
    if reason is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser test required under CI=true: {reason}", pytrace=False)
        pytest.skip(f"browser test skipped: {reason}")


def _png(width: int = 24, height: int = 16) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([30, 95, 191]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _require_browser()
    root = tmp_path_factory.mktemp("e2e")
    app = e2e_app(root, COMMENTS_PER_PAGE=3)  # the long discussion below has 3 pages
    with app.app_context():
        db.create_all()
        dept = Department(name="Customer Service")
        db.session.add(dept)
        db.session.flush()
        people = (
            ("mei@example.test", "Mei Lin"),
            ("tom@example.test", "Tom Berg"),
            ("ada@example.test", "Ada Admin"),
        )
        for email, name in people:
            user = User(email=email, name=name, department_id=dept.id, hire_date=date(2024, 1, 2))
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.flush()
        ada = db.session.scalar(db.select(User).where(User.email == "ada@example.test"))
        db.session.add_all(UserRole(user_id=ada.id, role=role) for role in ("admin", "hr"))
        campaign = Campaign(title="Better customer experience", state="open", description="Go!")
        db.session.add(campaign)
        # A long name makes the search filters' campaign list wider than a phone.
        long_title = "Lessons learned from the 2025 warehouse modernisation and returns programme"
        db.session.add(Campaign(title=long_title, state="closed", description="Done."))
        db.session.flush()
        tom = db.session.scalar(db.select(User).where(User.email == "tom@example.test"))
        idea = Idea(campaign_id=campaign.id, author_id=tom.id, title="Self-service returns kiosk")
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaStatusChange(idea_id=idea.id, to_status="submitted"))
        # A discussion of 8 comments: threads of 1, 5 and 2 comments, 3 to a page.
        talked = Idea(campaign_id=campaign.id, author_id=tom.id, title="Longer opening hours")
        db.session.add(talked)
        db.session.flush()
        for n, replies in enumerate((0, 4, 1)):
            top = Comment(idea_id=talked.id, author_id=tom.id, body=f"Thread {n} opens")
            db.session.add(top)
            db.session.flush()
            db.session.add_all(
                Comment(idea_id=talked.id, author_id=ada.id, parent_id=top.id, body=f"Reply {k}")
                for k in range(replies)
            )
        talked.comment_count = 8
        db.session.commit()

    with serving(app) as url:
        yield url


@pytest.fixture
def page(live_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(page.url + " " + m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        try:
            yield page
            # A CSP violation or a script error is a failure even if the page looked right.
            assert problems == []
        finally:
            context.close()
            browser.close()


def test_employee_submits_comments_and_votes(live_server: str, page, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/login?next=%2F")
    page.get_by_label("Email").fill("mei@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Mei Lin")).to_be_visible()
    page.screenshot(path=SHOTS / "01-home.png", full_page=True)

    # Submit an idea with an attachment.
    page.get_by_role("link", name="Better customer experience").first.click()
    page.get_by_role("link", name="Submit an idea").click()
    page.get_by_label("Title").fill("Queue-free returns with QR codes")
    page.get_by_label("Summary").fill("Scan, drop, done: 二维码退货，无需排队。")
    page.get_by_label("Description").fill("Customers **scan a QR code** and drop the parcel.")
    page.get_by_label("Tags").fill("returns, 客服")
    screenshot = tmp_path / "mock-up.png"
    screenshot.write_bytes(_png())
    page.get_by_label("Supporting material").set_input_files(str(screenshot))
    page.get_by_role("button", name="Publish idea").click()
    expect(page.get_by_role("heading", name="Queue-free returns with QR codes")).to_be_visible()
    expect(page.get_by_role("link", name="mock-up.png")).to_be_visible()
    expect(page.get_by_alt_text("Preview of mock-up.png")).to_be_visible()
    page.screenshot(path=SHOTS / "02-idea.png", full_page=True)

    # Comment through htmx: the page is not reloaded (a marker on window survives).
    page.wait_for_load_state("load")  # htmx has processed the page (else a click posts plainly)
    page.evaluate("window.__noReload = true")
    page.get_by_label("Your comment").fill("Piloting this in Shanghai first would be easy.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#discussion")).to_contain_text("Piloting this in Shanghai first")
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=SHOTS / "03-commented.png", full_page=True)

    # Reply: the thread's Reply link opens its box in place, with the cursor in it.
    page.reload()
    page.wait_for_load_state("load")  # htmx has processed the page (else a click navigates)
    page.evaluate("window.__noReload = true")
    page.locator("#discussion .reply-link").first.click()
    reply_box = page.get_by_label("Your reply to")
    expect(reply_box).to_be_focused()
    page.keyboard.type("Happy to help with the pilot.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#discussion .replies")).to_contain_text("Happy to help with the pilot.")
    assert page.evaluate("window.__noReload") is True

    # Vote for a colleague's idea and see the count change in place.
    page.get_by_role("link", name="Better customer experience").first.click()
    page.get_by_role("link", name="Self-service returns kiosk").click()
    count = page.get_by_test_id("vote-count")
    expect(count).to_have_text("0")
    page.wait_for_load_state("load")  # htmx has processed the page (else a click posts plainly)
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Vote for this idea").click()
    expect(count).to_have_text("1")
    expect(page.get_by_role("button", name="Take back my vote")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=SHOTS / "04-voted.png", full_page=True)

    # On a phone-sized screen the idea page still reads without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    page.screenshot(path=SHOTS / "05-phone.png", full_page=True)

    # So do the search page's filters, each label beside its control.
    page.goto(live_server + "/search")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    words = page.get_by_label("Words").bounding_box()
    kind = page.get_by_label("Kind").bounding_box()
    assert kind["y"] > words["y"] + words["height"] / 2  # on a line of its own
    page.screenshot(path=SHOTS / "06-phone-search.png", full_page=True)


def test_a_long_discussion_in_pages_on_a_phone(live_server: str, page) -> None:
    """The pages of a discussion: reached by keyboard, readable on a phone, and a comment
    posted from an earlier page is shown on its own page, with the address to match."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("mei@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Better customer experience").first.click()
    page.get_by_role("link", name="Longer opening hours").click()
    pages = page.get_by_role("navigation", name="Pages of the discussion").first
    expect(pages).to_contain_text("Page 1 of 3")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False

    pages.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('?')[0].split('#')[0]}?page=2#discussion")
    expect(page.locator("#discussion")).to_contain_text("Replies continued from the previous page")
    expect(page.locator("#discussion article.comment")).to_have_count(3)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    page.screenshot(path=SHOTS / "08-phone-discussion-page-2.png", full_page=True)

    page.wait_for_load_state("load")  # htmx has processed the page (else a click posts plainly)
    page.evaluate("window.__noReload = true")
    page.get_by_label("Your comment").fill("Saturday mornings would do.")
    page.get_by_role("button", name="Post comment").click()
    expect(pages).to_contain_text("Page 3 of 3")
    expect(page.locator("#discussion article.comment").last).to_contain_text("Saturday mornings")
    assert page.evaluate("window.__noReload") is True
    assert page.url.endswith("?page=3")
    page.reload()
    expect(page.locator("#discussion article.comment").last).to_contain_text("Saturday mornings")


def test_tables_scroll_within_the_page_on_a_phone(live_server: str, page) -> None:
    """Wide tables (people, departments, HR's audit log and import) scroll on their own on
    a phone; the page itself does not scroll sideways."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    for path in ("/admin/users", "/admin/departments", "/hr/audit", "/hr/people"):
        page.goto(live_server + path)
        expect(page.locator("table").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert overflow is False, path
    page.screenshot(path=SHOTS / "07-phone-table.png", full_page=True)


def _sign_in(page, live_server: str, email: str) -> None:
    """Through the sign-in form, then to the home page."""
    from playwright.sync_api import expect

    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    page.goto(live_server + "/")


def test_campaign_filters_one_request_each_and_back_restores_them(live_server: str, page) -> None:
    """Enter in the tag box sent the filters twice (its change and the form's submit: two
    history entries); after Back the controls showed their first values, not the list's."""
    from playwright.sync_api import expect

    _sign_in(page, live_server, "mei@example.test")
    page.get_by_role("link", name="Better customer experience").first.click()
    expect(page.locator("#sort")).to_be_visible()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "tag=" in r.url else None)
    start = page.evaluate("history.length")
    page.select_option("#sort", "newest")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    page.fill("#tag", "kiosk")
    page.press("#tag", "Enter")
    expect(page).to_have_url(re.compile(r"tag=kiosk"))
    page.wait_for_timeout(500)  # a second request would have gone out by now
    assert len(asked) == 2 and page.evaluate("history.length") == start + 2
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=newest&status=&department=&tag=$"))
    expect(page.locator("#sort")).to_have_value("newest")
    expect(page.locator("#tag")).to_have_value("")
    page.go_back()
    expect(page.locator("#sort")).to_have_value("top")


def test_editing_a_comment_by_keyboard_keeps_the_focus_where_the_work_is(
    live_server: str, page
) -> None:
    """Edit puts the focus in the box (it was left on the page), Save gives it back to the
    comment."""
    from playwright.sync_api import expect

    _sign_in(page, live_server, "mei@example.test")
    page.get_by_role("link", name="Self-service returns kiosk").first.click()
    page.locator("#body").fill("Keyboard first")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator("article.comment", has_text="Keyboard first").last
    expect(mine).to_be_visible()
    anchor = mine.get_attribute("id")
    mine.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    box = page.locator(f"#edit-{anchor.split('-')[-1]}-body")
    expect(box).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(", then the mouse")
    page.locator("form.edit-comment").get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{anchor}")).to_contain_text("Keyboard first, then the mouse")
    expect(page.locator(f"#{anchor}")).to_be_focused()  # once htmx has settled the swap

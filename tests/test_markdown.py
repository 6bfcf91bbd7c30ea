"""ideahub.markdown: user Markdown becomes HTML that is safe to put in a page.

Pure functions: no app and no database, so these run once, not once per engine.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from ideahub.markdown import ALLOWED_TAGS, render_markdown, sanitize_html

REL = 'rel="nofollow noopener noreferrer"'


class Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser would parse it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""
        self.feed(str(html))  # a Markup would re-escape every piece
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: it drops tabs and newlines, ignores leading spaces."""
    url = re.sub(r"[\t\n\r]", "", url).lstrip("\x00 \x0c")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else None  # None: a relative URL


def assert_inert(html: str) -> None:
    """No element outside the allow-list, no event handler, no script URL."""
    for tag, attrs in Elements(html).tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name in {"href", "title", "start", "align", "rel"}, (tag, name)
            if name == "href":
                assert url_scheme(value or "") in {None, "http", "https", "mailto"}, value


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**bold**", "<p><strong>bold</strong></p>"),
        ("*italic*", "<p><em>italic</em></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("# Title", "<h1>Title</h1>"),
        ("### Small", "<h3>Small</h3>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("`a < b`", "<p><code>a &lt; b</code></p>"),
        ("```\nx = 1\n```", "<pre><code>x = 1\n</code></pre>"),
        ("line one  \nline two", "<p>line one<br>\nline two</p>"),
        ("---", "<hr>"),
        ("节能 **减排**", "<p>节能 <strong>减排</strong></p>"),
    ],
)
def test_formatting(text, html):
    assert render_markdown(text).strip() == html


def test_tables():
    html = render_markdown("| City | Saving |\n|:-----|-------:|\n| Shanghai | 12% |")
    tags = [tag for tag, _attrs in Elements(html).tags]
    assert tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "<th>City</th>" in html and "<td>Shanghai</td>" in html
    assert "style=" not in html  # alignment never as inline style (the CSP forbids it)


def test_links_get_rel_nofollow():
    html = render_markdown("[our site](https://example.com/a?b=1&c=2)")
    assert html.strip() == (
        f'<p><a href="https://example.com/a?b=1&amp;c=2" {REL}>our site</a></p>'
    )


def test_link_title_and_mailto_are_kept():
    html = render_markdown('[write](mailto:team@example.com "Team")')
    assert 'href="mailto:team@example.com"' in html and 'title="Team"' in html and REL in html


def test_relative_links_within_the_site_are_kept():
    assert 'href="/ideas/1"' in render_markdown("[see also](/ideas/1)")


def test_autolinks_get_rel_nofollow():
    assert render_markdown("<https://example.com>").strip() == (
        f'<p><a href="https://example.com" {REL}>https://example.com</a></p>'
    )


def test_result_is_markup_so_templates_do_not_escape_it_again():
    assert isinstance(render_markdown("**x**"), Markup)


@pytest.mark.parametrize("empty", ["", None])
def test_empty_input_renders_nothing(empty):
    assert render_markdown(empty) == Markup("")


def test_whitespace_only_renders_no_element():
    assert Elements(render_markdown("   \n\n  ")).tags == []


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '"><svg onload=alert(1)>',
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<details open ontoggle=alert(1)>",
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_raw_html_is_shown_as_text(text):
    html = render_markdown(text)
    assert_inert(html)
    assert [tag for tag, _attrs in Elements(html).tags] == ["p"]
    assert Elements(html).text.strip() == text  # the reader sees what was typed


def test_raw_html_inside_markdown_structures_stays_text():
    html = render_markdown(
        "- <b onmouseover=alert(1)>x</b>\n\n| a |\n|---|\n| <script>x</script> |"
    )
    assert_inert(html)
    assert "&lt;b onmouseover=alert(1)&gt;" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        '![x](https://example.com/a.png" onerror="alert(1))',
    ],
)
def test_dangerous_links_are_dropped(text):
    html = render_markdown(text)
    assert_inert(html)
    assert not any(tag == "a" and "href" in attrs for tag, attrs in Elements(html).tags)


def test_images_are_not_rendered():
    # Remote images would leak readers' addresses and are outside the allow-list.
    html = render_markdown("![chart](https://example.com/chart.png)")
    assert not any(tag == "img" for tag, _attrs in Elements(html).tags)


# ---------------------------------------------------------------- the sanitiser alone


def test_sanitizer_removes_what_a_renderer_might_let_through():
    html = sanitize_html(
        '<p onclick="x()" style="color:red">hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">a</a><a href="https://ok.example">b</a>'
        "<iframe src=x></iframe><svg onload=alert(1)></svg><img src=x onerror=alert(1)>"
    )
    assert_inert(html)
    assert "alert" not in html
    assert f'<a href="https://ok.example" {REL}>b</a>' in html
    assert "<p>hi</p>" in html


def test_sanitizer_replaces_a_users_own_rel():
    html = sanitize_html('<a href="https://ok.example" rel="opener">x</a>')
    assert html == f'<a href="https://ok.example" {REL}>x</a>'

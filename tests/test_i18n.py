"""Translations: the interface speaks Simplified and Traditional Chinese, and the catalogs
stay complete and in step with the code.

The catalog checks (no untranslated or fuzzy entry, placeholders kept, compiled files and
the .pot up to date) need no database and run once; the page checks run on each engine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import g
from flask.testing import FlaskClient

from ideahub.extensions import db
from ideahub.models import User

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh_Hans", "zh_Hant")
# The one extraction command; translations/README.md gives the same.
EXTRACT_ARGS = [
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "lazy_gettext",
    "--ignore-dirs=.* __pycache__",
    "--no-location",
    "--omit-header",
]
UPDATE_HINT = (
    "run, from the repository root: "
    ".venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext "
    "--ignore-dirs='.* __pycache__' -o translations/messages.pot . && "
    ".venv/bin/pybabel update -i translations/messages.pot -d translations, "
    "translate the new entries in translations/*/LC_MESSAGES/messages.po (and clear their "
    "fuzzy flags), then .venv/bin/pybabel compile -d translations "
    "(see translations/README.md)"
)
# %(name)s, %(num)d, ... and bare %s / %d; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")

# The label of the "Campaigns" link in the main navigation, and of the sign-in button.
CAMPAIGNS = {"zh_Hans": "征集活动", "zh_Hant": "徵集活動"}
SIGN_IN = {"zh_Hans": "登录", "zh_Hant": "登入"}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    return app_config


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in catalog if m.id}


def _placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def _key(value: Any) -> str | tuple[str, ...]:
    # read_mo gives a plural entry's ids and strings as lists, read_po as tuples.
    return value if isinstance(value, str) else tuple(value)


def _label(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("locale", LOCALES)
def test_signed_in_user_sees_their_language(
    locale: str,
    client: FlaskClient,
    login: Callable[[User], FlaskClient],
    make_user: Callable[..., User],
) -> None:
    user = make_user()
    user.locale = locale
    db.session.commit()
    login(user)

    page = client.get("/").get_data(as_text=True)

    assert CAMPAIGNS[locale] in page
    other = "zh_Hant" if locale == "zh_Hans" else "zh_Hans"
    assert CAMPAIGNS[other] not in page
    assert ">Campaigns<" not in page


def test_a_label_and_its_value_are_joined_with_the_languages_colon(
    client: FlaskClient,
    login: Callable[[User], FlaskClient],
    make_user: Callable[..., User],
    make_idea,
) -> None:
    """Chinese text takes the full-width colon: "编辑历史：..." rather than "编辑历史: ..."."""
    idea = make_idea(title="Solar roof")
    reader = make_user()
    reader.locale = "zh_Hans"
    db.session.commit()
    login(reader)
    page = client.get(f"/ideas/{idea.id}/history").get_data(as_text=True)
    assert "<title>编辑历史：Solar roof" in page
    reader.locale = "en"
    db.session.commit()
    g.pop("_flask_babel", None)  # the test's app context outlives requests
    page = client.get(f"/ideas/{idea.id}/history").get_data(as_text=True)
    assert "<title>Edit history: Solar roof" in page


def test_settings_offer_the_named_zones_and_keep_the_chosen_one(
    client: FlaskClient, login: Callable[[User], FlaskClient], make_user: Callable[..., User]
) -> None:
    user = make_user()
    login(user)
    page = client.get("/people/me/settings").get_data(as_text=True)
    select = page.split('name="timezone"', 1)[1].split("</select>", 1)[0]
    zones = re.findall(r'<option (?:selected )?value="([^"]*)"', select)
    assert zones[0] == "" and "Asia/Shanghai" in zones and "America/New_York" in zones
    assert not any(z.startswith("Etc") or (z and "/" not in z) for z in zones)
    r = client.post("/people/me/settings", data={"locale": "", "timezone": "Atlantis/Capital"})
    assert r.status_code == 200 and "Not a valid choice" in r.get_data(as_text=True)
    assert db.session.get(User, user.id).timezone == ""
    r = client.post("/people/me/settings", data={"locale": "", "timezone": "Asia/Shanghai"})
    assert r.status_code == 302
    page = client.get("/people/me/settings").get_data(as_text=True)
    assert '<option selected value="Asia/Shanghai">' in page


@pytest.mark.parametrize("locale", LOCALES)
def test_labels_of_stored_codes_follow_the_language(app, locale: str) -> None:
    """Statuses, states and roles are translated as shown, also when the language changes
    within a request (e-mails go out in each reader's language)."""
    from flask_babel import force_locale, gettext

    from ideahub import i18n

    with app.test_request_context():
        assert i18n.status_label("submitted") == "Submitted"
        with force_locale(locale):
            assert i18n.status_label("submitted") == gettext("Submitted") != "Submitted"
            assert i18n.state_label("open") == gettext("Open") != "Open"
            assert i18n.role_label("expert") == gettext("Expert") != "Expert"
            assert i18n.coe_role_label("sponsor") == gettext("Sponsor") != "Sponsor"
        assert i18n.status_label("submitted") == "Submitted"
        assert i18n.status_label("a_code_without_label") == "a_code_without_label"


def test_a_moment_reads_the_same_on_every_page_in_each_language(app) -> None:
    """Date and time to the minute, in the reader's zone (company default Asia/Shanghai):
    no seconds, no ambiguous 12/5/26."""
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from ideahub import i18n

    at = datetime(2026, 12, 4, 21, 5, 30, tzinfo=UTC)
    with app.test_request_context():
        assert i18n.moment(at).replace("\u202f", " ") == "Dec 5, 2026, 5:05 AM"
        with force_locale("zh_Hans"):
            assert i18n.moment(at) == "2026年12月5日 05:05"


def test_english_is_the_default(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)

    assert "Sign in to IdeaHub" in page
    assert SIGN_IN["zh_Hans"] not in page


def test_anonymous_visitor_chooses_a_language(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "zh_Hans", "next": "/login"})
    assert response.status_code == 302

    page = client.get("/login").get_data(as_text=True)

    assert SIGN_IN["zh_Hans"] in page
    assert "Sign in to IdeaHub" not in page


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh-TW,zh;q=0.9,en;q=0.5", "zh_Hant"),
        ("zh-HK,zh;q=0.9", "zh_Hant"),
        ("zh", "zh_Hans"),
        ("fr-FR,zh-TW;q=0.8", "zh_Hant"),
        ("zh-Hans,en;q=0.5", "zh_Hans"),
        ("zh-Hant,en;q=0.5", "zh_Hant"),
    ],
)
def test_anonymous_visitor_gets_the_browser_language(
    header: str, locale: str, client: FlaskClient
) -> None:
    response = client.get("/login", headers={"Accept-Language": header})

    page = response.get_data(as_text=True)
    assert SIGN_IN[locale] in page
    assert "Sign in to IdeaHub" not in page


# ---------------------------------------------------------------- catalogs


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_placeholders_match(locale: str) -> None:
    catalog = _read_po(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert catalog.num_plurals == 1, "Chinese has one plural form (nplurals=1; plural=0;)"
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"

    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        label = _label(message.id)
        if message.fuzzy:
            problems.append(f"fuzzy: {label!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not strings or not all(strings):
            problems.append(f"untranslated: {label!r}")
            continue
        # A single Chinese form stands for every count, so it follows the plural msgid.
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        for string in strings:
            if _placeholders(string) != _placeholders(source):
                problems.append(
                    f"placeholders differ: {label!r} has {sorted(_placeholders(source))}, "
                    f"{string!r} has {sorted(_placeholders(string))}"
                )
    assert not problems, f"{locale}: " + "\n".join(problems)

    missing = sorted(map(_label, _ids(_read_po(POT)) - _ids(catalog)))
    assert not missing, f"{locale} lacks messages of messages.pot: {missing}; " + UPDATE_HINT


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_the_po_file(locale: str) -> None:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    catalog = _read_po(folder / "messages.po", locale)
    with (folder / "messages.mo").open("rb") as f:
        compiled = read_mo(f)

    expected = {_key(m.id): _key(m.string) for m in catalog if m.id and not m.fuzzy}
    actual = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert actual == expected, (
        f"translations/{locale}/LC_MESSAGES/messages.mo is stale: "
        "run .venv/bin/pybabel compile -d translations"
    )


def test_pot_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-m", "babel.messages.frontend", *EXTRACT_ARGS, "-o", str(fresh), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    extracted = _ids(_read_po(fresh))
    committed = _ids(_read_po(POT))
    assert len(extracted) > 300, "extraction found too few messages: check babel.cfg"
    new = sorted(map(_label, extracted - committed))
    gone = sorted(map(_label, committed - extracted))
    assert not new and not gone, (
        f"translations/messages.pot is out of date (new: {new}; no longer used: {gone}); "
        + UPDATE_HINT
    )


def test_wtforms_own_messages_follow_the_readers_language(app) -> None:
    """WTForms' built-in messages come translated (their catalogue is read once per process
    and language, ideahub.forms.Form), and a request in English after one in Chinese is not
    answered from the wrong catalogue."""
    from flask_babel import force_locale
    from wtforms import IntegerField

    from ideahub.forms import Form

    class Count(Form):
        n = IntegerField()

    def error() -> str:
        with app.test_request_context("/", method="POST", data={"n": "many"}):
            form = Count(meta={"csrf": False})
            assert not form.validate()
            return form.n.errors[0]

    with force_locale("zh_Hans"):
        assert error() == "不是有效的整数。"
    assert error() == "Not a valid integer value."

"""Attachments: what may be uploaded (by extension AND content), where it is stored, and how
it is served back (download always as an attachment, inline preview only for images)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from urllib.parse import quote

import filetype
import pytest

from ideahub.extensions import db
from ideahub.models import Attachment, AuditEntry, Idea, IdeaRevision
from ideahub.uploads import (
    SNIFF_BYTES,
    LocalStorage,
    UploadRejected,
    clean_filename,
    detect_type,
    store_upload,
)

MAX_UPLOAD = 16 * 1024
MAX_REQUEST = 64 * 1024


@pytest.fixture
def app_config(app_config):
    # Small limits, so "too large" needs only a few kilobytes; still above the sniff window.
    app_config["MAX_UPLOAD_BYTES"] = MAX_UPLOAD
    app_config["MAX_CONTENT_LENGTH"] = MAX_REQUEST
    return app_config


# ---------------------------------------------------------------- small real files


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100


def office(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(part, '<?xml version="1.0"?><document/>')
    return buf.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")
PPTX = office("ppt/presentation.xml")
OFFICE_MIME = "application/vnd.openxmlformats-officedocument."

GOOD_FILES = [
    ("report.pdf", PDF, "application/pdf"),
    ("chart.png", png(), "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("anim.gif", GIF, "image/gif"),
    ("pic.webp", WEBP, "image/webp"),
    ("notes.txt", "Plain notes, 中文也可以.\n".encode(), "text/plain"),
    ("readme.md", b"# Plan\n\n- step one\n", "text/markdown"),
    ("data.csv", b"city,saving\nShanghai,12\n", "text/csv"),
    ("plan.docx", DOCX, OFFICE_MIME + "wordprocessingml.document"),
    ("budget.xlsx", XLSX, OFFICE_MIME + "spreadsheetml.sheet"),
    ("pitch.pptx", PPTX, OFFICE_MIME + "presentationml.presentation"),
]


def test_the_sample_files_are_what_filetype_says():
    """The fixtures themselves: binary samples are recognised, so the tests below mean something."""
    for _name, content, mime in GOOD_FILES:
        if not mime.startswith("text/"):
            assert filetype.guess_mime(content) == mime
    assert filetype.guess_mime(EXE) == "application/x-msdownload"


# ---------------------------------------------------------------- helpers


@pytest.fixture
def author(make_user, login):
    user = make_user()
    login(user)
    return user


def submit(client, campaign, files=(), **fields):
    data = {"title": "Solar panels on the roof", **fields}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        f"/campaigns/{campaign.id}/ideas/new", data=data, content_type="multipart/form-data"
    )


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def attachments() -> list[Attachment]:
    return list(db.session.scalars(db.select(Attachment).order_by(Attachment.id)))


def status_of(client, url: str) -> int:
    r = client.get(url)
    r.close()  # a served file holds an open handle until closed
    return r.status_code


def files_on_disk(app) -> list[str]:
    root = app.config["UPLOAD_FOLDER"]
    return [os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names]


@pytest.fixture
def stored(app):
    """Attach a file to an idea as the service would, without going through a form."""

    def attach(idea: Idea, name: str, content: bytes) -> Attachment:
        f = store_upload(name, io.BytesIO(content))
        row = Attachment(
            idea_id=idea.id,
            uploaded_by_id=idea.author_id,
            filename=f.filename,
            content_hash=f.content_hash,
            mime_type=f.mime_type,
            size=f.size,
        )
        db.session.add(row)
        db.session.commit()
        return row

    return attach


# ---------------------------------------------------------------- accepted files


@pytest.mark.parametrize(("name", "content", "mime"), GOOD_FILES, ids=[f[0] for f in GOOD_FILES])
def test_each_allowed_type_is_accepted_with_its_mime_type(
    client, author, make_campaign, name, content, mime
):
    r = submit(client, make_campaign(), files=[(name, content)])
    assert r.status_code == 302
    (attachment,) = attachments()
    assert (attachment.filename, attachment.mime_type, attachment.size) == (
        name,
        mime,
        len(content),
    )


def test_several_files_in_one_submission_are_all_attached(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("a.png", png()), ("b.pdf", PDF), ("c.docx", DOCX)])
    assert r.status_code == 302
    idea = db.session.scalar(db.select(Idea))
    assert [(a.idea_id, a.filename) for a in attachments()] == [
        (idea.id, "a.png"),
        (idea.id, "b.pdf"),
        (idea.id, "c.docx"),
    ]
    assert all(a.uploaded_by_id == author.id for a in attachments())
    audit = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "idea.submitted"))
    assert audit.details["attachments"] == 3


def test_file_is_stored_under_upload_folder_by_sha256_outside_static(
    client, author, make_campaign, app
):
    submit(client, make_campaign(), files=[("plan.pdf", PDF)])
    (attachment,) = attachments()
    digest = hashlib.sha256(PDF).hexdigest()
    assert attachment.content_hash == digest
    path = os.path.join(app.config["UPLOAD_FOLDER"], digest[:2], digest[2:])
    with open(path, "rb") as f:
        assert f.read() == PDF
    assert files_on_disk(app) == [path]  # no temporary file left behind
    static = os.path.realpath(app.static_folder)
    assert not os.path.realpath(path).startswith(static + os.sep)


def test_default_upload_folder_is_in_the_instance_folder_not_static(monkeypatch, app):
    from ideahub.config import load_config

    monkeypatch.delenv("IDEAHUB_UPLOAD_FOLDER", raising=False)
    folder = load_config(app.instance_path)["UPLOAD_FOLDER"]
    assert folder == os.path.join(app.instance_path, "uploads")
    assert not os.path.realpath(folder).startswith(os.path.realpath(app.static_folder))


def test_same_content_twice_is_stored_once(client, author, make_campaign, app):
    campaign = make_campaign()
    submit(client, campaign, files=[("a.png", png())])
    submit(client, campaign, title="Another idea with the same chart", files=[("b.png", png())])
    first, second = attachments()
    assert first.idea_id != second.idea_id
    assert first.content_hash == second.content_hash
    assert len(files_on_disk(app)) == 1


def test_author_adds_files_to_an_existing_idea(client, author, make_idea):
    idea = make_idea(author=author, tags=("roof", "energy"))
    r = client.post(
        f"/ideas/{idea.id}/attachments",
        data={"files": [(io.BytesIO(PDF), "extra.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and r.location.endswith(f"/ideas/{idea.id}#attachments")
    assert [(a.idea_id, a.filename) for a in attachments()] == [(idea.id, "extra.pdf")]
    assert count(IdeaRevision) == 0  # the text did not change, so no earlier version
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "idea.edited"))
    assert (entry.actor_id, entry.details["attachments_added"]) == (author.id, 1)


def test_attaching_nothing_says_so(client, author, make_idea):
    idea = make_idea(author=author)
    r = client.post(
        f"/ideas/{idea.id}/attachments",
        data={"files": []},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Choose at least one file." in r.get_data(as_text=True)
    assert count(Attachment) == 0


def test_an_uploads_outcome_is_said_where_the_page_lands(client, author, make_idea):
    """The page opens at #attachments: a message at its top was out of sight."""
    idea = make_idea(author=author)
    for files, said in (
        ([(io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")], "files of this type are not allowed"),
        ([(io.BytesIO(b"plain notes"), "notes.txt")], "1 file(s) attached."),
    ):
        r = client.post(f"/ideas/{idea.id}/attachments", data={"files": files})
        assert r.status_code == 302 and r.location.endswith("#attachments")
        page = client.get(r.location).get_data(as_text=True)
        section = page.split('id="attachments"', 1)[1].split("</section>", 1)[0]
        assert said in section
        top = page.split('id="flashes"', 1)[1].split("</div>", 1)[0]
        assert said not in top  # said once, in its place


def test_only_the_author_may_attach_files(client, make_user, login, make_idea, app):
    idea = make_idea()
    login(make_user(["admin"]))
    r = client.post(
        f"/ideas/{idea.id}/attachments",
        data={"files": [(io.BytesIO(PDF), "extra.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403
    assert count(Attachment) == 0 and files_on_disk(app) == []


# ---------------------------------------------------------------- refused files


def test_exe_renamed_pdf_is_refused_with_a_clear_message_and_nothing_saved(
    client, author, make_campaign, app
):
    r = submit(client, make_campaign(), files=[("invoice.pdf", EXE)])
    assert r.status_code == 200
    assert "invoice.pdf does not contain what its name says (.pdf)." in r.get_data(as_text=True)
    assert count(Idea) == 0 and count(Attachment) == 0
    assert files_on_disk(app) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", EXE),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("page.htm", b"<html></html>"),
        ("script.js", b"alert(1)"),
        ("noextension", b"hello"),
    ],
)
def test_disallowed_extension_is_refused(client, author, make_campaign, app, name, content):
    r = submit(client, make_campaign(), files=[(name, content)])
    assert r.status_code == 200
    assert f"{name}: files of this type are not allowed" in r.get_data(as_text=True)
    assert count(Idea) == 0 and files_on_disk(app) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [("chart.jpg", png()), ("photo.png", JPEG), ("plan.docx", XLSX), ("report.pdf", DOCX)],
)
def test_one_allowed_type_disguised_as_another_is_refused(
    client, author, make_campaign, name, content
):
    r = submit(client, make_campaign(), files=[(name, content)])
    assert "does not contain what its name says" in r.get_data(as_text=True)
    assert count(Idea) == 0


@pytest.mark.parametrize("name", ["notes.txt", "data.csv", "readme.md"])
def test_text_file_with_nul_bytes_is_refused(client, author, make_campaign, name):
    r = submit(client, make_campaign(), files=[(name, b"looks like text\x00\x01\x02")])
    assert r.status_code == 200
    assert f"{name} is not a plain UTF-8 text file." in r.get_data(as_text=True)
    assert count(Idea) == 0


def test_binary_disguised_as_text_is_refused(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("notes.txt", png())])
    assert "notes.txt is not a plain UTF-8 text file." in r.get_data(as_text=True)
    assert count(Idea) == 0


def test_empty_file_is_refused(client, author, make_campaign, app):
    r = submit(client, make_campaign(), files=[("empty.pdf", b"")])
    assert r.status_code == 200
    assert "empty.pdf is empty." in r.get_data(as_text=True)
    assert count(Idea) == 0 and files_on_disk(app) == []


def test_file_over_the_upload_limit_is_refused_with_the_message(client, author, make_campaign, app):
    r = submit(client, make_campaign(), files=[("big.txt", b"a" * (MAX_UPLOAD + 1))])
    assert r.status_code == 200
    assert "big.txt is larger than the" in r.get_data(as_text=True)
    assert count(Idea) == 0 and count(Attachment) == 0
    assert files_on_disk(app) == []  # the partial copy is removed


def test_file_exactly_at_the_upload_limit_is_accepted(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("big.txt", b"a" * MAX_UPLOAD)])
    assert r.status_code == 302
    assert attachments()[0].size == MAX_UPLOAD


def test_request_over_max_content_length_gets_the_friendly_413_page(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("huge.txt", b"a" * (MAX_REQUEST + 1))])
    assert r.status_code == 413
    body = r.get_data(as_text=True)
    assert "Too large" in body and "larger than the upload limit" in body
    assert "<html" in body.lower()  # the site's page, not a bare server message
    assert count(Idea) == 0


def test_too_many_files_at_once_are_refused(client, author, make_campaign, app):
    limit = app.config["MAX_FILES_PER_UPLOAD"]
    files = [(f"n{i}.txt", f"note {i}".encode()) for i in range(limit + 1)]
    r = submit(client, make_campaign(), files=files)
    assert r.status_code == 200
    assert f"Attach at most {limit} files at a time." in r.get_data(as_text=True)
    assert count(Idea) == 0 and files_on_disk(app) == []


def test_one_bad_file_among_good_ones_saves_nothing(client, author, make_campaign):
    r = submit(
        client,
        make_campaign(),
        files=[("a.png", png()), ("b.pdf", PDF), ("c.pdf", EXE)],
    )
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "c.pdf does not contain what its name says" in body
    assert "Nothing was saved" in body
    assert count(Idea) == 0 and count(Attachment) == 0


def test_refused_file_on_the_attach_form_saves_nothing(client, author, make_idea, app):
    idea = make_idea(author=author)
    r = client.post(
        f"/ideas/{idea.id}/attachments",
        data={"files": [(io.BytesIO(EXE), "invoice.pdf")]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "invoice.pdf does not contain what its name says" in r.get_data(as_text=True)
    assert count(Attachment) == 0 and files_on_disk(app) == []


def test_csv_whose_first_cell_looks_like_a_magic_number_is_still_text(
    client, author, make_campaign
):
    # "BM" is also the start of a bitmap; a spreadsheet of car sales is text all the same.
    r = submit(client, make_campaign(), files=[("cars.csv", b"BMW,320i,12\nAudi,A4,9\n")])
    assert r.status_code == 302
    assert attachments()[0].mime_type == "text/csv"


def test_nul_bytes_after_the_first_kilobytes_are_refused_too(client, author, make_campaign):
    content = b"a" * (SNIFF_BYTES + 10) + b"\x00\x01binary tail"
    r = submit(client, make_campaign(), files=[("notes.txt", content)])
    assert "notes.txt is not a plain UTF-8 text file." in r.get_data(as_text=True)
    assert count(Idea) == 0


def test_short_latin1_text_is_not_accepted_as_utf8(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("menu.txt", "café".encode("latin-1"))])
    assert "menu.txt is not a plain UTF-8 text file." in r.get_data(as_text=True)
    assert count(Idea) == 0


# ---------------------------------------------------------------- serving files


def test_download_returns_the_exact_bytes_as_an_attachment(
    client, make_user, login, make_idea, stored
):
    attachment = stored(make_idea(), "report.pdf", PDF)
    login(make_user())
    r = client.get(f"/attachments/{attachment.id}/download")
    assert r.status_code == 200
    assert r.data == PDF
    assert r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]
    r.close()


def test_html_uploaded_as_text_is_downloaded_as_plain_text(
    client, make_user, login, make_idea, stored
):
    attachment = stored(make_idea(), "notes.txt", b"<script>alert(1)</script>")
    login(make_user())
    r = client.get(f"/attachments/{attachment.id}/download")
    assert r.mimetype == "text/plain"
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()


def test_download_keeps_a_chinese_file_name(client, make_user, login, make_idea, stored):
    attachment = stored(make_idea(), "节能方案.pdf", PDF)
    login(make_user())
    r = client.get(f"/attachments/{attachment.id}/download")
    assert f"filename*=UTF-8''{quote('节能方案.pdf')}" in r.headers["Content-Disposition"]
    r.close()


def test_a_file_missing_from_storage_is_a_404_that_says_so(
    app, client, make_user, login, make_idea, stored, caplog
):
    """A database restored without its upload folder: the pages still work, and a download
    or preview of a lost file says what happened (it was a 500 saying nothing)."""
    idea = make_idea()
    lost, kept = stored(idea, "lost.png", png()), stored(idea, "kept.pdf", PDF)
    os.remove(
        os.path.join(app.config["UPLOAD_FOLDER"], lost.content_hash[:2], lost.content_hash[2:])
    )
    login(make_user())
    for url in (f"/attachments/{lost.id}/download", f"/attachments/{lost.id}/preview"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "missing from the server&#39;s storage" in r.get_data(as_text=True), url
    assert "stored file missing" in caplog.text
    assert client.get(idea.url).status_code == 200
    r = client.get(f"/attachments/{kept.id}/download")
    assert r.status_code == 200 and r.data == PDF
    r.close()


def test_download_requires_signing_in(app, make_idea, stored):
    attachment = stored(make_idea(), "report.pdf", PDF)
    r = app.test_client().get(f"/attachments/{attachment.id}/download")
    assert r.status_code == 302 and "/login" in r.location


def test_deactivated_user_cannot_download(client, make_user, login, make_idea, stored):
    attachment = stored(make_idea(), "report.pdf", PDF)
    login(make_user(is_active=False))
    r = client.get(f"/attachments/{attachment.id}/download")
    assert r.status_code == 302 and "/login" in r.location


def test_unknown_attachment_is_404(client, make_user, login):
    login(make_user())
    assert client.get("/attachments/999999/download").status_code == 404
    assert client.get("/attachments/999999/preview").status_code == 404


def test_preview_shows_an_image_inline_with_nosniff(client, make_user, login, make_idea, stored):
    attachment = stored(make_idea(), "chart.png", png())
    login(make_user())
    r = client.get(f"/attachments/{attachment.id}/preview")
    assert r.status_code == 200
    assert r.data == png()
    assert r.mimetype == "image/png"
    assert not r.headers.get("Content-Disposition", "inline").startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r.close()


@pytest.mark.parametrize(
    ("name", "content"), [("report.pdf", PDF), ("notes.txt", b"<b>hi</b>"), ("plan.docx", DOCX)]
)
def test_preview_of_a_non_image_is_404(client, make_user, login, make_idea, stored, name, content):
    attachment = stored(make_idea(), name, content)
    login(make_user())
    assert status_of(client, f"/attachments/{attachment.id}/preview") == 404


def test_preview_requires_signing_in(app, make_idea, stored):
    attachment = stored(make_idea(), "chart.png", png())
    r = app.test_client().get(f"/attachments/{attachment.id}/preview")
    assert r.status_code == 302 and "/login" in r.location


def test_attachments_of_an_idea_in_a_draft_campaign_are_hidden_like_the_idea(
    client, make_user, login, make_campaign, make_idea, stored
):
    campaign = make_campaign()
    idea = make_idea(campaign=campaign)
    document = stored(idea, "report.pdf", PDF)
    image = stored(idea, "chart.png", png())
    campaign.state = "draft"  # taken back to draft by the CoE
    db.session.commit()
    login(make_user())
    assert status_of(client, f"/ideas/{idea.id}") == 404
    assert status_of(client, f"/attachments/{document.id}/download") == 404
    assert status_of(client, f"/attachments/{image.id}/preview") == 404
    login(make_user(["coe"]))  # who manages campaigns still sees them
    assert status_of(client, f"/attachments/{document.id}/download") == 200


def test_idea_page_lists_attachments_with_links_and_image_preview(
    client, make_user, login, make_idea, stored
):
    idea = make_idea()
    document = stored(idea, "report.pdf", PDF)
    image = stored(idea, "chart.png", png())
    login(make_user())
    body = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/attachments/{document.id}/download"' in body
    assert f'src="/attachments/{image.id}/preview"' in body
    assert f'src="/attachments/{document.id}/preview"' not in body
    assert "report.pdf" in body and "chart.png" in body


def test_hostile_file_name_is_escaped_on_the_idea_page(client, author, make_campaign):
    r = submit(client, make_campaign(), files=[("<img src=x onerror=alert(1)>.png", png())])
    assert r.status_code == 302
    assert attachments()[0].filename == "<img src=x onerror=alert(1)>.png"
    body = client.get(r.location).get_data(as_text=True)
    assert "<img src=x" not in body
    assert ">&lt;img src=x onerror=alert(1)&gt;.png</a>" in body  # the link text
    assert 'alt="Preview of &lt;img src=x onerror=alert(1)&gt;.png"' in body


# ---------------------------------------------------------------- ideahub.uploads, unit


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\evil.dll", "evil.dll"),
        ("/var/www/static/report.pdf", "report.pdf"),
        ("C:\\Users\\me\\Desktop\\plan.docx", "plan.docx"),
        ("..", "file"),
        ("../", "file"),
        ("", "file"),
        (None, "file"),
        ("  report.pdf. ", "report.pdf"),
        ("line\r\nbreak.txt", "linebreak.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override trick
        ("cafe\u0301.txt", "caf\u00e9.txt"),  # NFC
        ("节能方案.pdf", "节能方案.pdf"),
    ],
)
def test_clean_filename(app, raw, clean):
    assert clean_filename(raw) == clean


def test_clean_filename_caps_the_length(app):
    assert len(clean_filename("a" * 1000)) <= 255


def test_clean_filename_keeps_the_extension_of_a_long_name(app):
    name = clean_filename("quarterly energy savings report " * 8 + ".pdf")
    assert name.endswith(".pdf") and len(name) <= 255


@pytest.mark.parametrize(
    ("name", "head", "mime"),
    [
        ("a.png", png(), "image/png"),
        ("A.PNG", png(), "image/png"),
        ("a.JPEG", JPEG, "image/jpeg"),
        ("a.pdf", PDF, "application/pdf"),
        ("a.docx", DOCX, OFFICE_MIME + "wordprocessingml.document"),
        ("a.txt", "中文 text".encode(), "text/plain"),
        ("a.md", b"**bold**", "text/markdown"),
        ("a.csv", b"a,b\n1,2\n", "text/csv"),
    ],
)
def test_detect_type_accepts(app, name, head, mime):
    assert detect_type(name, head) == mime


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("a.pdf", EXE, "does not contain what its name says (.pdf)"),
        ("a.png", PDF, "does not contain what its name says (.png)"),
        ("a.docx", b"PK\x03\x04not really a document", "does not contain what its name says"),
        ("a.exe", EXE, "files of this type are not allowed"),
        ("a.svg", b"<svg/>", "files of this type are not allowed"),
        ("a.html", b"<p>", "files of this type are not allowed"),
        ("a", b"hello", "files of this type are not allowed"),
        ("a.pdf.exe", EXE, "files of this type are not allowed"),
        ("a.txt", b"a\x00b", "not a plain UTF-8 text file"),
        ("a.txt", png(), "not a plain UTF-8 text file"),
        ("a.csv", b"\xff\xfe\xfa" + b"a" * 100, "not a plain UTF-8 text file"),
    ],
)
def test_detect_type_refuses(app, name, head, message):
    with pytest.raises(UploadRejected, match=re.escape(message)):
        detect_type(name, head)


def test_detect_type_accepts_a_character_that_straddles_the_sniff_window(app):
    whole = ("a" * (SNIFF_BYTES - 1) + "节" + "b" * 100).encode()
    head = whole[:SNIFF_BYTES]
    assert detect_type("long.txt", head, io.BytesIO(whole)) == "text/plain"


def test_detect_type_refuses_text_that_ends_inside_a_character(app):
    cut = ("a" * 10 + "节").encode()[:-1]
    with pytest.raises(UploadRejected, match="not a plain UTF-8 text file"):
        detect_type("short.txt", cut)


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "ABCDEF" * 10 + "ABCD", "0" * 63, "g" * 64, "0" * 65]
)
def test_storage_paths_come_only_from_a_content_hash(tmp_path, bad):
    with pytest.raises(ValueError, match="not a content hash"):
        LocalStorage(str(tmp_path)).path_for(bad)


def test_storage_path_is_two_level_under_the_root(tmp_path):
    digest = hashlib.sha256(b"x").hexdigest()
    path = LocalStorage(str(tmp_path)).path_for(digest)
    assert path == os.path.join(str(tmp_path), digest[:2], digest[2:])


def test_store_upload_returns_what_it_stored(app):
    result = store_upload("../../evil/report.pdf", io.BytesIO(PDF))
    assert result.filename == "report.pdf"
    assert result.content_hash == hashlib.sha256(PDF).hexdigest()
    assert (result.mime_type, result.size) == ("application/pdf", len(PDF))
    with open(
        os.path.join(app.config["UPLOAD_FOLDER"], result.content_hash[:2], result.content_hash[2:]),
        "rb",
    ) as f:
        assert f.read() == PDF


def test_store_upload_refuses_too_large_and_leaves_no_temporary_file(app):
    with pytest.raises(UploadRejected, match="big.txt is larger than the"):
        store_upload("big.txt", io.BytesIO(b"a" * (MAX_UPLOAD + 1)))
    assert files_on_disk(app) == []


def test_sizes_read_in_bytes_kb_and_mb():
    from ideahub.uploads import size_label

    assert [size_label(n) for n in (42, 1023, 1024, 1536, 10 * 1024 * 1024, 1572864)] == [
        "42 B",
        "1023 B",
        "1 KB",
        "2 KB",
        "10 MB",
        "1.5 MB",
    ]

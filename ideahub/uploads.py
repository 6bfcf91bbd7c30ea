"""Uploaded files: checked by extension AND content, stored outside static/ under their hash.

Storage is a small interface (save / path_for) so that an object store can replace the local
folder when hosts share nothing; the local folder is the default.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import IO

import filetype
from flask import Response, abort, current_app, send_file
from flask_babel import gettext as _

# What each allowed extension must contain, as told by the file's first bytes.
EXPECTED_MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT_MIME = {"txt": "text/plain", "md": "text/markdown", "csv": "text/csv"}
SNIFF_BYTES = 8192
MAX_NAME = 200


class UploadRejected(ValueError):
    """A file that may not be stored; the message says why, for the person uploading it."""


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_hash: str
    mime_type: str
    size: int


def clean_filename(name: str | None) -> str:
    """A display name without path parts or control characters (never used as a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_NAME:  # shorten the stem, keep the extension that decides the type
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 10
            else name[:MAX_NAME]
        )
    return name or "file"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_text(stream: IO[bytes]) -> bool:
    """The whole stream is UTF-8 without NUL bytes (checked chunk by chunk, then rewound)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)  # a character cut at the very end is not text
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} B"  # (not "0 KB")
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


def detect_type(filename: str, head: bytes, stream: IO[bytes] | None = None) -> str:
    """The MIME type to store for this file, or UploadRejected with the reason.

    Binary types are recognised by their first bytes; text types by being valid UTF-8
    throughout (sniffing would misread text that starts with "BM" or "MZ" as binary)."""
    ext = _extension(filename)
    allowed = current_app.config["ALLOWED_UPLOAD_EXTENSIONS"]
    if ext not in allowed:
        raise UploadRejected(
            _(
                "%(name)s: files of this type are not allowed (allowed: %(types)s).",
                name=filename,
                types=", ".join(allowed),
            )
        )
    if ext in TEXT_MIME:
        if not _is_text(stream if stream is not None else io.BytesIO(head)):
            raise UploadRejected(_("%(name)s is not a plain UTF-8 text file.", name=filename))
        return TEXT_MIME[ext]
    guessed = filetype.guess_mime(head)
    if guessed != EXPECTED_MIME[ext]:
        raise UploadRejected(
            _("%(name)s does not contain what its name says (.%(ext)s).", name=filename, ext=ext)
        )
    return EXPECTED_MIME[ext]


class LocalStorage:
    """Files under a folder, by content hash: uploads/ab/cdef0123..."""

    def __init__(self, root: str) -> None:
        self.root = root

    def path_for(self, content_hash: str) -> str:
        if len(content_hash) != 64 or not all(c in "0123456789abcdef" for c in content_hash):
            raise ValueError("not a content hash")
        return os.path.join(self.root, content_hash[:2], content_hash[2:])

    def save(self, stream: IO[bytes], max_bytes: int) -> tuple[str, int]:
        """Copy a stream in, hashing as it goes; refuse it past max_bytes. Returns (hash, size)."""
        os.makedirs(self.root, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_path = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(64 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadRejected("too large")
                    digest.update(chunk)
                    out.write(chunk)
            content_hash = digest.hexdigest()
            final = self.path_for(content_hash)
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.replace(tmp_path, final)  # same content, same name: replacing is harmless
            return content_hash, size
        finally:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["UPLOAD_FOLDER"])


def stored_path(content_hash: str) -> str:
    """Where a stored file is, to send it. One missing from storage (a database restored
    without its upload folder, a lost disk) is a 404 that says so, and is logged; send_file
    raised, a 500 saying nothing."""
    path = storage().path_for(content_hash)
    if not os.path.isfile(path):
        current_app.logger.error("stored file missing: %s", path)
        abort(
            404,
            description=_(
                "This file is missing from the server's storage. "
                "Please tell an administrator; the rest of the page is unaffected."
            ),
        )
    return path


def download_response(content_hash: str, mime_type: str, filename: str) -> Response:
    """A stored file as a download under its own name: never shown inline, never sniffed,
    never kept by a shared cache (ideas' attachments and training material alike)."""
    response = send_file(
        stored_path(content_hash),
        mimetype=mime_type,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def store_upload(filename: str | None, stream: IO[bytes]) -> StoredFile:
    """Check one uploaded file and store it; UploadRejected says what is wrong."""
    name = clean_filename(filename)
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise UploadRejected(_("%(name)s is empty.", name=name))
    mime = detect_type(name, head, stream)
    stream.seek(0)
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        content_hash, size = storage().save(stream, max_bytes)
    except UploadRejected:
        raise UploadRejected(
            _(
                "%(name)s is larger than the %(limit)s limit.",
                name=name,
                limit=size_label(max_bytes),
            )
        ) from None
    return StoredFile(filename=name, content_hash=content_hash, mime_type=mime, size=size)

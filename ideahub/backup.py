"""Consistent copies of the database and uploads, and bringing them back.

SQLite: the online backup API copies a consistent snapshot while the app keeps running.
PostgreSQL: pg_dump (custom format) and pg_restore. Uploads: a tar.gz of the folder.
The search index is derived data and is rebuilt after a restore.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with fixed arguments, no shell
import tarfile
import tempfile
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.engine import make_url

from .extensions import db
from .models import Idea, User

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message says why."""


def _libpq_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path() -> str:
    path = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not path or path == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return path


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()[:2000]}")


def backup(dest: str) -> dict[str, object]:
    """Write database and uploads into `dest` (created); returns the manifest."""
    os.makedirs(dest, exist_ok=True)
    engine = db.engine.dialect.name
    if engine == "sqlite":
        db.session.remove()
        source = sqlite3.connect(_sqlite_path())
        target = sqlite3.connect(os.path.join(dest, "ideahub.sqlite3"))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        database_file = "ideahub.sqlite3"
    else:
        database_file = "ideahub.pgdump"
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--file={os.path.join(dest, database_file)}",
                _libpq_url(),
            ]
        )
    uploads = current_app.config["UPLOAD_FOLDER"]
    with tarfile.open(os.path.join(dest, "uploads.tar.gz"), "w:gz") as tar:
        if os.path.isdir(uploads):
            tar.add(uploads, arcname="uploads")
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "engine": engine,
        "database": database_file,
        "uploads": "uploads.tar.gz",
        "users": db.session.scalar(db.select(db.func.count()).select_from(User)),
        "ideas": db.session.scalar(db.select(db.func.count()).select_from(Idea)),
    }
    with open(os.path.join(dest, MANIFEST), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


def restore(src: str) -> dict[str, object]:
    """Replace the database and uploads with a backup made by `backup()`."""
    try:
        with open(os.path.join(src, MANIFEST)) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} is not an IdeaHub backup (no readable {MANIFEST}).") from exc
    engine = db.engine.dialect.name
    if manifest.get("engine") != engine:
        raise BackupError(
            f"This backup is from {manifest.get('engine')}; the app runs on {engine}."
        )
    db.session.remove()
    db.engine.dispose()
    database_file = os.path.join(src, str(manifest["database"]))
    if engine == "sqlite":
        source = sqlite3.connect(database_file)
        target = sqlite3.connect(_sqlite_path())
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url()}",
                database_file,
            ]
        )
    uploads = current_app.config["UPLOAD_FOLDER"]
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(os.path.join(src, str(manifest["uploads"])), "r:gz") as tar:
            tar.extractall(tmp, filter="data")  # refuses absolute paths and links out
        shutil.rmtree(uploads, ignore_errors=True)
        restored = os.path.join(tmp, "uploads")
        if os.path.isdir(restored):
            shutil.copytree(restored, uploads)
    os.makedirs(uploads, exist_ok=True)
    from .search import indexer

    indexer.rebuild()
    return manifest

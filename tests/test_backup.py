"""`ideahub backup` and `ideahub restore` bring back exactly what was saved, on both engines."""

from __future__ import annotations

import io
import os

import pytest

from ideahub.backup import BackupError, backup, restore
from ideahub.extensions import db
from ideahub.models import Attachment, Comment, Idea, User
from ideahub.uploads import storage, store_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def snapshot() -> dict[str, list[tuple]]:
    return {
        "users": [
            tuple(r)
            for r in db.session.execute(db.select(User.id, User.email, User.name).order_by(User.id))
        ],
        "ideas": [
            tuple(r)
            for r in db.session.execute(
                db.select(Idea.id, Idea.title, Idea.vote_count).order_by(Idea.id)
            )
        ],
        "comments": [
            tuple(r)
            for r in db.session.execute(db.select(Comment.id, Comment.body).order_by(Comment.id))
        ],
        "attachments": [
            tuple(r) for r in db.session.execute(db.select(Attachment.id, Attachment.content_hash))
        ],
    }


def test_backup_then_restore_brings_everything_back(
    app, tmp_path, make_user, make_idea, make_comment
):
    author = make_user(name="王伟")
    idea = make_idea(author=author, title="Back me up 备份")
    make_comment(idea, author, body="保存好")
    with app.test_request_context():
        stored = store_upload("chart.png", io.BytesIO(PNG))
    db.session.add(
        Attachment(
            idea_id=idea.id,
            filename=stored.filename,
            content_hash=stored.content_hash,
            mime_type=stored.mime_type,
            size=stored.size,
        )
    )
    db.session.commit()
    before = snapshot()
    manifest = backup(str(tmp_path / "bk"))
    assert manifest["ideas"] == 1 and os.path.exists(tmp_path / "bk" / "manifest.json")

    # Damage everything after the backup.
    db.session.execute(db.delete(Comment))
    db.session.execute(db.update(Idea).values(title="damaged"))
    db.session.commit()
    make_user(name="Created after backup")
    os.unlink(storage().path_for(stored.content_hash))

    restore(str(tmp_path / "bk"))
    db.session.remove()
    assert snapshot() == before
    with open(storage().path_for(stored.content_hash), "rb") as f:
        assert f.read() == PNG


def test_restore_refuses_a_folder_that_is_not_a_backup(app, tmp_path):
    (tmp_path / "junk").mkdir()
    with pytest.raises(BackupError, match="not an IdeaHub backup"):
        restore(str(tmp_path / "junk"))


def test_cli_backup_and_restore(app, tmp_path, make_user):
    make_user(name="Cli Person")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "b2")])
    assert result.exit_code == 0, result.output
    assert "1 users" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "b2")], input="n\n")
    assert result.exit_code != 0  # asked, and not confirmed
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "b2")])
    assert result.exit_code == 0, result.output

"""Writing ideas: submit, edit (keeping history), withdraw, change status, attach files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from ..audit import record
from ..extensions import db
from ..i18n import status_label
from ..models import (
    IDEA_STATUSES,
    Attachment,
    Campaign,
    Idea,
    IdeaRevision,
    IdeaStatusChange,
    Tag,
    User,
    utcnow,
)
from ..notices import notify_stakeholders
from ..sql import built_once, insert_ignoring_duplicates
from ..uploads import StoredFile, store_upload

MAX_TAGS = 8
TAG_RE = re.compile(r"^[\w\-+#.]{1,30}$")


class IdeaError(ValueError):
    """A change that cannot be made; the messages say why, and `field` names the form field
    at fault (None: the change as a whole)."""

    def __init__(self, *messages: str, field: str | None = None) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)
        self.field = field


@dataclass
class IdeaData:
    title: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    coauthor_ids: list[int] = field(default_factory=list)


@dataclass
class Upload:
    filename: str | None
    stream: IO[bytes]


def parse_tags(text: str) -> list[str]:
    """'Green, energy  saving' -> ['green', 'energy', 'saving']; IdeaError when malformed."""
    names: list[str] = []
    for raw in re.split(r"[,，;；\s]+", text or ""):
        name = raw.strip().lstrip("#").lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise IdeaError(
                _("Tag %(tag)s: use letters, digits and dashes, up to 30.", tag=raw[:40]),
                field="tags",
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise IdeaError(_("Use at most %(n)s tags.", n=MAX_TAGS), field="tags")
    return names


MAX_COAUTHORS = 10


def parse_coauthors(text: str, author: User) -> list[int]:
    """Emails -> ids of active colleagues; IdeaError names each entry that is not one."""
    from sqlalchemy import func

    emails = [e.strip().lower() for e in re.split(r"[,，;；\s]+", text or "") if e.strip()]
    emails = list(dict.fromkeys(emails))
    if len(emails) > MAX_COAUTHORS:
        raise IdeaError(_("Name at most %(n)s co-authors.", n=MAX_COAUTHORS), field="coauthors")
    if not emails:
        return []
    found = dict(
        db.session.execute(
            db.select(func.lower(User.email), User.id).where(
                func.lower(User.email).in_(emails), User.is_active.is_(True)
            )
        ).all()
    )
    problems = [
        _("No active colleague has the email “%(email)s”.", email=e[:100])
        if "@" in e
        else _("“%(entry)s” is not an email address.", entry=e[:100])
        for e in emails
        if e not in found
    ]
    if problems:  # each entry said apart: "a, b" read as one address
        raise IdeaError(*problems, field="coauthors")
    return [found[e] for e in emails if found[e] != author.id]


def _people(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids))))


def _tags_named(names: list[str]) -> list[Tag]:
    if not names:
        return []
    # Two ideas may introduce the same new tag at once: insert-or-ignore, then read.
    db.session.execute(insert_ignoring_duplicates(Tag), [{"name": n} for n in names])
    found = {t.name: t for t in db.session.scalars(db.select(Tag).where(Tag.name.in_(names)))}
    return [found[n] for n in names]


def store_uploads(uploads: list[Upload]) -> list[StoredFile]:
    """Check and store every file first, so a bad one saves nothing (UploadRejected)."""
    return [store_upload(u.filename, u.stream) for u in uploads if u.filename]


def _attach(idea: Idea, actor: User, files: list[StoredFile]) -> None:
    for f in files:
        db.session.add(
            Attachment(
                idea_id=idea.id,
                uploaded_by_id=actor.id,
                filename=f.filename,
                content_hash=f.content_hash,
                mime_type=f.mime_type,
                size=f.size,
            )
        )


def submit_idea(actor: User, campaign: Campaign, data: IdeaData, files: list[StoredFile]) -> Idea:
    idea = Idea(
        campaign_id=campaign.id,
        author_id=actor.id,
        department_id=actor.department_id,
        title=data.title,
        summary=data.summary,
        description=data.description,
        status="submitted",
    )
    idea.tags = _tags_named(data.tags)
    idea.coauthors = _people(data.coauthor_ids)
    db.session.add(idea)
    db.session.flush()
    _attach(idea, actor, files)
    db.session.add(IdeaStatusChange(idea_id=idea.id, to_status="submitted", changed_by_id=actor.id))
    db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id)
        .values(idea_count=Campaign.idea_count + 1)
    )
    record(actor, "idea.submitted", idea, campaign_id=campaign.id, attachments=len(files))
    db.session.commit()
    return idea


def edit_idea(actor: User, idea: Idea, data: IdeaData, files: list[StoredFile]) -> Idea:
    old_tags = [t.name for t in idea.tags]
    changed = (idea.title, idea.summary, idea.description, old_tags) != (
        data.title,
        data.summary,
        data.description,
        data.tags,
    )
    if sorted(u.id for u in idea.coauthors) != sorted(data.coauthor_ids):
        idea.coauthors = _people(data.coauthor_ids)
        record(actor, "idea.coauthors_changed", idea, coauthors=sorted(data.coauthor_ids))
    if changed:
        db.session.add(
            IdeaRevision(
                idea_id=idea.id,
                edited_by_id=actor.id,
                title=idea.title,
                summary=idea.summary,
                description=idea.description,
                tags=", ".join(old_tags),
            )
        )
        idea.title, idea.summary, idea.description = data.title, data.summary, data.description
        idea.tags = _tags_named(data.tags)
        idea.updated_at = utcnow()
    _attach(idea, actor, files)
    if changed or files:
        record(actor, "idea.edited", idea, attachments_added=len(files))
    db.session.commit()
    return idea


def change_status(actor: User, idea: Idea, new_status: str, note: str = "") -> Idea:
    if new_status not in IDEA_STATUSES:
        raise IdeaError(_("Unknown status."))
    if new_status == idea.status:
        raise IdeaError(_("The idea already has this status."))
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id,
            from_status=idea.status,
            to_status=new_status,
            changed_by_id=actor.id,
            note=note.strip(),
        )
    )
    record(actor, "idea.status_changed", idea, before=idea.status, after=new_status, note=note)
    idea.status = new_status
    if new_status != "withdrawn":  # (its author withdraws it: nobody else is told)
        status = LazyString(status_label, new_status)  # in each reader's language
        notify_stakeholders(
            idea.id,
            idea.author_id,
            _l("“%(title)s” is now %(status)s.", title=idea.title, status=status),
            idea.url,
            not_told={actor.id},
        )
    db.session.commit()
    return idea


def withdraw_idea(actor: User, idea: Idea, note: str = "") -> Idea:
    return change_status(actor, idea, "withdrawn", note)


@built_once
def _vote_statements(dialect: str) -> tuple[Any, ...]:
    """Add a vote, take it back, move the count, read the count (dialect: the engine's)."""
    from ..models import Vote

    voter, idea = bindparam("voter"), bindparam("idea")
    return (
        insert_ignoring_duplicates(Vote)
        .values(user_id=voter, idea_id=idea, created_at=bindparam("at"))
        .returning(Vote.user_id),
        db.delete(Vote).where(Vote.user_id == voter, Vote.idea_id == idea).returning(Vote.user_id),
        update(Idea)
        .where(Idea.id == idea)
        .values(vote_count=Idea.vote_count + bindparam("delta"))
        .returning(Idea.vote_count),
        db.select(Idea.vote_count).where(Idea.id == idea),
    )


def set_vote(actor: User, idea: Idea, wanted: bool, *, commit: bool = True) -> tuple[bool, int]:
    """Make the actor's vote be `wanted`; idempotent, so a double click counts once.

    The (user, idea) primary key refuses a second vote; the count moves by an atomic
    UPDATE only when a row was really added or removed. Returns (has_voted, vote_count),
    and `idea.vote_count` shows the new count. With commit=False the caller commits (the
    vote widget is rendered first, from objects a commit would expire and reload).
    """
    add, remove, count_by, count_now = _vote_statements(db.engine.dialect.name)
    params = {"voter": actor.id, "idea": idea.id}
    # Run on the session's connection: plain SQL, without the ORM's bulk-statement machinery
    # (~0.15 ms a statement); the session's transaction is the same. RETURNING says whether
    # a row really changed; rowcount is -1 for ORM-enabled statements on psycopg, which once
    # left every vote uncounted there.
    connection = db.session.connection()
    if wanted:
        added = connection.execute(add, {**params, "at": utcnow()}).first()
        delta = 1 if added is not None else 0
    else:
        removed = connection.execute(remove, params).first()
        delta = -1 if removed is not None else 0
    if delta:
        count = connection.execute(count_by, {**params, "delta": delta}).scalar_one()
    else:
        count = connection.execute(count_now, params).scalar() or 0
    set_committed_value(idea, "vote_count", count)  # what the database says, not a change
    if commit:
        db.session.commit()
    return wanted, count

"""Guidelines (drafts, versions, acknowledgments) and CoE membership; each action audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, func, or_, true

from ..audit import record
from ..clock import today
from ..extensions import db
from ..models import (
    GRANTABLE_ROLES,
    Acknowledgment,
    CoeMembership,
    Department,
    Guideline,
    GuidelineVersion,
    User,
    utcnow,
)
from ..notices import notify_where
from ..sql import insert_ignoring_duplicates
from . import queries


class GovernanceError(ValueError):
    """An action that cannot be done; the message says why, and `field`, when given, which
    field of the form it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _path(endpoint: str, **values: object) -> str:
    """A page's path, also outside a request (a command or a test publishing): url_for
    needs a request or SERVER_NAME there."""
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    return current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)


def text_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


@dataclass
class DraftData:
    title: str
    body: str
    for_everyone: bool = True
    department_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()


def create_guideline(actor: User, title: str) -> Guideline:
    guideline = Guideline(title=title.strip(), created_by_id=actor.id)
    db.session.add(guideline)
    db.session.flush()
    record(actor, "guideline.created", guideline, title=guideline.title)
    db.session.commit()
    return guideline


def save_draft(actor: User, guideline: Guideline, data: DraftData) -> Guideline:
    if not data.for_everyone and not data.department_ids and not data.roles:
        raise GovernanceError(_("Choose the audience: everyone, or some departments or roles."))
    guideline.title = data.title.strip()
    guideline.draft_body = data.body
    guideline.for_everyone = data.for_everyone
    guideline.departments = (
        list(
            db.session.scalars(db.select(Department).where(Department.id.in_(data.department_ids)))
        )
        if data.department_ids
        else []
    )
    guideline.audience_roles = ",".join(r for r in data.roles if r in GRANTABLE_ROLES)
    guideline.updated_at = utcnow()
    record(actor, "guideline.draft_saved", guideline)
    db.session.commit()
    return guideline


def publish_version(
    actor: User, guideline: Guideline, change_summary: str, is_major: bool, effective_on: date
) -> GuidelineVersion:
    """Publish the draft as the next numbered version (never changed afterwards)."""
    if not guideline.draft_body.strip():
        raise GovernanceError(_("The draft is empty: write the guideline before publishing."))
    latest = queries.latest_version(guideline.id)
    if latest is not None and text_hash(guideline.title, guideline.draft_body) == latest.text_hash:
        raise GovernanceError(
            _("The draft is the same as version %(n)s: nothing to publish.", n=latest.number)
        )
    if latest is None and not is_major:
        is_major = True  # the first version is always acknowledged by everyone
    if not change_summary.strip():
        raise GovernanceError(_("Summarise what changed: readers see it with the version."))
    number = (
        db.session.scalar(
            db.select(func.max(GuidelineVersion.number)).where(
                GuidelineVersion.guideline_id == guideline.id
            )
        )
        or 0
    ) + 1
    version = GuidelineVersion(
        guideline_id=guideline.id,
        number=number,
        title=guideline.title,
        body=guideline.draft_body,
        text_hash=text_hash(guideline.title, guideline.draft_body),
        change_summary=change_summary.strip(),
        is_major=is_major,
        effective_on=effective_on,
        published_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    if is_major:  # everyone it applies to must read and acknowledge it: tell them
        notify_where(
            and_(queries.audience_of(guideline), User.id != actor.id),
            _l(
                "“%(title)s” has a new version (%(n)s), in effect from %(day)s: "
                "read it and acknowledge it.",
                title=guideline.title,
                n=number,
                day=LazyString(format_date, effective_on),
            ),
            _path("governance.guideline", guideline_id=guideline.id),
        )
    record(
        actor,
        "guideline.published",
        version,
        guideline_id=guideline.id,
        number=number,
        major=is_major,
        effective_on=effective_on.isoformat(),
    )
    db.session.commit()
    return version


def acknowledge(
    user: User, version: GuidelineVersion, on_behalf_by: User | None = None, reason: str = ""
) -> Acknowledgment:
    """Record that `user` read this exact version (idempotent; records are never changed)."""
    current = queries.current_version(version.guideline_id)
    if current is None or version.effective_on > today():
        raise GovernanceError(_("This version is not in effect yet."))
    if version.id != current.id:
        raise GovernanceError(
            _(
                "Version %(old)s was replaced by version %(new)s: acknowledge the current one.",
                old=version.number,
                new=current.number,
            )
        )
    if not version.guideline.applies_to(user):
        raise GovernanceError(_("This guideline does not apply to %(name)s.", name=user.name))
    if on_behalf_by is not None and not reason.strip():
        raise GovernanceError(_("Say why you acknowledge on this person's behalf."))
    db.session.execute(
        insert_ignoring_duplicates(Acknowledgment).values(
            user_id=user.id,
            version_id=version.id,
            text_hash=version.text_hash,
            acknowledged_at=utcnow(),
            on_behalf_by_id=on_behalf_by.id if on_behalf_by else None,
            on_behalf_reason=reason.strip()[:500],
        )
    )
    if on_behalf_by is not None:
        record(
            on_behalf_by,
            "acknowledgment.on_behalf",
            version,
            user_id=user.id,
            reason=reason.strip(),
        )
    db.session.commit()
    ack = db.session.scalar(
        db.select(Acknowledgment).where(
            Acknowledgment.user_id == user.id, Acknowledgment.version_id == version.id
        )
    )
    assert ack is not None
    return ack


def add_member(
    actor: User,
    user: User,
    department: Department,
    role: str,
    starts_on: date,
    ends_on: date | None,
) -> CoeMembership:
    if ends_on is not None and ends_on < starts_on:
        raise GovernanceError(_("The term cannot end before it starts."), field="ends_on")
    overlapping = db.session.scalar(
        db.select(CoeMembership.starts_on)
        .where(
            CoeMembership.user_id == user.id,
            CoeMembership.department_id == department.id,
            or_(CoeMembership.ends_on.is_(None), CoeMembership.ends_on >= starts_on),
            true() if ends_on is None else CoeMembership.starts_on <= ends_on,
        )
        .limit(1)
    )
    if overlapping is not None:
        raise GovernanceError(
            _(
                "%(name)s already has a seat for %(function)s in this term, from %(start)s.",
                name=user.name,
                function=department.name,
                start=format_date(overlapping),
            ),
            field="email",
        )
    membership = CoeMembership(
        user_id=user.id,
        department_id=department.id,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    db.session.add(membership)
    db.session.flush()
    record(
        actor,
        "coe.member_added",
        membership,
        user_id=user.id,
        role=role,
        department_id=department.id,
    )
    db.session.commit()
    return membership


def end_membership(actor: User, membership: CoeMembership) -> None:
    if membership.ends_on is not None and membership.ends_on <= today():  # (today: its last day)
        raise GovernanceError(_("This term has already ended."))
    membership.ends_on = today()
    record(actor, "coe.member_ended", membership, user_id=membership.user_id)
    db.session.commit()

"""`ideahub send-reminders`: one email per person with what is due within a week or overdue,
copying their mentor when something is overdue; never twice to one person on one day.

The day's row in reminders_sent is committed before the message goes out, so two runs at once
(or a run retried after a crash) cannot mail anyone twice; when sending fails, the row is
removed again so that a later run retries that person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..clock import today
from ..database import begin_write_transaction
from ..extensions import db
from ..mail import send_mail
from ..models import Mentorship, ReminderSent, User
from ..notices import notify
from ..sql import insert_ignoring_duplicates
from . import records

WITHIN_DAYS = 7


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)  # emails
    skipped: list[str] = field(default_factory=list)  # already reminded today
    failed: list[str] = field(default_factory=list)


def _write() -> None:
    """Start a write transaction (on SQLite: holding the lock before reading anything). A
    command runs beside the web workers; a write after a read could fail as "locked"."""
    db.session.rollback()
    begin_write_transaction()


def _claim(user_id: int, items: int) -> bool:
    """Record today's reminder for this person; False when one is already recorded."""
    _write()
    claimed = db.session.execute(
        insert_ignoring_duplicates(ReminderSent)
        .values(user_id=user_id, sent_on=today(), items=items)
        .returning(ReminderSent.user_id)
    ).first()
    db.session.commit()
    return claimed is not None


def _body(person: User, items: list[records.Record]) -> str:
    lines = [_("Hello %(name)s,", name=person.name), ""]
    lines.append(_("These social-media guidelines need your acknowledgment or training:"))
    for r in sorted(items, key=lambda r: r.due_on):
        when = (
            _("overdue since %(day)s", day=r.due_on.isoformat())
            if r.status == "overdue"
            else _("due by %(day)s", day=r.due_on.isoformat())
        )
        req = r.requirement
        if req.kind == "training":
            link = url_for("training.module", module_id=req.module_id, _external=True)
            what = _("training for version %(n)s", n=req.version)
        else:
            link = url_for("governance.guideline", guideline_id=req.guideline_id, _external=True)
            what = f"v{req.version}"
        lines.append(f"- {req.title} ({what}): {when}\n  {link}")
    lines += ["", _("Thank you. The Center of Excellence")]
    return "\n".join(lines)


def send_reminders() -> Outcome:
    now = today()
    horizon = now + timedelta(days=WITHIN_DAYS)
    company = records.load()
    pending: dict[int, list[records.Record]] = defaultdict(list)
    for r in records.records(company):
        if r.status == "overdue" or (r.status == "due" and r.due_on <= horizon):
            pending[r.person.id].append(r)
    people = {
        u.id: u
        for u in db.session.scalars(db.select(User).where(User.id.in_(list(pending) or [0])))
    }
    mentor_of = {
        m.mentee_id: m.mentor
        for m in db.session.scalars(
            db.select(Mentorship).where(Mentorship.mentee_id.in_(list(pending) or [0]))
        )
    }
    outcome = Outcome()
    for user_id, items in pending.items():
        person = people[user_id]
        if not _claim(user_id, len(items)):
            outcome.skipped.append(person.email)
            continue
        overdue = any(r.status == "overdue" for r in items)
        mentor = mentor_of.get(user_id) if overdue else None
        with force_locale(person.locale or "en"):
            subject = (
                _("Overdue: guidelines to acknowledge")
                if overdue
                else _("Reminder: guidelines to acknowledge this week")
            )
            body = _body(person, items)
        cc = [mentor.email] if mentor is not None and mentor.is_active else []
        if send_mail([person.email], subject, body, cc=cc):
            outcome.sent.append(person.email)
            if cc:
                with force_locale(mentor.locale or "en"):
                    message = _(
                        "Your mentee %(name)s is overdue with a guideline.", name=person.name
                    )
                mentor_id, link = mentor.id, url_for("governance.mentees")
                _write()
                notify([mentor_id], message, link)
                db.session.commit()
        else:
            _write()
            db.session.execute(
                db.delete(ReminderSent).where(
                    ReminderSent.user_id == user_id, ReminderSent.sent_on == now
                )
            )
            db.session.commit()
            outcome.failed.append(person.email)
    return outcome

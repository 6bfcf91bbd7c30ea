"""Training modules: writing a quiz, taking it (questions in random order, retries allowed),
and what each person must complete by when."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from ..audit import record
from ..clock import day_of, today
from ..extensions import db
from ..governance import queries as guideline_queries
from ..models import (
    Attempt,
    Choice,
    Guideline,
    GuidelineVersion,
    Question,
    TrainingAttachment,
    TrainingModule,
    User,
    utcnow,
)
from ..uploads import StoredFile

MAX_QUESTIONS = 50
MAX_CHOICES = 8


class TrainingError(ValueError):
    """Refused; the message says what to fix."""


@dataclass(frozen=True)
class DraftQuestion:
    text: str
    choices: tuple[tuple[str, bool], ...]  # (text, is_correct)


def parse_quiz(text: str) -> list[DraftQuestion]:
    """The quiz as the community team types it: a question on its own line, then its choices,
    "- " for a wrong one and "* " for the right one; a blank line between questions.
    Raises TrainingError listing every problem with its line number."""
    questions: list[tuple[int, str, list[tuple[str, bool]]]] = []
    problems: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line[:2] in ("- ", "* ") or line in ("-", "*"):
            choice = line[2:].strip()
            if not questions:
                problems.append(_("Line %(n)s: a choice before any question.", n=number))
            elif not choice:
                problems.append(_("Line %(n)s: an empty choice.", n=number))
            elif len(choice) > 300:
                problems.append(_("Line %(n)s: a choice longer than 300 characters.", n=number))
            else:
                questions[-1][2].append((choice, line[0] == "*"))
        elif len(line) > 500:
            problems.append(_("Line %(n)s: a question longer than 500 characters.", n=number))
        else:
            questions.append((number, line, []))
    for number, _question, choices in questions:
        if len(choices) < 2:
            problems.append(_("Line %(n)s: a question needs at least two choices.", n=number))
        elif len(choices) > MAX_CHOICES:
            problems.append(_("Line %(n)s: at most %(max)s choices.", n=number, max=MAX_CHOICES))
        if sum(correct for _c, correct in choices) != 1:
            problems.append(_('Line %(n)s: mark exactly one right choice with "* ".', n=number))
    if not questions:
        problems.append(_("Write at least one question."))
    if len(questions) > MAX_QUESTIONS:
        problems.append(_("At most %(max)s questions.", max=MAX_QUESTIONS))
    if problems:
        raise TrainingError(" ".join(problems))
    return [DraftQuestion(q, tuple(c)) for _n, q, c in questions]


def create_module(
    actor: User,
    guideline: Guideline,
    title: str,
    body: str,
    pass_mark: int,
    due_days: int,
    quiz: str,
    files: list[StoredFile] | tuple[StoredFile, ...] = (),
) -> TrainingModule:
    """A module for the guideline's version in effect; everyone in its audience must pass it."""
    version = guideline_queries.current_version(guideline.id)
    if version is None:
        raise TrainingError(_("Publish a version of this guideline first."))
    questions = parse_quiz(quiz)
    module = TrainingModule(
        guideline_id=guideline.id,
        version_id=version.id,
        title=title.strip(),
        body=body,
        pass_mark=pass_mark,
        due_days=due_days,
        assigned_on=today(),
        created_by_id=actor.id,
    )
    for qi, q in enumerate(questions):
        module.questions.append(
            Question(
                position=qi,
                text=q.text,
                choices=[
                    Choice(position=ci, text=text, is_correct=correct)
                    for ci, (text, correct) in enumerate(q.choices)
                ],
            )
        )
    for f in files:
        module.attachments.append(
            TrainingAttachment(
                filename=f.filename, content_hash=f.content_hash, mime_type=f.mime_type, size=f.size
            )
        )
    db.session.add(module)
    db.session.flush()
    record(
        actor, "training.module_created", module, guideline_id=guideline.id, version=version.number
    )
    db.session.commit()
    return module


def start_attempt(user: User, module: TrainingModule) -> Attempt:
    """A new try, with the questions shuffled for this person."""
    order = [q.id for q in module.questions]
    random.SystemRandom().shuffle(order)
    attempt = Attempt(module_id=module.id, user_id=user.id, question_order=order, answers={})
    db.session.add(attempt)
    db.session.commit()
    return attempt


def submit_attempt(user: User, attempt: Attempt, answers: dict[int, int | None]) -> Attempt:
    """Score an attempt once. Every question must be answered with one of its own choices;
    a second submission of the same attempt (a double click, another tab) is refused."""
    if attempt.user_id != user.id:
        raise TrainingError(_("This attempt is someone else's."))
    if attempt.submitted_at is not None:
        raise TrainingError(_("This attempt was already submitted."))
    questions = {q.id: q for q in attempt.module.questions}
    missing = [
        str(position)
        for position, qid in enumerate(attempt.question_order, 1)
        if answers.get(qid) not in {c.id for c in questions[qid].choices}
    ]
    if missing:
        raise TrainingError(
            _("Answer every question: %(numbers)s still open.", numbers=", ".join(missing))
        )
    right = sum(
        1
        for qid, q in questions.items()
        if any(c.id == answers[qid] and c.is_correct for c in q.choices)
    )
    score = round(100 * right / len(questions))
    passed = score >= attempt.module.pass_mark
    done = db.session.execute(
        db.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(),
            answers={str(k): v for k, v in answers.items() if k in questions},
            score=score,
            passed=passed,
        )
        .returning(Attempt.id)
    ).first()
    if done is None:  # the same attempt submitted at the same moment elsewhere
        db.session.rollback()
        raise TrainingError(_("This attempt was already submitted."))
    if passed:
        record(user, "training.completed", attempt.module, attempt_id=attempt.id, score=score)
    db.session.commit()
    db.session.refresh(attempt)
    return attempt


@dataclass(frozen=True)
class Assignment:
    module: TrainingModule
    assigned_on: date
    due_on: date
    status: str  # assigned, in_progress, completed, overdue
    passed: Attempt | None
    attempts: int


def assignments_for(user: User) -> list[Assignment]:
    """What this person must complete, by when, and where they stand (a fixed few queries)."""
    now = today()
    modules = list(
        db.session.scalars(
            db.select(TrainingModule)
            .join(GuidelineVersion, GuidelineVersion.id == TrainingModule.version_id)
            .where(GuidelineVersion.effective_on <= now)
            .order_by(TrainingModule.id)
        )
    )
    newest: dict[int, TrainingModule] = {}
    for module in modules:
        newest[module.guideline_id] = module
    attempts = list(
        db.session.scalars(
            db.select(Attempt)
            .where(
                Attempt.user_id == user.id,
                Attempt.module_id.in_([m.id for m in newest.values()] or [0]),
            )
            .order_by(Attempt.id)
        )
    )
    majors: dict[int, GuidelineVersion] = {}  # guideline id -> newest major version in effect
    for version in db.session.scalars(
        db.select(GuidelineVersion)
        .where(GuidelineVersion.is_major.is_(True), GuidelineVersion.effective_on <= now)
        .order_by(GuidelineVersion.number)
    ):
        majors[version.guideline_id] = version
    out = []
    for module in sorted(newest.values(), key=lambda m: m.title):
        if not module.guideline.applies_to(user):
            continue
        mine = [a for a in attempts if a.module_id == module.id]
        starts = [module.assigned_on, module.version.effective_on]
        major = majors.get(module.guideline_id)
        if major is not None and major.number > module.version.number:
            # a newer major version assigns the module again: only passes since then count
            starts.append(major.effective_on)
            mine = [a for a in mine if day_of(a.submitted_at or a.started_at) >= major.effective_on]
        passed = next((a for a in mine if a.passed), None)
        if user.hire_date is not None:
            starts.append(user.hire_date)
        assigned_on = max(starts)
        due_on = assigned_on + timedelta(days=module.due_days)
        if passed is not None:
            status = "completed"
        elif now > due_on:
            status = "overdue"
        elif mine:
            status = "in_progress"
        else:
            status = "assigned"
        out.append(Assignment(module, assigned_on, due_on, status, passed, len(mine)))
    return out

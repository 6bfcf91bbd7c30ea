"""My training, a module with its quiz, attempts, certificates; the CoE writes modules."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..governance import queries as guideline_queries
from ..models import Attempt, Guideline, Mentorship, TrainingAttachment, TrainingModule
from ..permissions import can_author_guidelines, can_view_hr
from ..sql import parse_id
from ..uploads import UploadRejected, download_response, store_upload
from . import bp
from .forms import QUIZ_EXAMPLE, ModuleForm
from .services import (
    TrainingError,
    assignments_for,
    create_module,
    start_attempt,
    submit_attempt,
)


@bp.route("/training")
@login_required
def mine() -> str:
    """What I must complete, by when, and what I have finished."""
    assignments = assignments_for(current_user)
    return render_template(
        "training/mine.html",
        todo=[a for a in assignments if a.status != "completed"],
        done=[a for a in assignments if a.status == "completed"],
    )


@bp.route("/training/modules/<int:module_id>")
@login_required
def module(module_id: int) -> str:
    module = db.get_or_404(TrainingModule, module_id)
    attempts = db.session.scalars(
        db.select(Attempt)
        .where(Attempt.module_id == module.id, Attempt.user_id == current_user.id)
        .order_by(Attempt.id.desc())
    ).all()
    return render_template("training/module.html", module=module, attempts=attempts)


@bp.route("/training/modules/<int:module_id>/attempts", methods=["POST"])
@login_required
def start(module_id: int) -> Response:
    """Start a (new) try at the quiz: the questions come in a new random order."""
    module = db.get_or_404(TrainingModule, module_id)
    open_attempt = db.session.scalar(
        db.select(Attempt).where(
            Attempt.module_id == module.id,
            Attempt.user_id == current_user.id,
            Attempt.submitted_at.is_(None),
        )
    )
    attempt = open_attempt or start_attempt(current_user, module)
    return redirect(url_for("training.attempt", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = db.get_or_404(Attempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)  # someone else's attempt does not exist for you
    return attempt


@bp.route("/training/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int) -> Response | str:
    """The quiz (questions in this attempt's order), or its result once submitted."""
    attempt = _own_attempt(attempt_id)
    questions = {q.id: q for q in attempt.module.questions}
    ordered = [questions[qid] for qid in attempt.question_order if qid in questions]
    answers = {q.id: parse_id(request.form.get(f"q-{q.id}")) for q in ordered}
    status = 200
    if request.method == "POST":
        try:
            submit_attempt(current_user, attempt, answers)
        except TrainingError as exc:
            flash(str(exc) + " " + _("Your answers are kept below."), "error")
            status = 422
        else:
            if attempt.passed:
                flash(_("Passed with %(score)s%%. Well done!", score=attempt.score), "success")
            else:
                flash(
                    _(
                        "%(score)s%%: below the pass mark of %(mark)s%%. Read the content "
                        "again and retry when you are ready.",
                        score=attempt.score,
                        mark=attempt.module.pass_mark,
                    ),
                    "warning",  # an outcome, recorded: not a refused request ("error")
                )
            return redirect(url_for("training.attempt", attempt_id=attempt.id))
    chosen = (
        answers
        if request.method == "POST"
        else {int(k): v for k, v in (attempt.answers or {}).items()}
    )
    return (
        render_template("training/attempt.html", attempt=attempt, questions=ordered, chosen=chosen),
        status,
    )  # type: ignore[return-value]


@bp.route("/training/material/<int:material_id>/download")
@login_required
def download(material_id: int) -> Response:
    """A module's material: downloaded, never shown inline or sniffed (like ideas' files)."""
    attachment = db.get_or_404(TrainingAttachment, material_id)
    return download_response(attachment.content_hash, attachment.mime_type, attachment.filename)


@bp.route("/training/attempts/<int:attempt_id>/certificate")
@login_required
def certificate(attempt_id: int) -> str:
    """A printable certificate of a passed attempt, naming the guideline version it covers."""
    attempt = db.get_or_404(Attempt, attempt_id)
    mentor = db.session.get(Mentorship, attempt.user_id)
    allowed = (
        attempt.user_id == current_user.id
        or can_view_hr(current_user)
        or (mentor is not None and mentor.mentor_id == current_user.id)
    )
    if not allowed:
        abort(404)
    if not attempt.passed:
        abort(404)
    return render_template("training/certificate.html", attempt=attempt)


@bp.route("/guidelines/<int:guideline_id>/training/new", methods=["GET", "POST"])
@login_required
def new_module(guideline_id: int) -> Response | str:
    """The community team writes a module for the guideline's version in effect."""
    if not can_author_guidelines(current_user):
        abort(403)
    guideline = db.get_or_404(Guideline, guideline_id)
    version = guideline_queries.current_version(guideline.id)
    form = ModuleForm()
    if request.method == "GET":
        form.title.data = guideline.title
    if form.validate_on_submit():
        try:
            uploads = [f for f in request.files.getlist("files") if f and f.filename]
            limit = current_app.config["MAX_FILES_PER_UPLOAD"]
            if len(uploads) > limit:
                raise UploadRejected(_("Attach at most %(n)s files at a time.", n=limit))
            stored = [store_upload(f.filename, f.stream) for f in uploads]
            module = create_module(
                current_user,
                guideline,
                form.title.data or "",
                form.body.data or "",
                form.pass_mark.data or 80,
                form.due_days.data or 30,
                form.quiz.data or "",
                stored,
            )
        except UploadRejected as exc:
            form.files.errors = [str(exc) + " " + _("Nothing was saved; choose your files again.")]
        except TrainingError as exc:
            form.quiz.errors = [*form.quiz.errors, str(exc)]
        else:
            flash(_("The training module is published."), "success")
            return redirect(url_for("training.module", module_id=module.id))
    return render_template(
        "training/new.html", form=form, guideline=guideline, version=version, example=QUIZ_EXAMPLE
    )


@bp.app_template_filter("training_status_label")
def training_status_label(code: str) -> str:
    return {
        "assigned": _("Assigned"),
        "in_progress": _("In progress"),
        "completed": _("Completed"),
        "overdue": _("Overdue"),
    }.get(code, code)

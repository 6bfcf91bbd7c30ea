"""Mentor pages: the CoE's list of new employees to pair, and each mentor's mentees."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..hr import records
from ..models import User
from ..pagination import page_number
from ..permissions import can_assign_mentors
from ..sql import parse_id
from . import bp, mentors

# New hires listed per page, each with a choice of every mentor: all of them at once was a
# page of 1.6 MB at the bench's size (437 new hires, 80 CoE members: 35,000 <option>s).
WAITING_PER_PAGE = 25


@bp.route("/coe/mentors")
@login_required
def mentors_page() -> str:
    """New employees without a mentor, with the CoE members who could mentor them; a recent
    assignment shows its choice of mentors only once asked to change it (?change=ID)."""
    if not can_assign_mentors(current_user):
        abort(403)
    pool = mentors.candidates()
    waiting = mentors.new_hires_without_mentor()  # bounded by the hiring window
    pages = max(1, -(-len(waiting) // WAITING_PER_PAGE))
    page = page_number(request.args.get("page"), maximum=pages)
    shown = waiting[(page - 1) * WAITING_PER_PAGE : page * WAITING_PER_PAGE]
    return render_template(
        "governance/mentors.html",
        waiting=[(person, mentors.suggested(person, pool)) for person in shown],
        waiting_count=len(waiting),
        page=page,
        pages=pages,
        pool=pool,
        recent=mentors.recent_mentorships(),
        changing=parse_id(request.args.get("change")),
    )


@bp.route("/coe/mentors", methods=["POST"])
@login_required
def assign_mentor() -> Response:
    if not can_assign_mentors(current_user):
        abort(403)
    mentee = db.get_or_404(User, parse_id(request.form.get("mentee_id")) or 0)
    mentor_id = parse_id(request.form.get("mentor_id"))
    back = url_for("governance.mentors_page", page=parse_id(request.form.get("page")))
    if mentor_id is None:
        flash(_("Choose a mentor for %(name)s.", name=mentee.name), "error")
        return redirect(back)
    mentor = db.get_or_404(User, mentor_id)
    try:
        mentors.assign_mentor(current_user, mentee, mentor)
    except mentors.MentorError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("%(mentor)s now mentors %(mentee)s.", mentor=mentor.name, mentee=mentee.name),
            "success",
        )
    return redirect(back)  # the page of new hires the assignment was made on


@bp.route("/me/mentees")
@login_required
def mentees() -> str:
    """A mentor's mentees and where each stands with the guidelines."""
    people = mentors.mentees_of(current_user)
    company = records.load([p.id for p in people])
    cells: dict[int, list[records.Record]] = {p.id: [] for p in people}
    for record in records.records(company):
        cells[record.person.id].append(record)
    return render_template("governance/mentees.html", people=people, cells=cells, company=company)

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth.services import find_user_by_email
from ..clock import today
from ..extensions import db
from ..forms import refuse_at
from ..models import (
    CoeMembership,
    Department,
    Guideline,
    GuidelineVersion,
    TrainingModule,
    User,
)
from ..permissions import can_acknowledge_on_behalf, can_author_guidelines, can_manage_coe
from ..sql import parse_id
from . import bp, queries
from .diff import diff_html
from .forms import DraftForm, MemberForm, NewGuidelineForm, OnBehalfForm, PublishForm
from .services import (
    DraftData,
    GovernanceError,
    acknowledge,
    add_member,
    create_guideline,
    end_membership,
    publish_version,
    save_draft,
)


def _member_form() -> MemberForm:
    form = MemberForm()
    form.department_id.choices = [
        (d.id, d.name) for d in db.session.scalars(db.select(Department).order_by(Department.name))
    ]
    if request.method == "GET":
        form.starts_on.data = today()
    return form


@bp.route("/coe", methods=["GET", "POST"])
@login_required
def coe() -> Response:
    """The Center of Excellence: members by function, and functions without a representative."""
    form = _member_form() if can_manage_coe(current_user) else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            person = find_user_by_email((form.email.data or "")[:254])
            if person is None or not person.is_active:
                form.email.errors = [
                    _("No active employee has the email %(email)s.", email=form.email.data or "")
                ]
            else:
                department = db.get_or_404(Department, form.department_id.data)
                try:
                    add_member(
                        current_user,
                        person,
                        department,
                        form.role.data or "representative",
                        form.starts_on.data,
                        form.ends_on.data,
                    )
                except GovernanceError as exc:  # the term's dates, or a seat already held
                    refuse_at(form, exc.field or "ends_on", str(exc))
                else:
                    flash(_("Member added."), "success")
                    # To the function, where the new member is listed (not the form's #add-member).
                    return redirect(url_for("governance.coe", _anchor=f"fn-{department.id}"))
    roster = queries.coe_roster()
    html = render_template(
        "governance/coe.html",
        roster=roster,
        vacancies=[
            s.department
            for s in roster
            if s.department.is_customer_facing and not s.has_representative
        ],
        form=form,
        today=today(),
    )
    return make_response(html, 422 if form is not None and form.errors else 200)


@bp.route("/coe/members/<int:membership_id>/end", methods=["POST"])
@login_required
def end_member(membership_id: int) -> Response:
    """End a member's term today."""
    if not can_manage_coe(current_user):
        abort(403)
    membership = db.get_or_404(CoeMembership, membership_id)
    try:
        end_membership(current_user, membership)
    except GovernanceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("The term has ended."), "success")
    return redirect(url_for("governance.coe"))


@bp.route("/guidelines")
@login_required
def guidelines() -> str:
    """The guidelines in effect, and which ones I still have to acknowledge."""
    drafts = []
    if can_author_guidelines(current_user):
        drafts = db.session.scalars(db.select(Guideline).order_by(Guideline.title)).all()
    return render_template(
        "governance/guidelines.html",
        requirements=queries.requirements_for(current_user),
        drafts=drafts,
        new_form=NewGuidelineForm(formdata=None),
    )


@bp.route("/guidelines/new", methods=["POST"])
@login_required
def new_guideline() -> Response:
    """Start a new guideline (a draft until published)."""
    if not can_author_guidelines(current_user):
        abort(403)
    form = NewGuidelineForm()
    if not form.validate_on_submit():
        flash(_("Give the guideline a title (up to 200 characters)."), "error")
        return redirect(url_for("governance.guidelines"))
    guideline = create_guideline(current_user, form.title.data or "")
    return redirect(url_for("governance.draft", guideline_id=guideline.id))


@bp.route("/guidelines/<int:guideline_id>")
@login_required
def guideline(guideline_id: int) -> str:
    """The version in effect, its history, and (when due) what changed since my last one."""
    g = db.get_or_404(Guideline, guideline_id)
    versions = queries.versions_of(g.id)
    current = queries.current_version(g.id)
    if current is None and not can_author_guidelines(current_user):
        abort(404)
    req = queries.requirement(current_user, g)
    changes = None
    if req and req.status == "due" and req.acknowledged and current:
        old = req.acknowledged.version
        changes = diff_html(old.body, current.body)
    on_behalf = None
    if can_acknowledge_on_behalf(current_user) and current is not None:
        on_behalf = OnBehalfForm(formdata=None)
    return render_template(
        "governance/guideline.html",
        guideline=g,
        versions=versions,
        current=current,
        requirement=req,
        changes=changes,
        on_behalf=on_behalf,
        modules=db.session.scalars(
            db.select(TrainingModule)
            .where(TrainingModule.guideline_id == g.id)
            .order_by(TrainingModule.id.desc())
        ).all(),
    )


@bp.route("/guidelines/<int:guideline_id>/diff")
@login_required
def diff(guideline_id: int) -> str:
    """What was added and removed between any two published versions."""
    g = db.get_or_404(Guideline, guideline_id)
    versions = {v.number: v for v in queries.versions_of(g.id)}
    if not versions:
        abort(404)
    newest = max(versions)
    a = versions.get(parse_id(request.args.get("from")) or max(newest - 1, 1))
    b = versions.get(parse_id(request.args.get("to")) or newest)
    if a is None or b is None:
        abort(404)
    return render_template(
        "governance/diff.html",
        guideline=g,
        a=a,
        b=b,
        versions=sorted(versions.values(), key=lambda v: v.number),
        changes=diff_html(a.body, b.body),
        title_changes=diff_html(a.title, b.title),
    )


@bp.route("/guidelines/<int:guideline_id>/draft", methods=["GET", "POST"])
@login_required
def draft(guideline_id: int) -> Response | tuple[str, int]:
    """The community team edits the draft and publishes it as a new version."""
    if not can_author_guidelines(current_user):
        abort(403)
    g = db.get_or_404(Guideline, guideline_id)
    form = _draft_form(g, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            save_draft(
                current_user,
                g,
                DraftData(
                    title=form.title.data or "",
                    body=form.body.data or "",
                    for_everyone=bool(form.for_everyone.data),
                    department_ids=tuple(form.department_ids.data or ()),
                    roles=tuple(form.roles.data or ()),
                ),
            )
        except GovernanceError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Draft saved. Readers see it only once you publish it."), "success")
            return redirect(url_for("governance.draft", guideline_id=g.id))
    publish = PublishForm(formdata=None)
    publish.effective_on.data = today()
    return _draft_page(g, form, publish)


def _draft_form(g: Guideline, submitted: bool = False) -> DraftForm:
    """The draft's form: as submitted to the draft page, or as saved."""
    departments = [
        (d.id, d.name) for d in db.session.scalars(db.select(Department).order_by(Department.name))
    ]
    if submitted:
        return DraftForm(obj=g, departments=departments)
    form = DraftForm(formdata=None, obj=g, departments=departments)
    form.body.data = g.draft_body
    form.department_ids.data = [d.id for d in g.departments]
    form.roles.data = g.role_list
    return form


def _draft_page(
    g: Guideline, form: DraftForm, publish: PublishForm, status: int = 200
) -> tuple[str, int]:
    latest = queries.latest_version(g.id)
    return render_template(
        "governance/draft.html",
        guideline=g,
        form=form,
        publish_form=publish,
        latest=latest,
        changes=diff_html(latest.body, g.draft_body) if latest else None,
    ), status


@bp.route("/guidelines/<int:guideline_id>/publish", methods=["POST"])
@login_required
def publish(guideline_id: int) -> Response | tuple[str, int]:
    """Publish the saved draft as the next version."""
    if not can_author_guidelines(current_user):
        abort(403)
    g = db.get_or_404(Guideline, guideline_id)
    form = PublishForm()
    if not form.validate_on_submit():  # the page again, what was typed kept, said at fields
        flash(_("Summarise what changed and give the date it takes effect."), "error")
        return _draft_page(g, _draft_form(g), form, 422)
    try:
        version = publish_version(
            current_user,
            g,
            form.change_summary.data or "",
            bool(form.is_major.data),
            form.effective_on.data,
        )
    except GovernanceError as exc:
        flash(str(exc), "error")
        return _draft_page(g, _draft_form(g), form, 422)
    flash(_("Version %(n)s is published.", n=version.number), "success")
    return redirect(url_for("governance.guideline", guideline_id=g.id))


@bp.route("/guidelines/versions/<int:version_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_version(version_id: int) -> Response:
    """I have read this version (or HR records it for someone, with a reason)."""
    version = db.get_or_404(GuidelineVersion, version_id)
    person, by, reason = current_user, None, ""
    back = url_for("governance.guideline", guideline_id=version.guideline_id)
    if request.form.get("email") or request.form.get("user_id"):  # HR, for someone else
        if not can_acknowledge_on_behalf(current_user):
            abort(403)
        form = OnBehalfForm()
        reason = (form.reason.data or "").strip()
        if not reason or len(reason) > 500:
            flash(_("Say why you acknowledge on this person's behalf."), "error")
            return redirect(back)
        user_id = parse_id(request.form.get("user_id"))
        found = (
            db.session.get(User, user_id)
            if user_id
            else find_user_by_email((form.email.data or "")[:254])
        )
        if found is None or not found.is_active:
            flash(
                _("No active employee has the email %(email)s.", email=form.email.data or ""),
                "error",
            )
            return redirect(back)
        person, by = found, current_user
    try:
        acknowledge(person, version, on_behalf_by=by, reason=reason)
    except GovernanceError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Acknowledged: thank you.")
            if by is None
            else _("Acknowledged for %(name)s.", name=person.name),
            "success",
        )
    return redirect(url_for("governance.guideline", guideline_id=version.guideline_id))

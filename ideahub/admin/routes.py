from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ..extensions import db
from ..forms import refuse_at
from ..models import GRANTABLE_ROLES, Department, User, UserRole
from ..pagination import page_number
from ..permissions import can_administer
from ..sql import parse_id
from . import bp
from .forms import DepartmentForm, UserForm
from .services import (
    AccountError,
    UserData,
    create_user,
    save_department,
    set_user_active,
    update_user,
)

USERS_PER_PAGE = 50


@bp.before_request
@login_required
def require_admin() -> None:
    if not can_administer(current_user):
        abort(403)


def _department_choices() -> list[tuple[int, str]]:
    return [
        (d.id, d.name) for d in db.session.scalars(db.select(Department).order_by(Department.name))
    ]


def _user_data(form: UserForm) -> UserData:
    return UserData(
        email=form.email.data or "",
        name=form.name.data or "",
        department_id=form.department_id.data or None,
        job_title=form.job_title.data or "",
        hire_date=form.hire_date.data,
        timezone=form.timezone.data or "",
        roles=tuple(form.roles.data or ()),
    )


@bp.route("/")
def index() -> Response:
    """The admin area starts at the people list."""
    return redirect(url_for("admin.users"))


@bp.route("/users")
def users() -> str:
    """All accounts, found by name or email and filtered by role, department and status,
    with how many match (20,000 people were 400 pages reached by Next alone)."""
    args = request.args
    q = (args.get("q") or "").strip()[:100]
    role = args.get("role", "") if args.get("role") in GRANTABLE_ROLES else ""
    department_id = parse_id(args.get("department"))
    status = args.get("status", "") if args.get("status") in ("active", "deactivated") else ""
    conditions = []
    if q:
        like = f"%{q.lower()}%"
        conditions.append(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    if role:
        conditions.append(User.id.in_(db.select(UserRole.user_id).where(UserRole.role == role)))
    if department_id:
        conditions.append(User.department_id == department_id)
    if status:
        conditions.append(User.is_active.is_(status == "active"))
    total = db.session.scalar(db.select(func.count()).select_from(User).where(*conditions)) or 0
    last = max(1, -(-total // USERS_PER_PAGE))
    number = page_number(args.get("page"), maximum=last)  # past the end: the last
    accounts = db.session.scalars(
        db.select(User)
        .where(*conditions)
        .order_by(User.name, User.id)
        .options(selectinload(User.role_rows))
        .limit(USERS_PER_PAGE)
        .offset((number - 1) * USERS_PER_PAGE)
    ).all()
    chosen = {"q": q, "role": role, "department": department_id or "", "status": status}
    return render_template(
        "admin/users.html",
        accounts=accounts,
        total=total,
        number=number,
        last=last,
        chosen=chosen,
        kept={k: v for k, v in chosen.items() if v},  # for the pager's links
        roles=GRANTABLE_ROLES,
        departments=_department_choices(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Response | str:
    """Create an account."""
    form = UserForm(departments=_department_choices())
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("Give the new account a first password.")]
        else:
            try:
                user = create_user(current_user, _user_data(form), form.password.data)
            except AccountError as exc:
                refuse_at(form, exc.field, str(exc))
            else:
                flash(_("Account created for %(name)s.", name=user.name), "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int) -> Response | str:
    """Edit an account's details and roles."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, departments=_department_choices())
    if request.method == "GET":
        form.department_id.data = user.department_id or 0
        form.roles.data = user.granted_roles
    if form.validate_on_submit():
        try:
            update_user(current_user, user, _user_data(form), form.password.data or None)
        except AccountError as exc:
            db.session.rollback()
            refuse_at(form, exc.field, str(exc))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int) -> Response:
    """Deactivate or reactivate an account (their ideas and comments stay)."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        set_user_active(current_user, user, active)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        msg = _("%(name)s can sign in again.") if active else _("%(name)s can no longer sign in.")
        flash(msg % {"name": user.name}, "success")
    return redirect(url_for("admin.users"))


@bp.route("/departments", methods=["GET", "POST"])
def departments() -> Response | str:
    """List departments and add one."""
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            save_department(
                current_user, form.name.data or "", None, bool(form.is_customer_facing.data)
            )
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Department added."), "success")
            return redirect(url_for("admin.departments"))
    counts = dict(
        db.session.execute(
            db.select(User.department_id, func.count()).group_by(User.department_id)
        ).all()
    )
    rows = db.session.scalars(db.select(Department).order_by(Department.name)).all()
    return render_template("admin/departments.html", form=form, departments=rows, counts=counts)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def edit_department(department_id: int) -> Response | str:
    """Rename a department."""
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            save_department(
                current_user, form.name.data or "", department, bool(form.is_customer_facing.data)
            )
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/department_form.html", form=form, department=department)

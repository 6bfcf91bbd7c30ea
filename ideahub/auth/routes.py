from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import limiter
from ..forms import refuse_at
from ..htmx import is_htmx
from . import bp
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from .services import (
    PasswordError,
    authenticate,
    change_password,
    request_password_reset,
    set_password,
    sign_out_everywhere,
    user_for_reset_token,
)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    if "\\" in target or any(ord(c) < 32 for c in target):
        return url_for("main.home")
    return target


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_LIMIT"])


def _address_limit() -> str:
    return str(current_app.config["SIGNIN_ADDRESS_LIMIT"])


def _email_key() -> str:
    return "signin:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response: Response) -> bool:
    """A sign-in that did not succeed (a success redirects): only these count against the
    limits, so that a whole office signing in from one address is never locked out."""
    return response.status_code != 302


REFUSAL = "ideahub.limit_refusal"


def _again_later(template: str, form_class: type) -> object:
    """An on_breach callback: the form again, what was typed kept, and when to try again
    (instead of a bare error page naming the limit). Called for each limit broken: the
    first answer made stands."""

    def refuse(limit: RequestLimit) -> Response:
        made = request.environ.get(REFUSAL)  # this request's, whatever context outlives it
        if made is None:
            seconds = limit.reset_at - 1 - time.time()  # reset_at is rounded up a second
            minutes = max(1, math.ceil(seconds / 60))
            flash(
                ngettext(
                    "Too many attempts. Please try again in %(num)d minute.",
                    "Too many attempts. Please try again in %(num)d minutes.",
                    minutes,
                ),
                "error",
            )
            made = request.environ[REFUSAL] = make_response(
                render_template(template, form=form_class()), 429
            )
        return made

    return refuse


def _start_session(user: object, remember: bool) -> None:
    session.clear()  # a fresh session at sign-in (no fixation)
    login_user(user, remember=remember)  # type: ignore[arg-type]
    session.permanent = True
    now = int(time.time())
    session["_started"] = now
    session["_seen"] = now
    session["_remembered"] = remember


_login_refused = _again_later("auth/login.html", LoginForm)


@bp.before_app_request
def enforce_session_timeouts() -> Response | None:
    """End sessions idle too long or older than the limit (unless "keep me signed in")."""
    if request.endpoint in ("static", "main.healthz") or not current_user.is_authenticated:
        return None
    now = int(time.time())
    started, seen = session.get("_started"), session.get("_seen")
    if started is None or seen is None:  # restored from a remember cookie
        session["_started"] = session["_seen"] = now
        session["_remembered"] = True
        return None
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.permanent_session_lifetime.total_seconds()
    if not session.get("_remembered") and (now - seen > idle or now - started > absolute):
        logout_user()
        session.clear()
        flash(
            _("Your session has ended after a period of inactivity. Please sign in again."), "info"
        )
        if is_htmx():
            response = Response(status=401)
            response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        return redirect(
            url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        )
    if now - seen >= 60:  # refresh at most once a minute, so the cookie does not churn
        session["_seen"] = now
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed, on_breach=_login_refused)
@limiter.limit(
    _signin_limit,
    methods=["POST"],
    key_func=_email_key,
    deduct_when=_failed,
    on_breach=_login_refused,
)
def login() -> Response | str:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user, bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")))
        flash(_("Email or password is not right, or the account is deactivated."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out (POST only, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str:
    """Change my password; my other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data or "", form.new.data or "")
        except PasswordError as exc:
            refuse_at(form, exc.field, str(exc))
        else:
            # A new session for this device (the old one was revoked with the others).
            _start_session(current_user._get_current_object(), bool(session.get("_remembered")))
            flash(
                _("Your password is changed. Your other sessions have been signed out."), "success"
            )
            return redirect(url_for("people.settings"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_all() -> Response:
    """End every session of mine, on every device, this one included."""
    sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(
    _signin_limit, methods=["POST"], on_breach=_again_later("auth/forgot.html", ForgotPasswordForm)
)
def forgot_password() -> Response | str:
    """Ask for a password reset link by email."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data or "")
        # The same answer whether or not the account exists (no enumeration).
        flash(_("If an account has this email, a reset link is on its way. It works once."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    """Choose a new password from an emailed link (single use, expiring)."""
    user = user_for_reset_token(token)
    if user is None:
        flash(
            _(
                "This reset link is not valid any more: it was used, it expired, "
                "or it is incomplete. Ask for a new one."
            ),
            "error",
        )
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.new.data or "", actor=user)
        except PasswordError as exc:
            form.new.errors = [str(exc)]
        else:
            flash(_("Your password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)

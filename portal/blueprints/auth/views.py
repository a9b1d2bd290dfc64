from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import limits
from portal.blueprints.auth import bp
from portal.blueprints.auth.forms import CodeForm, LoginForm, ResendForm
from portal.clock import now
from portal.domain import DomainError
from portal.domain.sign_in import code_still_needed
from portal.landing import landing_for
from portal.models import User
from portal.rendering import form_page, render_page
from portal.services.accounts import accounts
from portal.services.identity.providers import password_sign_in_allowed
from portal.urls import local_path

PENDING_KEY = "pending_login"
PENDING_SECONDS = 300  # the code must follow the password within five minutes
# The address a confirmation link just confirmed: the sign-in form shows it filled in, once.
LOGIN_EMAIL_KEY = "login_email"

safe_next = local_path  # a path on this site only: never an address that would send people elsewhere


def _finish_login(user: User, next_url: str | None):
    """Start the signed-in session; the caller's service call has recorded the sign-in."""
    session.clear()  # a fresh session after signing in: nothing carried over from before
    login_user(user)
    flash(_("Hai effettuato l'accesso come %(name)s.", name=user.name), "success")
    return redirect(safe_next(next_url) or landing_for(user))


def password_refused(message: str | None = None):
    """A password route PASSWORD_SIGN_IN closes: the way in is SPID/CIE."""
    return render_page(
        "auth/password_refused.html",
        status=403,
        message=message or _("L'accesso con e-mail e password non è disponibile: entra con SPID o CIE."),
    )


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return accounts.load_user(pending.get("id", ""))


@bp.route("/accesso", methods=["GET", "POST"])
@limits.sign_in
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or landing_for(current_user))
    if request.method == "POST" and not password_sign_in_allowed():
        return password_refused()
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        form.email.data = session.pop(LOGIN_EMAIL_KEY, None)
    failed = False
    resend = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            failed = True
        elif not password_sign_in_allowed(back_office_role=user.role.needs_second_factor):
            # Only the password's owner learns this: organisations enter with SPID/CIE.
            return password_refused(
                _("Le organizzazioni entrano con SPID o CIE: usa il pulsante nella pagina di accesso.")
            )
        elif user.email_confirmed_at is None:
            # Only the password's owner learns this; the link is sent again when they ask.
            resend = ResendForm(formdata=None, email=user.email, next=safe_next(form.next.data))
        elif code_still_needed(user.role.needs_second_factor, spid_level=None):
            session[PENDING_KEY] = {"id": user.get_id(), "at": time.time(), "next": safe_next(form.next.data)}
            endpoint = "auth.second_factor" if user.totp_enabled_at else "auth.enrol"
            return redirect(url_for(endpoint))
        else:
            accounts.record_login(user, now())
            return _finish_login(user, form.next.data)
    return form_page("auth/login.html", form, failed, resend=resend)


def _expired():
    flash(_("La sessione di accesso è scaduta: inserisci di nuovo e-mail e password."), "warning")
    return redirect(url_for("auth.login"))


def _check_code(user: User, form: CodeForm) -> bool | None:
    """None while no code was sent; True when a valid one was (and the sign-in is recorded)."""
    if not form.validate_on_submit():
        return None
    return accounts.sign_in_with_code(user, form.code.data, now())


@bp.route("/accesso/codice", methods=["GET", "POST"])
@limits.second_factor
def second_factor():
    user = _pending_user()
    if user is None:
        return _expired()
    if user.totp_enabled_at is None:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    verified = _check_code(user, form)
    if verified:
        return _finish_login(user, session.get(PENDING_KEY, {}).get("next"))
    return form_page("auth/code.html", form, verified is False)


@bp.route("/accesso/attiva-codice", methods=["GET", "POST"])
@limits.second_factor
def enrol():
    user = _pending_user()
    if user is None:
        return _expired()
    try:
        enrolment = accounts.start_enrolment(user)
    except DomainError:
        return redirect(url_for("auth.second_factor"))
    form = CodeForm()
    verified = _check_code(user, form)
    if verified:
        flash(_("Verifica in due passaggi attivata."), "success")
        return _finish_login(user, session.get(PENDING_KEY, {}).get("next"))
    return form_page("auth/enrol.html", form, verified is False, enrolment=enrolment)


@bp.get("/il-tuo-account")
@login_required
def account():
    """The signed-in person's account: who they are, and whether SPID/CIE is linked ("Collega SPID o
    CIE": going through an identity provider while signed in links it, at the ACS)."""
    return render_page("auth/account.html", user=current_user)


@bp.post("/esci")
@limits.signed_in_writes
def logout():
    """Ends the account's sessions everywhere; a session already ended elsewhere just says goodbye."""
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("Hai lasciato l'area riservata."), "success")
    return redirect(url_for("pages.home"))

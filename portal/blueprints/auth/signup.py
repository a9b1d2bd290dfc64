"""Applicants' accounts: sign up, confirm the address, reset a forgotten password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.blueprints.auth import bp
from portal.blueprints.auth.forms import ForgotPasswordForm, NewPasswordForm, ResendForm, SignUpForm
from portal.blueprints.auth.views import LOGIN_EMAIL_KEY, password_refused
from portal.clock import now
from portal.domain import DomainError
from portal.i18n import current_lang
from portal.landing import landing_for
from portal.rendering import form_page
from portal.services import mail
from portal.services.accounts import signup
from portal.services.accounts.accounts import AccountError
from portal.services.accounts.signup import SignupError
from portal.services.identity.providers import password_sign_in_allowed
from portal.urls import local_path

RESEND_EMAIL_KEY = "resend_email"  # the address of the last "check your e-mail" page


def _link_problem(error: DomainError) -> str:
    return (
        _("Il link è scaduto: chiedine uno nuovo.")
        if error.code == SignupError.EXPIRED
        else _("Il link non è valido o è già stato usato: chiedine uno nuovo.")
    )


def _weak_password() -> str:
    return _("La password deve avere almeno 12 caratteri e non può essere l'indirizzo e-mail")


@bp.route("/registrazione", methods=["GET", "POST"])
@limits.sign_up
def sign_up():
    if current_user.is_authenticated:
        return redirect(local_path(request.args.get("next")) or landing_for(current_user))
    if not password_sign_in_allowed(back_office_role=False):
        return _no_new_passwords()
    form = SignUpForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next"))
    if form.validate_on_submit():
        next_path = local_path(form.next.data)
        try:
            signup.sign_up(
                form.email.data, form.nome.data, form.password.data, current_lang(), now(), next_path=next_path
            )
        except DomainError as error:
            if error.code != AccountError.WEAK_PASSWORD:
                raise
            form.password.errors = [_weak_password()]
        else:
            mail.deliver_now_if_immediate(now())
            return _check_email(form.email.data, next_path)
    return form_page("auth/sign_up.html", form, False)


def _no_new_passwords():
    """PASSWORD_SIGN_IN keeps e-mail accounts for partners (or nobody): an organisation enters with SPID/CIE."""
    return password_refused(
        _("Non servono un nuovo account né una password: entra con SPID o CIE, l'account si crea al primo accesso.")
    )


def _check_email(email: str, next_path: str | None, *, resent: bool = False):
    """The page after signing up or asking for the link again: the same whether or not the address
    has an account. The address is kept in the session to fill in the "send the link again" form."""
    session[RESEND_EMAIL_KEY] = email
    return render_template("auth/check_email.html", email=email, next_path=next_path, resent=resent)


@bp.route("/registrazione/invia-di-nuovo", methods=["GET", "POST"])
@limits.resend_confirmation
def resend_confirmation():
    if not password_sign_in_allowed(back_office_role=False):
        return _no_new_passwords()
    form = ResendForm()
    if request.method == "GET":
        form.email.data = session.get(RESEND_EMAIL_KEY)
        form.next.data = local_path(request.args.get("next"))
    if form.validate_on_submit():
        next_path = local_path(form.next.data)
        signup.resend_confirmation(form.email.data, now(), lang=current_lang(), next_path=next_path)
        mail.deliver_now_if_immediate(now())
        return _check_email(form.email.data, next_path, resent=True)
    return form_page("auth/resend.html", form, False)


@bp.get("/registrazione/conferma/<token>")
def confirm_email(token: str):
    """The link confirms the address and leads to the sign-in, the address filled in, on the way to
    where the person was going when they signed up. It signs nobody in: whoever holds the link
    still needs the password (or, later, another way in)."""
    try:
        confirmation = signup.confirm_email(token, now())
    except DomainError as error:
        flash(_link_problem(error), "warning")
        # An expired link: the form that sends a new one; a broken one: the sign-in.
        return redirect(url_for("auth.resend_confirmation" if error.code == SignupError.EXPIRED else "auth.login"))
    if current_user.is_authenticated and current_user.id == confirmation.user.id:
        return redirect(confirmation.next_path or landing_for(current_user))
    session[LOGIN_EMAIL_KEY] = confirmation.user.email
    flash(_("Indirizzo confermato: ora puoi accedere."), "success")
    return redirect(url_for("auth.login", next=confirmation.next_path))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limits.reset_request
def forgot_password():
    if not password_sign_in_allowed():
        return password_refused()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        signup.request_reset(form.email.data, now(), lang=current_lang())
        mail.deliver_now_if_immediate(now())
        return render_template("auth/check_email.html", email=form.email.data, reset=True)
    return form_page("auth/forgot_password.html", form, False)


@bp.route("/nuova-password/<token>", methods=["GET", "POST"])
@limits.secret_link
def reset_password(token: str):
    if not password_sign_in_allowed():
        return password_refused()
    try:
        signup.user_for_reset(token)
    except DomainError as error:
        flash(_link_problem(error), "warning")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            signup.reset_password(token, form.password.data, now())
        except DomainError as error:
            if error.code != AccountError.WEAK_PASSWORD:
                abort(400)
            form.password.errors = [_weak_password()]
        else:
            flash(_("Password cambiata: accedi con la nuova password."), "success")
            return redirect(url_for("auth.login"))
    return form_page("auth/new_password.html", form, False, token=token)

"""SPID/CIE views: thin — parse, call the identity services, render.

The ACS is a cross-site POST from the identity provider: the session cookie (SameSite=Lax) does not
come with it from a browser. Then the ACS answers a page on this site that posts the same response
back to itself (a same-site POST, which carries the cookie): the response is read only with the
session holding the request this browser sent, so InResponseTo stays bound to the browser."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal import limits
from portal.blueprints.identity import bp
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import csrf
from portal.landing import landing_for
from portal.rendering import render_page
from portal.security import content_security_policy
from portal.services.accounts import accounts
from portal.services.identity import metadata, providers, saml, sign_in
from portal.services.identity.response_checks import Refused, SamlError
from portal.urls import local_path

PENDING_KEY = "spid_request"
SAML_SESSION_KEY = "spid_session"
PENDING_SECONDS = 15 * 60  # from the chooser to the way back: time to sign in at the identity provider
BOUNCE_FIELD = "stesso_sito"

MESSAGES = {
    SamlError.MALFORMED: _l("La risposta del gestore dell'identità non è valida."),
    SamlError.NO_PENDING_REQUEST: _l("Non risulta un accesso avviato da questo browser, o è scaduto: ricomincia."),
    SamlError.WRONG_REQUEST: _l("La risposta non corrisponde all'accesso avviato da questo browser."),
    SamlError.WRONG_DESTINATION: _l("La risposta era destinata a un altro indirizzo."),
    SamlError.WRONG_ISSUER: _l("La risposta non viene dal gestore dell'identità che hai scelto."),
    SamlError.WRONG_AUDIENCE: _l("La risposta era destinata a un altro servizio."),
    SamlError.EXPIRED: _l("La risposta è scaduta o non ancora valida: ricomincia l'accesso."),
    SamlError.LEVEL_TOO_LOW: _l("Il livello di sicurezza dell'accesso è inferiore a quello richiesto."),
    SamlError.BAD_SIGNATURE: _l("La firma della risposta non è valida."),
    SamlError.REPLAYED: _l("Questa risposta è già stata usata: ricomincia l'accesso."),
    SamlError.MISSING_ATTRIBUTES: _l(
        "Il gestore dell'identità non ha inviato un codice fiscale valido, il nome e il cognome."
    ),
    SamlError.CANCELLED: _l("Hai annullato l'accesso presso il gestore dell'identità."),
    SamlError.AUTHN_FAILED: _l("Il gestore dell'identità non ha completato l'autenticazione."),
    SamlError.ACCOUNT_CONFLICT: _l(
        "Esiste già un account con il tuo indirizzo e-mail: accedi con la password per collegarlo a SPID o CIE."
    ),
    SamlError.FISCAL_CODE_TAKEN: _l(
        "Questa identità SPID o CIE è già collegata a un altro account: esci ed entra con SPID o CIE."
    ),
    SamlError.LINKED_TO_ANOTHER: _l("Il tuo account è già collegato a un'altra identità SPID o CIE."),
}


@bp.app_template_global("identity_providers")
def identity_providers():
    """Who the sign-in page offers (SPID's chooser, the CIE button): none while SPID is off."""
    if not current_app.config.get("SPID_ENABLED"):
        return []
    return providers.configured_providers()


@bp.app_template_global("password_sign_in_allowed")
def password_sign_in_allowed() -> bool:
    """Whether the sign-in page offers the e-mail and password form (PASSWORD_SIGN_IN)."""
    return providers.password_sign_in_allowed()


@bp.app_template_global("sign_out_url")
def sign_out_url() -> str:
    """Where the header's "Esci" posts: a session that came from SPID/CIE ends at its identity provider
    too (single logout); any other ends here."""
    if current_app.config.get("SPID_ENABLED") and session.get(SAML_SESSION_KEY):
        return url_for("identity.spid_logout")
    return url_for("auth.logout")


def _enabled() -> None:
    if not current_app.config.get("SPID_ENABLED"):
        abort(404)


def _with_form_action(response, destination: str):
    """The page's form posts to the identity provider: its origin joins form-action, for this page only."""
    parts = urlsplit(destination)
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = content_security_policy().replace("form-action 'self'", f"form-action 'self' {origin}", 1)
    response.headers["Content-Security-Policy"] = policy
    return response


def _post_page(message: saml.OutgoingMessage, title: str, lead: str):
    page = render_page(
        "identity/post.html",
        title=title,
        lead=lead,
        action=message.destination,
        # RelayState: opaque (SPID asks that it reveal nothing); where to go next stays in the session.
        fields={message.field: message.value, "RelayState": secrets.token_urlsafe(16)},
    )
    return _with_form_action(make_response(page), message.destination)


def _metadata(kind: str):
    _enabled()
    response = make_response(metadata.signed_metadata(kind))
    response.mimetype = "application/samlmetadata+xml"
    return response


@bp.get("/spid/metadata.xml")
def spid_metadata():
    return _metadata("spid")


@bp.get("/cie/metadata.xml")
def cie_metadata():
    return _metadata("cie")


@bp.get("/<lang>/accesso/spid")
def spid_login():
    """The signed AuthnRequest for the identity provider chosen (`idp`), in a form posted to it."""
    _enabled()
    idp = providers.provider(request.args.get("idp"))
    if idp is None:
        abort(404)
    try:
        message = saml.authn_request(idp)
    except Refused:
        abort(404)
    # Someone already signed in (with their password) who goes through SPID/CIE links it to their account.
    linking = current_user.get_id() if current_user.is_authenticated else None
    session[PENDING_KEY] = {
        "link": linking,
        "id": message.request_id,
        "instant": message.issue_instant,
        "idp": idp.entity_id,
        "level": current_app.config["SPID_LEVEL"],
        "next": local_path(request.args.get("next")),
        "at": time.time(),
    }
    title = _("Entra con CIE") if idp.kind == "cie" else _("Entra con SPID")
    return _post_page(message, title, _("Stai per andare a %(name)s per farti riconoscere.", name=idp.name))


def _refused(code: SamlError, detail: str = ""):
    current_app.logger.warning("SPID/CIE sign-in refused: %s %s", code, detail)
    return render_page("identity/refused.html", status=403, message=MESSAGES[code], page_has_errors=True)


def _bounce():
    """The same response, posted again from a page of this site, so the session cookie comes with it."""
    fields = {name: request.form[name] for name in ("SAMLResponse", "RelayState") if name in request.form}
    fields[BOUNCE_FIELD] = "1"
    return render_page(
        "identity/post.html",
        title=_("Ritorno al portale"),
        lead=_("Stai tornando al portale dopo l'accesso."),
        action=url_for("identity.acs"),
        fields=fields,
    )


@bp.post("/spid/acs")
@csrf.exempt  # a cross-site POST from the identity provider: the signed response is the credential
def acs():
    _enabled()
    pending = session.get(PENDING_KEY)
    if pending is None:
        if request.form.get(BOUNCE_FIELD) or "SAMLResponse" not in request.form:
            return _refused(SamlError.NO_PENDING_REQUEST)
        return _bounce()
    session.pop(PENDING_KEY, None)  # one response per request, whatever it says
    idp = providers.provider(pending.get("idp"))
    if idp is None or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return _refused(SamlError.NO_PENDING_REQUEST)
    linking = pending.get("link")
    if linking is not None and current_user.get_id() != linking:
        return _refused(SamlError.NO_PENDING_REQUEST)  # signed out (or in as someone else) meanwhile
    try:
        identity = saml.read_response(request.form.get("SAMLResponse", ""), pending, idp)
        if linking is not None:
            user = sign_in.link(current_user._get_current_object(), identity, now())
        else:
            user = sign_in.sign_in(identity, now(), lang=g.get("lang", "it"))
    except Refused as refusal:
        return _refused(refusal.code, refusal.detail)
    except DomainError as error:
        return _refused(error.code)
    session.clear()  # a fresh session after signing in: nothing carried over from before
    login_user(user)
    session[SAML_SESSION_KEY] = {
        "idp": identity.idp,
        "name_id": identity.name_id,
        "name_qualifier": identity.name_qualifier,
        "session_index": identity.session_index,
    }
    if linking is not None:
        flash(_("Il tuo account è collegato a SPID e CIE: d'ora in poi puoi entrare anche così."), "success")
    else:
        flash(_("Hai effettuato l'accesso come %(name)s.", name=user.name), "success")
    return redirect(pending.get("next") or landing_for(user))


@bp.post("/<lang>/esci/spid")
@limits.signed_in_writes
def spid_logout():
    """Signing out of a session that came from SPID/CIE: the portal's sessions end, then the identity
    provider is asked to end its own (a signed LogoutRequest, posted by the browser)."""
    _enabled()
    saml_session = session.get(SAML_SESSION_KEY)
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    idp = providers.provider(saml_session.get("idp")) if saml_session else None
    if idp is None:
        flash(_("Hai lasciato l'area riservata."), "success")
        return redirect(url_for("pages.home"))
    try:
        message = saml.logout_request(idp, saml_session)
    except Refused:
        flash(_("Hai lasciato l'area riservata."), "success")
        return redirect(url_for("pages.home"))
    return _post_page(message, _("Uscita"), _("Stai uscendo anche da %(name)s.", name=idp.name))


@bp.route("/spid/sls", methods=["GET", "POST"])
@csrf.exempt  # the identity provider's answer (or request), cross-site
def sls():
    """The end of single logout: the identity provider's LogoutResponse (the portal's session ended
    before the request left); an IdP-initiated LogoutRequest ends this browser's session, if it came."""
    _enabled()
    if current_user.is_authenticated:
        accounts.sign_out(current_user._get_current_object())
        logout_user()
    session.clear()
    flash(_("Hai lasciato l'area riservata."), "success")
    return redirect(url_for("pages.home", lang="it"))

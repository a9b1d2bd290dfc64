"""The organisation's profile."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import applicant_required
from portal.blueprints.applications.forms import OrganisationForm
from portal.clock import now
from portal.domain import DomainError
from portal.labels import legal_forms_hint
from portal.rendering import form_page
from portal.services.applications import organisations
from portal.services.applications.organisations import OrganisationError
from portal.services.editions.editions import current_edition
from portal.urls import local_path

PROBLEMS = {
    OrganisationError.UNKNOWN_NIL: ("nil", _l("Scegli il quartiere della sede")),
    OrganisationError.CF_TAKEN: (
        "codice_fiscale",
        _l("Esiste già un'organizzazione con questo codice fiscale: chiedi a chi l'ha registrata di contattarci."),
    ),
    OrganisationError.FISCAL_DATE_MISSING: (
        "stato_fiscale_dal",
        _l("Scrivi la data di iscrizione al registro, ad esempio 23/11/2021"),
    ),
}


@bp.route("/organizzazione", methods=["GET", "POST"])
@limits.signed_in_writes
@applicant_required
def organisation():
    """The profile; `next` (a local path, e.g. the door to apply) is where saving it leads."""
    next_path = local_path(request.args.get("next"))
    form = OrganisationForm()
    edition = current_edition()
    current = organisations.profile_of(current_user.organisation)
    if not form.is_submitted() and current:
        form.nome.data, form.forma.data, form.codice_fiscale.data = (
            current.name,
            current.legal_form,
            current.codice_fiscale,
        )
        form.indirizzo.data, form.nil.data = current.address, current.nil_id
        form.referente.data, form.telefono.data = current.contact_name, current.contact_phone
        form.stato_fiscale.data = current.fiscal_status.value if current.fiscal_status else ""
        form.stato_fiscale_dal.data = current.fiscal_status_since
    if form.validate_on_submit():
        profile = organisations.Profile(
            name=form.nome.data,
            legal_form=form.forma.data,
            codice_fiscale=form.codice_fiscale.data,
            address=form.indirizzo.data,
            nil_id=form.nil.data,
            contact_name=form.referente.data,
            contact_phone=form.telefono.data,
            fiscal_status=form.fiscal_status,
            fiscal_status_since=form.stato_fiscale_dal.date if form.fiscal_status else None,
        )
        eligible = edition.criteria.eligible_legal_forms if edition else frozenset()
        try:
            organisations.save_profile(current_user, profile, eligible, now())
        except DomainError as error:
            if error.code == OrganisationError.NOT_ELIGIBLE:
                form.forma.errors = [_not_eligible(edition)]
            else:
                field, message = PROBLEMS[error.code]
                form[field].errors = [str(message)]
        else:
            flash(_("Dati dell'organizzazione salvati."), "success")
            return redirect(next_path or url_for("applications.home"))
    return form_page(
        "applications/organisation.html",
        form,
        False,
        has_profile=current is not None,
        fiscal_checked_at=current_user.organisation.fiscal_status_checked_at if current_user.organisation else None,
        next_path=next_path,
        edition=edition,
    )


def _not_eligible(edition) -> str:
    """The refusal, with the legal forms the current edition admits (the same words as the call's
    eligibility check)."""
    refused = _("Con questa forma giuridica non è possibile presentare domanda.")
    hint = legal_forms_hint(edition.eligible_legal_forms) if edition else None
    return f"{refused} {hint}" if hint else refused

"""The words for what the call's rules answer, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.domain.eligibility import EligibilityFailure, Failure
from portal.i18n import money
from portal.labels import LEGAL_FORM_LABELS


def legal_forms_text(codes: list[str]) -> str:
    return ", ".join(str(LEGAL_FORM_LABELS[code]).lower() for code in codes if code in LEGAL_FORM_LABELS)


def failure_reason(failure: Failure, eligible_forms: list[str]) -> str:
    params = failure.params
    if failure.code == EligibilityFailure.LEGAL_FORM:
        return _(
            "La forma giuridica che hai indicato non è ammessa: possono partecipare %(forms)s.",
            forms=legal_forms_text(eligible_forms),
        )
    if failure.code == EligibilityFailure.NON_PROFIT:
        return _("Il bando è riservato alle organizzazioni senza scopo di lucro.")
    if failure.code == EligibilityFailure.SEAT_IN_MILAN:
        return _("Serve una sede operativa nel Comune di Milano.")
    if failure.code == EligibilityFailure.DURATION:
        return _("Il progetto può durare al massimo %(months)s mesi.", months=params["max_months"])
    if failure.code == EligibilityFailure.COST:
        return _("Il costo totale può essere al massimo %(amount)s.", amount=money(params["max_cost_cents"]))
    return _("Un requisito non è soddisfatto.")


def over_cost_message(max_cost_cents: int) -> str:
    return _(
        "Il costo supera il limite del bando: un progetto può costare al massimo %(amount)s.",
        amount=money(max_cost_cents),
    )


def not_positive_message() -> str:
    return _("Il costo deve essere maggiore di zero.")

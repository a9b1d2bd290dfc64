"""The words for what the call's rules answer, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.domain.eligibility import EligibilityFailure, Failure
from portal.i18n import money
from portal.labels import legal_forms_hint


def failure_reason(failure: Failure, eligible_forms: list[str]) -> str:
    params = failure.params
    if failure.code == EligibilityFailure.LEGAL_FORM:
        refused = _("La forma giuridica che hai indicato non è ammessa.")
        hint = legal_forms_hint(eligible_forms)
        return f"{refused} {hint}" if hint else refused
    if failure.code == EligibilityFailure.NON_PROFIT:
        return _("Il bando è riservato alle organizzazioni senza scopo di lucro.")
    if failure.code == EligibilityFailure.SEAT_IN_MILAN:
        return _("Serve una sede operativa nel Comune di Milano.")
    if failure.code == EligibilityFailure.DURATION:
        return ngettext(
            "Il progetto può durare al massimo %(num)d mese.",
            "Il progetto può durare al massimo %(num)d mesi.",
            params["max_months"],
        )
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

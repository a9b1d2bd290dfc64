"""GET forms of the call area: shareable URLs, no personal data, so no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from portal.domain.eligibility import LEGAL_FORMS
from portal.form_fields import EuroField, GetForm, WholeNumberField
from portal.labels import LEGAL_FORM_LABELS

YES_NO = [SelectChoice("si", _l("Sì")), SelectChoice("no", _l("No"))]


def project_cost_field() -> EuroField:
    """The project's total cost (zero passes here: the calculator and the check answer it)."""
    return EuroField(
        _l("Costo totale del progetto (euro)"),
        required_message=_l("Inserisci il costo del progetto in euro, ad esempio 20.000"),
        message=_l("Scrivi il costo come numero in euro, ad esempio 20.000 oppure 20000,50"),
    )


class CostForm(GetForm):
    costo = project_cost_field()


class EligibilityForm(GetForm):
    forma = RadioField(
        _l("Forma giuridica dell'organizzazione"),
        choices=[SelectChoice(code, LEGAL_FORM_LABELS[code]) for code in LEGAL_FORMS],
        invalid_choice_message=_l("Scegli la forma giuridica dell'organizzazione"),
    )
    non_profit = RadioField(
        _l("L'organizzazione è senza scopo di lucro?"),
        choices=YES_NO,
        invalid_choice_message=_l("Indica se l'organizzazione è senza scopo di lucro"),
    )
    sede_milano = RadioField(
        _l("L'organizzazione ha una sede operativa a Milano?"),
        choices=YES_NO,
        invalid_choice_message=_l("Indica se l'organizzazione ha una sede operativa a Milano"),
    )
    durata = WholeNumberField(
        _l("Durata del progetto (mesi)"),
        minimum=1,
        maximum=120,
        required_message=_l("Inserisci la durata del progetto in mesi, ad esempio 12"),
        message=_l("Scrivi la durata come numero intero di mesi, ad esempio 12"),
        range_message=_l("La durata deve essere tra 1 e 120 mesi"),
    )
    costo = project_cost_field()

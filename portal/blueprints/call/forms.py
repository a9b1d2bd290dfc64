"""GET forms of the call area: shareable URLs, no personal data, so no CSRF token."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from portal.domain import DomainError
from portal.domain.eligibility import LEGAL_FORMS
from portal.domain.money import parse_euros

LEGAL_FORM_LABELS = {
    "associazione": _l("Associazione"),
    "fondazione": _l("Fondazione"),
    "impresa_sociale": _l("Impresa sociale (anche cooperativa sociale)"),
    "societa": _l("Società o impresa commerciale"),
    "ente_pubblico": _l("Ente pubblico"),
    "persona_fisica": _l("Persona fisica o gruppo informale"),
    "altro": _l("Altro"),
}
YES_NO = [SelectChoice("si", _l("Sì")), SelectChoice("no", _l("No"))]

AMOUNT_ERRORS = {
    "empty": _l("Inserisci il costo del progetto in euro, ad esempio 20.000"),
    "not_a_number": _l("Scrivi il costo come numero in euro, ad esempio 20.000 oppure 20000,50"),
}


class EuroAmount:
    """Validator and converter: puts the amount in cents on `field.cents`."""

    def __call__(self, form, field) -> None:
        try:
            field.cents = parse_euros(field.data or "")
        except DomainError as error:
            field.cents = None
            raise ValidationError(str(AMOUNT_ERRORS[error.code])) from None


class WholeMonths:
    """Validator and converter: a whole number of months, on `field.months`."""

    def __call__(self, form, field) -> None:
        raw = (field.data or "").strip()
        field.months = None
        if not raw:
            raise ValidationError(str(_l("Inserisci la durata del progetto in mesi, ad esempio 12")))
        if not re.fullmatch(r"[0-9]{1,4}", raw):  # str.isdigit() accepts '²'
            raise ValidationError(str(_l("Scrivi la durata come numero intero di mesi, ad esempio 12")))
        if not 1 <= int(raw) <= 120:
            raise ValidationError(str(_l("La durata deve essere tra 1 e 120 mesi")))
        field.months = int(raw)


class GetForm(FlaskForm):
    class Meta:
        csrf = False


class CostForm(GetForm):
    costo = StringField(_l("Costo totale del progetto (euro)"), validators=[EuroAmount()])


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
    durata = StringField(_l("Durata del progetto (mesi)"), validators=[WholeMonths()])
    costo = StringField(_l("Costo totale del progetto (euro)"), validators=[EuroAmount()])

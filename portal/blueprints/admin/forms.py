from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.domain.aftercare import InstalmentCondition
from portal.domain.readiness import FULL_SCORE
from portal.form_fields import (
    CheckboxesField,
    DateField,
    EuroField,
    GetForm,
    WholeNumberField,
    clean,
    email_field,
    full_name_field,
    strip,
)


def web_address(form, field) -> None:
    """An http(s) address people can open; anything else (javascript:, mailto:) is refused."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Scrivi un indirizzo web completo, che inizi con https://"))


def lines(value: str | None) -> str | None:
    """A text of lines as browsers send it (CRLF), with plain line feeds, blank lines dropped."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.strip() for line in value.splitlines() if line.strip())


def blank_to_none(value: str | None) -> str | None:
    value = strip(value)
    return value or None


class EventSettingsForm(FlaskForm):
    capacita = WholeNumberField(
        _l("Posti disponibili"),
        maximum=999_999,
        message=_l("Scrivi il numero di posti in cifre, ad esempio 100"),
    )
    link_collegamento = StringField(
        _l("Link per collegarsi"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )
    link_registrazione = StringField(
        _l("Link alla registrazione"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )
    link_materiali = StringField(
        _l("Link ai materiali (slide, dispense)"),
        filters=[blank_to_none],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri")), web_address],
    )

    @property
    def capacity(self) -> int | None:
        return self.capacita.number


class FiltersForm(GetForm):
    stato = SelectField(_l("Stato"), validators=[Optional()], validate_choice=False)
    municipio = SelectField(_l("Municipio"), validators=[Optional()], validate_choice=False)
    tema = SelectField(_l("Tema"), validators=[Optional()], validate_choice=False)
    q = StringField(
        _l("Cerca per titolo, organizzazione o protocollo"), filters=[clean], validators=[Optional(), Length(max=100)]
    )
    ordina = SelectField(_l("Ordina per"), validators=[Optional()], validate_choice=False)


class AdmissibilityForm(FlaskForm):
    esito = RadioField(
        _l("Esito della verifica formale"),
        choices=[
            SelectChoice("ammissibile", _l("Ammissibile")),
            SelectChoice("non_ammissibile", _l("Non ammissibile")),
        ],
        validators=[InputRequired(_l("Scegli l'esito della verifica"))],
    )
    motivo = TextAreaField(
        _l("Motivo (obbligatorio se non ammissibile; lo riceve chi ha presentato la domanda)"),
        filters=[strip],
        validators=[Optional(), Length(max=500, message=_l("Al massimo 500 caratteri"))],
    )


class AssignForm(FlaskForm):
    valutatore = SelectField(_l("Valutatore"), coerce=int, validators=[InputRequired(_l("Scegli un valutatore"))])


class LaunchForm(FlaskForm):
    inizio = DateField(_l("Primo giorno della campagna"))

    def validate_inizio(self, field) -> None:
        if field.date is None:
            raise ValidationError(_l("Scrivi il primo giorno della campagna nel formato gg/mm/aaaa"))


class CampaignEditForm(LaunchForm):
    titolo = StringField(
        _l("Titolo"), filters=[strip], validators=[DataRequired(_l("Scrivi il titolo")), Length(max=150)]
    )
    sintesi = TextAreaField(
        _l("Sintesi"), filters=[strip], validators=[DataRequired(_l("Scrivi la sintesi")), Length(max=400)]
    )
    storia = TextAreaField(_l("Storia del progetto"), filters=[strip], validators=[Optional(), Length(max=8000)])


class InviteForm(FlaskForm):
    nome = full_name_field()
    email = email_field()


def number_field(label, minimum: int, maximum: int, **kwargs) -> WholeNumberField:
    """A setting of an edition: a whole number within limits, or empty."""
    return WholeNumberField(
        label, minimum=minimum, maximum=maximum, message=_l("Scrivi un numero intero da %(min)d a %(max)d"), **kwargs
    )


def euro_field(label) -> EuroField:
    """An amount of an edition (a maximum, a cap, a budget), or empty."""
    return EuroField(label, message=_l("Scrivi un importo in euro, ad esempio 100.000"))


class CriterionRow(Form):
    etichetta_it = StringField(_l("Criterio (italiano)"), filters=[strip], validators=[Optional(), Length(max=200)])
    etichetta_en = StringField(_l("Criterio (inglese)"), filters=[strip], validators=[Optional(), Length(max=200)])
    peso = number_field(_l("Peso"), 1, 100)
    massimo = number_field(_l("Punteggio massimo"), 1, 100)
    griglia_it = TextAreaField(
        _l("Griglia di valutazione (italiano)"),
        filters=[lines],
        validators=[Optional(), Length(max=3000, message=_l("Al massimo 3000 caratteri"))],
    )
    griglia_en = TextAreaField(
        _l("Griglia di valutazione (inglese)"),
        filters=[lines],
        validators=[Optional(), Length(max=3000, message=_l("Al massimo 3000 caratteri"))],
    )

    @property
    def is_blank(self) -> bool:
        fields = (self.etichetta_it, self.etichetta_en, self.peso, self.massimo, self.griglia_it, self.griglia_en)
        return not any((f.data or "").strip() for f in fields)


# When an instalment of the grant is paid, as staff read it (the edition form and the instalments page).
CONDITION_LABELS = {
    InstalmentCondition.START: _l("All'avvio, quando la campagna ha avuto successo"),
    InstalmentCondition.FINAL_REPORT: _l("Con il rendiconto finale approvato"),
}
INSTALMENT_ROWS = 4


class InstalmentRow(Form):
    percentuale = number_field(_l("Percentuale del contributo"), 1, 100)
    condizione = SelectField(
        _l("Quando si paga"),
        choices=[SelectChoice("", "—")] + [SelectChoice(c.value, label) for c, label in CONDITION_LABELS.items()],
        validators=[Optional()],
    )

    @property
    def is_blank(self) -> bool:
        return not (self.percentuale.data or "").strip() and not self.condizione.data

    @property
    def is_complete(self) -> bool:
        return self.percentuale.number is not None and bool(self.condizione.data)


class EditionForm(FlaskForm):
    ultimo_giorno = DateField(_l("Ultimo giorno per inviare le domande"))
    costo_massimo = euro_field(_l("Costo massimo di un progetto (euro)"))
    durata_massima = number_field(_l("Durata massima (mesi)"), 1, 120)
    giorni_campagna = number_field(_l("Durata delle campagne (giorni)"), 1, 365)
    soglia = number_field(_l("Soglia dei cittadini (percentuale del costo)"), 1, 100)
    quota_comune = number_field(_l("Quota del Comune (percentuale del costo)"), 0, 100)
    tetto = euro_field(_l("Tetto del contributo del Comune (euro)"))
    budget = euro_field(_l("Budget del cofinanziamento (euro)"))
    forme = CheckboxesField(_l("Forme giuridiche ammesse"), validate_choice=False)
    pubblicata = BooleanField(_l("Edizione pubblicata sul portale"))
    esiti_entro = DateField(_l("Esiti attesi entro"))
    budget_minimo = BooleanField(_l("Il budget è un minimo: mostra «oltre» prima della cifra"))
    preparazione_minima = number_field(_l("Punteggio minimo di preparazione per pubblicare"), 0, FULL_SCORE)
    criteri = FieldList(FormField(CriterionRow), min_entries=1, max_entries=12)
    rate = FieldList(FormField(InstalmentRow), min_entries=INSTALMENT_ROWS, max_entries=INSTALMENT_ROWS)
    giorni_relazione = number_field(_l("Giorni per il rendiconto finale, dalla fine del progetto"), 1, 365)


class CopyEditionForm(FlaskForm):
    anno = number_field(
        _l("Anno della nuova edizione"), 2000, 2100, required_message=_l("Scrivi l'anno, ad esempio 2021")
    )


class DocumentForm(FlaskForm):
    """An official document of the edition: its kind, its titles in both languages, its order, the PDF."""

    tipo = RadioField(_l("Tipo di documento"), validators=[InputRequired(_l("Scegli il tipo di documento"))])
    titolo_it = StringField(
        _l("Titolo (italiano)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il titolo in italiano")),
            Length(max=200, message=_l("Al massimo 200 caratteri")),
        ],
    )
    titolo_en = StringField(
        _l("Titolo (inglese)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il titolo in inglese")),
            Length(max=200, message=_l("Al massimo 200 caratteri")),
        ],
    )
    ordine = number_field(_l("Posizione nell'elenco (facoltativa)"), 1, 99)
    file = FileField(_l("Documento in PDF"))


class DocumentOrderForm(FlaskForm):
    ordine = number_field(_l("Posizione"), 1, 99, required_message=_l("Scrivi la posizione, un numero da 1 a 99"))


class ConfirmForm(FlaskForm):
    """A step staff confirm on a page of its own: the button sends `conferma` (what was confirmed)."""

    conferma = StringField(validators=[Optional(), Length(max=20)])


class InstalmentPaymentForm(FlaskForm):
    """An instalment of the grant recorded as paid: the Comune's reference for the payment."""

    riferimento = StringField(
        _l("Riferimento del pagamento (numero del mandato)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il riferimento del pagamento")),
            Length(max=100, message=_l("Al massimo 100 caratteri")),
        ],
    )

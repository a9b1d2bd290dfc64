"""Forms of the application area. Drafts check the shape of what is typed; "Salva e continua"
also requires every field of the step (see `require`)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from stdnum.it import codicefiscale
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.domain.application import BUDGET_CATEGORIES, THEMES
from portal.domain.eligibility import LEGAL_FORMS
from portal.domain.tax_relief import FiscalStatus
from portal.form_fields import DateField, EuroField, WholeNumberField, clean, strip
from portal.labels import CATEGORY_LABELS, FISCAL_STATUS_LABELS, LEGAL_FORM_LABELS, THEME_LABELS
from portal.services.places.neighbourhoods import grouped_choices

PLEASE_CHOOSE = SelectChoice("", _l("Scegli…"))


def text(label, max_length: int, **kwargs):
    return StringField(
        label,
        filters=[strip],
        validators=[Optional(), Length(max=max_length, message=_l("Al massimo %(max)d caratteri"))],
        **kwargs,
    )


def long_text(label, max_length: int):
    return TextAreaField(
        label,
        filters=[strip],
        validators=[Optional(), Length(max=max_length, message=_l("Al massimo %(max)d caratteri"))],
    )


def nil_field(label):
    return SelectField(
        label,
        coerce=lambda value: int(value) if value not in (None, "", "None") and str(value).isdigit() else None,
        choices=[
            PLEASE_CHOOSE,
            *(
                SelectChoice(value, label, optgroup=group)
                for group, options in grouped_choices()
                for value, label in options
            ),
        ],
        validate_choice=False,
        validators=[Optional()],
    )


def valid_nil(form, field) -> None:
    from portal.services.places.neighbourhoods import nil_or_none

    if field.data is not None and nil_or_none(field.data) is None:
        raise ValidationError(_l("Scegli il quartiere dall'elenco"))


def euro_field(label) -> EuroField:
    """An amount of the application (a budget line, a reward's minimum): more than zero, or empty."""
    return EuroField(
        label,
        message=_l("Scrivi un importo in euro, ad esempio 1.500 oppure 1500,50"),
        minimum_cents=1,
        minimum_message=_l("L'importo deve essere maggiore di zero"),
    )


REQUIRED_MESSAGE = _l("Questo campo è obbligatorio")


def require(form: FlaskForm, names: tuple[str, ...], message=REQUIRED_MESSAGE) -> bool:
    """For "Salva e continua": every named field filled; errors are added to the empty ones."""
    ok = True
    for name in names:
        field = form[name]
        if field.data in (None, "", []) and not field.errors:
            field.errors = [*field.errors, message]
            ok = False
    return ok


# --- Organisation -----------------------------------------------------------------------------


class OrganisationForm(FlaskForm):
    nome = StringField(
        _l("Nome dell'organizzazione"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi il nome dell'organizzazione")), Length(max=200)],
    )
    forma = SelectField(
        _l("Forma giuridica"),
        choices=[PLEASE_CHOOSE, *(SelectChoice(code, LEGAL_FORM_LABELS[code]) for code in LEGAL_FORMS)],
        validators=[DataRequired(_l("Scegli la forma giuridica"))],
    )
    codice_fiscale = StringField(
        _l("Codice fiscale dell'organizzazione"),
        filters=[lambda v: re.sub(r"[\s.-]", "", v).upper() if isinstance(v, str) else v],
        validators=[DataRequired(_l("Scrivi il codice fiscale dell'organizzazione"))],
    )
    indirizzo = StringField(
        _l("Indirizzo della sede operativa a Milano"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi l'indirizzo della sede operativa")), Length(max=300)],
    )
    nil = nil_field(_l("Quartiere (NIL) della sede"))
    referente = StringField(
        _l("Persona di riferimento"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi il nome della persona di riferimento")), Length(max=200)],
    )
    telefono = StringField(
        _l("Telefono della persona di riferimento"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi un numero di telefono")), Length(max=40)],
    )
    # For donors' receipts (art. 83 of the Codice del Terzo Settore); optional until declared.
    stato_fiscale = SelectField(
        _l("Qualifica fiscale"),
        choices=[SelectChoice("", _l("Non indicata"))]
        + [SelectChoice(status.value, label) for status, label in FISCAL_STATUS_LABELS.items()],
        default="",
    )
    stato_fiscale_dal = DateField(_l("Iscritta dal"))

    @property
    def fiscal_status(self) -> FiscalStatus | None:
        return FiscalStatus(self.stato_fiscale.data) if self.stato_fiscale.data else None

    def validate_codice_fiscale(self, field) -> None:
        if not codicefiscale.is_valid(field.data or ""):
            raise ValidationError(
                _l("Il codice fiscale non è valido: controlla le cifre (11 cifre per gli enti, ad esempio 80012000826)")
            )

    def validate_nil(self, field) -> None:
        if field.data is None:
            raise ValidationError(_l("Scegli il quartiere della sede"))
        valid_nil(self, field)

    def validate_telefono(self, field) -> None:
        if not re.fullmatch(r"\+?[0-9 ./-]{6,20}", field.data or ""):
            raise ValidationError(_l("Scrivi il numero con le sole cifre, ad esempio 02 1234567"))


# --- 1. Project, 2. Timeline ------------------------------------------------------------------


class ProjectForm(FlaskForm):
    titolo = text(_l("Titolo del progetto"), 150)
    sintesi = long_text(_l("Sintesi (al massimo 400 caratteri)"), 400)
    descrizione = long_text(_l("Descrizione del progetto"), 8000)
    tema = SelectField(
        _l("Tema"),
        choices=[PLEASE_CHOOSE, *(SelectChoice(code, THEME_LABELS[code]) for code in THEMES)],
        validators=[Optional()],
        validate_choice=True,
    )
    nil = nil_field(_l("Quartiere (NIL) in cui si svolge"))
    perche_qui = long_text(_l("Perché è importante in questo quartiere"), 3000)
    REQUIRED = ("titolo", "sintesi", "descrizione", "tema", "nil", "perche_qui")

    def validate_nil(self, field) -> None:
        valid_nil(self, field)


class TimelineForm(FlaskForm):
    inizio = DateField(_l("Data di inizio"))
    fine = DateField(_l("Data di fine"))
    REQUIRED = ("inizio", "fine")


# --- 3. Budget, 4. Campaign -------------------------------------------------------------------


class BudgetLineForm(Form):
    descrizione = text(_l("Voce di spesa"), 200)
    categoria = SelectField(
        _l("Categoria"),
        choices=[PLEASE_CHOOSE, *(SelectChoice(c, CATEGORY_LABELS[c]) for c in BUDGET_CATEGORIES)],
        validators=[Optional()],
    )
    importo = euro_field(_l("Importo (euro)"))

    @property
    def is_blank(self) -> bool:
        return not (self.descrizione.data or self.categoria.data or (self.importo.data or "").strip())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.is_blank:
            for field in (self.descrizione, self.categoria, self.importo):
                if not (field.data or "").strip():
                    field.errors = [*field.errors, _l("Completa la riga: voce, categoria e importo")]
                    ok = False
        return ok


class BudgetForm(FlaskForm):
    righe = FieldList(FormField(BudgetLineForm), min_entries=1, max_entries=40)


class RewardForm(Form):
    titolo = text(_l("Nome della ricompensa"), 120)
    importo = euro_field(_l("Donazione minima (euro)"))
    descrizione = text(_l("Che cosa riceve chi dona"), 500)
    quantita = WholeNumberField(
        _l("Quante ne offrite (vuoto se senza limite)"),
        minimum=1,
        maximum=999_999,
        message=_l("Scrivi un numero intero, ad esempio 50"),
    )

    @property
    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.titolo, self.importo, self.descrizione, self.quantita))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.is_blank:
            for field in (self.titolo, self.importo, self.descrizione):
                if not (field.data or "").strip():
                    field.errors = [*field.errors, _l("Completa la ricompensa: nome, donazione minima e descrizione")]
                    ok = False
        return ok


class CampaignForm(FlaskForm):
    ricompense = FieldList(FormField(RewardForm), min_entries=1, max_entries=20)
    comunicazione = long_text(_l("Piano di comunicazione"), 5000)
    squadra = long_text(_l("La squadra della campagna"), 3000)
    REQUIRED = ("comunicazione", "squadra")


# --- 5. Attachments, 6. Review ----------------------------------------------------------------


class AttachmentForm(FlaskForm):
    file = FileField(_l("Documento in PDF"))


class ReviewForm(FlaskForm):
    rappresentante = BooleanField(
        _l("Ho la rappresentanza legale dell'organizzazione o la delega a presentare la domanda"),
        validators=[DataRequired(_l("Conferma di poter presentare la domanda per l'organizzazione"))],
    )
    requisiti = BooleanField(
        _l("L'organizzazione è senza scopo di lucro e ha una sede operativa a Milano"),
        validators=[DataRequired(_l("Conferma che l'organizzazione ha i requisiti del bando"))],
    )
    veridicita = BooleanField(
        _l("Le informazioni della domanda sono vere; conosco le conseguenze delle dichiarazioni false (DPR 445/2000)"),
        validators=[DataRequired(_l("Conferma che le informazioni sono vere"))],
    )
    privacy = BooleanField(
        _l("Ho letto l'informativa privacy sul trattamento dei dati della domanda"),
        validators=[DataRequired(_l("Conferma di aver letto l'informativa privacy"))],
    )


class WithdrawForm(FlaskForm):
    conferma = BooleanField(
        _l("Voglio ritirare la domanda: so che non sarà valutata"),
        validators=[DataRequired(_l("Conferma che vuoi ritirare la domanda"))],
    )


# --- After selection: the campaign's updates ------------------------------------------------


class CampaignUpdateForm(FlaskForm):
    """An update the organisation posts on its campaign's page."""

    titolo = StringField(
        _l("Titolo"),
        filters=[clean],
        validators=[
            DataRequired(_l("Scrivi il titolo dell'aggiornamento")),
            Length(max=150, message=_l("Al massimo 150 caratteri")),
        ],
    )
    testo = TextAreaField(
        _l("Testo"),
        filters=[clean],
        validators=[
            DataRequired(_l("Scrivi il testo dell'aggiornamento")),
            Length(max=10_000, message=_l("Al massimo 10.000 caratteri")),
        ],
    )
    # One optional photo (`portal.services.campaigns.photos`); its alt text is required with it.
    foto = FileField(_l("Foto (facoltativa)"))
    testo_alternativo = StringField(_l("Testo alternativo della foto"), filters=[clean])

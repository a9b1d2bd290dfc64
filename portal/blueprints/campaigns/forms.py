"""The pledge form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.domain.pledge import PaymentMethod
from portal.form_fields import EuroField, clean, email_field
from portal.i18n import money

MIN_PLEDGE_CENTS = 100
MESSAGE_MAX = 500
NAME_MAX = 120
NO_REWARD = ""
NO_AMOUNT = _l("Scrivi l'importo del tuo sostegno, ad esempio 25 oppure 25,50")
# The payment method as the form posts it.
CARD = "carta"
BANK_TRANSFER = "bonifico"
METHODS = {CARD: PaymentMethod.CARD, BANK_TRANSFER: PaymentMethod.BANK_TRANSFER}
CODICE_FISCALE_MAX = 40  # what is typed, spaces included: 16 characters once compacted


class PledgeForm(FlaskForm):
    ricompensa = RadioField(_l("Vuoi una ricompensa?"), default=NO_REWARD, validate_choice=False)
    importo = EuroField(
        _l("Importo del sostegno, in euro"),
        filters=[clean],
        required_message=NO_AMOUNT,
        message=_l("Scrivi l'importo in euro con al massimo due decimali, ad esempio 25,50"),
        minimum_cents=MIN_PLEDGE_CENTS,
        minimum_message=_l("Il sostegno minimo è di %(min)s"),
    )
    nome = StringField(_l("Nome e cognome"), filters=[clean])
    anonimo = BooleanField(_l("Sostieni in forma anonima: nell'elenco pubblico dei sostegni comparirà «anonimo»"))
    email = email_field()
    codice_fiscale = StringField(_l("Codice fiscale per la ricevuta (facoltativo)"), filters=[clean])
    metodo = RadioField(_l("Come vuoi pagare?"), validate_choice=False)
    messaggio = TextAreaField(
        _l("Messaggio per l'organizzazione (facoltativo)"),
        filters=[clean],
        validators=[Optional(), Length(max=MESSAGE_MAX, message=_l("Al massimo 500 caratteri"))],
    )
    # Unticked: following the campaign is a choice of its own (double opt-in: the confirmation e-mail goes out).
    segui = BooleanField(_l("Ricevi per e-mail le novità di questo progetto"))
    # Unticked, apart from everything else: the programme's newsletter (its own double opt-in).
    newsletter = BooleanField(
        _l(
            "Voglio ricevere anche la newsletter del Crowdfunding Civico "
            "(separata da questo sostegno; puoi disiscriverti quando vuoi)"
        )
    )
    # The Comune processes these data to perform its task: the person acknowledges the notice.
    privacy = BooleanField(
        _l("Ho letto l'informativa privacy su come il Comune tratta i dati del mio sostegno"),
        validators=[DataRequired(_l("Per continuare, conferma di aver letto l'informativa privacy"))],
    )

    def __init__(self, campaign, *args, card: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        # Card first when a provider takes cards; a form posted without a choice (a page from before,
        # a script) is a bank transfer: nothing is charged until the person pays.
        self.card = card
        self.metodo.choices = ([(CARD, _l("Paga con carta"))] if card else []) + [
            (BANK_TRANSFER, _l("Bonifico bancario"))
        ]
        if not self.is_submitted():
            self.metodo.data = CARD if card else BANK_TRANSFER
        elif not self.metodo.raw_data:
            self.metodo.data = BANK_TRANSFER
        self.rewards = {str(r.id): r for r in campaign.rewards}
        self.ricompensa.choices = [(NO_REWARD, _l("Nessuna ricompensa"))] + [
            (str(r.id), r.title) for r in campaign.rewards
        ]
        self.amount_cents: int | None = None

    @property
    def method(self) -> PaymentMethod:
        return METHODS[self.metodo.data]

    @property
    def reward(self):
        return self.rewards.get(self.ricompensa.data or NO_REWARD)

    def validate(self, extra_validators=None) -> bool:
        # A reward alone means its minimum: with one chosen, the amount may be left empty.
        self.importo.required_message = None if self.reward is not None and not self.importo.data else NO_AMOUNT
        return super().validate(extra_validators)

    def validate_ricompensa(self, field) -> None:
        if (field.data or NO_REWARD) == NO_REWARD or not self.rewards:  # no rewards: nothing to choose
            field.data = NO_REWARD
            return
        reward = self.rewards.get(field.data)
        if reward is None:
            raise ValidationError(_("Scegli una ricompensa tra quelle elencate"))
        if reward.left == 0:
            raise ValidationError(_("La ricompensa «%(title)s» è esaurita: scegline un'altra", title=reward.title))

    def validate_importo(self, field: EuroField) -> None:
        """Runs only on a valid amount (at least the minimum pledge), or none with a reward chosen."""
        reward = self.reward
        if field.cents is None and reward is not None:
            self.amount_cents = reward.min_pledge_cents
            return
        cents = field.cents
        if cents > self.campaign.goal_cents:
            raise ValidationError(
                _("Al massimo %(max)s, l'obiettivo della campagna", max=money(self.campaign.goal_cents))
            )
        if reward is not None and cents < reward.min_pledge_cents:
            raise ValidationError(
                _(
                    "Per la ricompensa «%(title)s» il sostegno minimo è di %(min)s",
                    title=reward.title,
                    min=money(reward.min_pledge_cents),
                )
            )
        self.amount_cents = cents

    def validate_nome(self, field) -> None:
        if self.anonimo.data:
            field.data = None
        elif not field.data:
            raise ValidationError(_("Scrivi il tuo nome e cognome, oppure scegli di sostenere in forma anonima"))
        elif len(field.data) > NAME_MAX:
            raise ValidationError(_("Al massimo %(max)d caratteri", max=NAME_MAX))

    def validate_metodo(self, field) -> None:
        if field.data not in dict(field.choices):
            field.data = BANK_TRANSFER
            raise ValidationError(_("Scegli come vuoi pagare: con carta o con bonifico bancario"))

    def validate_codice_fiscale(self, field) -> None:
        """Optional; when given, a codice fiscale whose check character is right (python-stdnum),
        kept in its compact form."""
        if not field.data:
            field.data = None
            return
        if len(field.data) > CODICE_FISCALE_MAX:
            raise ValidationError(_("Il codice fiscale ha 16 caratteri, ad esempio RSSMRA85T10A562S"))
        try:
            field.data = codicefiscale.validate(field.data)
        except stdnum_errors.InvalidChecksum:
            raise ValidationError(
                _("Questo codice fiscale non è valido: controlla di averlo copiato bene, carattere per carattere")
            ) from None
        except stdnum_errors.ValidationError:
            raise ValidationError(_("Il codice fiscale ha 16 caratteri, ad esempio RSSMRA85T10A562S")) from None


class FollowForm(FlaskForm):
    """Following a campaign by e-mail. On the campaign's page, which is the same for every visitor
    (cached and shared), so no CSRF token: it acts for nobody's session, anyone may type any
    address, and nothing is sent but a confirmation the address's owner must open (double opt-in).
    The view is exempt from CSRF for the same reason and rate-limited per address and IP."""

    class Meta:
        csrf = False

    email = email_field()
    # Following rests on consent (the privacy notice, #seguire): asked for, never assumed.
    consenso = BooleanField(
        _l("Voglio ricevere per e-mail le novità di questo progetto, al massimo una al giorno"),
        validators=[DataRequired(_l("Per seguire il progetto, conferma di volere le sue novità per e-mail"))],
    )
    # Unticked, never required: the programme's newsletter is a request of its own (double opt-in).
    newsletter = BooleanField(
        _l(
            "Voglio ricevere anche la newsletter del Crowdfunding Civico "
            "(separata da questa iscrizione; puoi disiscriverti quando vuoi)"
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Unique on the campaign's page, whatever else it holds.
        self.email.id = "follow-email"
        self.consenso.id = "follow-consent"
        self.newsletter.id = "follow-newsletter"

"""The pledge form, and the form organisations use to post an update on their campaign."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.domain import DomainError
from portal.domain.money import parse_euros
from portal.form_fields import email_field
from portal.i18n import money

# Control characters (NUL above all, which PostgreSQL text refuses) never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str | None) -> str | None:
    return _CONTROL.sub("", value).strip() if isinstance(value, str) else value


MIN_PLEDGE_CENTS = 100
MESSAGE_MAX = 500
NAME_MAX = 120
NO_REWARD = ""


class PledgeForm(FlaskForm):
    ricompensa = RadioField(_l("Vuoi una ricompensa?"), default=NO_REWARD, validate_choice=False)
    importo = StringField(_l("Importo del sostegno, in euro"), filters=[clean])
    nome = StringField(_l("Nome e cognome"), filters=[clean])
    anonimo = BooleanField(_l("Sostieni in forma anonima: nell'elenco dei sostenitori comparirà «anonimo»"))
    email = email_field()
    messaggio = TextAreaField(
        _l("Messaggio per l'organizzazione (facoltativo)"),
        filters=[clean],
        validators=[Optional(), Length(max=MESSAGE_MAX, message=_l("Al massimo 500 caratteri"))],
    )
    privacy = BooleanField(
        _l("Ho letto l'informativa privacy e acconsento al trattamento dei miei dati per il sostegno"),
        validators=[DataRequired(_l("Per sostenere la campagna devi accettare il trattamento dei dati"))],
    )

    def __init__(self, campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.rewards = {str(r.id): r for r in campaign.rewards}
        self.ricompensa.choices = [(NO_REWARD, _l("Nessuna ricompensa"))] + [
            (str(r.id), r.title) for r in campaign.rewards
        ]
        self.amount_cents: int | None = None

    @property
    def reward(self):
        return self.rewards.get(self.ricompensa.data or NO_REWARD)

    def validate_ricompensa(self, field) -> None:
        if (field.data or NO_REWARD) == NO_REWARD or not self.rewards:  # no rewards: nothing to choose
            field.data = NO_REWARD
            return
        reward = self.rewards.get(field.data)
        if reward is None:
            raise ValidationError(_("Scegli una ricompensa tra quelle elencate"))
        if reward.left == 0:
            raise ValidationError(_("La ricompensa «%(title)s» è esaurita: scegline un'altra", title=reward.title))

    def validate_importo(self, field) -> None:
        reward = self.reward
        if not field.data and reward is not None:
            # A reward alone means its minimum.
            self.amount_cents = reward.min_pledge_cents
            return
        try:
            cents = parse_euros(field.data or "")
        except DomainError as error:
            if error.code == "empty":
                raise ValidationError(_("Scrivi l'importo del tuo sostegno, ad esempio 25 oppure 25,50")) from None
            raise ValidationError(_("Scrivi l'importo in euro con al massimo due decimali, ad esempio 25,50")) from None
        if cents < MIN_PLEDGE_CENTS:
            raise ValidationError(_("Il sostegno minimo è di %(min)s", min=money(MIN_PLEDGE_CENTS)))
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


class CampaignUpdateForm(FlaskForm):
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

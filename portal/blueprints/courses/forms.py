from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.form_fields import CheckboxesField, email_field, full_name_field


class RegistrationForm(FlaskForm):
    lezioni = CheckboxesField(
        _l("A quali lezioni vuoi partecipare?"),
        coerce=int,
        validators=[InputRequired(_l("Scegli almeno una lezione"))],
        invalid_choice_message=_l("Scegli le lezioni tra quelle elencate"),
    )
    nome = full_name_field()
    email = email_field()
    organizzazione = StringField(
        _l("Organizzazione (facoltativo)"),
        validators=[Optional(), Length(max=200, message=_l("Al massimo 200 caratteri"))],
    )
    # A public body processes these data to perform its task (art. 6(1)(e) GDPR): the person
    # acknowledges the notice, nobody is asked to consent (Registrant.consent_at records the moment).
    privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        validators=[
            DataRequired(_l("Per iscriverti conferma di aver letto l'informativa sul trattamento dei dati personali"))
        ],
    )
    # The programme's newsletter rests on consent: a separate box, unticked, never required (its own
    # double opt-in follows: portal/services/newsletter/subscriptions.py).
    newsletter = BooleanField(
        _l(
            "Voglio ricevere anche la newsletter del Crowdfunding Civico "
            "(separata da questa iscrizione; puoi disiscriverti quando vuoi)"
        )
    )

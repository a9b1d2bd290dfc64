from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RegistrationForm(FlaskForm):
    lezioni = CheckboxesField(
        _l("A quali lezioni vuoi partecipare?"),
        coerce=int,
        validators=[InputRequired(_l("Scegli almeno una lezione"))],
        invalid_choice_message=_l("Scegli le lezioni tra quelle elencate"),
    )
    nome = StringField(
        _l("Nome e cognome"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il tuo nome e cognome")),
            Length(max=200, message=_l("Al massimo 200 caratteri")),
        ],
    )
    email = EmailField(
        _l("Indirizzo e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il tuo indirizzo e-mail")),
            Email(
                message=_l("Scrivi un indirizzo e-mail valido, ad esempio nome@esempio.it"), check_deliverability=False
            ),
            Length(max=254, message=_l("Al massimo 254 caratteri")),
        ],
    )
    organizzazione = StringField(
        _l("Organizzazione (facoltativo)"),
        validators=[Optional(), Length(max=200, message=_l("Al massimo 200 caratteri"))],
    )
    privacy = BooleanField(
        _l("Ho letto l'informativa privacy e acconsento al trattamento dei miei dati per l'iscrizione"),
        validators=[DataRequired(_l("Per iscriverti devi accettare il trattamento dei dati"))],
    )

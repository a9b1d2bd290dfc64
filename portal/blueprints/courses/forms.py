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
    privacy = BooleanField(
        _l("Ho letto l'informativa privacy e acconsento al trattamento dei miei dati per l'iscrizione"),
        validators=[DataRequired(_l("Per iscriverti devi accettare il trattamento dei dati"))],
    )

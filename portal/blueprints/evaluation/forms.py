from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.form_fields import strip


class DeclarationForm(FlaskForm):
    conflitto = RadioField(
        _l("Hai un conflitto di interessi con questa organizzazione o questo progetto?"),
        choices=[
            SelectChoice("no", _l("No, nessun conflitto")),
            SelectChoice("si", _l("Sì: non posso valutare questa domanda")),
        ],
        validators=[InputRequired(_l("Indica se hai un conflitto di interessi"))],
    )
    nota = TextAreaField(
        _l("Nota per lo staff (facoltativa)"), filters=[strip], validators=[Optional(), Length(max=500)]
    )


def scores_form(criteria, lang: str) -> type[FlaskForm]:
    """A form with one field per criterion of the edition (0 to its maximum)."""

    class ScoresForm(FlaskForm):
        note = TextAreaField(_l("Note sulla valutazione"), filters=[strip], validators=[Optional(), Length(max=5000)])

    for criterion in criteria:
        setattr(
            ScoresForm,
            f"c_{criterion.code}",
            StringField(
                f"{criterion.label(lang)} (0–{criterion.max_score})",
                filters=[strip],
                validators=[InputRequired(_l("Dai un punteggio a questo criterio")), _in_range(criterion.max_score)],
            ),
        )
    return ScoresForm


def _in_range(maximum: int):
    def check(form, field) -> None:
        raw = field.data or ""
        if not raw.isascii() or not raw.isdigit() or int(raw) > maximum:
            raise ValidationError(_l("Scrivi un numero intero da 0 a %(max)d") % {"max": maximum})

    return check

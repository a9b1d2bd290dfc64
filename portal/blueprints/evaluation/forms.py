from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.form_fields import WholeNumberField, strip


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

    no_score = _l("Dai un punteggio a questo criterio")
    for criterion in criteria:
        setattr(
            ScoresForm,
            f"c_{criterion.code}",
            WholeNumberField(
                f"{criterion.label(lang)} (0–{criterion.max_score})",
                [InputRequired(no_score)],  # also marks the input `required`
                maximum=criterion.max_score,
                message=_l("Scrivi un numero intero da 0 a %(max)d"),
                required_message=no_score,
            ),
        )
    return ScoresForm

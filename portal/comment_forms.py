"""The comment form of a campaign's draft, the same for its coach (and staff) in the coaching area
and for its team in the application area: a section and a plain text. What a comment may be is
`portal.domain.comments`; the sections' names are said once, in `templates/_comments.html`
(`section_title`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice

from portal.domain import DomainError
from portal.domain.comments import BODY_MAX, CommentError
from portal.domain.readiness import Section


class CommentForm(FlaskForm):
    sezione = SelectField(
        _l("Sezione"), choices=[SelectChoice(section.value) for section in Section], validate_choice=False
    )
    testo = TextAreaField(_l("Commento"))

    body_max = BODY_MAX

    def validate_sezione(self, field) -> None:
        if field.data not in {section.value for section in Section}:
            raise ValidationError(_l("Scegli la sezione del commento"))

    @property
    def section(self) -> Section:
        return Section(self.sezione.data)


def comment_form(section: str | None = None) -> CommentForm:
    """The form; on a GET, `section` (a thread's "reply" link, `?sezione=`) chooses its section."""
    form = CommentForm()
    if not form.is_submitted():
        known = {each.value for each in Section}
        form.sezione.data = section if section in known else Section.GENERAL.value
    return form


def refuse(form: CommentForm, error: DomainError) -> None:
    """The refusal of `portal.domain.comments`, on the field it is about."""
    if error.code is CommentError.TOO_LONG:
        message = _(
            "Il commento è lungo %(length)d caratteri: al massimo %(limit)d.",
            length=error.params["length"],
            limit=error.params["limit"],
        )
    else:
        message = _("Scrivi il commento")
    form.testo.errors = [message]

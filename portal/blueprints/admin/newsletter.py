"""Staff pages for the programme's newsletter: who receives it, the issues sent, writing a new one
in Italian and English, seeing it as readers will, and sending it once, after a step that says to
how many people (portal/services/newsletter/issues.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal import limits
from portal.blueprints.admin import bp
from portal.clock import now
from portal.domain import DomainError
from portal.domain.newsletter import BODY_MAX, LANGUAGES, SUBJECT_MAX
from portal.form_fields import clean
from portal.models import NewsletterIssue
from portal.services import mail
from portal.services.newsletter import issues, subscriptions

LANGUAGE_NAMES = {"it": _l("italiano"), "en": _l("inglese")}


def _subject(label):
    return StringField(
        label,
        filters=[clean],
        validators=[
            DataRequired(_l("Scrivi l'oggetto in entrambe le lingue")),
            Length(max=SUBJECT_MAX, message=_l("Al massimo %(max)d caratteri", max=SUBJECT_MAX)),
        ],
    )


def _body(label):
    return TextAreaField(
        label,
        validators=[
            DataRequired(_l("Scrivi il testo in entrambe le lingue")),
            Length(max=BODY_MAX, message=_l("Al massimo %(max)d caratteri", max=BODY_MAX)),
        ],
    )


class IssueForm(FlaskForm):
    oggetto_it = _subject(_l("Oggetto in italiano"))
    testo_it = _body(_l("Testo in italiano"))
    oggetto_en = _subject(_l("Oggetto in inglese"))
    testo_en = _body(_l("Testo in inglese"))


def _issue_or_404(issue_id: int) -> NewsletterIssue:
    return issues.issue_or_none(issue_id) or abort(404)


@bp.route("/newsletter", methods=["GET", "POST"])
@limits.signed_in_writes
def newsletter():
    """The subscribers, the issues, and the form of a new issue (saved, not sent: its page comes next)."""
    form = IssueForm()
    if form.validate_on_submit():
        subjects = {"it": form.oggetto_it.data, "en": form.oggetto_en.data}
        bodies = {"it": form.testo_it.data, "en": form.testo_en.data}
        try:
            issue = issues.write_issue(subjects, bodies, current_user, now())
        except DomainError:  # the form's own checks say the same; whitespace alone gets here
            form.testo_it.errors = [_("Scrivi oggetto e testo in entrambe le lingue")]
        else:
            return redirect(url_for("admin.newsletter_issue", issue_id=issue.id), code=303)
    return render_template(
        "admin/newsletter.html",
        counts=subscriptions.counts(),
        issues=issues.issues(),
        form=form,
        page_has_errors=bool(form.errors),
    )


@bp.get("/newsletter/<int:issue_id>")
def newsletter_issue(issue_id: int):
    """The issue as readers get it, in each language; unsent, the button that sends it, saying to how many."""
    issue = _issue_or_404(issue_id)
    return render_template(
        "admin/newsletter_issue.html",
        issue=issue,
        previews=[(LANGUAGE_NAMES[lang], lang, *issues.preview(issue, lang)) for lang in LANGUAGES],
        recipients=issues.recipients(),
    )


@bp.post("/newsletter/<int:issue_id>/invia")
@limits.signed_in_writes
def newsletter_send(issue_id: int):
    issue = _issue_or_404(issue_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        queued = issues.send_issue(issue.id, current_user, now())
    except DomainError:
        flash(_("Questa newsletter è già stata inviata: non viene inviata una seconda volta."), "warning")
    else:
        mail.deliver_now_if_immediate(now())
        flash(
            ngettext(
                "Newsletter inviata: %(num)d messaggio in coda per l'invio.",
                "Newsletter inviata: %(num)d messaggi in coda per l'invio.",
                queued,
            ),
            "success",
        )
    return redirect(url_for("admin.newsletter_issue", issue_id=issue.id), code=303)

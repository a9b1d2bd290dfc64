from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.access import roles_required
from portal.blueprints.admin import bp
from portal.clock import to_rome
from portal.converters import query_int
from portal.domain.spreadsheet import to_csv
from portal.extensions import db
from portal.models import AuditEntry, Role

ACTIONS = {
    "event.update": _l("Modifica di un evento"),
    "application.admissibility": _l("Verifica formale"),
    "application.select": _l("Selezione di un progetto"),
    "application.reject": _l("Progetto non selezionato"),
    "evaluation.assign": _l("Assegnazione di un valutatore"),
    "evaluation.declare": _l("Dichiarazione sul conflitto di interessi"),
    "evaluation.score": _l("Valutazione"),
    "campaign.launch": _l("Campagna preparata"),
    "campaign.update": _l("Modifica di una campagna"),
    "campaign.publish": _l("Campagna pubblicata"),
    "campaign.photo_add": _l("Foto caricata"),
    "campaign.photo_describe": _l("Descrizione di una foto"),
    "campaign.photo_cover": _l("Copertina scelta"),
    "campaign.photo_move": _l("Ordine delle foto"),
    "campaign.photo_remove": _l("Foto eliminata"),
    "campaign.video": _l("Video della campagna"),
    "campaign.coach": _l("Coach della campagna"),
    "campaign.prepare_story": _l("Storia della campagna preparata"),
    "campaign.prepare_team_members": _l("Team della campagna"),
    "campaign.prepare_first_supporters": _l("Primi sostenitori della campagna"),
    "campaign.prepare_updates_plan": _l("Piano degli aggiornamenti"),
    "campaign.reward_add": _l("Ricompensa aggiunta"),
    "campaign.reward_edit": _l("Ricompensa modificata"),
    "campaign.reward_remove": _l("Ricompensa eliminata"),
    "campaign.preview_link_created": _l("Link di anteprima creato"),
    "campaign.preview_link_renewed": _l("Link di anteprima rinnovato"),
    "campaign.preview_link_revoked": _l("Link di anteprima revocato"),
    "campaign.feature": _l("Campagna messa in evidenza"),
    "campaign.unfeature": _l("Campagna tolta dall'evidenza"),
    "office_hour.add": _l("Ricevimento pubblicato"),
    "office_hour.remove": _l("Ricevimento eliminato"),
    "newsletter.send": _l("Newsletter inviata"),
    "grant.instalment_paid": _l("Pagamento di una rata del contributo"),
    "spending.submit": _l("Rendiconto di spesa inviato"),
    "campaign.milestones_planned": _l("Tappe del progetto create dalla domanda"),
    "milestone.add": _l("Tappa aggiunta"),
    "milestone.update": _l("Tappa aggiornata"),
    "milestone.remove": _l("Tappa eliminata"),
    "indicator.set": _l("Indicatore di impatto scelto"),
    "indicator.report": _l("Valore di un indicatore comunicato"),
    "indicator.remove": _l("Indicatore di impatto tolto"),
    "spending.approve": _l("Rendiconto di spesa approvato"),
    "spending.send_back": _l("Rendiconto di spesa rimandato indietro"),
    "spending.reminder_before": _l("Promemoria: rendiconto finale in scadenza"),
    "spending.reminder_due": _l("Promemoria: rendiconto finale da inviare"),
    "edition.copy": _l("Nuova edizione"),
    "edition.update": _l("Modifica di un'edizione"),
    "user.invite": _l("Invito nel back-office"),
    "payments.import": _l("Importazione di un estratto conto"),
    "organisation.fiscal_check": _l("Verifica della qualifica fiscale"),
    "refund.sepa_batch": _l("File SEPA dei rimborsi creato"),
    "refund.sepa_done": _l("Bonifici di rimborso segnati come eseguiti"),
    "refund.retry": _l("Rimborso con carta ritentato"),
}
FIELDS = {
    "capacity": _l("Posti disponibili"),
    "join_url": _l("Link per collegarsi"),
    "recording_url": _l("Link alla registrazione"),
    "materials_url": _l("Link ai materiali"),
    "promoted_from_waitlist": _l("Passati dalla lista d'attesa"),
    "statement_rows": _l("Movimenti in entrata"),
    "payments_confirmed": _l("Pagamenti confermati"),
    "rows_to_check": _l("Movimenti da controllare"),
    "rows_already_imported": _l("Movimenti già importati"),
    "lines_unreadable": _l("Righe illeggibili"),
    "fiscal_status": _l("Qualifica fiscale"),
    "fiscal_status_since": _l("Qualifica fiscale dal"),
    "fiscal_status_checked_at": _l("Qualifica fiscale verificata il"),
    "refunds": _l("Rimborsi nel file"),
    "total_cents": _l("Totale (centesimi)"),
    "refunds_done": _l("Rimborsi eseguiti"),
    "attempts": _l("Tentativi"),
    "last_error": _l("Ultimo errore"),
    "coach": _l("Coach"),
    "recipients": _l("Destinatari"),
    "instalment": _l("Rata"),
    "amount_cents": _l("Importo (centesimi)"),
    "payment_reference": _l("Riferimento del pagamento"),
    "instalment_plan": _l("Piano delle rate"),
    "final_report_days": _l("Giorni per il rendiconto finale"),
    "budget_line": _l("Voce del budget"),
    "final": _l("Rendiconto finale"),
    "status": _l("Stato"),
    "reason": _l("Motivo"),
    "milestones": _l("Tappe"),
    "due_on": _l("Data prevista"),
    "state": _l("Stato"),
    "done_on": _l("Completata il"),
    "note": _l("Nota"),
    "target": _l("Obiettivo"),
    "reported": _l("Valore raggiunto"),
}
AUDIT_PAGE_SIZE = 50


@bp.before_request
@roles_required(Role.STAFF)
def staff_only() -> None:
    """Every page of this blueprint is for staff; other areas add their own roles."""


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def csv_response(body: str, filename: str) -> Response:
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/")
def index():
    return render_template("admin/index.html")


@bp.get("/registro")
def audit_log():
    page = db.paginate(
        db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        page=query_int(request.args, "pagina", 1, minimum=1),
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
    return render_template("admin/audit.html", page=page, actions=ACTIONS, fields=FIELDS)


@bp.get("/registro.csv")
def audit_log_csv():
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id))
    header = (_("Quando (ora di Roma)"), _("Chi"), _("Azione"), _("Oggetto"), _("Campo"), _("Prima"), _("Dopo"))
    rows = []
    for entry in entries:
        action = str(ACTIONS.get(entry.action, entry.action))
        subject = f"{entry.subject_type} {entry.subject_id or ''} {entry.subject_label}".strip()
        base = (to_rome(entry.at).isoformat(timespec="seconds"), entry.actor_email, action, subject)
        for field, (before, after) in (entry.changes or {"": [None, None]}).items():
            rows.append((*base, str(FIELDS.get(field, field)), before, after))
    return csv_response(to_csv(header, rows), "registro-attivita.csv")

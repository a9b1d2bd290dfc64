"""Words for pledge statuses, payment outcomes and the problems of a bank statement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.domain.bank_statement import LineIssue
from portal.domain.pledge import PaidVia, PledgeStatus

STATUS = {
    PledgeStatus.PENDING: _l("In attesa di pagamento"),
    PledgeStatus.CONFIRMED: _l("Confermato"),
    PledgeStatus.CANCELLED: _l("Annullato"),
    PledgeStatus.REFUND_DUE: _l("Da rimborsare"),
}
PAID_VIA = {
    PaidVia.BANK: _l("Bonifico (estratto conto)"),
    PaidVia.PROVIDER: _l("Fornitore dei pagamenti"),
}
# What a payment did (bank rows and the provider's notifications alike).
OUTCOMES = {
    "confirmed": _l("Confermato"),
    "unknown_reference": _l("Riferimento sconosciuto"),
    "amount_mismatch": _l("Importo diverso da quello promesso"),
    "not_pending": _l("Sostegno non più in attesa (già pagato o annullato)"),
    "already_imported": _l("Movimento già importato"),
    "payment_failed": _l("Pagamento non riuscito"),
}
FILE_PROBLEMS = {
    "too_large": _l("Il file supera %(mb)d MB: dividilo in più file e importali uno alla volta."),
    "too_many_rows": _l("Il file ha più di %(max_rows)d movimenti: dividilo in più file e importali uno alla volta."),
    "not_utf8": _l(
        "Il file non è un CSV in UTF-8 (un file Excel o PDF non si può leggere): dal foglio di calcolo "
        "salvalo come «CSV UTF-8» e caricalo di nuovo."
    ),
    "empty": _l("Il file è vuoto."),
    "missing_columns": _l(
        "Nella prima riga mancano le colonne %(columns)s: la prima riga deve dare il nome alle colonne "
        "come descritto qui sotto."
    ),
    "duplicate_column": _l("La colonna «%(column)s» compare due volte nella prima riga."),
    "malformed_csv": _l(
        "Il file non è un CSV leggibile: controlla le virgolette e che sia davvero un CSV (riga %(line)s)."
    ),
}
LINE_ISSUES = {
    "wrong_column_count": _l("ha %(found)d celle invece di %(expected)d"),
    "bad_date": _l("la data «%(value)s» non è nel formato gg/mm/aaaa"),
    "bad_amount": _l("l'importo «%(value)s» non è un importo in euro"),
    "missing_transaction_id": _l("manca id_movimento"),
    "several_references": _l("la causale contiene più riferimenti (%(references)s): non si sa quale sostegno paga"),
    "duplicate_transaction_id": _l("id_movimento già presente alla riga %(first_line)d"),
}


def line_issue(issue: LineIssue) -> str:
    params = dict(issue.params)
    if "references" in params:
        params["references"] = ", ".join(params["references"])
    label = LINE_ISSUES.get(issue.code)
    return str(label) % params if label else issue.code

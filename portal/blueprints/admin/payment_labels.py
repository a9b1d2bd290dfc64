"""Words for pledge statuses, payment outcomes and the problems of a bank statement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.domain.bank_statement import LineIssue, LineProblem, StatementError
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.services.payments.payments import PaymentOutcome

STATUS = {
    PledgeStatus.PENDING: _l("In attesa di pagamento"),
    PledgeStatus.CONFIRMED: _l("Confermato"),
    PledgeStatus.CANCELLED: _l("Annullato"),
    PledgeStatus.REFUND_DUE: _l("Da rimborsare"),
    PledgeStatus.REFUNDED: _l("Rimborsato"),
}
PAID_VIA = {
    PaidVia.BANK: _l("Bonifico (estratto conto)"),
    PaidVia.PROVIDER: _l("Fornitore dei pagamenti"),
}
# What a payment did (bank rows and the provider's notifications alike).
OUTCOMES = {
    PaymentOutcome.CONFIRMED: _l("Confermato"),
    PaymentOutcome.UNKNOWN_REFERENCE: _l("Riferimento sconosciuto"),
    PaymentOutcome.AMOUNT_MISMATCH: _l("Importo diverso da quello del sostegno"),
    PaymentOutcome.NOT_PENDING: _l("Sostegno non più in attesa (già pagato o annullato)"),
    PaymentOutcome.ALREADY_IMPORTED: _l("Movimento già importato"),
    PaymentOutcome.PAYMENT_FAILED: _l("Pagamento non riuscito"),
}
FILE_PROBLEMS = {
    StatementError.TOO_LARGE: _l("Il file supera %(mb)d MB: dividilo in più file e importali uno alla volta."),
    StatementError.TOO_MANY_ROWS: _l(
        "Il file ha più di %(max_rows)d movimenti: dividilo in più file e importali uno alla volta."
    ),
    StatementError.NOT_UTF8: _l(
        "Il file non è un CSV in UTF-8 (un file Excel o PDF non si può leggere): dal foglio di calcolo "
        "salvalo come «CSV UTF-8» e caricalo di nuovo."
    ),
    StatementError.EMPTY: _l("Il file è vuoto."),
    StatementError.MISSING_COLUMNS: _l(
        "Nella prima riga mancano le colonne %(columns)s: la prima riga deve dare il nome alle colonne "
        "come descritto qui sotto."
    ),
    StatementError.DUPLICATE_COLUMN: _l("La colonna «%(column)s» compare due volte nella prima riga."),
    StatementError.MALFORMED_CSV: _l(
        "Il file non è un CSV leggibile: controlla le virgolette e che sia davvero un CSV (riga %(line)s)."
    ),
}
LINE_ISSUES = {
    LineProblem.BAD_DATE: _l("la data «%(value)s» non è nel formato gg/mm/aaaa"),
    LineProblem.BAD_AMOUNT: _l("l'importo «%(value)s» non è un importo in euro"),
    LineProblem.MISSING_TRANSACTION_ID: _l("manca id_movimento"),
    LineProblem.SEVERAL_REFERENCES: _l(
        "la causale contiene più riferimenti (%(references)s): non si sa quale sostegno paga"
    ),
    LineProblem.DUPLICATE_TRANSACTION_ID: _l("id_movimento già presente alla riga %(first_line)d"),
}


def line_issue(issue: LineIssue) -> str:
    params = dict(issue.params)
    if issue.code == LineProblem.WRONG_COLUMN_COUNT:
        return ngettext(
            "ha %(num)d cella invece di %(expected)d",
            "ha %(num)d celle invece di %(expected)d",
            params["found"],
            expected=params["expected"],
        )
    if "references" in params:
        params["references"] = ", ".join(params["references"])
    label = LINE_ISSUES.get(issue.code)
    return str(label) % params if label else str(issue.code)

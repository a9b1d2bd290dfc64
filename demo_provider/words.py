"""The hosted page's words, in Italian and English (the provider's own: not the portal's catalogue)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("it", "en")
ROME = ZoneInfo("Europe/Rome")

WORDS = {
    "it": {
        "provider": "Pagamenti di prova",
        "title": "Pagamento con carta",
        "demo": "Ambiente di prova: nessun addebito reale. Questa pagina fa le veci del fornitore dei pagamenti "
        "del portale Crowdfunding Civico.",
        "other_language": "English",
        "summary": "Riepilogo",
        "for": "Sostegno a",
        "amount": "Importo",
        "email": "Ricevuta a",
        "valid_until": "Da pagare entro",
        "card": "Numero della carta",
        "card_hint": "Carte di prova: 4242 4242 4242 4242 (il pagamento riesce), "
        "4000 0000 0000 0002 (la carta viene rifiutata).",
        "pay": "Paga",
        "cancel": "Annulla",
        "cancel_hint": "Annulla riporta al portale senza pagare.",
        "error_prefix": "Errore",
        "problem": "Il pagamento non è riuscito",
        "declined": "La carta è stata rifiutata e non è stato addebitato nulla. Prova con un'altra carta "
        "oppure annulla.",
        "invalid": "Il numero della carta non è valido: usa una delle carte di prova indicate sotto il campo.",
        "missing": "Inserisci il numero della carta.",
        "expired_title": "Pagamento scaduto",
        "expired": "Questa pagina di pagamento è scaduta il {when}: non è stato addebitato nulla. "
        "Torna al portale per sostenere di nuovo il progetto.",
        "paid_title": "Pagamento già eseguito",
        "paid": "Questo pagamento è già stato eseguito.",
        "back": "Torna al portale",
        "not_found_title": "Pagamento inesistente",
        "not_found": "Non c'è nessun pagamento a questo indirizzo. Torna al portale e riprova.",
    },
    "en": {
        "provider": "Demo payments",
        "title": "Card payment",
        "demo": "Test environment: nothing is really charged. This page stands in for the payment provider "
        "of the Crowdfunding Civico portal.",
        "other_language": "Italiano",
        "summary": "Summary",
        "for": "Supporting",
        "amount": "Amount",
        "email": "Receipt to",
        "valid_until": "Pay by",
        "card": "Card number",
        "card_hint": "Test cards: 4242 4242 4242 4242 (the payment goes through), "
        "4000 0000 0000 0002 (the card is declined).",
        "pay": "Pay",
        "cancel": "Cancel",
        "cancel_hint": "Cancel takes you back to the portal without paying.",
        "error_prefix": "Error",
        "problem": "The payment did not go through",
        "declined": "The card was declined and nothing was charged. Try another card or cancel.",
        "invalid": "The card number is not valid: use one of the test cards listed under the field.",
        "missing": "Enter the card number.",
        "expired_title": "Payment expired",
        "expired": "This payment page expired on {when}: nothing was charged. Go back to the portal to "
        "support the project again.",
        "paid_title": "Payment already made",
        "paid": "This payment has already been made.",
        "back": "Back to the portal",
        "not_found_title": "No such payment",
        "not_found": "There is no payment at this address. Go back to the portal and try again.",
    },
}


def language(*candidates: str | None) -> str:
    """The first supported language among the candidates; Italian otherwise."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return "it"


def money(cents: int, lang: str) -> str:
    """20,00 € in Italian, €20.00 in English; thousands grouped (1.234,56 € / €1,234.56)."""
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}"
    if lang == "it":
        return f"{grouped.replace(',', '.')},{rest:02d}\u00a0€"
    return f"€{grouped}.{rest:02d}"


def moment(when: datetime, lang: str) -> str:
    """A date and time in Rome: 15/11/2020, 12:30 (it) or 15/11/2020, 12:30 (Rome time) (en)."""
    local = when.astimezone(ROME)
    text = local.strftime("%d/%m/%Y, %H:%M")
    return text if lang == "it" else f"{text} (Rome time)"

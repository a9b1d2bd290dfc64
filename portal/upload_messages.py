"""What people read when an uploaded PDF is refused, and the one-file-a-request rule: the same for
applicants' attachments and for the call's documents staff upload."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.domain import DomainError
from portal.services.uploads import UploadError

UPLOAD_PROBLEMS: dict[UploadError, LazyString] = {
    UploadError.NO_FILE: _l("Scegli un file PDF da caricare"),
    UploadError.SEVERAL_FILES: _l(
        "Carica un file alla volta: la richiesta conteneva più file e nessuno è stato salvato"
    ),
    UploadError.EMPTY_FILE: _l("Il file è vuoto: scegli il PDF da caricare"),
    UploadError.TOO_LARGE: _l("Il file è troppo grande: al massimo %(limit_mb)d MB"),
    UploadError.NOT_PDF: _l("Il file non è un PDF, anche se il nome lo fa pensare: salvalo come PDF e riprova"),
    UploadError.DAMAGED: _l(
        "Il file non è un PDF leggibile: è danneggiato o incompleto. Salvalo di nuovo come PDF e riprova"
    ),
    UploadError.ENCRYPTED: _l(
        "Il PDF è protetto da una password o cifrato: salvalo senza protezione (o stampalo come PDF) e riprova"
    ),
    UploadError.ACTIVE_CONTENT: _l(
        "Il PDF contiene contenuti attivi (JavaScript, azioni automatiche, file incorporati o moduli XFA) e per "
        "sicurezza non è accettato: stampalo come PDF («Stampa», poi «Salva come PDF») e carica la copia"
    ),
}


def one_file() -> tuple[str, bytes]:
    """The name and content of the one file the form sent. Several files are refused together
    (``DomainError(UploadError.SEVERAL_FILES)``), none with ``DomainError(UploadError.NO_FILE)``."""
    sent = [upload for _, upload in request.files.items(multi=True)]
    if len(sent) > 1:
        raise DomainError(UploadError.SEVERAL_FILES)
    if not sent or not sent[0].filename:
        raise DomainError(UploadError.NO_FILE)
    return sent[0].filename, sent[0].read()

"""What people read when an upload is refused, and the one-file-a-request rule: PDFs (the same for
applicants' attachments and for the call's documents staff upload) and campaign photos (the same
for the organisation, its updates and staff)."""

from __future__ import annotations

from types import SimpleNamespace

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import FileStorage

from portal.domain import DomainError
from portal.domain import photos as photo_rules
from portal.domain.photos import MAX_PHOTO_BYTES, PhotoError
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


PHOTO_PROBLEMS: dict[PhotoError, LazyString] = {
    PhotoError.NO_FILE: _l("Scegli la foto da caricare"),
    PhotoError.SEVERAL_FILES: _l(
        "Carica una foto alla volta: la richiesta conteneva più file e nessuno è stato salvato"
    ),
    PhotoError.EMPTY: _l("Il file è vuoto: scegli la foto da caricare"),
    PhotoError.FILE_TOO_LARGE: _l("Il file è troppo grande: al massimo %(limit_mb)d MB"),
    PhotoError.NOT_ACCEPTED: _l(
        "Il file non è una foto in un formato accettato, qualunque sia il suo nome: carica un file JPEG, PNG, "
        "WebP o HEIC"
    ),
    PhotoError.DAMAGED: _l(
        "La foto non si può leggere: il file è danneggiato o incompleto. Salvala di nuovo (o esportala come JPEG) "
        "e riprova"
    ),
    PhotoError.TOO_MANY_PIXELS: _l(
        "La foto è troppo grande: %(width)d × %(height)d pixel, oltre %(limit_mp)d megapixel. Riducila (per esempio "
        "a 4000 pixel di larghezza) e riprova"
    ),
    PhotoError.BOMB: _l(
        "Il file dichiara dimensioni enormi, oltre ogni foto (al massimo %(limit_mp)d megapixel), e per sicurezza "
        "non è stato aperto: esporta la foto di nuovo come JPEG e riprova"
    ),
    PhotoError.TOO_SMALL: _l(
        "La foto è troppo piccola: è larga %(width)d pixel, ne servono almeno %(min_width)d perché resti nitida"
    ),
    PhotoError.ODD_SHAPE: _l(
        "La foto è troppo stretta e lunga (%(width)d × %(height)d pixel): un lato può essere al massimo %(ratio)d "
        "volte l'altro. Ritagliala e riprova"
    ),
    PhotoError.TOO_MANY_PHOTOS: _l("La campagna ha già %(limit)d foto: eliminane una per caricarne un'altra"),
    PhotoError.ALT_MISSING: _l("Descrivi la foto per chi non la vede (testo alternativo)"),
    PhotoError.ALT_TOO_LONG: _l("Il testo alternativo può avere al massimo %(limit)d caratteri"),
    PhotoError.CAPTION_TOO_LONG: _l("La didascalia può avere al massimo %(limit)d caratteri"),
    PhotoError.CLOSED: _l("La campagna è conclusa: le sue foto e il video restano come sono"),
    PhotoError.NOT_FOUND: _l("La foto non c'è più: forse è stata appena eliminata"),
    PhotoError.VIDEO_NOT_SUPPORTED: _l(
        "Il link non è quello di un video di YouTube o di Vimeo: copia l'indirizzo del video (per esempio "
        "https://www.youtube.com/watch?v=… o https://vimeo.com/…)"
    ),
}

# A photo's form, its text fields included, may be this large; every other form keeps the app's
# MAX_CONTENT_LENGTH. The views that take a photo raise the limit for their own requests only.
PHOTO_REQUEST_BYTES = MAX_PHOTO_BYTES + 512 * 1024


def photo_problem(error: DomainError) -> str:
    """What a refused photo (or its description, or a video link) says, in the page's language."""
    return str(PHOTO_PROBLEMS[error.code]) % error.params


def one_photo(field: str, *, required: bool) -> FileStorage | None:
    """The one file sent in `field`; when none was chosen, ``DomainError(PhotoError.NO_FILE)`` if
    `required`, else None (a form whose photo is optional). Several files are refused together
    (``DomainError(PhotoError.SEVERAL_FILES)``)."""
    sent = [upload for _, upload in request.files.items(multi=True) if upload.filename]
    if len(sent) > 1:
        raise DomainError(PhotoError.SEVERAL_FILES)
    if not sent:
        if required:
            raise DomainError(PhotoError.NO_FILE)
        return None
    if request.files.get(field) is not sent[0]:
        raise DomainError(PhotoError.NO_FILE)
    return sent[0]


# The field of a photo's forms each refusal belongs to; None: no field (said in a flash message).
_PHOTO_FIELDS = {
    PhotoError.ALT_MISSING: "testo_alternativo",
    PhotoError.ALT_TOO_LONG: "testo_alternativo",
    PhotoError.CAPTION_TOO_LONG: "didascalia",
    PhotoError.VIDEO_NOT_SUPPORTED: "video",
    PhotoError.CLOSED: None,
    PhotoError.NOT_FOUND: None,
}


def photo_field(error: DomainError) -> str | None:
    """The form field a refusal is shown next to: the file's, unless it is about the description
    or the video link; None for one that concerns no field (the campaign is over, the photo gone)."""
    return _PHOTO_FIELDS.get(error.code, "foto")


def photo_added(added) -> str:
    """What the person who uploaded a photo is told (`services.campaigns.photos.Added`)."""
    said = [_("Foto caricata.")]
    if added.reduced:
        width, height = added.original_size
        said.append(
            _(
                "Era di %(width)d × %(height)d pixel: è stata ridotta a %(kept_width)d × %(kept_height)d, "
                "la misura più grande mostrata dal portale.",
                width=width,
                height=height,
                kept_width=added.photo.width,
                kept_height=added.photo.height,
            )
        )
    if added.first_frame:
        said.append(_("Era un'immagine animata: è stato tenuto solo il primo fotogramma."))
    return " ".join(said)


def photo_limits() -> SimpleNamespace:
    """The limits a photo's form states, from `portal.domain.photos`."""
    return SimpleNamespace(
        mb=photo_rules.MAX_PHOTO_BYTES // (1024 * 1024),
        megapixels=photo_rules.MAX_PIXELS // 1_000_000,
        min_width=photo_rules.MIN_WIDTH,
        photos=photo_rules.MAX_PHOTOS,
        alt=photo_rules.ALT_MAX,
        caption=photo_rules.CAPTION_MAX,
    )

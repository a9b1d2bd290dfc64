"""The open data set of the campaigns: one record per published campaign of every published edition.

Amounts are euros as strings with two decimals and a point ("20000.00"): exact, with no float
and no locale. The same records make the CSV (UTF-8, comma, RFC 4180, a header row) and the
JSON (with a metadata object: licence, source, when it was generated). The fields are
described on the open-data page (`/it/dati-aperti`), from `FIELDS` below.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.clock import to_rome
from portal.domain.pledge import PledgeStatus
from portal.domain.spreadsheet import safe_cell
from portal.extensions import db
from portal.models import Campaign, Edition, Pledge
from portal.services.places.neighbourhoods import nil_or_none
from portal.urls import absolute_url

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
SOURCE = "Comune di Milano – Crowdfunding Civico"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # how the value is written, for the documentation
    description: object  # a lazy string


FIELDS: tuple[Field, ...] = (
    Field("edition_year", _l("intero"), _l("Anno dell'edizione del bando.")),
    Field("title", _l("testo"), _l("Titolo della campagna.")),
    Field("slug", _l("testo"), _l("Identificativo della campagna nell'indirizzo della sua pagina.")),
    Field("url", _l("indirizzo web"), _l("Pagina della campagna sul portale, in italiano.")),
    Field("organisation", _l("testo"), _l("Organizzazione che promuove il progetto.")),
    Field("municipio", _l("intero (il numero del Municipio), o vuoto"), _l("Municipio del progetto.")),
    Field("nil_id", _l("intero, o vuoto"), _l("Numero del NIL (Nucleo di Identità Locale, PGT 2030).")),
    Field("nil_name", _l("testo, o vuoto"), _l("Nome ufficiale del NIL.")),
    Field("theme", _l("codice"), _l("Tema del progetto (vedi i codici qui sotto).")),
    Field("goal_eur", _l("importo"), _l("Obiettivo: il costo del progetto.")),
    Field("target_eur", _l("importo"), _l("Soglia che i cittadini devono raccogliere perché il Comune cofinanzi.")),
    Field("raised_eur", _l("importo"), _l("Donazioni confermate (pagamenti ricevuti).")),
    Field("supporters", _l("intero"), _l("Numero di donazioni confermate.")),
    Field(
        "refunded_eur",
        _l("importo"),
        _l(
            "Donazioni già restituite ai sostenitori perché la campagna non ha raggiunto la soglia "
            "(comprese in raised_eur, che resta quanto è stato versato)."
        ),
    ),
    Field("grant_eur", _l("importo, o vuoto"), _l("Contributo del Comune impegnato; vuoto finché non è impegnato.")),
    Field("state", _l("codice"), _l("Stato della campagna al momento della generazione (vedi i codici qui sotto).")),
    Field("start_date", _l("data AAAA-MM-GG"), _l("Primo giorno della raccolta (ora di Roma).")),
    Field("last_day", _l("data AAAA-MM-GG"), _l("Ultimo giorno della raccolta (ora di Roma).")),
    Field(
        "demo_estimate",
        _l("true o false"),
        _l("true se almeno un dato della campagna è una stima inventata per la dimostrazione del portale."),
    ),
    Field(
        "demo_estimated_fields",
        _l("elenco"),
        _l("I dati stimati per la dimostrazione (nel CSV separati da spazi)."),
    ),
    Field("source_urls", _l("elenco"), _l("Le fonti dei dati reali (nel CSV separate da « ; »).")),
)


def euros(cents: int | None) -> str | None:
    """`2000050` → "20000.50": exact, whatever the size."""
    if cents is None:
        return None
    return f"{cents // 100}.{cents % 100:02d}"


def published_campaigns(now: datetime) -> list[tuple[Campaign, int]]:
    """Every campaign public at `now` of every published edition, with its edition's year."""
    rows = db.session.execute(
        sa.select(Campaign, Edition.year)
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(Campaign.is_public(now))
        .order_by(Edition.year.desc(), Campaign.starts_at, Campaign.title)
    )
    return [(campaign, year) for campaign, year in rows]


def refunded_cents_by_campaign() -> dict[int, int]:
    """What went back to supporters, per campaign: the pledges refunded (one query)."""
    rows = db.session.execute(
        sa.select(Pledge.campaign_id, sa.func.sum(Pledge.amount_cents))
        .where(Pledge.status == PledgeStatus.REFUNDED)
        .group_by(Pledge.campaign_id)
    )
    return {campaign_id: int(total) for campaign_id, total in rows}


def record(campaign: Campaign, year: int, now: datetime, refunded_cents: int = 0) -> dict:
    nil = nil_or_none(campaign.nil_id)
    return {
        "edition_year": year,
        "title": campaign.title,
        "slug": campaign.slug,
        "url": absolute_url("campaigns.detail", lang="it", slug=campaign.slug),
        "organisation": campaign.organisation_name,
        "municipio": campaign.municipio,
        "nil_id": campaign.nil_id,
        "nil_name": nil.name if nil else None,
        "theme": campaign.theme,
        "goal_eur": euros(campaign.goal_cents),
        "target_eur": euros(campaign.target_cents),
        "raised_eur": euros(campaign.confirmed_cents),
        "supporters": campaign.supporters,
        "refunded_eur": euros(refunded_cents),
        "grant_eur": euros(campaign.grant_cents) if campaign.grant_committed else None,
        "state": campaign.state(now).value,
        "start_date": to_rome(campaign.starts_at).date().isoformat(),
        "last_day": campaign.last_day.isoformat(),
        "demo_estimate": bool(campaign.demo_estimates),
        "demo_estimated_fields": list(campaign.demo_estimates or []),
        "source_urls": list(campaign.source_urls or []),
    }


def records(now: datetime) -> list[dict]:
    refunded = refunded_cents_by_campaign()
    return [record(campaign, year, now, refunded.get(campaign.id, 0)) for campaign, year in published_campaigns(now)]


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return (" ; " if name == "source_urls" else " ").join(value)
    return safe_cell(value)  # a title or a name starting with "=" stays text in a spreadsheet


def to_csv(rows: list[dict]) -> str:
    """RFC 4180: comma, CRLF, fields quoted when needed, a header row; UTF-8 without BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in FIELDS])
    for row in rows:
        writer.writerow([_cell(field.name, row[field.name]) for field in FIELDS])
    return buffer.getvalue()


def to_json(rows: list[dict], now: datetime) -> str:
    metadata = {
        "title": "Crowdfunding Civico – progetti",
        "source": SOURCE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": f"Fonte: {SOURCE} ({LICENCE})",
        "documentation_url": absolute_url("transparency.opendata_page", lang="it"),
        "generated_at": now.astimezone(UTC).isoformat(),
        "amounts": 'euro, string with two decimals and a point ("20000.00")',
        "count": len(rows),
    }
    return json.dumps({"metadata": metadata, "projects": rows}, ensure_ascii=False, indent=2)

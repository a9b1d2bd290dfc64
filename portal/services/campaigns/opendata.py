"""The open data set of the campaigns: one record per published campaign of every published edition.

Amounts are euros as strings with two decimals and a point ("20000.00"): exact, with no float
and no locale. The same records make the CSV (UTF-8, comma, RFC 4180, a header row) and the
JSON (with a metadata object: licence, source, when it was generated). The fields are
described on the open-data page (`/it/dati-aperti`), from `FIELDS` below.

The files are streamed: `stream_records` reads the campaigns in batches from a server-side cursor,
`csv_chunks` and `json_chunks` write each batch as it comes, so memory stays flat and the first byte
leaves at once whatever the number of campaigns. `records`, `to_csv` and `to_json` build the same
text record by record, in memory (tests/web/test_exports_scale.py checks that the two agree).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import load_only

from portal.clock import to_rome
from portal.domain.pledge import PledgeStatus
from portal.domain.spreadsheet import safe_cell
from portal.extensions import db
from portal.models import Campaign, Edition, Pledge
from portal.services.campaigns.syndication import CampaignAddress
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


def record(campaign: Campaign, year: int, now: datetime, refunded_cents: int = 0, url: str | None = None) -> dict:
    nil = nil_or_none(campaign.nil_id)
    return {
        "edition_year": year,
        "title": campaign.title,
        "slug": campaign.slug,
        "url": url or absolute_url("campaigns.detail", lang="it", slug=campaign.slug),
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
    """Every record, built one by one in memory (the reference `stream_records` is checked against)."""
    refunded = refunded_cents_by_campaign()
    return [record(campaign, year, now, refunded.get(campaign.id, 0)) for campaign, year in published_campaigns(now)]


BATCH = 500  # campaigns read from the cursor, and written, at a time
# What `record` reads of a campaign (no story, no summary: a file of 50,000 stays light to read).
RECORD_COLUMNS = (
    Campaign.title,
    Campaign.slug,
    Campaign.organisation_name,
    Campaign.municipio,
    Campaign.nil_id,
    Campaign.theme,
    Campaign.goal_cents,
    Campaign.target_cents,
    Campaign.confirmed_cents,
    Campaign.supporters,
    Campaign.grant_cents,
    Campaign.grant_committed_at,
    Campaign.starts_at,
    Campaign.ends_at,
    Campaign.demo_estimates,
    Campaign.source_urls,
)


def published_count(now: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Campaign).where(Campaign.is_public(now)))


def stream_records(now: datetime) -> Iterator[dict]:
    """The records of `records`, in its order, read `BATCH` campaigns at a time from a server-side
    cursor (one query: what went back to supporters is read beside each campaign, from its pledges)."""
    refunded = (
        sa.select(sa.func.coalesce(sa.func.sum(Pledge.amount_cents), 0))
        .where(Pledge.campaign_id == Campaign.id, Pledge.status == PledgeStatus.REFUNDED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Campaign, Edition.year, refunded)
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(Campaign.is_public(now))
        .order_by(Edition.year.desc(), Campaign.starts_at, Campaign.title)
        .options(load_only(*RECORD_COLUMNS, raiseload=True))
        .execution_options(yield_per=BATCH)
    )
    address = CampaignAddress("it")
    for campaign, year, refunded_cents in rows:
        yield record(campaign, year, now, int(refunded_cents), address(campaign.slug))


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return (" ; " if name == "source_urls" else " ").join(value)
    return safe_cell(value)  # a title or a name starting with "=" stays text in a spreadsheet


def csv_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """RFC 4180: comma, CRLF, fields quoted when needed, a header row; UTF-8 without BOM. The header
    first, then a chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in FIELDS])
    yield buffer.getvalue()
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(field.name, row[field.name]) for field in FIELDS] for row in batch)
        yield buffer.getvalue()


def to_csv(rows: list[dict]) -> str:
    return "".join(csv_chunks(rows))


def _metadata(now: datetime, count: int) -> dict:
    return {
        "title": "Crowdfunding Civico – progetti",
        "source": SOURCE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": f"Fonte: {SOURCE} ({LICENCE})",
        "documentation_url": absolute_url("transparency.opendata_page", lang="it"),
        "generated_at": now.astimezone(UTC).isoformat(),
        "amounts": 'euro, string with two decimals and a point ("20000.00")',
        "count": count,
    }


def to_json(rows: list[dict], now: datetime) -> str:
    return json.dumps({"metadata": _metadata(now, len(rows)), "projects": rows}, ensure_ascii=False, indent=2)


_encode = json.JSONEncoder(ensure_ascii=False).encode  # compact, and in C: one value at a time


def _nested(value: object, depth: int) -> str:
    """`value` as `json.dumps(..., ensure_ascii=False, indent=2)` writes it `depth` levels deep in a
    larger document, for the records' shapes (an object of scalars and lists of scalars), written
    without the indenting encoder, which is pure Python and several times slower."""
    pad = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = (f"{pad}{_encode(key)}: {_nested(item, depth + 1)}" for key, item in value.items())
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(pad + _nested(item, depth + 1) for item in value) + "\n" + "  " * depth + "]"
    return _encode(value)


def json_chunks(rows: Iterable[dict], now: datetime, count: int) -> Iterator[str]:
    """The text of `to_json`, written a batch of projects at a time: the metadata (with `count`, the
    number of rows to come) and then the array of projects, opened and closed around the batches."""
    yield '{\n  "metadata": ' + _nested(_metadata(now, count), 1) + ',\n  "projects": ['
    separator, written = "\n    ", False
    for batch in _batches(rows):
        yield separator + ",\n    ".join(_nested(row, 2) for row in batch)
        separator, written = ",\n    ", True
    yield ("\n  ]" if written else "]") + "\n}"

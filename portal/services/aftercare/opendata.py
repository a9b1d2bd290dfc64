"""The open data of what funded projects do after the campaign: their milestones (`/dati/traguardi`)
and their impact indicators (`/dati/indicatori`), as CSV and JSON, under the licence of the
projects' file (`portal.services.campaigns.opendata`).

Only the projects of campaigns public and succeeded at the moment of generation. A milestone's
`status` is the rule's (`portal.domain.aftercare.milestone_status`, today in Rome), computed when the
file is generated, as the projects' `state` is. Like the projects' file, the rows are streamed: read
`BATCH` at a time from a server-side cursor and written as they come (one query per file)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.domain.aftercare import milestone_status
from portal.domain.campaign import CampaignState
from portal.domain.spreadsheet import safe_cell
from portal.extensions import db
from portal.models import Campaign, Edition, ImpactIndicator, Milestone
from portal.services.aftercare.milestones import today_in_rome
from portal.services.campaigns.opendata import LICENCE, LICENCE_URL, SOURCE, Field
from portal.services.campaigns.syndication import CampaignAddress
from portal.urls import absolute_url

BATCH = 500

MILESTONE_FIELDS: tuple[Field, ...] = (
    Field("edition_year", _l("intero"), _l("Anno dell'edizione del bando.")),
    Field("campaign_slug", _l("testo"), _l("Identificativo della campagna, come nel file dei progetti («slug»).")),
    Field("campaign_url", _l("indirizzo web"), _l("Pagina della campagna sul portale, in italiano.")),
    Field("position", _l("intero"), _l("Ordine della tappa nel piano del progetto, da 1.")),
    Field("title", _l("testo"), _l("Titolo della tappa, scritto dall'organizzazione.")),
    Field("due_on", _l("data AAAA-MM-GG"), _l("Data prevista della tappa.")),
    Field(
        "status",
        _l("codice"),
        _l(
            "Stato della tappa al momento della generazione: planned (da iniziare), in_progress (in corso), "
            "done (completata), late (non completata e con la data prevista già passata)."
        ),
    ),
    Field(
        "done_on", _l("data AAAA-MM-GG, o vuoto"), _l("Giorno in cui l'organizzazione l'ha segnata come completata.")
    ),
    Field("note", _l("testo, o vuoto"), _l("Nota pubblica dell'organizzazione sulla tappa.")),
)

INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("edition_year", _l("intero"), _l("Anno dell'edizione del bando.")),
    Field("campaign_slug", _l("testo"), _l("Identificativo della campagna, come nel file dei progetti («slug»).")),
    Field("campaign_url", _l("indirizzo web"), _l("Pagina della campagna sul portale, in italiano.")),
    Field("indicator", _l("codice"), _l("Indicatore di impatto (vedi i codici qui sotto).")),
    Field("target", _l("intero"), _l("Obiettivo che l'organizzazione si è data.")),
    Field(
        "reported",
        _l("intero, o vuoto"),
        _l("Valore raggiunto comunicato dall'organizzazione; vuoto finché non lo comunica."),
    ),
)


@dataclass(frozen=True)
class Dataset:
    name: str  # the JSON array's name
    title: str
    fields: tuple[Field, ...]


MILESTONES = Dataset("milestones", "Crowdfunding Civico – tappe dei progetti finanziati", MILESTONE_FIELDS)
INDICATORS = Dataset(
    "indicators", "Crowdfunding Civico – indicatori di impatto dei progetti finanziati", INDICATOR_FIELDS
)


def _funded(now: datetime):
    return sa.and_(Campaign.is_public(now), Campaign.in_state(CampaignState.SUCCEEDED, now))


def stream_milestones(now: datetime) -> Iterator[dict]:
    """Every milestone of the funded projects: by edition (latest first), campaign, position."""
    rows = db.session.execute(
        sa.select(
            Edition.year,
            Campaign.slug,
            Milestone.position,
            Milestone.title,
            Milestone.due_on,
            Milestone.state,
            Milestone.done_on,
            Milestone.note,
        )
        .join(Campaign, Campaign.id == Milestone.campaign_id)
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(_funded(now))
        .order_by(Edition.year.desc(), Campaign.starts_at, Campaign.title, Milestone.position, Milestone.id)
        .execution_options(yield_per=BATCH)
    )
    address, today = CampaignAddress("it"), today_in_rome(now)
    for year, slug, position, title, due_on, state, done_on, note in rows:
        yield {
            "edition_year": year,
            "campaign_slug": slug,
            "campaign_url": address(slug),
            "position": position,
            "title": title,
            "due_on": due_on.isoformat(),
            "status": milestone_status(state, due_on, today).value,
            "done_on": done_on.isoformat() if done_on else None,
            "note": note,
        }


def stream_indicators(now: datetime) -> Iterator[dict]:
    """Every indicator of the funded projects: by edition (latest first), campaign, indicator."""
    rows = db.session.execute(
        sa.select(Edition.year, Campaign.slug, ImpactIndicator.code, ImpactIndicator.target, ImpactIndicator.reported)
        .join(Campaign, Campaign.application_id == ImpactIndicator.application_id)
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(_funded(now))
        .order_by(Edition.year.desc(), Campaign.starts_at, Campaign.title, ImpactIndicator.code)
        .execution_options(yield_per=BATCH)
    )
    address = CampaignAddress("it")
    for year, slug, code, target, reported in rows:
        yield {
            "edition_year": year,
            "campaign_slug": slug,
            "campaign_url": address(slug),
            "indicator": code,
            "target": target,
            "reported": reported,
        }


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _cell(value: object) -> object:
    return "" if value is None else safe_cell(value)


def csv_chunks(dataset: Dataset, rows: Iterable[dict]) -> Iterator[str]:
    """RFC 4180 (comma, CRLF, a header row), UTF-8 without BOM: the header, then a chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in dataset.fields])
    yield buffer.getvalue()
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(row[field.name]) for field in dataset.fields] for row in batch)
        yield buffer.getvalue()


_encode = json.JSONEncoder(ensure_ascii=False).encode  # one object a line


def json_chunks(dataset: Dataset, rows: Iterable[dict], now: datetime) -> Iterator[str]:
    """A "metadata" object (licence, source, when generated) and the array of rows, written a batch
    at a time; the metadata's `count` closes the file, once every row is written."""
    metadata = {
        "title": dataset.title,
        "source": SOURCE,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": f"Fonte: {SOURCE} ({LICENCE})",
        "documentation_url": absolute_url("transparency.opendata_page", lang="it"),
        "generated_at": now.astimezone(UTC).isoformat(),
    }
    yield '{\n  "metadata": ' + _encode(metadata) + f',\n  "{dataset.name}": ['
    separator, count = "\n    ", 0
    for batch in _batches(rows):
        yield separator + ",\n    ".join(_encode(row) for row in batch)
        separator, count = ",\n    ", count + len(batch)
    yield ("\n  ]" if count else "]") + f',\n  "count": {count}\n}}'

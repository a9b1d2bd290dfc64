"""Reading staff's dashboard CSV and the open data side by side (issue 19): the figures per
Municipio the two must agree on."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal


def dashboard_csv(client, year: int = 2020) -> list[dict[str, str]]:
    """The dashboard's CSV as staff download it, checked for what a spreadsheet needs."""
    response = client.get(f"/it/gestione/edizioni/{year}/andamento.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="andamento-edizione-{year}.csv"'
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert rows and set(rows[0]) == {"sezione", "chiave", "etichetta", "valore", "unità"}
    return rows


def figure(rows, section: str, key: str) -> str:
    (found,) = [row["valore"] for row in rows if row["sezione"] == section and row["chiave"] == key]
    return found


def cents(euros: str) -> int:
    return int(Decimal(euros or "0") * 100)


def opendata_per_municipio(client, year: int = 2020) -> dict[str, list[int]]:
    """From /dati/progetti.csv: per Municipio ("non_indicato" without one) the campaigns, the money
    raised and the Comune's grant, in cents."""
    opendata = csv.DictReader(io.StringIO(client.get("/dati/progetti.csv").data.decode(), newline=""))
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in opendata:
        if row["edition_year"] == str(year):
            place = expected[row["municipio"] or "non_indicato"]
            place[0] += 1
            place[1] += cents(row["raised_eur"])
            place[2] += cents(row["grant_eur"])
    return dict(expected)


def dashboard_per_municipio(rows) -> dict[str, list[int]]:
    """The same three figures per Municipio, from the dashboard's CSV."""
    return {
        row["chiave"]: [
            int(figure(rows, "municipio_campagne", row["chiave"])),
            int(figure(rows, "municipio_raccolti", row["chiave"])),
            int(figure(rows, "municipio_contributo_impegnato", row["chiave"])),
        ]
        for row in rows
        if row["sezione"] == "municipio_campagne"
    }

"""The gallery's map of the Municipi and their NIL with its table, a constant number of queries
whatever the number of campaigns, and valid HTML in every state."""

from __future__ import annotations

import pytest

from tests.campaigns import NOVEMBER, make_campaign
from tests.gallery_data import GALLERY, change, every_state, text_of, with_pledges
from tests.html_validation import vnu_errors


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


# --- the map -------------------------------------------------------------------------------------


def test_the_city_map_links_each_municipio_with_its_count(app, client):
    every_state(app)
    html = client.get(GALLERY, query_string={"tema": "ambiente"}).get_data(as_text=True)
    assert html.count('class="map-area') == 9
    assert 'aria-label="Municipio 8: 1 progetto"' in html  # Orti di Quarto is "cultura"
    assert 'aria-label="Municipio 6: 1 progetto"' in html
    assert 'aria-label="Municipio 1: 0 progetti"' in html
    # The link keeps the other filters and starts from the first page.
    assert 'href="/it/progetti?municipio=6&amp;tema=ambiente#risultati"' in html
    assert "<table" in html and "Progetti per Municipio" in html
    assert "Fonte: Comune di Milano –" in text_of(client.get(GALLERY))
    assert 'href="#nota-mappa"' in html and 'id="nota-mappa"' in html
    drawing = html.split('<svg class="city-map-svg"')[1].split("</svg>")[0]
    assert "http" not in drawing  # drawn here: no tiles, nothing fetched from elsewhere


def test_a_municipio_shows_its_nil(app, client):
    every_state(app)
    make_campaign(app, "Nel NIL vicino", municipio=6, nil_id=5)  # Porta Vigentina, drawn with Municipio 5
    response = client.get(GALLERY, query_string={"municipio": "6"})
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Municipio 6: i progetti per quartiere" in text
    assert 'aria-label="Barona: 1 progetto"' in html
    assert 'href="/it/progetti?municipio=6&amp;nil=46#risultati"' in html
    assert 'href="/it/progetti#risultati"' in html and "Torna alla mappa di tutta la città" in text
    # NIL 5 is drawn with Municipio 5; this Municipio's campaign there is still listed in the table.
    assert 'href="/it/progetti?municipio=6&amp;nil=5#risultati"' in html
    assert html.count('class="map-area') == 10  # Municipio 6's NIL
    chosen = client.get(GALLERY, query_string={"municipio": "6", "nil": "46"}).get_data(as_text=True)
    assert 'aria-current="true"' in chosen


# --- cost ----------------------------------------------------------------------------------------


def test_a_constant_number_of_queries_whatever_the_number_of_campaigns(app, client, count_queries):
    urls = (GALLERY, f"{GALLERY}?municipio=6&ordina=vicini_soglia", f"{GALLERY}?stato=in_corso&q=campagna&pagina=2")
    with_pledges(app, 3)
    small = {}
    for url in urls:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        small[url] = queries.count
    with_pledges(app, 37, start=3)
    for url in urls:
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        assert queries.count == small[url], url
    assert max(small.values()) <= 5


# --- valid HTML ----------------------------------------------------------------------------------


def test_the_gallery_is_valid_html(app, client, tmp_path):
    ids = every_state(app)
    with_pledges(app, 13)
    change(
        app,
        ids["live"],
        image_file="ab" * 16,
        image_width=1200,
        image_height=800,
        image_alt="Il logo",
        demo_estimates=["goal_cents"],
    )
    pages = {
        "all": client.get(GALLERY),
        "filtered": client.get(GALLERY, query_string={"municipio": "8", "stato": "in_corso", "ordina": "in_scadenza"}),
        "empty": client.get(GALLERY, query_string={"q": "nessuno", "municipio": "abc"}),
        "municipio": client.get(GALLERY, query_string={"municipio": "6", "nil": "46"}),
        "page-2": client.get(GALLERY, query_string={"pagina": "2"}),
        "english": client.get("/en/progetti", query_string={"municipio": "4"}),
    }
    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"gallery-{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    fragment = client.get(GALLERY, query_string={"municipio": "6"}, headers={"HX-Request": "true"})
    target = tmp_path / "gallery-fragment.html"
    body = fragment.get_data(as_text=True)
    target.write_text(f'<!doctype html><html lang="it"><head><title>f</title></head><body>{body}</body></html>')
    files.append(str(target))
    assert vnu_errors(files) == []

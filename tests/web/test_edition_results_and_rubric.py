"""Staff set when results are expected and whether the budget is a floor; evaluators score each
criterion with its rubric next to its scale."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Assignment, AuditEntry, Criterion, Edition, Role, Score
from portal.services.accounts.accounts import user_by_email
from portal.services.evaluation import evaluation
from tests.accounts import csrf_from, make_user, sign_in
from tests.html_validation import vnu_errors
from tests.panel import EVALUATORS, STAFF, evaluated, submitted

FORM = {
    "ultimo_giorno": "31/07/2020",
    "costo_massimo": "100.000",
    "durata_massima": "12",
    "giorni_campagna": "60",
    "soglia": "40",
    "quota_comune": "60",
    "tetto": "60.000",
    "budget": "500.000",
    "forme": ["associazione", "fondazione", "impresa_sociale"],
    "pubblicata": "y",
}


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html)).replace("\xa0", " ")


def signed_in(app, email, role=Role.STAFF):
    make_user(app, email, role)
    client = app.test_client()
    sign_in(client, app, email)
    return client


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **data})


def edition_2020(app) -> Edition:
    with app.app_context():
        found = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        db.session.expunge(found)
        return found


def test_staff_set_when_results_are_expected_and_that_the_budget_is_a_floor(app):
    staff = signed_in(app, STAFF)
    url = "/it/gestione/edizioni/2020"
    form = staff.get(url).get_data(as_text=True)  # the seeded 2020 call: 15 October, "oltre 500.000 €"
    assert "Esiti attesi entro" in text(staff.get(url)) and "Il budget è un minimo" in form
    assert re.search(r'id="esiti_entro"[^>]*value="15/10/2020"', form)
    assert re.search(r'<input[^>]*checked[^>]*id="budget_minimo"|<input[^>]*id="budget_minimo"[^>]*checked', form)

    assert post(staff, url, {**FORM, "esiti_entro": "30/10/2020"}).status_code == 302
    saved = edition_2020(app)
    assert (saved.results_expected_on.isoformat(), saved.budget_is_floor) == ("2020-10-30", False)
    form = staff.get(url).get_data(as_text=True)
    assert re.search(r'id="esiti_entro"[^>]*value="30/10/2020"', form)
    assert not re.search(r'<input[^>]*checked[^>]*id="budget_minimo"|<input[^>]*id="budget_minimo"[^>]*checked', form)
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="edition.update")).one()
        assert entry.changes["results_expected_on"] == ["2020-10-15", "2020-10-30"]
        assert entry.changes["budget_is_floor"] == ["True", "False"]

    wrong = post(staff, url, {**FORM, "esiti_entro": "31/09/2020", "budget_minimo": "y"})
    assert wrong.status_code == 200 and "Scrivi una data vera" in text(wrong)
    assert edition_2020(app).budget_is_floor is False  # nothing saved
    assert post(staff, url, {**FORM, "budget_minimo": "y"}).status_code == 302
    saved = edition_2020(app)
    assert (saved.results_expected_on, saved.budget_is_floor) == (None, True)
    english = text(staff.get("/en/gestione/edizioni/2020"))
    assert "Results expected by" in english and "The budget is a minimum" in english


def scoring_page(app, lang: str):
    (application_id,) = submitted(app, 1)
    evaluator = signed_in(app, EVALUATORS[0], Role.EVALUATOR)
    staff = app.test_client()
    sign_in(staff, app, STAFF)  # made by `submitted`
    with app.app_context():
        evaluator_id = user_by_email(EVALUATORS[0]).id
    post(staff, f"/it/gestione/domande/{application_id}/valutatori", {"valutatore": str(evaluator_id)})
    with app.app_context():
        assignment_id = db.session.scalars(db.select(Assignment.id)).one()
    url = f"/{lang}/valutazione/{assignment_id}"
    post(evaluator, url, {"conflitto": "no"})
    return evaluator.get(url)


def test_the_scoring_page_shows_each_criteria_rubric_next_to_its_scale(app):
    page = text(scoring_page(app, "it"))
    assert "Peso 30. Punteggio da 0 a 10: la griglia di valutazione è qui sotto." in page
    assert "Griglia: Impatto sociale nel quartiere Punteggio Quando darlo" in page
    assert "0–2 Benefici per il quartiere non indicati o generici." in page
    assert "9–10 Risponde a un bisogno documentato del quartiere" in page
    assert "9–10 Piano completo: una rete di sostenitori già attiva" in page
    # each criterion's input, then its rubric
    assert page.index("Impatto sociale nel quartiere (0–10)") < page.index("Griglia: Impatto sociale")
    assert page.index("Griglia: Impatto sociale") < page.index("Coinvolgimento della comunità (0–10)")


def test_the_rubric_in_english_and_the_plain_scale_of_criteria_without_one(app, tmp_path):
    english = scoring_page(app, "en")
    assert "0–2 Benefits for the neighbourhood missing or generic." in text(english)
    assert "Scoring guide: Community involvement" in text(english)
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        for criterion in edition_criteria(edition):
            criterion.rubric_it = criterion.rubric_en = None
        db.session.commit()
    plain = scoring_page_again(app, english)
    assert "0: the criterion is not met; 10: it is fully met." in text(plain)
    assert "Benefits for the neighbourhood" not in text(plain)
    files = []
    for case, response in {"rubric": english, "plain": plain}.items():
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


def criteria_form(app) -> dict[str, str]:
    """The edition form as staff find it, criteria and rubrics included."""
    data = {**FORM, "esiti_entro": "15/10/2020", "budget_minimo": "y"}
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        for n, c in enumerate(edition_criteria(edition)):
            data |= {
                f"criteri-{n}-etichetta_it": c.label_it,
                f"criteri-{n}-etichetta_en": c.label_en,
                f"criteri-{n}-peso": str(c.weight),
                f"criteri-{n}-massimo": str(c.max_score),
                f"criteri-{n}-griglia_it": c.rubric_it or "",
                f"criteri-{n}-griglia_en": c.rubric_en or "",
            }
    return data


def test_staff_edit_a_rubric_and_evaluators_read_it_in_both_languages(app):
    italian = scoring_page(app, "it")  # the evaluator has declared: now scoring
    staff = app.test_client()
    sign_in(staff, app, STAFF)
    url = "/it/gestione/edizioni/2020"
    form = staff.get(url).get_data(as_text=True)
    assert "Griglia di valutazione (italiano)" in text(staff.get(url))
    assert "0–2: Benefici per il quartiere non indicati o generici." in unescape(form)

    data = criteria_form(app) | {
        "criteri-0-griglia_it": "0–4: Nessun beneficio misurabile.\r\n\r\n5–10: Benefici misurabili per il quartiere.",
        "criteri-0-griglia_en": "0–4: No measurable benefit.\r\n5–10: Measurable benefits for the neighbourhood.",
        "criteri-1-griglia_it": "Valuta chi partecipa e come.",
        "criteri-1-griglia_en": "",
    }
    assert post(staff, url, data).status_code == 302
    with app.app_context():
        first = db.session.scalars(db.select(Criterion).filter_by(code="impatto")).one()
        assert (first.is_example, first.rubric_en) == (True, data["criteri-0-griglia_en"].replace("\r", ""))
        assert first.rubric_it == "0–4: Nessun beneficio misurabile.\n5–10: Benefici misurabili per il quartiere."
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="edition.update")).one()
        assert entry.changes["criterion 1 rubric_en"][1].startswith("0–4: No measurable benefit.")
        assert "criterion 3 rubric_it" not in entry.changes  # unchanged

    page = text(scoring_page_again(app, italian))
    assert "0–4 Nessun beneficio misurabile. 5–10 Benefici misurabili per il quartiere." in page
    assert "Benefici per il quartiere non indicati" not in page
    assert "Valuta chi partecipa e come." in page  # a line naming no scores: shown as it is
    english_response = scoring_page_again(app, italian, "en")
    english = text(english_response)
    assert "0–4 No measurable benefit. 5–10 Measurable benefits for the neighbourhood." in english
    # no English rubric written: the Italian one, marked as Italian
    assert re.search(
        r'<ul class="rubric" lang="it">\s*<li>Valuta chi partecipa e come.</li>\s*</ul>',
        english_response.get_data(as_text=True),
    )


def test_rubric_words_change_after_scoring_but_bands_stay_within_the_scale(app, at):
    (application_id,) = submitted(app, 1)
    evaluated(app, [application_id])
    staff = app.test_client()
    sign_in(staff, app, STAFF)
    url = "/it/gestione/edizioni/2020"
    over = post(staff, url, criteria_form(app) | {"criteri-2-griglia_en": "0–5: Weak.\n6–12: Strong."})
    assert over.status_code == 200
    assert "La griglia indica punteggi oltre il massimo del criterio (10)" in text(over)
    # scores were given: names, weights and maxima are fixed, the words of the rubric are not
    changed = criteria_form(app) | {
        "criteri-2-griglia_it": "0–10: Da rivedere insieme.",
        "criteri-2-etichetta_en": "Viability",
    }
    assert post(staff, url, changed).status_code == 302
    with app.app_context():
        third = db.session.scalars(db.select(Criterion).filter_by(code="fattibilita")).one()
        assert (third.rubric_it, third.label_en, third.weight) == ("0–10: Da rivedere insieme.", "Viability", 25)
        assert db.session.scalar(db.select(db.func.count()).select_from(Score)) == 8


def edition_criteria(edition):
    """In the order the edition form lists them (the form's indices depend on it)."""
    return evaluation.criteria_of(edition)


def scoring_page_again(app, response, lang: str | None = None):
    client = app.test_client()
    sign_in(client, app, EVALUATORS[0])
    path = response.request.path
    return client.get(f"/{lang}/{path.split('/', 2)[2]}" if lang else path)


def test_seeding_again_gives_stored_example_criteria_their_rubric_and_keeps_what_staff_wrote(app):
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        criteria = {c.code: c for c in edition_criteria(edition)}
        for criterion in criteria.values():
            criterion.rubric_it = criterion.rubric_en = None  # stored before rubrics were data
        criteria["campagna"].rubric_it = "0–10: Scritta dallo staff."
        db.session.commit()
        evaluation.add_example_criteria(edition)
        evaluation.add_example_criteria(edition)
        criteria = {c.code: c for c in edition_criteria(edition)}
        assert criteria["impatto"].rubric_it.startswith("0–2: Benefici per il quartiere non indicati")
        assert criteria["impatto"].rubric_en.startswith("0–2: Benefits for the neighbourhood missing")
        assert (criteria["campagna"].rubric_it, criteria["campagna"].rubric_en) == ("0–10: Scritta dallo staff.", None)
        assert len(criteria) == 4

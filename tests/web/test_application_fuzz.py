"""Whatever people type into a step, the answer is never a 500 and a step is saved whole or not at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import Application, BudgetItem
from tests.accounts import csrf_from, sign_in
from tests.applicants import draft, make_applicant

ANNA = "anna@cordata.example"
typed = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
amounts = st.one_of(typed, st.from_regex(r"\A-?[0-9]{1,9}([.,][0-9]{0,4})?\Z"), st.just(""))


@pytest.fixture
def anna(app, client, at):
    at("2020-07-10T10:00:00+02:00")
    make_applicant(app, ANNA)
    sign_in(client, app, ANNA)
    return client, draft(app, ANNA)


def budget_state(app, application_id):
    with app.app_context():
        total = db.session.get(Application, application_id).total_cost_cents
        lines = db.session.scalars(
            db.select(BudgetItem.amount_cents).filter_by(application_id=application_id).order_by(BudgetItem.position)
        ).all()
        return total, list(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(typed, st.sampled_from(["", "personale", "spazi", "nope"]), amounts), max_size=4),
    action=st.sampled_from(["continua", "bozza", "autosave"]),
)
def test_the_budget_step_never_fails_and_never_half_saves(app, anna, rows, action):
    client, application_id = anna
    url = f"/it/domanda/{application_id}/budget"
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "azione": action}
    for i, (description, category, amount) in enumerate(rows):
        data |= {f"righe-{i}-descrizione": description, f"righe-{i}-categoria": category, f"righe-{i}-importo": amount}
    before = budget_state(app, application_id)
    response = client.post(url, data=data, headers={"HX-Request": "true"} if action == "autosave" else {})
    assert response.status_code in (200, 302)
    total, lines = budget_state(app, application_id)
    assert (total, lines) == before or total == sum(lines) or (total is None and lines == [])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=typed, summary=typed, nil=st.one_of(typed, st.integers(-5, 200).map(str)), theme=typed, start=typed, end=typed
)
def test_the_project_and_timeline_steps_never_fail(app, anna, title, summary, nil, theme, start, end):
    client, application_id = anna
    for step, data in (
        ("progetto", {"titolo": title, "sintesi": summary, "nil": nil, "tema": theme, "azione": "bozza"}),
        ("tempi", {"inizio": start, "fine": end, "azione": "continua"}),
    ):
        url = f"/it/domanda/{application_id}/{step}"
        token = csrf_from(client.get(url).get_data(as_text=True))
        assert client.post(url, data={"csrf_token": token, **data}).status_code in (200, 302)

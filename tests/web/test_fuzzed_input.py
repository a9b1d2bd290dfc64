"""Whatever people type into the GET forms, the answer is a page with a message, never a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "costo": st.text(max_size=60),
        "durata": st.text(max_size=20),
        "forma": st.text(max_size=20),
        "non_profit": st.sampled_from(["si", "no", "", "forse"]),
        "sede_milano": st.text(max_size=5),
    },
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(query=FIELDS)
def test_eligibility_never_fails(client, query):
    response = client.get("/it/bando/verifica-requisiti", query_string=query)
    assert response.status_code == 200


@SETTINGS
@given(cost=st.text(max_size=60))
def test_calculator_never_fails(client, cost):
    response = client.get("/en/bando/2020", query_string={"costo": cost})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="calc-comune"' in html or 'id="costo-error"' in html

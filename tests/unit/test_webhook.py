import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.webhook import EventType, PaymentEvent, parse_event, sign, verify

SECRET = b"whsec_test"
SENT_AT = 1604232000  # 1 November 2020, 13:00 in Rome
LAB_BARONA = "CC2020-7K3M9Q2X-9"


def refusal(call, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    return error.value


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    # printf '1604232000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expected = "75ff73dc0f1ae8406858f923e2fd7baa0aa53bf1d6d19221538da10d9a0573d6"
    assert sign(SECRET, SENT_AT, b'{"a":1}') == f"t={SENT_AT},v1={expected}"


@given(secret=st.binary(min_size=1, max_size=64), body=st.binary(max_size=500), delay=st.integers(-300, 300))
def test_a_signed_body_verifies_within_the_tolerance(secret, body, delay):
    verify(secret, sign(secret, SENT_AT, body), body, now_ts=SENT_AT + delay)


@given(body=st.binary(min_size=1, max_size=500), data=st.data())
def test_a_tampered_body_fails(body, data):
    position = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = body[:position] + bytes([body[position] ^ flip]) + body[position + 1 :]
    assert refusal(verify, SECRET, sign(SECRET, SENT_AT, body), tampered, SENT_AT).code == "bad_signature"


def test_another_secret_or_another_timestamp_fails():
    header = sign(SECRET, SENT_AT, b"{}")
    assert refusal(verify, b"whsec_other", header, b"{}", SENT_AT).code == "bad_signature"
    moved = header.replace(f"t={SENT_AT}", f"t={SENT_AT + 1}")
    assert refusal(verify, SECRET, moved, b"{}", SENT_AT).code == "bad_signature"


@pytest.mark.parametrize("now_ts", [SENT_AT + 301, SENT_AT - 301, SENT_AT + 86_400])
def test_an_authentic_notification_outside_the_tolerance_is_stale(now_ts):
    error = refusal(verify, SECRET, sign(SECRET, SENT_AT, b"{}"), b"{}", now_ts)
    assert (error.code, error.params) == ("stale", {"timestamp": SENT_AT})


def test_while_the_provider_rotates_its_secret_either_signature_is_enough():
    old, new = sign(b"whsec_old", SENT_AT, b"{}"), sign(b"whsec_new", SENT_AT, b"{}")
    header = f"{old}, v1={new.partition('v1=')[2]}, v0=legacy"
    verify(b"whsec_old", header, b"{}", SENT_AT)
    verify(b"whsec_new", header, b"{}", SENT_AT)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={SENT_AT}",  # no signature
        "v1=00",  # no timestamp
        f"t={SENT_AT},t={SENT_AT},v1=00",
        "t=soon,v1=00",
        "t=-1,v1=00",
        f"t={SENT_AT},v1=00,oops",
        f"t={SENT_AT},v1=" + "0" * 2000,
    ],
)
def test_a_header_that_cannot_be_read_is_malformed(header):
    assert refusal(verify, SECRET, header, b"{}", SENT_AT).code == "malformed"


@given(st.text(max_size=200))
def test_any_header_is_refused_with_a_domain_error(header):
    with pytest.raises(DomainError):
        verify(SECRET, header, b"{}", SENT_AT)


def test_an_empty_secret_is_a_configuration_error():
    with pytest.raises(ValueError):
        sign(b"", SENT_AT, b"{}")
    with pytest.raises(ValueError):
        verify(b"", f"t={SENT_AT},v1=00", b"{}", SENT_AT)


def event(**changes):
    document = {
        "id": "evt_1",
        "type": "payment.succeeded",
        "data": {"reference": LAB_BARONA, "amount_cents": 50_00, "currency": "EUR"},
    }
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = document
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[key]
        else:
            target[key] = value
    return json.dumps(document).encode()


def test_a_payment_event_is_read():
    assert parse_event(event()) == PaymentEvent("evt_1", EventType.SUCCEEDED, LAB_BARONA, 50_00)
    assert parse_event(event(type="payment.failed")).type is EventType.FAILED


def test_the_reference_is_made_canonical():
    assert parse_event(event(data__reference="cc2020 7k3m 9q2x 9")).reference == LAB_BARONA


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"\xff\xfe\x00", "body"),
        (b"[]", "body"),
        (b"[" * 30_000 + b"]" * 30_000, "body"),  # too deep for the JSON reader
        (b" " * 70_000 + b"{}", "body"),  # too large
        (event(id=...), "id"),
        (event(id=1), "id"),
        (event(id=""), "id"),
        (event(type=...), "type"),
        (event(type=None), "type"),
        (event(data=...), "data"),
        (event(data=[]), "data"),
        (event(data__reference=...), "data.reference"),
        (event(data__reference="CC2020-7K3M9Q2X-8"), "data.reference"),
        (event(data__amount_cents="5000"), "data.amount_cents"),
        (event(data__amount_cents=50.0), "data.amount_cents"),
        (event(data__amount_cents=True), "data.amount_cents"),
        (event(data__amount_cents=0), "data.amount_cents"),
        (event(data__amount_cents=-5000), "data.amount_cents"),
        (event(data__currency="USD"), "data.currency"),
        (event(data__currency=...), "data.currency"),
    ],
)
def test_anything_else_is_malformed_naming_the_field(body, field):
    error = refusal(parse_event, body)
    assert (error.code, error.params) == ("malformed", {"field": field})


def test_an_event_type_the_portal_does_not_handle_is_told_apart():
    error = refusal(parse_event, event(type="payment.refunded", data=...))
    assert (error.code, error.params) == ("unsupported_type", {"type": "payment.refunded"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)

event_shaped = st.fixed_dictionaries(
    {
        "id": st.text(max_size=5) | json_values,
        "type": st.sampled_from(["payment.succeeded", "payment.failed"]) | json_values,
        "data": st.fixed_dictionaries(
            {
                "reference": st.sampled_from([LAB_BARONA, "cc2020 7k3m 9q2x 9"]) | json_values,
                "amount_cents": st.integers() | json_values,
                "currency": st.just("EUR") | json_values,
            }
        )
        | json_values,
    }
)


@given(st.one_of(st.binary(max_size=200), (json_values | event_shaped).map(lambda value: json.dumps(value).encode())))
def test_any_body_gives_an_event_or_a_documented_refusal(body):
    try:
        assert parse_event(body).amount_cents > 0
    except DomainError as error:
        assert error.code in {"malformed", "unsupported_type"}

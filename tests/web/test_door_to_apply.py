"""The door to apply (issue 14): from the call page and a positive eligibility check, one path —
an account, the e-mail confirmed (real SMTP), the sign-in with the address filled, the organisation's
profile, the application — with plain form posts, in both languages; a closed call offers next steps
instead of a form; "send the link again"; a hostile `next` never leads off the site."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from portal import limits
from portal.extensions import db
from portal.models import Edition, OutboxMessage, Role
from portal.services.mail import deliver_pending
from tests.accounts import PASSWORD, csrf_from, make_user, password_step, sign_in
from tests.applicants import codice_fiscale, draft, make_applicant
from tests.html_validation import vnu_errors
from tests.smtp import SMTPServer, free_port

OPEN = "2020-06-10T10:00:00+02:00"
CLOSED = "2020-08-01T00:00:00+02:00"
ELIGIBLE = "forma=associazione&non_profit=si&sede_milano=si&durata=12&costo=20.000"
ANNA = "anna@cordata.example"
DOOR = {"it": "/it/domanda/presenta", "en": "/en/domanda/presenta"}
HOSTILE = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
]


def page(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def hrefs(response) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', response.get_data(as_text=True))]


def post(client, path: str, data: dict):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def mails_to(app, email) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id)))


def organisation_data(number: int = 1) -> dict:
    return {
        "nome": "Associazione Cordata",
        "forma": "associazione",
        "codice_fiscale": codice_fiscale(number),
        "indirizzo": "Via Ettore Ponti 15",
        "nil": "46",
        "referente": "Anna Rossi",
        "telefono": "02 1234567",
    }


@pytest.mark.parametrize("lang", ["it", "en"])
def test_from_the_eligibility_result_to_the_first_step_with_plain_forms_and_real_mail(
    app, client, at, monkeypatch, lang
):
    at(OPEN)
    door = DOOR[lang]
    # The call page's step "Presenta la domanda" and a positive eligibility check lead to the door.
    assert door in hrefs(client.get(f"/{lang}/bando/2020"))
    assert door in hrefs(client.get(f"/{lang}/bando/verifica-requisiti?{ELIGIBLE}"))

    # The door, for someone without an account: the path and the ways in, each carrying the way back.
    entry = client.get(door)
    assert entry.status_code == 200
    sign_up_link = f"/{lang}/registrazione?next={door}"
    assert sign_up_link in hrefs(entry)
    assert f"/{lang}/accesso?next={door}" in hrefs(entry)

    form = client.get(sign_up_link).get_data(as_text=True)
    data = {"nome": "Anna Rossi", "email": ANNA, "password": PASSWORD, "conferma": PASSWORD, "privacy": "y"}
    sent = client.post(f"/{lang}/registrazione", data={"csrf_token": csrf_from(form), "next": door, **data})
    assert sent.status_code == 200 and ANNA in page(sent)

    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    with SMTPServer(port) as server, app.app_context():
        assert deliver_pending(datetime.now(UTC)) == (1, 0)
        (message,) = server.inbox.messages
    body = message.get_body(("plain",)).get_content()
    assert message["To"] == ANNA
    assert ("Conferma il tuo indirizzo" if lang == "it" else "Confirm") in message["Subject"]
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", body).group(1)
    assert link.startswith(f"/{lang}/registrazione/conferma/")

    # The link confirms and lands on the sign-in, the address filled, on the way to the door.
    confirmed = client.get(link)
    assert confirmed.headers["Location"] == f"/{lang}/accesso?next={door}"
    sign_in_page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert f'value="{ANNA}"' in sign_in_page and f'value="{door}"' in sign_in_page
    signed = client.post(
        f"/{lang}/accesso",
        data={"csrf_token": csrf_from(sign_in_page), "email": ANNA, "password": PASSWORD, "next": door},
    )
    assert signed.headers["Location"] == door

    # Signed in, no organisation yet: the profile, then back to the door.
    to_profile = client.get(door)
    profile_path = f"/{lang}/domanda/organizzazione?next={door}"
    assert to_profile.headers["Location"] == profile_path
    saved = post(client, profile_path, organisation_data())
    assert saved.headers["Location"] == door

    # The profile is there: one button starts the application, which opens on its first steps.
    ready = client.get(door)
    assert ready.status_code == 200 and "Associazione Cordata" in page(ready)
    started = post(client, door.replace("presenta", "inizia"), {})
    tasks = started.headers["Location"]
    assert re.fullmatch(rf"/{lang}/domanda/\d+/", tasks)
    assert client.get(tasks).status_code == 200
    # From now on the door resumes the draft.
    assert client.get(door).headers["Location"] == f"/{lang}/domanda/riprendi"


def test_the_door_of_a_closed_call_offers_next_steps_and_no_form(app, client, at):
    at(CLOSED)
    for lang in ("it", "en"):
        response = client.get(DOOR[lang])
        assert response.status_code == 200
        text = page(response)
        assert "<form" not in text.split("<main", 1)[1].split("</main>")[0]
        assert ("Il bando è chiuso dal 31 luglio 2020" if lang == "it" else "The call closed on 31 July 2020") in text
        links = hrefs(response)
        for target in ("calendario", "progetti", "contatti", "bando/2020"):
            assert f"/{lang}/{target}" in links, target
        assert f"/{lang}/registrazione" not in " ".join(links)
    # Signed in with a profile: still no way to start an application, only to see one's own.
    make_applicant(app, ANNA, 1)
    sign_in(client, app, ANNA)
    closed = client.get("/it/domanda/presenta")
    assert "<form" not in page(closed).split("<main", 1)[1].split("</main>")[0] and "/it/domanda/" in hrefs(closed)
    # The call page's step says the deadline has passed, without a link to the door.
    assert "/it/domanda/presenta" not in hrefs(client.get("/it/bando/2020"))


def test_before_the_call_opens_the_door_says_when(app, client, at):
    at(OPEN)
    with app.app_context():
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        edition.applications_open_at = datetime(2020, 6, 15, 8, 0, tzinfo=UTC)
        db.session.commit()
    text = page(client.get("/it/domanda/presenta"))
    assert "potrai presentare la domanda dal lunedì 15 giugno 2020, 10:00" in text
    assert "<form" not in text.split("<main", 1)[1].split("</main>")[0]
    assert "/it/bando/verifica-requisiti" in text


def test_people_signed_in_go_straight_to_what_they_lack(app, client, at):
    at(OPEN)
    make_applicant(app, ANNA, 1, with_organisation=False)
    sign_in(client, app, ANNA)
    assert client.get("/it/domanda/presenta").headers["Location"].startswith("/it/domanda/organizzazione?next=")
    make_applicant(app, "bruno@cordata.example", 2)
    bruno = app.test_client()
    sign_in(bruno, app, "bruno@cordata.example")
    assert "Inizia la domanda" in page(bruno.get("/it/domanda/presenta"))
    draft(app, "bruno@cordata.example", complete=False)
    assert bruno.get("/it/domanda/presenta").headers["Location"] == "/it/domanda/riprendi"
    # A back-office account is told that applying needs an organisation's account.
    make_user(app, "staff@comune.milano.example", Role.STAFF)
    staff = app.test_client()
    sign_in(staff, app, "staff@comune.milano.example")
    assert "serve l'account di un'organizzazione" in page(staff.get("/it/domanda/presenta"))
    # Sign-up and sign-in pages send a signed-in person on to where they were going.
    assert client.get("/it/registrazione?next=/it/domanda/presenta").headers["Location"] == "/it/domanda/presenta"
    assert client.get("/it/accesso?next=/it/domanda/presenta").headers["Location"] == "/it/domanda/presenta"


def sign_up(client, email: str, lang: str = "it", next_url: str = ""):
    token = csrf_from(client.get(f"/{lang}/registrazione").get_data(as_text=True))
    data = {"nome": "Anna Rossi", "email": email, "password": PASSWORD, "conferma": PASSWORD, "privacy": "y"}
    return client.post(f"/{lang}/registrazione", data={"csrf_token": token, "next": next_url, **data})


def resend(client, email: str, lang: str = "it", next_url: str = ""):
    token = csrf_from(client.get(f"/{lang}/registrazione/invia-di-nuovo").get_data(as_text=True))
    return client.post(
        f"/{lang}/registrazione/invia-di-nuovo", data={"csrf_token": token, "email": email, "next": next_url}
    )


def test_the_link_can_be_sent_again_from_the_check_your_email_page(app, client, at):
    at(OPEN)
    checked = sign_up(client, ANNA, next_url="/it/domanda/presenta")
    again = "/it/registrazione/invia-di-nuovo?next=/it/domanda/presenta"
    assert again in hrefs(checked)
    form = client.get(again).get_data(as_text=True)
    assert f'value="{ANNA}"' in form  # the address of the page before, filled in
    token = csrf_from(form)
    answer = client.post(again, data={"csrf_token": token, "email": ANNA, "next": "/it/domanda/presenta"})
    assert answer.status_code == 200 and "nuovo messaggio" in page(answer)
    first, second = mails_to(app, ANNA)
    assert "registrazione/conferma/" in second.body
    # The new link works like the first and keeps the way to the door.
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", second.body).group(1)
    assert client.get(link).headers["Location"] == "/it/accesso?next=/it/domanda/presenta"


def test_an_unconfirmed_account_signing_in_is_offered_the_link_again(app, client, at):
    at(OPEN)
    sign_up(app.test_client(), ANNA)
    attempt = password_step(client, ANNA, next_url="/it/domanda/presenta")
    assert attempt.status_code == 200
    text = page(attempt)
    assert "Prima di accedere conferma il tuo indirizzo" in text and "Invia di nuovo il link" in text
    assert len(mails_to(app, ANNA)) == 1  # nothing sent until asked
    token = csrf_from(attempt.get_data(as_text=True))
    client.post(
        "/it/registrazione/invia-di-nuovo",
        data={"csrf_token": token, "email": ANNA, "next": "/it/domanda/presenta"},
    )
    assert len(mails_to(app, ANNA)) == 2


def test_sending_the_link_again_does_the_same_work_for_any_address(app, at):
    at(OPEN)
    sign_up(app.test_client(), ANNA)  # unconfirmed
    make_user(app, "bruno@cordata.example", Role.APPLICANT, enrolled=False)  # confirmed
    answers = {}
    for email in (ANNA, "bruno@cordata.example", "nobody@cordata.example"):
        before = len(mails_to(app, email))
        answers[email] = page(resend(app.test_client(), email)).replace(email, "X")
        assert len(mails_to(app, email)) == before + 1, email
    assert len(set(answers.values())) == 1  # the same page whatever the address
    assert "registrazione/conferma/" in mails_to(app, ANNA)[-1].body
    assert "già confermato" in mails_to(app, "bruno@cordata.example")[-1].body
    assert "non c'è un account attivo" in mails_to(app, "nobody@cordata.example")[-1].body


def test_sending_the_link_again_is_rate_limited_per_address(app, at):
    at(OPEN)
    per_email = int(limits.RESEND_CONFIRMATION_PER_EMAIL.split()[0])
    statuses = []
    for n in range(per_email + 1):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        statuses.append(resend(client, "Anna@Cordata.example " if n % 2 else ANNA).status_code)
    assert statuses == [200] * per_email + [429]


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_never_leads_off_the_site(app, client, at, target):
    at(OPEN)
    nxt = quote(target, safe="")
    # Signing up carries no foreign address into the confirmation link, and its landing stays here.
    sign_up(client, ANNA, next_url=target)
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", mails_to(app, ANNA)[-1].body).group(1)
    assert client.get(link).headers["Location"] == "/it/accesso"
    # The sign-in, the profile and the pages that carry `next` keep only local paths.
    make_applicant(app, "bruno@cordata.example", 2, with_organisation=False)
    bruno = app.test_client()
    assert password_step(bruno, "bruno@cordata.example", next_url=target).headers["Location"] == "/it/domanda/riprendi"
    assert bruno.get(f"/it/accesso?next={nxt}").headers["Location"] == "/it/domanda/riprendi"
    saved = post(bruno, f"/it/domanda/organizzazione?next={nxt}", organisation_data(2))
    assert saved.headers["Location"] == "/it/domanda/"
    for path in (f"/it/registrazione?next={nxt}", f"/it/registrazione/invia-di-nuovo?next={nxt}"):
        form = app.test_client().get(path).get_data(as_text=True)
        assert re.search(r'<input id="next" name="next" type="hidden" value="">', form), path


def test_the_door_pages_in_every_state_are_valid_html(app, at, tmp_path):
    """The states a GET alone does not reach (tests/pages.py holds the others): check-your-email,
    the link sent again, an unconfirmed sign-in, the door ready to begin, the profile on the way."""
    at(OPEN)
    pages = []
    for lang in ("it", "en"):
        visitor = app.test_client()
        pages.append((f"check-email-{lang}", sign_up(visitor, f"{lang}@cordata.example", lang, DOOR[lang])))
        pages.append((f"resent-{lang}", resend(visitor, f"{lang}@cordata.example", lang, DOOR[lang])))
        pages.append((f"resend-error-{lang}", resend(visitor, "", lang)))
        pages.append((f"unconfirmed-{lang}", password_step(visitor, f"{lang}@cordata.example", lang=lang)))
        number = 1 if lang == "it" else 2
        make_applicant(app, f"org-{lang}@cordata.example", number, with_organisation=False)
        applicant = app.test_client()
        sign_in(applicant, app, f"org-{lang}@cordata.example")
        pages.append((f"profile-{lang}", applicant.get(f"/{lang}/domanda/organizzazione?next={DOOR[lang]}")))
        post(applicant, f"/{lang}/domanda/organizzazione?next={DOOR[lang]}", organisation_data(number))
        pages.append((f"begin-{lang}", applicant.get(DOOR[lang])))
    files = []
    for name, response in pages:
        assert response.status_code == 200, name
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []

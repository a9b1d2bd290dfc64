"""Following a campaign by e-mail: the form on the campaign's page (which stays shared), the same
answer whatever the address, confirmation only by a button, unsubscribing by a button or a mail
client's one-click POST, the news told at most once a day, and the opt-in on the pledge form."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from portal.domain.following import NewsKind
from portal.extensions import db
from portal.models import CampaignFollower, CampaignNews, OutboxMessage, Role, User
from portal.services.campaigns import campaign_updates, following
from tests.accounts import csrf_from, make_user
from tests.campaigns import AFTER_THE_END, NOVEMBER, NOVEMBER_AT, close, confirm, make_campaign, pledge
from tests.html_validation import vnu_errors

ANNA = "anna@example.org"
BEN = "ben@example.org"
CARLA = "carla@example.org"
AUTHOR = "redazione@comune.milano.example"
PAGE = "/it/progetti/lab-barona"
FOLLOW = f"{PAGE}/segui"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_id(app) -> int:
    return make_campaign(app)


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def ask_to_follow(client, email: str, *, lang: str = "it", consent: bool = True):
    data = {"email": email, **({"consenso": "y"} if consent else {})}
    return client.post(f"/{lang}/progetti/lab-barona/segui", data=data)


def outbox(app, to: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).filter_by(to=to).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def follower_of(app, email: str) -> CampaignFollower | None:
    with app.app_context():
        row = db.session.scalars(db.select(CampaignFollower).filter_by(email=email)).one_or_none()
        db.session.expunge_all()
        return row


def confirmed_follower(app, client, email: str, *, lang: str = "it") -> str:
    """Follows through the form and confirms through the link's button; the follower's token."""
    assert ask_to_follow(client, email, lang=lang).status_code == 303
    token = follower_of(app, email).token
    page = client.get(f"/{lang}/seguire/{token}")
    assert client.post(f"/{lang}/seguire/{token}", data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert follower_of(app, email).confirmed_at is not None
    return token


def post_update(app, campaign_id: int, title: str, at, body: str = "<p>Da sabato si ripara al banco.</p>") -> None:
    with app.app_context():
        author = db.session.scalars(db.select(User).filter_by(email=AUTHOR)).one_or_none()
        if author is None:
            make_user(app, AUTHOR, Role.STAFF)
            author = db.session.scalars(db.select(User).filter_by(email=AUTHOR)).one()
        campaign_updates.post_update(campaign_id, title, body, author, at)


def news_mails(app, to: str) -> list[OutboxMessage]:
    return [m for m in outbox(app, to) if "List-Unsubscribe" in (m.headers or {})]


# --- The form and the answer ---------------------------------------------------------------------
def test_the_campaign_page_offers_the_form_and_stays_a_shared_page(app, client, campaign_id):
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    form = re.search(r'<form method="post" action="/it/progetti/lab-barona/segui".*?</form>', html, re.S).group(0)
    assert 'type="email"' in form and 'type="checkbox"' in form and "/it/privacy#seguire" in form
    assert 'type="checkbox" value="y" checked' not in form  # consent is asked for, never assumed
    # No CSRF token: the page is the same for every visitor, stored and shared by caches.
    assert "csrf_token" not in html
    assert response.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in response.headers


def test_the_same_answer_for_a_new_a_pending_and_a_confirmed_address(app, client, campaign_id, at):
    answers = [ask_to_follow(client, ANNA)]
    assert len(outbox(app, ANNA)) == 1  # the confirmation
    answers.append(ask_to_follow(client, ANNA.upper()))  # pending: within the hour, nothing more
    assert len(outbox(app, ANNA)) == 1
    at("2020-11-15T13:00:00+01:00")  # an hour later: the confirmation again, with the same link
    answers.append(ask_to_follow(client, ANNA))
    first, again = outbox(app, ANNA)
    assert again.body == first.body and again.subject == "Conferma: vuoi seguire «Lab Barona»?"
    token = follower_of(app, ANNA).token
    client.post(f"/it/seguire/{token}", data={"csrf_token": csrf_from(client.get(f"/it/seguire/{token}").text)})
    at("2020-11-15T15:00:00+01:00")
    answers.append(ask_to_follow(client, ANNA))  # confirmed: nothing sent
    assert len(outbox(app, ANNA)) == 2
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {
        (303, "/it/progetti/lab-barona/segui/controlla-la-posta")
    }
    sent = client.get(answers[0].headers["Location"])
    assert sent.status_code == 200 and "Controlla la tua e-mail" in words(sent)
    assert sent.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_the_confirmation_mail_says_how_to_ignore_it_and_carries_no_unsubscribe_header(app, client, campaign_id):
    ask_to_follow(client, BEN, lang="en")
    [message] = outbox(app, BEN)
    assert message.subject == "Confirm: do you want to follow «Lab Barona»?"
    token = follower_of(app, BEN).token
    assert f"/en/seguire/{token}\n" in message.body and "ignore this message" in message.body
    assert message.headers == {}
    assert follower_of(app, BEN).lang == "en"


def test_without_consent_or_a_valid_address_nothing_is_stored(app, client, campaign_id):
    response = ask_to_follow(client, ANNA, consent=False)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Errore:" in words(response) and "conferma di volere le sue novità per e-mail" in words(response)
    assert ask_to_follow(client, "not-an-address").status_code == 200
    assert follower_of(app, ANNA) is None and outbox(app, ANNA) == []


def test_a_campaign_that_ended_cannot_be_followed(app, client, campaign_id, at):
    at("2020-12-30T10:00:00+01:00")
    assert 'action="/it/progetti/lab-barona/segui"' not in client.get(PAGE).text
    response = ask_to_follow(client, ANNA)
    assert response.status_code == 409 and "non si può più seguire" in words(response)
    assert follower_of(app, ANNA) is None


# --- Confirming and unsubscribing ----------------------------------------------------------------
def test_opening_the_link_does_not_confirm_the_button_does(app, client, campaign_id):
    ask_to_follow(client, ANNA)
    token = follower_of(app, ANNA).token
    page = client.get(f"/it/seguire/{token}")
    assert page.status_code == 200 and "Conferma" in words(page)
    assert page.headers["Cache-Control"] == "private, no-store" and page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert follower_of(app, ANNA).confirmed_at is None  # a mail scanner opening the link confirms nothing
    done = client.post(f"/it/seguire/{token}", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    assert follower_of(app, ANNA).confirmed_at == NOVEMBER_AT
    confirmed = client.get(done.headers["Location"])
    assert "Ora segui «Lab Barona»" in words(confirmed) and f"/it/seguire/{token}/annulla" in confirmed.text
    # Not a credential: it confirms this subscription and nothing else; nobody is signed in.
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/it/domanda/").headers["Location"].startswith("/it/accesso")
    # Without the form's token, nothing happens.
    assert client.post(f"/it/seguire/{token}").status_code == 400
    assert client.get("/it/seguire/not-a-token").status_code == 404


def test_unsubscribing_from_the_page_and_by_a_mail_clients_one_click(app, client, campaign_id):
    anna = confirmed_follower(app, client, ANNA)
    ben = confirmed_follower(app, app.test_client(), BEN)
    page = client.get(f"/it/seguire/{anna}/annulla")
    assert page.status_code == 200 and "Smetti di seguire" in words(page)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert follower_of(app, ANNA) is not None  # opening the page unsubscribes nobody
    # The page's own button: the same request a mail client sends.
    assert client.post(f"/it/seguire/{anna}/annulla", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert follower_of(app, ANNA) is None
    # A mail client's one-click POST (RFC 8058): no cookie, no CSRF token.
    mail_client = app.test_client(use_cookies=False)
    done = mail_client.post(
        f"/it/seguire/{ben}/annulla",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert done.status_code == 200 and "Non segui più il progetto" in words(done)
    assert "Set-Cookie" not in done.headers
    assert follower_of(app, BEN) is None
    # Again, or an unknown link: the same "done" page.
    for url in (f"/it/seguire/{ben}/annulla", "/it/seguire/unknown/annulla"):
        assert "Non segui più il progetto" in words(mail_client.post(url, data="List-Unsubscribe=One-Click"))
        assert "Non segui più il progetto" in words(mail_client.get(url))


def test_unsubscribing_drops_the_news_not_sent_yet(app, client, campaign_id):
    token = confirmed_follower(app, client, ANNA)
    with app.app_context():
        db.session.execute(db.update(OutboxMessage).values(sent_at=NOVEMBER_AT))  # the confirmation left
        db.session.commit()
    post_update(app, campaign_id, "Il banco è arrivato", NOVEMBER_AT)
    assert len(news_mails(app, ANNA)) == 1
    app.test_client(use_cookies=False).post(f"/it/seguire/{token}/annulla", data="List-Unsubscribe=One-Click")
    assert news_mails(app, ANNA) == []
    [confirmation] = outbox(app, ANNA)  # what was sent stays (`flask forget-followers` removes it later)
    assert confirmation.sent_at is not None


# --- News ------------------------------------------------------------------------------------------
def test_an_update_mails_each_confirmed_follower_once_in_their_language(app, client, campaign_id):
    anna = confirmed_follower(app, client, ANNA)
    confirmed_follower(app, app.test_client(), BEN, lang="en")
    ask_to_follow(app.test_client(), CARLA)  # never confirmed
    body = "<p>Da sabato si ripara: portate le vostre biciclette.</p>" + "<p>Parola</p>" * 200
    post_update(app, campaign_id, "Il banco è arrivato", NOVEMBER_AT, body=body)
    [italian] = news_mails(app, ANNA)
    assert italian.subject == "Aggiornamento da «Lab Barona»: Il banco è arrivato"
    assert "Da sabato si ripara: portate le vostre biciclette." in italian.body and "…" in italian.body
    with app.app_context():
        update_id = db.session.scalar(db.select(CampaignNews.update_id))
    assert f"/it/progetti/lab-barona#update-{update_id}" in italian.body
    assert f"/it/seguire/{anna}/annulla" in italian.body
    assert italian.headers == {
        "List-Unsubscribe": f"<{app.config['SITE_URL']}/it/seguire/{anna}/annulla>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    [english] = news_mails(app, BEN)
    assert english.subject == "Update from «Lab Barona»: Il banco è arrivato"
    assert "/en/seguire/" in english.body and "News about the campaign «Lab Barona»" in english.body
    assert news_mails(app, CARLA) == []
    assert follower_of(app, ANNA).last_mail_at == NOVEMBER_AT


def test_a_second_event_the_same_day_waits_for_the_digest(app, client, runner, campaign_id, at):
    confirmed_follower(app, client, ANNA)
    post_update(app, campaign_id, "Primo", NOVEMBER_AT)
    post_update(app, campaign_id, "Secondo", NOVEMBER_AT + timedelta(hours=2))
    post_update(app, campaign_id, "Terzo", NOVEMBER_AT + timedelta(hours=3))
    assert [m.subject for m in news_mails(app, ANNA)] == ["Aggiornamento da «Lab Barona»: Primo"]
    at("2020-11-16T11:59:00+01:00")  # not yet a day
    assert runner.invoke(args=["notify-followers"]).exit_code == 0
    assert len(news_mails(app, ANNA)) == 1
    at("2020-11-16T12:00:00+01:00")
    result = runner.invoke(args=["notify-followers"])
    assert "queued 1 e-mails" in result.output
    first, digest = news_mails(app, ANNA)
    assert digest.subject == "Novità su «Lab Barona»"
    assert "Secondo" in digest.body and "Terzo" in digest.body and "Primo" not in digest.body
    assert "queued 0 e-mails" in runner.invoke(args=["notify-followers"]).output
    assert len(news_mails(app, ANNA)) == 2


def test_the_threshold_reached_by_a_real_payment_is_news(app, client, campaign_id):
    confirmed_follower(app, client, ANNA)
    reference = pledge(app, campaign_id, 800_000, email="donatrice@example.org")
    assert confirm(app, reference, 800_000) == ("confirmed", 1_200_000)
    [message] = news_mails(app, ANNA)
    assert message.subject.replace("\xa0", " ") == "«Lab Barona» ha raggiunto la soglia: il Comune aggiunge 12.000 €"
    body = message.body.replace("\xa0", " ")
    assert "Soglia raggiunta: il contributo del Comune è sbloccato" in body
    assert "Contributo del Comune: 12.000 €, sbloccato." in body  # the money picture's own words


@pytest.mark.parametrize(("paid", "subject", "says"), [
    (800_000, "Campagna conclusa con successo: «Lab Barona»", "i sostegni pagati vanno al progetto"),
    (100_000, "Campagna conclusa senza raggiungere la soglia: «Lab Barona»", "vengono rimborsati"),
])  # fmt: skip
def test_the_outcome_is_news(app, client, campaign_id, paid, subject, says):
    confirmed_follower(app, client, ANNA)
    confirm(
        app, pledge(app, campaign_id, paid, email="donatrice@example.org"), paid, at=NOVEMBER_AT - timedelta(days=2)
    )
    close(app)
    outcome = news_mails(app, ANNA)[-1]
    assert outcome.subject == subject and says in outcome.body
    assert outcome.created_at == AFTER_THE_END


def test_news_is_recorded_once_whatever_runs_again(app, campaign_id):
    with app.app_context():
        assert following.record_news(campaign_id, NewsKind.THRESHOLD, NOVEMBER_AT) is True
        assert following.record_news(campaign_id, NewsKind.THRESHOLD, NOVEMBER_AT) is False
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(CampaignNews.id))) == 1


def _tell_many(app, count_queries, campaign_id: int, followers: int):
    """`followers` confirmed followers in two languages, one news; the statements telling them."""
    with app.app_context():
        for number in range(followers):
            db.session.add(
                CampaignFollower(
                    campaign_id=campaign_id,
                    email=f"persona{number}-{campaign_id}@example.org",
                    lang="en" if number % 3 else "it",
                    created_at=NOVEMBER_AT,
                    confirmed_at=NOVEMBER_AT,
                )
            )
        following.record_news(campaign_id, NewsKind.LAST_48_HOURS, NOVEMBER_AT)
        db.session.commit()
        with count_queries() as queries:
            assert following.tell_followers(campaign_id, NOVEMBER_AT) == followers
        db.session.commit()
    return queries.statements


def test_telling_followers_costs_the_same_whatever_their_number(app, campaign_id, count_queries):
    few = _tell_many(app, count_queries, campaign_id, 3)
    many = _tell_many(app, count_queries, make_campaign(app, "Orto Gorla"), 60)
    assert len(many) == len(few)
    # One read of the followers due, one INSERT of every e-mail, one UPDATE of every follower told.
    assert sum("FROM campaign_follower" in s for s in many) == 1
    assert [s.split()[0] for s in many].count("INSERT") == 2  # the e-mails, and the data version at commit
    assert sum(s.startswith("UPDATE campaign_follower") for s in many) == 1


# --- The pledge form's opt-in ----------------------------------------------------------------------
def _pledge_form(client, **extra):
    url = "/it/progetti/lab-barona/sostieni"
    token = csrf_from(client.get(url).text)
    data = {"csrf_token": token, "importo": "25", "nome": "Anna Rossi", "privacy": "y", "metodo": "bonifico"}
    return client.post(url, data={**data, **extra})


@pytest.mark.parametrize("ticked", [True, False])
def test_a_supporter_may_follow_when_pledging(app, client, campaign_id, ticked):
    extra = {"segui": "y"} if ticked else {}
    assert _pledge_form(client, email=ANNA, **extra).status_code == 303
    follower = follower_of(app, ANNA)
    subjects = [m.subject for m in outbox(app, ANNA)]
    if ticked:
        assert follower.source == "pledge" and follower.confirmed_at is None  # double opt-in still
        assert "Conferma: vuoi seguire «Lab Barona»?" in subjects
    else:
        assert follower is None and "Conferma: vuoi seguire «Lab Barona»?" not in subjects


# --- Valid HTML ------------------------------------------------------------------------------------
def test_every_page_and_state_is_valid_html(app, client, campaign_id, tmp_path, at):
    pages = {"campaign": client.get(PAGE), "form": client.get(FOLLOW)}
    pages["error"] = ask_to_follow(client, ANNA, consent=False)
    pages["sent"] = client.get(ask_to_follow(client, ANNA).headers["Location"])
    token = follower_of(app, ANNA).token
    pages["confirm"] = client.get(f"/en/seguire/{token}")
    client.post(f"/it/seguire/{token}", data={"csrf_token": csrf_from(pages["confirm"].text)})
    pages["confirmed"] = client.get(f"/it/seguire/{token}")
    pages["unsubscribe"] = client.get(f"/en/seguire/{token}/annulla")
    pages["unsubscribed"] = client.post(f"/it/seguire/{token}/annulla", data="List-Unsubscribe=One-Click")
    pages["unknown"] = client.get(f"/it/seguire/{token}")
    at("2020-12-30T10:00:00+01:00")
    pages["ended"] = client.get(FOLLOW)
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 404), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(response.get_data(as_text=True))
    assert vnu_errors([str(file) for file in files]) == []

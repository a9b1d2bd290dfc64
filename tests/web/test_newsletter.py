"""The programme's newsletter: the footer's box keeps shared pages shared (304s), the same answer
whatever the address, double opt-in by a button, an issue sent once to the confirmed and not
unsubscribed addresses only, each in their language with one-click unsubscribe headers, queued in
batches in one commit; the unticked opt-in of the registration, pledge and follow forms; staff's
pages; forgetting."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest

from portal.clock import ROME
from portal.extensions import db
from portal.models import AuditEntry, NewsletterIssue, NewsletterSubscriber, OutboxMessage, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.html_validation import vnu_errors
from tests.registrations import JUNE_10, lesson_ids, sign_up

ANNA = "anna@example.org"
BEN = "ben@example.org"
CARLA = "carla@example.org"
DARIO = "dario@example.org"
STAFF = "redazione@comune.milano.example"
SENT = "/it/newsletter/controlla-la-posta"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def ask(client, email: str, *, lang: str = "it"):
    """The footer's box, as any page posts it: no cookie needed, no CSRF token."""
    return client.post(f"/{lang}/newsletter", data={"email": email})


def outbox(app, to: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).filter_by(to=to).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def subscriber(app, email: str) -> NewsletterSubscriber | None:
    with app.app_context():
        row = db.session.scalars(db.select(NewsletterSubscriber).filter_by(email=email)).one_or_none()
        db.session.expunge_all()
        return row


def confirmed(app, client, email: str, *, lang: str = "it") -> str:
    """Asks through the box and confirms through the link's button; the subscriber's token."""
    assert ask(client, email, lang=lang).status_code == 303
    token = subscriber(app, email).token
    page = client.get(f"/{lang}/newsletter/conferma/{token}")
    assert client.post(f"/{lang}/newsletter/conferma/{token}", data={"csrf_token": csrf_from(page.text)})
    assert subscriber(app, email).confirmed_at is not None
    return token


def add_subscribers(app, count: int, *, lang: str = "it", prefix: str = "lettore") -> None:
    with app.app_context():
        for number in range(count):
            db.session.add(
                NewsletterSubscriber(
                    email=f"{prefix}{number}@example.org",
                    lang=lang,
                    source="footer",
                    created_at=NOVEMBER_AT,
                    confirmed_at=NOVEMBER_AT,
                )
            )
        db.session.commit()


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def write_issue(staff) -> int:
    page = staff.get("/it/gestione/newsletter")
    assert page.status_code == 200
    response = staff.post(
        "/it/gestione/newsletter",
        data={
            "csrf_token": csrf_from(page.text),
            "oggetto_it": "Il bando 2021 è aperto",
            "testo_it": "Da oggi si può candidare un progetto.\n\nCi vediamo alle lezioni.",
            "oggetto_en": "The 2021 call is open",
            "testo_en": "From today a project can apply.",
        },
    )
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[1])


def send(staff, issue_id: int):
    page = staff.get(f"/it/gestione/newsletter/{issue_id}")
    return staff.post(f"/it/gestione/newsletter/{issue_id}/invia", data={"csrf_token": csrf_from(page.text)})


def issue_mails(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            db.select(OutboxMessage).where(
                OutboxMessage.subject.in_(["Il bando 2021 è aperto", "The 2021 call is open"])
            )
        ).all()
        db.session.expunge_all()
        return rows


# --- The footer's box and the answer --------------------------------------------------------------
def test_the_footer_box_is_on_shared_pages_which_stay_shared(app, client):
    home = client.get("/it/")
    html = home.get_data(as_text=True)
    box = re.search(r'<form method="post" action="/it/newsletter".*?</form>', html, re.S).group(0)
    assert '<label class="form-label text-white" for="footer-newsletter-email">' in box and 'type="email"' in box
    assert 'type="checkbox"' not in box  # submitting the box is the request itself
    assert "/it/privacy#newsletter" in html
    # Nothing personal: no CSRF token, no cookie; the page keeps its validator and its 304.
    assert "csrf_token" not in html and "Set-Cookie" not in home.headers
    assert home.headers["Cache-Control"].startswith("public")
    again = client.get("/it/", headers={"If-None-Match": home.headers["ETag"]})
    assert again.status_code == 304
    # The campaign's page, shared too, with the box and the follow form side by side.
    make_campaign(app)
    page = client.get("/it/progetti/lab-barona")
    assert 'action="/it/newsletter"' in page.text and "csrf_token" not in page.text
    assert client.get("/it/progetti/lab-barona", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_the_same_answer_for_a_new_a_pending_and_a_subscribed_address(app, client, at):
    answers = [ask(client, ANNA)]
    [confirmation] = outbox(app, ANNA)
    assert confirmation.subject == "Conferma: vuoi ricevere la newsletter del Crowdfunding Civico?"
    token = subscriber(app, ANNA).token
    assert f"/it/newsletter/conferma/{token}\n" in confirmation.body and confirmation.headers == {}
    answers.append(ask(client, ANNA.upper()))  # pending, within the hour: nothing more
    assert len(outbox(app, ANNA)) == 1
    at("2020-11-15T13:00:00+01:00")
    answers.append(ask(client, ANNA))  # an hour later: the confirmation again, the same link
    assert len(outbox(app, ANNA)) == 2
    confirmed(app, client, ANNA)
    answers.append(ask(client, ANNA))  # subscribed: nothing sent
    answers.append(ask(client, BEN))  # unknown
    assert len(outbox(app, ANNA)) == 2
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {(303, SENT)}
    sent = client.get(SENT)
    assert sent.status_code == 200 and "Controlla la tua e-mail" in words(sent)
    assert subscriber(app, ANNA).source == "footer" and subscriber(app, BEN).confirmed_at is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [("", "Scrivi il tuo indirizzo e-mail"), ("not-an-address", "Scrivi un indirizzo e-mail valido")],
)
def test_a_bad_address_gets_a_clear_message_and_nothing_is_stored(app, client, typed, says):
    response = ask(client, typed)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = words(response)
    assert text.startswith("Errore:") or "Errore:" in text
    assert says in text and 'id="newsletter-email"' in response.text
    assert 'action="/it/newsletter"' in response.text and "footer-newsletter-email" not in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(NewsletterSubscriber.id))) == 0
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_opening_the_link_does_not_confirm_the_button_does(app, client):
    ask(client, ANNA, lang="en")
    token = subscriber(app, ANNA).token
    assert subscriber(app, ANNA).lang == "en"
    page = client.get(f"/en/newsletter/conferma/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert subscriber(app, ANNA).confirmed_at is None  # a mail scanner opening the link confirms nothing
    assert client.post(f"/en/newsletter/conferma/{token}").status_code == 400  # no CSRF token: nothing
    done = client.post(f"/en/newsletter/conferma/{token}", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303 and subscriber(app, ANNA).confirmed_at == NOVEMBER_AT
    assert f"/en/newsletter/disiscrizione/{token}" in client.get(done.headers["Location"]).text
    assert client.get("/it/newsletter/conferma/not-a-token").status_code == 404


# --- An issue -----------------------------------------------------------------------------------------
def test_an_issue_reaches_only_confirmed_subscribers_each_in_their_language(app, client, staff):
    anna = confirmed(app, client, ANNA)
    ben = confirmed(app, app.test_client(), BEN, lang="en")
    ask(app.test_client(), CARLA)  # never confirmed
    dario = confirmed(app, app.test_client(), DARIO)
    app.test_client(use_cookies=False).post(
        f"/it/newsletter/disiscrizione/{dario}", data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    issue_id = write_issue(staff)
    page = staff.get(f"/it/gestione/newsletter/{issue_id}")
    assert "Conferma: invia a 2 persone" in words(page)
    assert "Da oggi si può candidare un progetto." in words(page) and "From today a project can apply." in words(page)
    assert issue_mails(app) == []  # the preview sends nothing
    response = send(staff, issue_id)
    assert response.status_code == 303
    assert "Newsletter inviata: 2 messaggi in coda" in words(staff.get(response.headers["Location"]))
    mails = {m.to: m for m in issue_mails(app)}
    assert set(mails) == {ANNA, BEN}
    italian, english = mails[ANNA], mails[BEN]
    assert italian.subject == "Il bando 2021 è aperto" and "Ci vediamo alle lezioni." in italian.body
    assert english.subject == "The 2021 call is open" and "unsubscribe with one click" in english.body
    site = app.config["SITE_URL"]
    assert f"{site}/it/newsletter/disiscrizione/{anna}" in italian.body
    assert italian.headers == {
        "List-Unsubscribe": f"<{site}/it/newsletter/disiscrizione/{anna}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert english.headers["List-Unsubscribe"] == f"<{site}/en/newsletter/disiscrizione/{ben}>"
    with app.app_context():
        issue = db.session.get(NewsletterIssue, issue_id)
        assert issue.sent_at == NOVEMBER_AT and issue.recipients == 2
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="newsletter.send")).one()
        assert entry.subject_id == issue_id and entry.actor_email == STAFF


def test_an_issue_is_sent_once(app, client, staff):
    confirmed(app, client, ANNA)
    issue_id = write_issue(staff)
    assert send(staff, issue_id).status_code == 303
    again = send(staff, issue_id)
    assert "già stata inviata" in words(staff.get(again.headers["Location"]))
    assert len(issue_mails(app)) == 1
    page = staff.get(f"/it/gestione/newsletter/{issue_id}")
    assert "/invia" not in page.text and "Inviata il" in words(page)


def test_one_click_unsubscribe_is_idempotent_and_drops_the_issue_not_sent_yet(app, client, staff, at):
    anna = confirmed(app, client, ANNA)
    send(staff, write_issue(staff))
    assert len(issue_mails(app)) == 1
    page = client.get(f"/it/newsletter/disiscrizione/{anna}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert subscriber(app, ANNA).unsubscribed_at is None  # opening the page unsubscribes nobody
    mail_client = app.test_client(use_cookies=False)
    for _ in range(2):  # a mail client's one-click POST (RFC 8058), twice: the same answer
        done = mail_client.post(
            f"/it/newsletter/disiscrizione/{anna}",
            data="List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert done.status_code == 200 and "Non ricevi più la newsletter" in words(done)
        assert "Set-Cookie" not in done.headers
    assert subscriber(app, ANNA).unsubscribed_at == NOVEMBER_AT
    assert issue_mails(app) == []  # not sent yet: dropped
    assert "Non ricevi più la newsletter" in words(mail_client.get(f"/it/newsletter/disiscrizione/{anna}"))
    assert "Non ricevi più la newsletter" in words(mail_client.post("/it/newsletter/disiscrizione/unknown"))
    # Its old confirmation link confirms nothing; asking again needs a new confirmation.
    confirm_page = client.get(f"/it/newsletter/conferma/{anna}")
    assert "Hai lasciato la newsletter" in words(confirm_page) and "csrf_token" not in confirm_page.text
    at("2020-11-15T13:00:00+01:00")  # the confirmation e-mail at most hourly, as ever
    ask(client, ANNA)
    again = subscriber(app, ANNA)
    assert again.unsubscribed_at is None and again.confirmed_at is None
    assert outbox(app, ANNA)[-1].subject == "Conferma: vuoi ricevere la newsletter del Crowdfunding Civico?"


def test_an_issue_is_queued_in_batches_in_one_commit(app, staff, count_queries, monkeypatch):
    monkeypatch.setitem(app.config, "NEWSLETTER_BATCH_SIZE", 3)
    add_subscribers(app, 4, lang="it")
    add_subscribers(app, 3, lang="en", prefix="reader")  # 2 × 3 + 1
    issue_id = write_issue(staff)
    page = staff.get(f"/it/gestione/newsletter/{issue_id}")
    with count_queries() as queries:
        staff.post(f"/it/gestione/newsletter/{issue_id}/invia", data={"csrf_token": csrf_from(page.text)})
    inserts = [s for s in queries.statements if s.startswith("INSERT INTO outbox_message")]
    reads = [s for s in queries.statements if "FROM newsletter_subscriber" in s]
    assert len(inserts) == 3 and len(reads) == 3  # one read and one INSERT per batch
    # The request committed once (tests/web/conftest.py fails it otherwise) and every copy is there.
    mails = issue_mails(app)
    assert len(mails) == 7 and len({m.to for m in mails}) == 7
    assert sum(m.subject == "The 2021 call is open" for m in mails) == 3


# --- The opt-ins -------------------------------------------------------------------------------------
OPT_IN = "Voglio ricevere anche la newsletter del Crowdfunding Civico"


def _unticked_box(html: str, field_id: str) -> str:
    box = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    return box


def test_the_opt_in_is_unticked_on_the_three_forms(app, client, at):
    make_campaign(app)
    page = client.get("/it/progetti/lab-barona")
    _unticked_box(page.text, "follow-newsletter")
    assert OPT_IN in words(page)
    pledge_form = client.get("/it/progetti/lab-barona/sostieni")
    _unticked_box(pledge_form.text, "newsletter")
    assert OPT_IN in words(pledge_form)
    at(JUNE_10)
    registration = client.get("/it/calendario/iscrizione")
    _unticked_box(registration.text, "newsletter")
    assert OPT_IN in words(registration)


def _follow(client, email, ticked):
    data = {"email": email, "consenso": "y", **({"newsletter": "y"} if ticked else {})}
    return client.post("/it/progetti/lab-barona/segui", data=data)


def _pledge(client, email, ticked):
    url = "/it/progetti/lab-barona/sostieni"
    data = {"csrf_token": csrf_from(client.get(url).text), "importo": "25", "nome": "Anna Rossi", "email": email,
            "privacy": "y", "metodo": "bonifico", **({"newsletter": "y"} if ticked else {})}  # fmt: skip
    return client.post(url, data=data)


@pytest.mark.parametrize("ticked", [True, False])
@pytest.mark.parametrize("form", ["follow", "pledge", "registration"])
def test_only_a_ticked_box_asks_for_the_newsletter(app, client, at, form, ticked):
    make_campaign(app)
    if form == "follow":
        assert _follow(client, ANNA, ticked).status_code == 303
    elif form == "pledge":
        assert _pledge(client, ANNA, ticked).status_code == 303
    else:
        at(JUNE_10)
        extra = {"newsletter": "y"} if ticked else {}
        assert sign_up(client, lesson_ids(app)[:1], email=ANNA, **extra).status_code == 200
    subjects = [m.subject for m in outbox(app, ANNA)]
    asked = "Conferma: vuoi ricevere la newsletter del Crowdfunding Civico?" in subjects
    row = subscriber(app, ANNA)
    if ticked:
        assert asked and row.source == form and row.confirmed_at is None  # double opt-in still
    else:
        assert not asked and row is None
    assert len(subjects) >= 1  # the form's own e-mail went out either way


# --- Staff, forgetting, valid HTML ---------------------------------------------------------------
def test_staff_see_the_counts_and_only_staff_open_the_pages(app, client, staff):
    confirmed(app, client, ANNA)
    ask(client, BEN)
    carla = confirmed(app, app.test_client(), CARLA)
    app.test_client().post(f"/it/newsletter/disiscrizione/{carla}")
    page = staff.get("/it/gestione/newsletter")
    assert page.headers["Cache-Control"] == "private, no-store"
    counts = {
        k: re.search(rf'id="count-{k}">(\d+)<', page.text).group(1) for k in ("confirmed", "waiting", "unsubscribed")
    }
    assert counts == {"confirmed": "1", "waiting": "1", "unsubscribed": "1"}
    # Both languages are needed; nothing is written without them.
    refused = staff.post("/it/gestione/newsletter", data={"csrf_token": csrf_from(page.text), "oggetto_it": "Solo"})
    assert refused.status_code == 200 and "Scrivi l'oggetto in entrambe le lingue" in words(refused)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(NewsletterIssue.id))) == 0
    assert client.get("/it/gestione/newsletter").status_code in (302, 303)  # anonymous: to the sign-in
    make_user(app, "valutatrice@example.org", Role.EVALUATOR)
    evaluator = app.test_client()
    sign_in(evaluator, app, "valutatrice@example.org")
    assert evaluator.get("/it/gestione/newsletter").status_code == 403


def _rome(day: int) -> datetime:
    return datetime(2020, 11, day, 12, 0, tzinfo=ROME)


def test_forget_newsletter_deletes_the_unconfirmed_after_a_week_and_the_unsubscribed_after_a_month(app, runner, at):
    with app.app_context():
        rows = {
            "kept@example.org": dict(created_at=_rome(1), confirmed_at=_rome(1)),
            "fresh@example.org": dict(created_at=_rome(10)),
            "stale@example.org": dict(created_at=_rome(1)),
            "left-lately@example.org": dict(created_at=_rome(1), confirmed_at=_rome(1), unsubscribed_at=_rome(1)),
            "left-long-ago@example.org": dict(
                created_at=_rome(1) - timedelta(days=60), confirmed_at=_rome(1) - timedelta(days=60),
                unsubscribed_at=_rome(1) - timedelta(days=31),
            ),
        }  # fmt: skip
        for email, dates in rows.items():
            db.session.add(NewsletterSubscriber(email=email, lang="it", source="footer", **dates))
        db.session.flush()
        for email in ("stale@example.org", "left-long-ago@example.org", "kept@example.org"):
            token = db.session.scalars(db.select(NewsletterSubscriber.token).filter_by(email=email)).one()
            db.session.add(OutboxMessage(to=email, subject="N", body=f"/newsletter/disiscrizione/{token}",
                                         created_at=_rome(1), sent_at=_rome(1)))  # fmt: skip
        db.session.add(OutboxMessage(to="kept@example.org", subject="Ricevuta", body="altro", created_at=_rome(1)))
        db.session.commit()
    at("2020-11-15T12:00:00+01:00")
    result = runner.invoke(args=["forget-newsletter"])
    assert result.exit_code == 0 and "Forgot 2 newsletter subscribers" in result.output
    with app.app_context():
        left = set(db.session.scalars(db.select(NewsletterSubscriber.email)))
        mails = db.session.scalars(db.select(OutboxMessage.to)).all()
    assert left == {"kept@example.org", "fresh@example.org", "left-lately@example.org"}
    assert sorted(mails) == ["kept@example.org", "kept@example.org"]
    assert "Forgot 0 newsletter subscribers" in runner.invoke(args=["forget-newsletter"]).output


def test_every_page_and_state_is_valid_html(app, client, staff, tmp_path):
    pages = {"page": client.get("/it/newsletter"), "error": ask(client, "nope"), "sent": client.get(SENT)}
    ask(client, ANNA)
    token = subscriber(app, ANNA).token
    pages["confirm"] = client.get(f"/en/newsletter/conferma/{token}")
    client.post(f"/it/newsletter/conferma/{token}", data={"csrf_token": csrf_from(pages["confirm"].text)})
    pages["confirmed"] = client.get(f"/it/newsletter/conferma/{token}")
    pages["unsubscribe"] = client.get(f"/en/newsletter/disiscrizione/{token}")
    pages["unsubscribed"] = client.post(f"/it/newsletter/disiscrizione/{token}", data="List-Unsubscribe=One-Click")
    pages["left"] = client.get(f"/it/newsletter/conferma/{token}")
    pages["unknown"] = client.get("/it/newsletter/conferma/unknown")
    pages["home"] = client.get("/en/")
    pages["privacy"] = client.get("/it/privacy")
    confirmed(app, app.test_client(), BEN)
    issue_id = write_issue(staff)
    pages["staff"] = staff.get("/it/gestione/newsletter")
    pages["preview"] = staff.get(f"/it/gestione/newsletter/{issue_id}")
    send(staff, issue_id)
    pages["sent_issue"] = staff.get(f"/it/gestione/newsletter/{issue_id}")
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 404), name
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(response.get_data(as_text=True))
    assert vnu_errors([str(file) for file in files]) == []

"""Rate limits that hold across workers and servers (portal/limits.py): every POST route limited
or exempt with its reason; sign-in counted per account from any address, with the owner's way in;
public forms per address typed and per IP; the 429 in the visitor's language, for htmx too; no
trust in X-Forwarded-For unless configured; two app servers sharing one Redis share the counts;
the "already registered" e-mail at most once an hour."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
import redis
from flask_limiter.constants import ExemptionScope
from flask_limiter.util import get_qualified_name
from limits import parse_many

from config import TestConfig
from portal import create_app, limits
from portal.blueprints.auth.views import PENDING_KEY
from portal.clock import parse_fixed_now
from portal.extensions import db, limiter
from portal.models import OutboxMessage, Role
from portal.services.courses.registrations import SignUp, register
from tests.accounts import PASSWORD, code_step, csrf_from, make_user, password_step
from tests.campaigns import NOVEMBER, make_campaign
from tests.concurrency import run_together
from tests.registrations import JUNE_10, lesson_ids
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
ANNA = "anna@cordata.example"
STAFF = "staff@comune.milano.example"
WRONG = "not the password!"
NEW_PASSWORD = "a brand new long passphrase"

# POST routes without a rate limit, each with its reason.
EXEMPT = {
    "payments.notification": "the payment provider's notifications are signed (HMAC over the body) and a "
    "repeated event is ignored; a limit would drop real payments when many arrive at once",
    "payments.provider_notification": "a card provider's notifications are verified by the provider's own "
    "signature check and a repeated event is ignored; a limit would drop real payments when many arrive at once",
    "identity.acs": "the identity provider's signed response is the credential, accepted once (its assertion's "
    "ID is claimed); a per-IP limit would refuse the people signing in from behind one NAT",
    "identity.sls": "the identity provider's logout message only ends the session it arrives with",
}


def allowed(value: str) -> int:
    """How many requests a limit string lets through in a burst ("10 per minute;60 per hour": 10)."""
    return min(item.amount for item in parse_many(value))


def at_ip(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def mails_to(app, email: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id)))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- Every POST route carries a limit -----------------------------------------------------------
def _wrapped_by_the_limiter(view) -> bool:
    """A decorated limit is enforced by the wrapper around the view (Flask-Limiter 4 records route
    limits by the view's qualified name and checks them when the wrapper runs)."""
    while view is not None:
        if getattr(view, "__wrapper-limiter-instance", None) == limiter:  # a weak proxy of it
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_every_post_route_is_rate_limited_or_exempt_with_its_reason(app):
    manager = limiter.limit_manager
    unlimited, exempt_but_unlisted, listed_but_limited = [], [], []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        view = app.view_functions[rule.endpoint]
        blueprint = rule.endpoint.rpartition(".")[0] or None
        on_post = [
            limit
            for limit in manager.decorated_limits(get_qualified_name(view))
            if limit.methods is None or "post" in limit.methods
        ]
        limited = (bool(on_post) and _wrapped_by_the_limiter(view)) or bool(
            blueprint and manager.blueprint_limits(app, blueprint)
        )
        exempt = manager.exemption_scope(app, rule.endpoint, blueprint) is not ExemptionScope.NONE
        if rule.endpoint in EXEMPT:
            if limited:
                listed_but_limited.append(rule.endpoint)
        elif exempt:
            exempt_but_unlisted.append(rule.endpoint)
        elif not limited:
            unlimited.append(f"{rule.rule} ({rule.endpoint})")
    assert unlimited == [], "POST routes without a rate limit: add one (portal/limits.py) or list it in EXEMPT"
    assert exempt_but_unlisted == [] and listed_but_limited == []
    assert all(reason.strip() for reason in EXEMPT.values())
    assert set(EXEMPT) <= set(app.view_functions)


# --- Signing in: per account from any address, and the owner's way in --------------------------
def test_password_guesses_count_per_account_whatever_the_address(app):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    per_account = allowed(limits.SIGN_IN_PER_ACCOUNT)
    codes = [password_step(at_ip(app, f"198.51.100.{n}"), ANNA, WRONG).status_code for n in range(per_account)]
    assert codes == [200] * per_account
    # The next guess, from yet another address and typed differently, is one too many for the account.
    blocked = password_step(at_ip(app, "203.0.113.9"), " Anna@Cordata.Example ", WRONG)
    assert blocked.status_code == 429
    assert "Hai fatto troppe richieste in poco tempo." in text(blocked)
    assert 'href="/it/password-dimenticata"' in text(blocked)  # the owner's way in
    # Another account from the same addresses is not affected.
    make_user(app, "bruno@cordata.example", Role.APPLICANT, enrolled=False)
    assert password_step(at_ip(app, "203.0.113.9"), "bruno@cordata.example").status_code == 302


def test_the_owner_gets_in_with_a_new_password_while_guessers_are_blocked(app):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    attacker, owner = at_ip(app, "198.51.100.7"), at_ip(app, "203.0.113.20")
    for _ in range(allowed(limits.SIGN_IN_PER_ACCOUNT)):
        password_step(attacker, ANNA, WRONG)
    assert password_step(owner, ANNA).status_code == 429  # even the right password, for now

    token = csrf_from(owner.get("/it/password-dimenticata").get_data(as_text=True))
    assert owner.post("/it/password-dimenticata", data={"csrf_token": token, "email": ANNA}).status_code == 200
    link = re.search(r"http://127\.0\.0\.1:5000(/\S+)", mails_to(app, ANNA)[-1].body).group(1)
    token = csrf_from(owner.get(link).get_data(as_text=True))
    changed = owner.post(link, data={"csrf_token": token, "password": NEW_PASSWORD, "conferma": NEW_PASSWORD})
    assert changed.status_code == 302

    assert password_step(owner, ANNA, NEW_PASSWORD).headers["Location"] == "/it/domanda/riprendi"
    assert password_step(attacker, ANNA, PASSWORD).status_code == 200  # the old password opens nothing


def test_codes_count_per_account_whatever_the_address(app):
    assert PENDING_KEY == limits.PENDING_LOGIN  # the key the code step is counted by
    secret = make_user(app, STAFF)
    totp = pyotp.TOTP(secret)
    wrong = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"
    first = at_ip(app, "198.51.100.1")
    assert password_step(first, STAFF).headers["Location"] == "/it/accesso/codice"
    per_account = allowed(limits.SIGN_IN_PER_ACCOUNT)
    assert [code_step(first, wrong).status_code for _ in range(per_account)] == [200] * per_account
    second = at_ip(app, "203.0.113.2")
    assert password_step(second, STAFF).headers["Location"] == "/it/accesso/codice"
    blocked = code_step(second, wrong, lang="en")
    assert blocked.status_code == 429
    assert "You have made too many requests in a short time." in text(blocked)
    assert 'href="/en/password-dimenticata"' in text(blocked)


# --- Public forms: per address typed and per IP -------------------------------------------------
def _course(app, email: str) -> dict:
    return {"lezioni": lesson_ids(app)[:1], "nome": "Anna Rossi", "email": email, "privacy": "y"}


def _pledge(app, email: str) -> dict:
    return {"importo": "25", "nome": "Anna Rossi", "email": email, "privacy": "y"}


def _sign_up(app, email: str) -> dict:
    return {"nome": "Anna Rossi", "email": email, "password": PASSWORD, "conferma": PASSWORD, "privacy": "y"}


def _reset(app, email: str) -> dict:
    return {"email": email}


PUBLIC_FORMS = {
    "course registration": ("calendario/iscrizione", _course, limits.COURSE_REGISTRATION_PER_EMAIL, JUNE_10),
    "pledge": ("progetti/lab-barona/sostieni", _pledge, limits.PLEDGE_PER_EMAIL, NOVEMBER),
    "sign-up": ("registrazione", _sign_up, limits.SIGN_UP_PER_EMAIL, JUNE_10),
    "password reset": ("password-dimenticata", _reset, limits.RESET_REQUEST_PER_EMAIL, JUNE_10),
    "supporter's link": ("i-miei-sostegni", _reset, limits.SUPPORTER_LINK_PER_EMAIL, NOVEMBER),
}


def post_form(app, client, path: str, data: dict, lang: str = "it", **headers):
    token = csrf_from(client.get(f"/{lang}/{path}").get_data(as_text=True))
    return client.post(f"/{lang}/{path}", data={"csrf_token": token, **data}, headers=headers)


@pytest.mark.parametrize("form", PUBLIC_FORMS)
def test_public_forms_are_limited_per_address_typed_from_any_ip(app, at, form):
    path, fields, per_email, moment = PUBLIC_FORMS[form]
    at(moment)
    if form == "pledge":
        make_campaign(app)
    spellings = ["anna@example.org", "Anna@Example.org", " ANNA@example.org "]
    statuses = [
        post_form(app, at_ip(app, f"198.51.100.{n}"), path, fields(app, spellings[n % 3])).status_code
        for n in range(allowed(per_email) + 1)
    ]
    assert 429 not in statuses[:-1] and statuses[-1] == 429
    assert post_form(app, at_ip(app, "198.51.100.1"), path, fields(app, "bruno@example.org")).status_code != 429


def test_course_registration_is_limited_per_ip(app, at):
    at(JUNE_10)
    client = at_ip(app, "198.51.100.50")
    statuses = [
        post_form(app, client, "calendario/iscrizione", {"nome": "x", "email": f"p{n}@example.org"}).status_code
        for n in range(allowed(limits.COURSE_REGISTRATION_PER_IP) + 1)
    ]
    assert 429 not in statuses[:-1] and statuses[-1] == 429
    other = post_form(app, at_ip(app, "198.51.100.51"), "calendario/iscrizione", {"email": "q@example.org"})
    assert other.status_code == 200


def test_htmx_gets_the_message_alone_in_the_visitors_language(app, at):
    at(JUNE_10)
    client = at_ip(app, "198.51.100.60")
    for _ in range(allowed(limits.COURSE_REGISTRATION_PER_EMAIL)):
        post_form(app, client, "calendario/iscrizione", _course(app, "anna@example.org"), lang="en")
    response = post_form(
        app, client, "calendario/iscrizione", _course(app, "anna@example.org"), lang="en", **{"HX-Request": "true"}
    )
    assert response.status_code == 429 and "HX-Request" in response.headers["Vary"]
    body = text(response)
    assert "<html" not in body and 'role="alert"' in body
    assert re.search(r"You have made too many requests in a short time\. Try again in \d+ minutes?\.", body)
    assert int(response.headers["Retry-After"]) > 0


# --- The client's address ------------------------------------------------------------------------
def test_x_forwarded_for_is_believed_only_for_the_proxies_configured(app):
    per_ip = allowed(limits.RESET_REQUEST_PER_IP)

    def statuses(client, forwarded: str) -> list[int]:
        return [
            post_form(
                app,
                client,
                "password-dimenticata",
                {"email": f"p{n}@example.org"},
                **{"X-Forwarded-For": forwarded.format(n=n)},
            ).status_code
            for n in range(per_ip + 1)
        ]

    # By default nobody chooses their own address: the header is ignored.
    assert statuses(at_ip(app, "198.51.100.70"), "203.0.113.{n}")[-1] == 429
    # Behind one proxy (PROXY_FIX_X_FOR=1) the client is the address that proxy appended, last;
    # whatever the client wrote before it changes nothing.
    overrides = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR")}
    proxied = create_app(TestConfig, overrides={**overrides, "PROXY_FIX_X_FOR": 1})
    try:
        assert 429 not in statuses(at_ip(proxied, "10.0.0.2"), "192.0.2.{n}")
        assert statuses(at_ip(proxied, "10.0.0.2"), "192.0.2.{n}, 198.51.100.71")[-1] == 429
    finally:
        with proxied.app_context():
            db.engine.dispose()


# --- Two app servers, one Redis ------------------------------------------------------------------
def password_attempts(database_url: str, store_url: str, email: str, ip: str, count: int) -> list[int]:
    """What one app server of its own (this process) answers to `count` wrong passwords from `ip`."""
    app = create_app(
        TestConfig, overrides={"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_STORAGE_URI": store_url}
    )
    client = at_ip(app, ip)
    return [password_step(client, email, WRONG).status_code for _ in range(count)]


SERVER = (
    "import json, sys\n"
    "from tests.web.test_rate_limits import password_attempts\n"
    "print(json.dumps(password_attempts(**json.loads(sys.argv[1]))))\n"
)


@pytest.fixture(scope="module")
def own_redis():
    """A throwaway Redis on 127.0.0.1 for the two servers, apart from the suite's own store."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd="/tmp",
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_two_servers_sharing_redis_count_one_accounts_guesses_together(app, own_redis):
    redis.Redis.from_url(own_redis).flushdb()
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    per_account = allowed(limits.SIGN_IN_PER_ACCOUNT)
    first, second = per_account // 2 + 1, per_account // 2 + 1

    def server(ip: str, count: int) -> list[int]:
        spec = {"database_url": app.config["SQLALCHEMY_DATABASE_URI"], "store_url": own_redis}
        spec |= {"email": ANNA, "ip": ip, "count": count}
        done = subprocess.run(
            [sys.executable, "-c", SERVER, json.dumps(spec)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert server("198.51.100.80", first) == [200] * first
    assert server("203.0.113.80", second) == [200] * (per_account - first) + [429] * (first + second - per_account)


# --- "You are already registered", at most once an hour -------------------------------------------
def test_the_already_registered_mail_goes_at_most_once_an_hour(app, client, at):
    at(JUNE_10)
    sent = [post_form(app, client, "calendario/iscrizione", _course(app, "anna@example.org")) for _ in range(4)]
    subjects = [message.subject for message in mails_to(app, "anna@example.org")]
    assert subjects == ["Iscrizione confermata – Crowdfunding Civico", "Hai già un'iscrizione – il tuo link personale"]
    assert "Ti abbiamo già scritto a anna@example.org nell'ultima ora" in text(sent[-1]).replace("&#39;", "'")
    at("2020-06-10T11:00:01+02:00")  # an hour later (the portal's clock)
    post_form(app, client, "calendario/iscrizione", _course(app, "anna@example.org"))
    assert len(mails_to(app, "anna@example.org")) == 3


@pytest.mark.postgres
def test_repeats_at_the_same_moment_send_one_already_registered_mail(app):
    anna = SignUp("Anna Rossi", "anna@example.org", None, "it", (lesson_ids(app)[0],))
    now = parse_fixed_now(JUNE_10)
    with app.app_context():
        register(anna, now)
    assert run_together(app, [lambda: register(anna, now)] * 6)[1] == []
    already = [m for m in mails_to(app, "anna@example.org") if m.subject.startswith("Hai già un'iscrizione")]
    assert len(already) == 1

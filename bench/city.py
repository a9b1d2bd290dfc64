"""The synthetic city of `make bench`: five editions of the programme, their campaigns, pledges,
updates and course registrations, as rows of the real tables (dicts by column name).

Pure and reproducible: the same size, seed and day give the same rows. Dates are relative to the
day it is built (midnight in Rome), so the latest edition is live *now*: its campaigns opened in the
last weeks and close in the next ones, a few open later. Running totals (confirmed and pending
money, supporters, progress, the grant and when it was committed, rewards claimed, seats taken) are
computed from the generated pledges and registrations, the way the services keep them.

Pledges are many (5 million at `large`), so they are never held all at once: `Plan.pledges()`
regenerates a campaign's pledges from its own seed, once to add up the totals and once to write them.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bench.courses import LESSONS, lesson_event, register
from bench.words import FIRST_NAMES, ORGANISATIONS, PROJECTS, STORY, SURNAMES, UPDATE_BODY, slugify, token
from portal.clock import ROME
from portal.domain.application import THEMES
from portal.domain.campaign import grant_ceiling, progress
from portal.domain.checkout import CHECKOUT_LIFETIME
from portal.domain.match_funding import MatchRule, split_cost
from portal.domain.payment_reference import new_reference
from portal.domain.pledge import PaidVia, PaymentMethod, PledgeStatus

NIL_CSV = Path(__file__).resolve().parent.parent / "portal" / "data" / "milano" / "nil.csv"
SEED = 16  # issue 16
EDITIONS = 5
CAMPAIGN_DAYS = 60
RULE = MatchRule(threshold_percent=40, match_percent=60, cap_cents=60_000_00, max_cost_cents=100_000_00)
# What supporters give, in euros, and how often.
AMOUNTS = (5, 10, 20, 25, 30, 50, 75, 100, 150, 250)
AMOUNT_WEIGHTS = (6, 18, 20, 14, 8, 16, 4, 8, 3, 3)
MEAN_AMOUNT_CENTS = sum(a * w for a, w in zip(AMOUNTS, AMOUNT_WEIGHTS, strict=True)) * 100 // sum(AMOUNT_WEIGHTS)
REWARDS = ((10_00, "Grazie sul sito"), (50_00, "Cartolina del progetto"), (100_00, "Invito all'inaugurazione"))


@dataclass(frozen=True)
class Size:
    campaigns: int
    live: int  # open now, in the latest edition
    pledges: int
    updates: int
    registrations: int
    biggest: int  # the pledges of the campaign with most


SIZES = {
    "tiny": Size(campaigns=25, live=4, pledges=600, updates=30, registrations=60, biggest=150),
    "small": Size(campaigns=500, live=90, pledges=50_000, updates=1_000, registrations=2_000, biggest=4_300),
    "city": Size(campaigns=5_000, live=900, pledges=500_000, updates=10_000, registrations=20_000, biggest=4_300),
    "large": Size(
        campaigns=50_000, live=9_000, pledges=5_000_000, updates=100_000, registrations=200_000, biggest=4_300
    ),
}


def midnight(day: datetime) -> datetime:
    """The instant a day begins in Rome, in UTC."""
    local = day.astimezone(ROME).date()
    return datetime.combine(local, time(0), tzinfo=ROME).astimezone(UTC)


def places() -> list[tuple[int, str, int]]:
    """(nil_id, name, municipio) of Milan's NIL, from the portal's own copy."""
    with NIL_CSV.open(encoding="utf-8") as handle:
        return [(int(r["nil_id"]), r["nil_name"].title(), int(r["municipio"])) for r in csv.DictReader(handle)]


def _reference(year: int, pledge_id: int) -> str:
    # An odd multiplier is a bijection modulo 2**40: unique references that look random.
    number = (pledge_id * 0x9E3779B97F) % (1 << 40)
    return new_reference(year, number.to_bytes(5, "big"))


@dataclass
class Plan:
    """One campaign and what is needed to regenerate its pledges."""

    row: dict
    year: int
    pledge_count: int
    first_pledge_id: int
    reward_ids: list[int]
    closed: bool  # its window ended before today
    now: datetime  # today's midnight in Rome: pledges come until then
    seed: int
    totals: dict = field(default_factory=dict)

    def pledges(self) -> Iterator[dict]:
        rng = random.Random(f"{self.seed}:pledges:{self.row['id']}")
        starts, ends = self.row["starts_at"], self.row["ends_at"]
        until = min(ends, self.now)
        span = max((until - starts).total_seconds(), 60.0)
        for n in range(self.pledge_count):
            pledge_id = self.first_pledge_id + n
            created = starts + timedelta(seconds=rng.random() * span * 0.98)
            amount = rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0] * 100
            draw = rng.random()
            status = PledgeStatus.CONFIRMED if draw < 0.88 else PledgeStatus.PENDING if draw < 0.96 else None
            card = status is None or (status is PledgeStatus.CONFIRMED and rng.random() < 0.7)
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            eligible = [rid for rid, (minimum, _) in zip(self.reward_ids, REWARDS, strict=True) if amount >= minimum]
            row = {
                "id": pledge_id,
                "campaign_id": self.row["id"],
                "reward_id": eligible[-1] if eligible and rng.random() < 0.5 else None,
                "amount_cents": amount,
                "reference": _reference(self.year, pledge_id),
                "token": token(self.seed, "pledge", pledge_id),
                "name": None if rng.random() < 0.2 else f"{first} {last}",
                "email": f"{slugify(first)}.{slugify(last)}{pledge_id}@example.org",
                "message": "Forza, ce la facciamo!" if rng.random() < 0.1 else None,
                "lang": "en" if rng.random() < 0.15 else "it",
                "status": status,
                "consent_at": created,
                "created_at": created,
                "confirmed_at": None,
                "cancelled_at": None,
                "paid_via": None,
                "payment_id": None,
                "method": PaymentMethod.CARD if card else PaymentMethod.BANK_TRANSFER,
                "provider": "stripe" if card else None,
                "checkout_id": f"cs_bench_{pledge_id}" if card else None,
                "checkout_expires_at": created + CHECKOUT_LIFETIME if card else None,
                "codice_fiscale": None,
            }
            if status is None:  # a card checkout abandoned
                row["status"] = PledgeStatus.EXPIRED
            elif status is PledgeStatus.CONFIRMED:
                delay = timedelta(minutes=2) if card else timedelta(hours=rng.randint(12, 72))
                row["confirmed_at"] = min(created + delay, until - timedelta(seconds=1))
                row["paid_via"] = PaidVia.PROVIDER if card else PaidVia.BANK
                row["payment_id"] = f"evt_bench_{pledge_id}" if card else f"bank-bench-{pledge_id}"
            yield row

    def add_up(self) -> None:
        """The campaign's running totals from its pledges, as the payment and closing services keep them."""
        confirmed = sorted((p["confirmed_at"], p["amount_cents"]) for p in self.pledges() if p["confirmed_at"])
        pending = 0
        claimed = dict.fromkeys(self.reward_ids, 0)
        for p in self.pledges():
            if p["status"] is PledgeStatus.PENDING and not self.closed:
                pending += p["amount_cents"]
            if p["reward_id"] and p["status"] in (PledgeStatus.PENDING, PledgeStatus.CONFIRMED):
                claimed[p["reward_id"]] += 1 if not (self.closed and p["status"] is PledgeStatus.PENDING) else 0
        row = self.row
        row["confirmed_cents"] = sum(amount for _, amount in confirmed)
        row["pending_cents"] = pending
        row["supporters"] = len(confirmed)
        row["target_progress_bp"] = progress(row["confirmed_cents"], row["target_cents"]).basis_points
        running = 0
        for confirmed_at, amount in confirmed:
            running += amount
            if running >= row["target_cents"]:
                split = split_cost(row["goal_cents"], RULE)
                ceiling = grant_ceiling(
                    goal_cents=row["goal_cents"], target_cents=row["target_cents"], share_cents=split.comune_cents
                )
                row["grant_cents"] = min(ceiling, row["reserved_cents"])
                row["grant_committed_at"] = confirmed_at
                break
        self.totals = {"claimed": claimed}

    def final_pledges(self) -> Iterator[dict]:
        """The pledges as the closing run leaves them: unpaid ones cancelled, and a not-funded
        campaign's paid ones due for refund."""
        funded = self.row["grant_committed_at"] is not None
        for p in self.pledges():
            if self.closed and p["status"] is PledgeStatus.PENDING:
                p["status"] = PledgeStatus.CANCELLED
                p["cancelled_at"] = self.row["closed_at"]
            elif self.closed and p["status"] is PledgeStatus.CONFIRMED and not funded:
                p["status"] = PledgeStatus.REFUND_DUE
            yield p


@dataclass
class City:
    """The rows, table by table in the order they can be written, and the campaigns' plans."""

    tables: dict[str, list[dict]]
    plans: list[Plan]

    def pledges(self) -> Iterator[dict]:
        for plan in self.plans:
            yield from plan.final_pledges()


def build(size: Size, now: datetime, *, seed: int = SEED, first_id: int = 1) -> City:
    """The city at `size`, on the day of `now` (any time that day gives the same rows); ids start at
    `first_id` in every table."""
    rng = random.Random(seed)
    today = midnight(now)
    nils = places()
    tables: dict[str, list[dict]] = {
        name: [] for name in ("edition", "event", "registrant", "registration", "campaign", "campaign_reward")
    }
    tables["campaign_update"] = []
    ids = dict.fromkeys(("edition", "event", "registrant", "registration", "campaign", "reward", "update"), first_id)

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind] - 1

    per_edition = [size.campaigns // EDITIONS] * EDITIONS
    per_edition[-1] += size.campaigns - sum(per_edition)
    counts = _pledge_counts(rng, size, first_of_latest=size.campaigns - per_edition[-1])
    plans: list[Plan] = []
    pledge_id = first_id
    lessons: list[dict] = []
    for index, count in enumerate(per_edition):
        years_back = EDITIONS - 1 - index
        year = today.astimezone(ROME).year - years_back
        season = today - timedelta(days=365 * years_back)  # the latest edition's campaigns run now
        edition = {
            "id": next_id("edition"),
            "year": year,
            "number": index + 1,
            "is_published": True,
            "applications_open_at": season - timedelta(days=200),
            "applications_close_at": season - timedelta(days=140),
            "max_cost_cents": RULE.max_cost_cents,
            "max_duration_months": 12,
            "campaign_days": CAMPAIGN_DAYS,
            "instalment_plan": [],
            "threshold_percent": RULE.threshold_percent,
            "match_percent": RULE.match_percent,
            "match_cap_cents": RULE.cap_cents,
            "budget_cents": 0,  # the sum of the reserves, below
            "budget_is_floor": False,
            "eligible_legal_forms": ["associazione", "fondazione", "impresa_sociale"],
            "requires_non_profit": True,
            "requires_seat_in_milan": True,
            "department": "Assessorato al Lavoro e Attività produttive",
            "platform_partner": "Produzioni dal Basso",
            "results_expected_on": (season - timedelta(days=100)).astimezone(ROME).date(),
            "ranking_published_at": season - timedelta(days=95),
            "focus_it": f"Edizione {index + 1} del Crowdfunding Civico: progetti di quartiere cofinanziati dal Comune.",
            "focus_en": f"Edition {index + 1} of Crowdfunding Civico: neighbourhood projects co-funded by the Comune.",
        }
        tables["edition"].append(edition)
        info_at = season - timedelta(days=190) + timedelta(hours=15, minutes=30)
        tables["event"].append(lesson_event(next_id("event"), edition, "info", 0, info_at))
        for position in range(1, LESSONS + 1):
            starts = season - timedelta(days=180 - 7 * position) + timedelta(hours=16)
            lesson = lesson_event(next_id("event"), edition, "lesson", position, starts)
            lesson["capacity"] = max(size.registrations * 9 // (10 * EDITIONS * LESSONS), 1)
            tables["event"].append(lesson)
            lessons.append(lesson)
        latest = index == EDITIONS - 1
        published = season - timedelta(days=CAMPAIGN_DAYS - 3)
        for n in range(count):
            campaign_id = next_id("campaign")
            upcoming = latest and n >= size.live
            if upcoming:
                starts = season + timedelta(days=rng.randint(1, 20))
            else:
                starts = season - timedelta(days=rng.randint(1, CAMPAIGN_DAYS - 5))
            ends = starts + timedelta(days=CAMPAIGN_DAYS)
            biggest = latest and n == 0
            pledge_count = counts[campaign_id - first_id]
            expected = pledge_count * MEAN_AMOUNT_CENTS * 88 // 100
            target_wanted = max(expected * rng.uniform(0.7, 1.4), 1_200_00)
            # A goal whose target the expected pledges reach about half the time, in hundreds of euros.
            goal = round(target_wanted * 100 / RULE.threshold_percent / 100_00) * 100_00
            goal = RULE.max_cost_cents if biggest else min(max(goal, 3_000_00), RULE.max_cost_cents)
            split = split_cost(goal, RULE)
            nil_id, nil_name, municipio = rng.choice(nils)
            title = f"{rng.choice(PROJECTS)} a {nil_name}"[:150]
            theme = rng.choice(THEMES)
            organisation = f"{rng.choice(ORGANISATIONS)} {rng.choice(SURNAMES)} {nil_name}"[:200]
            row = {
                "id": campaign_id,
                "edition_id": edition["id"],
                "application_id": None,
                "organisation_id": None,
                "slug": f"{slugify(title)}-{campaign_id}"[:120],
                "title": title,
                "summary": f"{title}: uno spazio aperto al quartiere, proposto da {organisation}."[:400],
                "story": STORY,
                "organisation_name": organisation,
                "theme": theme,
                "nil_id": nil_id,
                "municipio": municipio,
                "goal_cents": goal,
                "target_cents": split.citizens_target_cents,
                "reserved_cents": split.comune_cents,
                "starts_at": starts,
                "ends_at": ends,
                "created_at": published - timedelta(days=9),
                "published_at": published,
                "confirmed_cents": 0,
                "pending_cents": 0,
                "supporters": 0,
                "target_progress_bp": 0,
                "grant_cents": None,
                "grant_committed_at": None,
                "closed_at": ends + timedelta(hours=1) if ends < today else None,
                "image_file": None,
                "image_alt": None,
                "demo_estimates": [],
                "source_urls": [],
            }
            tables["campaign"].append(row)
            edition["budget_cents"] += split.comune_cents
            reward_ids = []
            for position, (minimum, reward_title) in enumerate(REWARDS, start=1):
                reward_ids.append(next_id("reward"))
                tables["campaign_reward"].append(
                    {
                        "id": reward_ids[-1],
                        "campaign_id": campaign_id,
                        "position": position,
                        "title": reward_title,
                        "min_pledge_cents": minimum,
                        "description": f"{reward_title}: il nostro modo di dire grazie.",
                        "quantity": None,
                        "claimed": 0,
                    }
                )
            plan = Plan(row, year, pledge_count, pledge_id, reward_ids, ends <= today, today, seed)
            pledge_id += pledge_count
            plan.add_up()
            for reward in tables["campaign_reward"][-len(REWARDS) :]:
                reward["claimed"] = plan.totals["claimed"][reward["id"]]
            plans.append(plan)

    started = [plan.row for plan in plans if plan.row["starts_at"] < today]
    for _ in range(size.updates):
        campaign = rng.choice(started)
        until = min(campaign["ends_at"], today)
        posted = campaign["starts_at"] + (until - campaign["starts_at"]) * rng.random()
        update_id = next_id("update")
        tables["campaign_update"].append(
            {
                "id": update_id,
                "campaign_id": campaign["id"],
                "title": f"Aggiornamento n. {update_id - first_id + 1}: come procede",
                "body": UPDATE_BODY,
                "posted_at": posted,
                "author_id": None,
            }
        )
    register(rng, tables, lessons, size.registrations, next_id, seed)
    return City(tables, plans)


def _pledge_counts(rng: random.Random, size: Size, first_of_latest: int) -> list[int]:
    """Pledges per campaign, in order: `biggest` for the latest edition's first campaign, none for
    its campaigns still to open, a skewed share of the rest for the others (never as many as the
    biggest), adding up to `size.pledges`."""
    upcoming = range(first_of_latest + size.live, size.campaigns)
    others = [i for i in range(size.campaigns) if i != first_of_latest and i not in upcoming]
    weights = [rng.lognormvariate(0, 0.8) for _ in others]
    left = max(size.pledges - size.biggest, 0)
    counts = [0] * size.campaigns
    counts[first_of_latest] = size.biggest
    total_weight = sum(weights)
    for i, weight in zip(others, weights, strict=True):
        counts[i] = min(int(left * weight / total_weight), size.biggest - 1)
    for i in others[: left - sum(counts[j] for j in others)]:  # what rounding down left over
        counts[i] += 1
    return counts

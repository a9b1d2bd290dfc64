"""The course of each edition in the synthetic city: an info session, four lessons, and people
signing up for them (seats first, then the waitlist), with the seats taken stored on each lesson."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.words import FIRST_NAMES, SURNAMES, slugify, token
from portal.domain.registration import RegistrationStatus

LESSONS = 4


def lesson_event(event_id: int, edition: dict, kind: str, position: int, starts: datetime) -> dict:
    year = edition["year"]
    lesson = kind == "lesson"
    return {
        "id": event_id,
        "edition_id": edition["id"],
        "kind": "LESSON" if lesson else "INFO_SESSION",
        "slug": f"bench-{year}-lezione-{position}" if lesson else f"bench-{year}-sessione-informativa",
        "position": position if lesson else None,
        "title_it": f"Lezione {position} del corso {year}" if lesson else f"Sessione informativa {year}",
        "title_en": f"Lesson {position} of the {year} course" if lesson else f"Info session {year}",
        "summary_it": None,
        "summary_en": None,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue": "ZOOM" if lesson else "YOUTUBE",
        "join_url": f"https://zoom.example/j/bench-{year}-{position}" if lesson else "https://www.youtube.com/",
        "is_join_url_public": not lesson,
        "recording_url": None,
        "materials_url": None,
        "capacity": None,
        "confirmed_seats": 0,
        "speakers": [],
    }


def register(rng, tables, lessons, total, next_id, seed) -> None:
    """People signing up for one to four lessons of one edition: seats first, then the waitlist."""
    made = 0
    while made < total:
        registrant_id = next_id("registrant")
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        edition_id = rng.choice(lessons)["edition_id"]
        edition_lessons = [lesson for lesson in lessons if lesson["edition_id"] == edition_id]
        chosen = rng.sample(edition_lessons, min(rng.randint(1, LESSONS), total - made, len(edition_lessons)))
        signed_up = min(lesson["starts_at"] for lesson in chosen) - timedelta(days=rng.randint(2, 20))
        tables["registrant"].append(
            {
                "id": registrant_id,
                "email": f"{slugify(first)}.{slugify(last)}.{registrant_id}@example.org",
                "name": f"{first} {last}",
                "organisation": None,
                "lang": "it",
                "token": token(seed, "registrant", registrant_id, 43),
                "consent_at": signed_up,
                "created_at": signed_up,
                "anonymised_at": None,
                "already_registered_mail_at": None,
            }
        )
        for lesson in chosen:
            cancelled = rng.random() < 0.05
            if cancelled:
                status = RegistrationStatus.CANCELLED
            elif lesson["confirmed_seats"] < lesson["capacity"]:
                status = RegistrationStatus.CONFIRMED
                lesson["confirmed_seats"] += 1
            else:
                status = RegistrationStatus.WAITLISTED
            tables["registration"].append(
                {
                    "id": next_id("registration"),
                    "event_id": lesson["id"],
                    "registrant_id": registrant_id,
                    "status": status,
                    "created_at": signed_up,
                    "waitlisted_at": signed_up if status is RegistrationStatus.WAITLISTED else None,
                    "confirmed_at": signed_up if status is RegistrationStatus.CONFIRMED else None,
                    "cancelled_at": signed_up + timedelta(days=1) if cancelled else None,
                }
            )
            made += 1

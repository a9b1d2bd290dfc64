"""The unit of work (`portal.services.transaction`): one commit when the outermost service call
returns, nested calls joining it, everything rolled back on an exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.domain import DomainError
from portal.extensions import db
from portal.models import OutboxMessage
from portal.services import mail, transaction

NOW = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)


@transaction.transactional
def _write(subject: str, *, then_refuse: bool = False) -> None:
    mail.queue("anna@example.org", subject, "Ciao Anna.", NOW)
    db.session.flush()
    if then_refuse:
        raise DomainError("refused")


@transaction.transactional
def _write_two(second_refuses: bool = False) -> None:
    _write("first")
    _write("second", then_refuse=second_refuses)


@pytest.fixture
def commits(app):
    seen: list[str] = []

    def committed(session: Session) -> None:
        if not session.in_nested_transaction():
            seen.append("commit")

    event.listen(Session, "after_commit", committed)
    yield seen
    event.remove(Session, "after_commit", committed)


def subjects(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(OutboxMessage.subject)))


def test_nested_calls_join_the_outermost_which_commits_once(app, commits):
    with app.app_context():
        _write_two()
        assert commits == ["commit"]
    assert subjects(app) == ["first", "second"]


def test_a_domain_error_leaves_nothing_half_written(app, commits):
    with app.app_context():
        with pytest.raises(DomainError):
            _write_two(second_refuses=True)
        assert commits == []
        assert not transaction.in_unit_of_work()
    assert subjects(app) == []


def test_callbacks_run_after_the_commit_or_the_rollback(app):
    happened: list[str] = []

    @transaction.transactional
    def with_callbacks(refuse: bool) -> None:
        transaction.on_commit(lambda: happened.append("committed"))
        transaction.on_rollback(lambda: happened.append("rolled back"))
        _write("with callbacks", then_refuse=refuse)

    with app.app_context():
        with_callbacks(refuse=False)
        with pytest.raises(DomainError):
            with_callbacks(refuse=True)
    assert happened == ["committed", "rolled back"]
    assert subjects(app) == ["with callbacks"]


def test_a_batch_item_refuses_to_run_inside_another_unit_of_work(app):
    with app.app_context():
        with transaction.unit_of_work(), pytest.raises(RuntimeError), transaction.own_transaction():
            pass
        with transaction.own_transaction():
            _write("an item of a batch")
    assert subjects(app) == ["an item of a batch"]

"""The `one_commit_per_request` fixture (tests/web/conftest.py) catches a request that commits twice,
and counts neither savepoints nor the endpoints of the batches it lists."""

from __future__ import annotations

from collections.abc import Callable

from portal import layout
from portal.extensions import db

# A page rendered once per request (the home page's own parts are kept, and rendered apart from its
# layout when they are not: the layout's context runs twice then).
PAGE = "/it/accessibilita"
ENDPOINT = "GET /it/accessibilita (pages.accessibility)"


def _during_every_page(monkeypatch, action: Callable[[], None]) -> None:
    """Run `action` inside every page's request (where the layout reads the current edition)."""
    edition_for_layout = layout._edition_for_layout

    def with_action():
        action()
        return edition_for_layout()

    monkeypatch.setattr(layout, "_edition_for_layout", with_action)


def _commit_twice() -> None:
    """As a view calling two services one after the other would."""
    db.session.commit()
    db.session.commit()


def test_a_request_that_commits_twice_is_caught(client, monkeypatch, one_commit_per_request):
    _during_every_page(monkeypatch, _commit_twice)
    assert client.get(PAGE).status_code == 200
    assert one_commit_per_request.too_many == [(ENDPOINT, 2)]
    one_commit_per_request.too_many.clear()  # caught: the fixture must not fail this test at its end


def test_the_endpoint_of_a_listed_batch_may_commit_more_than_once(client, monkeypatch, one_commit_per_request):
    _during_every_page(monkeypatch, _commit_twice)
    monkeypatch.setitem(one_commit_per_request.exempt, "pages.accessibility", "a batch, for this test")
    assert client.get(PAGE).status_code == 200
    assert one_commit_per_request.too_many == []


def test_savepoints_are_not_commits(client, monkeypatch, one_commit_per_request):
    def savepoints_then_commit() -> None:
        for _ in range(3):
            with db.session.begin_nested():
                pass
        db.session.commit()

    _during_every_page(monkeypatch, savepoints_then_commit)
    assert client.get(PAGE).status_code == 200
    assert one_commit_per_request.too_many == []

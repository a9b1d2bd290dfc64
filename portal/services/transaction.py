"""One transaction per user action, committed in one place.

A service function that changes data is `@transactional`: it commits once when the outermost
such call returns and rolls back when any exception leaves it (a `DomainError` included), so a
refusal never leaves anything half-written. A transactional function called by another joins
the caller's transaction; only the outermost commits. Views and CLI commands call services and
never commit or roll back themselves (as indico's `RH.process`, which commits once per request).

Batches that deliberately commit each item on its own (the bank statement import, the outbox
delivery, closing campaigns) run each item in `own_transaction()`, which refuses to run inside
another unit of work, and say at that place why.

This module is the only place that calls `commit()` or `rollback()`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "unit_of_work_depth"
_ON_COMMIT = "unit_of_work_on_commit"
_ON_ROLLBACK = "unit_of_work_on_rollback"


def in_unit_of_work() -> bool:
    return db.session.info.get(_DEPTH, 0) > 0


@contextmanager
def unit_of_work() -> Iterator[None]:
    """The body joins the unit of work in progress, or is one: committed at the end, rolled back
    on any exception (which then goes on)."""
    session = db.session()
    info = session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    if depth:
        try:
            yield
        finally:
            info[_DEPTH] = depth
        return
    info[_ON_COMMIT], info[_ON_ROLLBACK] = [], []
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        _run(info.pop(_ON_ROLLBACK))
        raise
    else:
        _run(info.pop(_ON_COMMIT))
    finally:
        info.pop(_ON_COMMIT, None)
        info.pop(_ON_ROLLBACK, None)
        info[_DEPTH] = 0


def transactional(func: Callable[P, R]) -> Callable[P, R]:
    """Run the function in a unit of work (see `unit_of_work`)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper


@contextmanager
def own_transaction() -> Iterator[None]:
    """A unit of work that must be the outermost: one item of a batch that commits item by item.
    Inside another unit of work it would silently join it, so it refuses to."""
    if in_unit_of_work():
        raise RuntimeError("a batch that commits each item cannot run inside another unit of work")
    with unit_of_work():
        yield


def on_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the unit of work in progress has committed (e.g. delete a file whose
    record was removed)."""
    _callbacks(_ON_COMMIT).append(callback)


def on_rollback(callback: Callable[[], object]) -> None:
    """Run `callback` if the unit of work in progress rolls back (e.g. delete a file stored for a
    record that will not exist)."""
    _callbacks(_ON_ROLLBACK).append(callback)


def _callbacks(key: str) -> list[Callable[[], object]]:
    if not in_unit_of_work():
        raise RuntimeError("no unit of work in progress")
    return db.session.info[key]


def _run(callbacks: list[Callable[[], object]]) -> None:
    for callback in callbacks:
        callback()


def discard() -> None:
    """Throw away what the session holds after a database error that was dealt with (an error page,
    the layout read while the database is down), so the reads that follow start afresh.
    Never a way to undo a unit of work: `unit_of_work` does that itself."""
    db.session.rollback()

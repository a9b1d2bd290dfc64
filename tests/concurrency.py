"""Run calls at the same moment, each in its own thread, app context and database session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def run_together(app, calls: list[Callable[[], Any]]) -> tuple[list[Any], list[Exception]]:
    """Release every call together behind a barrier; return their results and any exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[Exception] = []

    def run(call: Callable[[], Any]) -> None:
        with app.app_context():
            from portal.extensions import db

            barrier.wait()
            try:
                results.append(call())
            except Exception as exc:  # noqa: BLE001 - the test reports any failure of any thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors

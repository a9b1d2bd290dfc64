"""The open-data exports, kept as files per data version: the first request after a change streams
the file as it is read from the database (first byte at once, flat memory) and writes a copy beside
it; every later request, until the next change, is sent that copy from disk (the server's sendfile),
costing no query and no worker time to speak of.

A copy is named after the data version and the build (`<name>.<version>.<build>`): a change, or a
release that writes the file differently, makes a new one. It is written to a temporary file and
renamed only once whole, so no one is ever sent half a file; a request cut short leaves nothing.
Copies of older versions are removed once they are `STALE_AFTER` old (a worker may still be sending
one). Two workers that build the same copy at once each write their own and rename it: same content.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Response, current_app, send_file, stream_with_context

from portal.services import data_version

log = logging.getLogger(__name__)

STALE_AFTER = 60  # seconds an older version's copy stays, for whoever is still being sent it
PART_STALE_AFTER = 3600


def kept_file(name: str, chunks: Callable[[], Iterator[str]], mimetype: str) -> Response:
    """The export `name` (no dot in it): its kept copy for this data version, or `chunks()` streamed
    and kept."""
    folder = Path(current_app.config["KEPT_FILES_DIR"])
    build = current_app.extensions["http_cache"].build
    path = folder / f"{name}.{data_version.current().key}.{build}"
    try:
        return send_file(path, mimetype=mimetype, conditional=False, etag=False, max_age=None)
    except FileNotFoundError:
        pass  # not built yet for this version (or removed by now): stream it, and keep a copy
    return Response(stream_with_context(_streamed_and_kept(chunks(), folder, path)), content_type=mimetype)


def _streamed_and_kept(chunks: Iterator[str], folder: Path, path: Path) -> Iterator[bytes]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        copy = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
            dir=folder, prefix=f".{path.name}.", suffix=".part", delete=False
        )
    except OSError:  # a read-only or full disk: the file is still sent, only not kept
        log.warning("cannot keep %s in %s", path.name, folder, exc_info=True)
        yield from (chunk.encode("utf-8") for chunk in chunks)
        return
    whole = False
    try:
        with copy:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                copy.write(data)
                yield data
        os.replace(copy.name, path)
        whole = True
    finally:
        if not whole:  # the visitor left, or reading failed: no half file stays
            Path(copy.name).unlink(missing_ok=True)
    _remove_older(folder, path)


def _remove_older(folder: Path, current: Path) -> None:
    """Older versions' copies, and parts a stopped worker left (after an hour: a slow download of a
    large city may still be writing one)."""
    name = current.name.split(".", 1)[0]
    now = time.time()
    candidates = [(path, STALE_AFTER) for path in folder.glob(f"{name}.*")]
    candidates += [(path, PART_STALE_AFTER) for path in folder.glob(f".{name}.*.part")]
    for other, age in candidates:
        try:
            if other != current and other.stat().st_mtime < now - age:
                other.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue

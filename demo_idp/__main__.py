"""`python -m demo_idp`: serve the demo SPID identity provider on 127.0.0.1 (never for production).

With ``--port 0`` (the default) the system picks a free port; the address is printed, its metadata
written to ``--metadata-dir``/demo-idp.xml and the address to ``--ready-file`` once the server listens.
The metadata file is removed when it stops, so the portal no longer lists an identity provider gone.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from demo_idp import METADATA_FILE
from demo_idp.app import create_app
from demo_idp.keys import write_key_and_certificate
from demo_idp.saml import DemoIdentityProvider

LOOPBACK = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo_idp", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--sp-metadata", required=True, help="the portal's metadata: its URL on 127.0.0.1, or a file")
    parser.add_argument(
        "--metadata-dir", type=Path, required=True, help="the portal's SPID_IDP_METADATA_DIR: its metadata goes there"
    )
    parser.add_argument("--ready-file", type=Path, help="written with the base URL once listening")
    return parser.parse_args(argv)


def is_local(source: str) -> bool:
    """A file, or a URL on this machine: the demo trusts nobody else's service provider."""
    parts = urlsplit(source)
    if parts.scheme in ("http", "https"):
        return parts.hostname in ("127.0.0.1", "localhost", "::1")
    return not parts.scheme or len(parts.scheme) == 1  # a path (C:\… included)


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # whole or absent: the portal never reads half a file


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="demo IdP: %(message)s")
    if not is_local(args.sp_metadata):
        raise SystemExit("--sp-metadata must be a file or a URL on 127.0.0.1: the demo serves a local portal only")
    work = Path(tempfile.mkdtemp(prefix="demo-idp-"))
    args.metadata_dir.mkdir(parents=True, exist_ok=True)
    metadata_file = args.metadata_dir / METADATA_FILE
    try:
        server = make_server(LOOPBACK, args.port, None, threaded=True)
        base_url = f"http://{LOOPBACK}:{server.server_port}"
        key_file, cert_file = write_key_and_certificate(work, f"{base_url}/metadata.xml")
        idp = DemoIdentityProvider(base_url, key_file, cert_file, args.sp_metadata, work)
        server.app = create_app(idp)
        write_atomically(metadata_file, idp.metadata())

        def stop(*_: object) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        print(
            f"demo SPID identity provider (never for production) on {base_url}, metadata in {metadata_file}", flush=True
        )
        if args.ready_file:
            write_atomically(args.ready_file, base_url)
        try:
            server.serve_forever()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            server.server_close()
    finally:
        with contextlib.suppress(FileNotFoundError):
            metadata_file.unlink()
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()

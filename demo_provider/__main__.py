"""`python -m demo_provider`: serve the demo payment provider on 127.0.0.1 (never for production).

The shared secret comes from the environment (PAYMENT_WEBHOOK_SECRET), never from the command line,
where other users of the machine could read it. With ``--port 0`` (the default) the system picks a
free port; the address is printed, and written to ``--ready-file`` once the server listens.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from werkzeug.serving import make_server

from demo_provider.app import Settings, create_app, is_loopback

LOOPBACK = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo_provider", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--notify-url", required=True, help="the portal's notification URL, on 127.0.0.1")
    parser.add_argument("--now", default="", help="a fixed clock, ISO 8601 with offset (like PORTAL_NOW)")
    parser.add_argument("--ready-file", type=Path, help="written with the base URL once listening")
    parser.add_argument("--sweep-seconds", type=float, default=5, help="how often expiry is checked")
    parser.add_argument(
        "--notify-delay", type=float, default=0, help="seconds between paying and notifying (0: before the redirect)"
    )
    return parser.parse_args(argv)


def fixed_clock(value: str) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise SystemExit(f"--now {value!r} needs an offset, e.g. +01:00")
    return moment


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="demo provider: %(message)s")
    secret = os.environ.get("PAYMENT_WEBHOOK_SECRET", "")
    if not secret:
        raise SystemExit("PAYMENT_WEBHOOK_SECRET is not set: the demo provider signs its notifications with it")
    if not is_loopback(args.notify_url):
        raise SystemExit("--notify-url must be on 127.0.0.1: the demo provider notifies a local portal only")
    settings = Settings(
        secret=secret.encode(),
        notify_url=args.notify_url,
        fixed_now=fixed_clock(args.now),
        sweep_seconds=args.sweep_seconds,
        notify_delay=args.notify_delay,
    )
    app = create_app(settings)
    server = make_server(LOOPBACK, args.port, app, threaded=True)
    base_url = f"http://{LOOPBACK}:{server.server_port}"
    app.config["BASE_URL"] = base_url
    app.extensions["demo_provider"]["sweeper"].start()

    def stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"demo provider (never for production) on {base_url}, notifying {args.notify_url}", flush=True)
    if args.ready_file:
        partial = args.ready_file.with_suffix(".partial")
        partial.write_text(base_url)
        partial.replace(args.ready_file)  # whole or absent: a reader never sees half an address
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        app.extensions["demo_provider"]["stop"].set()
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
